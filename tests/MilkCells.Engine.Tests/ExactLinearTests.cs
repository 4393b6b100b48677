using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Ensembles;
using MilkCells.Engine.Model;
using MilkCells.Engine.Simulation;

namespace MilkCells.Engine.Tests;

/// <summary>Tau-leaping with <see cref="TauLeaping.ExactLinear"/>: the monomolecular part is an exact sample (Jahnke &amp; Huisinga 2007).</summary>
/// <remarks>
/// Each case has a closed-form law, and the ensembles are sampled with a single output time far beyond the leap
/// condition (plain tau-leaping would be biased there, see TauAndAutoTests), so only sampling error is allowed:
/// means within 5 standard errors, variances within 6 of theirs (<see cref="Analytic"/>).
/// </remarks>
public class ExactLinearTests
{
    private static readonly TauLeaping Exact = new(Epsilon: 0.15, MaxTurnover: 0.25) { ExactLinear = true };
    private const int N = 4000;

    [Fact]
    public void Inflow_conversion_and_loss_give_independent_poisson_counts_across_a_driver_change()
    {
        // ∅ → A (α·s), A → B (k), A → ∅ (d), B → ∅ (e), from 0; the driver s halves α at t = 2. A Poisson inflow
        // thinned by independent moves stays Poisson in every species (Jahnke & Huisinga 2007, Prop. 2), with
        // means from the ODEs m_A' = α s − (k + d) m_A, m_B' = k m_A − e m_B (solved piecewise in closed form below).
        double alpha = 500, k = 0.7, d = 0.3, e = 0.4;
        var network = new NetworkBuilder("chain")
            .Parameter("alpha", alpha).Parameter("k", k).Parameter("d", d).Parameter("e", e)
            .Driver("s", 1, [(2, 0.5)])
            .Species("A", 0).Species("B", 0)
            .MassAction("in", "-> A", "alpha * s")
            .MassAction("convert", "A -> B", "k")
            .MassAction("lossA", "A ->", "d")
            .MassAction("lossB", "B ->", "e")
            .Build();
        var r = Analytic.Run(network, Exact, N, [0, 5]);
        var (a, b) = (0.0, 0.0);
        foreach (var (from, to, rate) in new[] { (0.0, 2.0, alpha), (2.0, 5.0, alpha / 2) })
        {
            (a, b) = Propagate(a, b, rate, k, d, e, to - from);
        }
        Analytic.MeanWithin(r.MeanAt(1, 0), a, a, N, what: "A");
        Analytic.MeanWithin(r.MeanAt(1, 1), b, b, N, what: "B");
        Analytic.VarianceWithin(Math.Pow(r.SdAt(1, 0), 2), a, 3 + 1 / a, N, "A");
        Analytic.VarianceWithin(Math.Pow(r.SdAt(1, 1), 2), b, 3 + 1 / b, N, "B");
        Assert.Equal(0, r.Leaps); // nothing is left to leap
    }

    // Means after dt of the linear ODE with constant inflow: A relaxes to α/(k+d); B is driven by k·A.
    private static (double A, double B) Propagate(double a0, double b0, double alpha, double k, double d, double e, double dt)
    {
        var ka = k + d;
        var aStar = alpha / ka;
        var bStar = k * aStar / e;
        var c = a0 - aStar;
        var a = aStar + c * Math.Exp(-ka * dt);
        // B − b* = (b0 − b*)e^{−e t} + k c (e^{−ka t} − e^{−e t})/(e − ka)
        var b = bStar + (b0 - bStar) * Math.Exp(-e * dt) + k * c * (Math.Exp(-ka * dt) - Math.Exp(-e * dt)) / (e - ka);
        return (a, b);
    }

    [Fact]
    public void A_chain_whose_two_species_leave_at_the_same_rate_is_binomial()
    {
        // A → B and B → ∅ both at rate k: Q has one eigenvalue twice on a path (not diagonalisable), so the
        // component goes through the Padé exponential. Each of the X0 molecules is in B at t with p = kt·e^{−kt}.
        double k = 0.5, t = 3, x0 = 10_000;
        var network = new NetworkBuilder("defective")
            .Parameter("k", k)
            .Species("A", x0).Species("B", 0)
            .MassAction("ab", "A -> B", "k")
            .MassAction("out", "B ->", "k")
            .Build();
        var r = Analytic.Run(network, Exact, N, [0, t]);
        AssertBinomial(r, 0, x0, Math.Exp(-k * t), "A");
        AssertBinomial(r, 1, x0, k * t * Math.Exp(-k * t), "B");
    }

    [Fact]
    public void A_reversible_pair_is_binomial()
    {
        // A ⇌ B (a cycle: no topological order, so the Padé path): P(A at t | A at 0) = (k2 + k1 e^{−(k1+k2)t})/(k1 + k2).
        double k1 = 2, k2 = 1, t = 0.4, x0 = 5_000;
        var network = new NetworkBuilder("pair")
            .Parameter("k1", k1).Parameter("k2", k2)
            .Species("A", x0).Species("B", 0)
            .MassAction("forward", "A -> B", "k1")
            .MassAction("back", "B -> A", "k2")
            .Build();
        var r = Analytic.Run(network, Exact, N, [0, t]);
        var p = (k2 + k1 * Math.Exp(-(k1 + k2) * t)) / (k1 + k2);
        AssertBinomial(r, 0, x0, p, "A");
        // Molecules are conserved in every trajectory: B = X0 − A, so the two have the same spread.
        Assert.Equal(x0, r.MeanAt(1, 0) + r.MeanAt(1, 1), 1e-6);
        Assert.Equal(r.SdAt(1, 0), r.SdAt(1, 1), 1e-6);
    }

    private static void AssertBinomial(EnsembleResult r, int species, double n, double p, string what)
    {
        var mean = n * p;
        var variance = n * p * (1 - p);
        Analytic.MeanWithin(r.MeanAt(1, species), mean, variance, N, what: what);
        Analytic.VarianceWithin(Math.Pow(r.SdAt(1, species), 2), variance, 3 + (1 - 6 * p * (1 - p)) / variance, N, what);
    }

    [Fact]
    public void Species_that_another_rate_reads_keep_leaping_and_the_rest_are_exact()
    {
        // C catalyses its own supply through a Hill-like bytecode rate, so C (and the reaction) leap; A → B is
        // linear; D is made from C by a first-order reaction: C is not linear, so D's inflow is not constant and D
        // leaps too.
        var network = new NetworkBuilder("mixed")
            .Parameter("k", 1)
            .Species("A", 1000).Species("B", 0).Species("C", 100).Species("D", 0)
            .MassAction("ab", "A -> B", "k")
            .Reaction("grow", "-> C", "10 * C / (50 + C)")
            .MassAction("cd", "C -> D", "k")
            .Build();
        var linear = LinearSubsystem.Find(CompiledNetwork.Compile(network))!;
        Assert.Equal([true, false, false], linear.IsLinearReaction);
        Assert.True(linear.IsLinearSlot(CompiledNetwork.FirstSpeciesSlot));
        Assert.False(linear.IsLinearSlot(CompiledNetwork.FirstSpeciesSlot + 2));
    }
}
