using MilkCells.Core.Errors;

namespace MilkCells.Engine.Algorithms;

/// <summary>A simulation algorithm, as a value: which method, with its parameters, citing its paper.</summary>
/// <remarks>
/// Every algorithm stops exactly at driver changes, host interventions, event times and (for tau-leaping) output
/// times, refreshes all propensities there, and checks state triggers after every change of the state they read,
/// so no step crosses a discontinuity and no trigger crossing goes unnoticed. A network whose rate laws read
/// <c>time</c> itself runs with the direct method on the integrated total propensity whatever the algorithm
/// (random time change, Anderson 2007, J Chem Phys 127:214107, doi:10.1063/1.2799998), exact to quadrature
/// tolerance; piecewise-constant inputs are cheaper as drivers.
/// </remarks>
public abstract record Algorithm
{
    /// <summary>The name the CLI accepts.</summary>
    public abstract string Name { get; }

    /// <summary>Whether every trajectory is an exact sample of the chemical master equation.</summary>
    public abstract bool IsExact { get; }

    /// <summary>The direct method.</summary>
    public static DirectMethod Direct { get; } = new();

    /// <summary>Composition–rejection, the exact method for large networks.</summary>
    public static CompositionRejection CompositionRejection { get; } = new();

    /// <summary>Adaptive explicit tau-leaping with default settings.</summary>
    public static TauLeaping TauLeaping { get; } = new();

    /// <summary>Automatic choice with default settings.</summary>
    public static AutoAlgorithm Auto { get; } = new();

    /// <summary>The names <see cref="Parse"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["direct", "cr", "tau", "auto"];

    /// <summary>The algorithm named <paramref name="name"/> (<c>direct</c>, <c>cr</c> or
    /// <c>composition-rejection</c>, <c>tau</c>, <c>auto</c>), case-insensitive.</summary>
    public static Algorithm Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "direct" or "ssa" => Direct,
        "cr" or "composition-rejection" or "ssa-cr" => CompositionRejection,
        "tau" or "tau-leaping" or "tauleaping" => TauLeaping,
        "auto" => Auto,
        _ => throw new InputException(InputLocation.AtElement(null, "--algorithm"), $"unknown algorithm '{name}'",
            "use one of: " + string.Join(", ", Names)),
    };
}

/// <summary>Gillespie's direct method: exact; each firing draws a waiting time and picks a reaction by a linear scan.</summary>
/// <remarks>
/// Gillespie 1977, "Exact stochastic simulation of coupled chemical reactions", J Phys Chem 81:2340,
/// doi:10.1021/j100540a008. Implementation: waiting times from the ziggurat exponential, propensities updated
/// through the dependency graph (Gibson &amp; Bruck 2000) with an incrementally kept sum that is recomputed exactly
/// every 4,096 firings to bound rounding drift. Cost per firing grows linearly with the number of reactions, so it
/// is the fastest choice for small networks (up to a few dozen reactions).
/// </remarks>
public sealed record DirectMethod : Algorithm
{
    /// <inheritdoc/>
    public override string Name => "direct";

    /// <inheritdoc/>
    public override bool IsExact => true;
}

/// <summary>Composition–rejection SSA: exact, with a cost per firing independent of the number of reactions.</summary>
/// <remarks>
/// Slepoy, Thompson &amp; Plimpton 2008, "A constant-time kinetic Monte Carlo algorithm for simulation of large
/// biochemical reaction networks", J Chem Phys 128:205101, doi:10.1063/1.2919546. Reactions are grouped by the
/// binary exponent of their propensity (group g holds propensities in [2^g, 2^(g+1))); a group is chosen by a scan
/// over the few non-empty groups and a reaction within it by rejection, accepted with probability above ½.
/// Moving a reaction between groups is O(1). Chosen over the next-reaction method (Gibson &amp; Bruck 2000), whose
/// indexed priority queue costs O(log M) scattered memory accesses per propensity change, and over sorting direct
/// (McCollum et al. 2006), whose search is still O(M) when propensities are similar — as in large, evenly coupled
/// networks such as reaction–diffusion lattices, where composition–rejection stays O(1).
/// </remarks>
public sealed record CompositionRejection : Algorithm
{
    /// <inheritdoc/>
    public override string Name => "cr";

    /// <inheritdoc/>
    public override bool IsExact => true;
}

/// <summary>Adaptive explicit Poisson tau-leaping with critical reactions fired exactly (approximate).</summary>
/// <remarks>
/// Step size: Cao, Gillespie &amp; Petzold 2006, "Efficient step size selection for the tau-leaping simulation
/// method", J Chem Phys 124:044109, doi:10.1063/1.2159468, eq. 33: τ bounds the expected relative change of every
/// propensity by ε through the mean and variance of each reactant species' change (with the gᵢ of its highest-order
/// reaction). Critical reactions (fewer than <see cref="CriticalThreshold"/> firings from exhausting a reactant)
/// fire at most once per leap, exactly: Cao, Gillespie &amp; Petzold 2005, "Avoiding negative populations in
/// explicit Poisson tau-leaping", J Chem Phys 123:054104, doi:10.1063/1.1992473. When τ &lt; <see cref="SsaFactor"/>/a₀
/// the leap would be no cheaper than exact steps, so <see cref="SsaSteps"/> exact firings are taken instead. A leap
/// that would drive a count negative is retried with τ halved. Leaps never cross an event time, a driver change,
/// an intervention or an output time; a leap after which a state trigger would newly hold is undone and the
/// crossing is found by exact steps, so the event fires at the exact firing that crosses the threshold.
/// </remarks>
/// <param name="Epsilon">ε, the bound on the relative change of propensities per leap.</param>
/// <param name="CriticalThreshold">n_c: a reaction within this many firings of exhausting a reactant is critical.</param>
/// <param name="SsaFactor">Leap only when τ ≥ this many mean waiting times 1/a₀.</param>
/// <param name="SsaSteps">Exact firings taken when leaping is not worthwhile.</param>
/// <param name="MaxTurnover">Largest expected fraction of a species' count one leap may consume.</param>
public sealed record TauLeaping(double Epsilon = 0.03, int CriticalThreshold = 10, double SsaFactor = 10, int SsaSteps = 100, double MaxTurnover = 0.1) : Algorithm
{
    /// <inheritdoc/>
    public override string Name => "tau";

    /// <summary>Whether the network's monomolecular part that acts on nothing else is advanced exactly instead of leaped.</summary>
    /// <remarks>
    /// Species changed only by conversions x → y, degradations x → ∅ and inflows ∅ → y whose rates are c·x or c with c
    /// from parameters and drivers, and read by no other rate, follow the monomolecular master equation between
    /// stops, whose solution is a multinomial (molecules present) plus independent Poisson counts (arrivals)
    /// (Jahnke &amp; Huisinga 2007, J Math Biol 54:1–26, doi:10.1007/s00285-006-0034-x). They are then sampled exactly at
    /// every output time and stop: they no longer bound τ nor cost a Poisson draw per leap, and only the other
    /// reactions leap. <see cref="Simulation.RunResult.Firings"/> then counts, for them, the molecules that moved or
    /// arrived between samples (a lower bound on their firings). Used by the milk model's feed resolution; off by
    /// default and for <see cref="AutoAlgorithm"/>. Networks with rules or events leap everything.
    /// </remarks>
    public bool ExactLinear { get; init; }

    /// <inheritdoc/>
    public override bool IsExact => false;
}

/// <summary>Exact while affordable, tau-leaping when a trajectory would need too many exact firings.</summary>
/// <remarks>
/// The exact method is the direct method up to <see cref="CompositionRejectionAbove"/> reactions and
/// composition–rejection above (where its O(1) selection overtakes the direct method's linear scan). After every
/// discontinuity and every <see cref="CheckEvery"/> firings, the expected number of firings to the end of the run,
/// a₀·(T_end − t), is compared with <see cref="ExactBudget"/>: above it, the trajectory continues by tau-leaping
/// (<see cref="Leaping"/>), which itself falls back to exact steps where leaps would be short. Small systems such as
/// the DSMTS therefore run exactly; populations of 10⁵–10⁸ over months leap.
/// </remarks>
/// <param name="ExactBudget">Expected remaining exact firings above which the trajectory leaps.</param>
/// <param name="CompositionRejectionAbove">Reaction count above which the exact method is composition–rejection.</param>
/// <param name="CheckEvery">Firings between re-evaluations of the choice.</param>
public sealed record AutoAlgorithm(double ExactBudget = 1e7, int CompositionRejectionAbove = 48, int CheckEvery = 65536) : Algorithm
{
    /// <inheritdoc/>
    public override string Name => "auto";

    /// <inheritdoc/>
    public override bool IsExact => false;

    /// <summary>The tau-leaping settings used when leaping.</summary>
    public TauLeaping Leaping { get; init; } = new();
}
