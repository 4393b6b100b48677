using System.Collections.Immutable;
using System.Runtime.InteropServices;
using MilkCells.Model.Scenarios;
using MilkCells.Model.Structure;

namespace MilkCells.Model.Planning;

/// <summary>How finely a run resolves time: every feed's transient, or only what daily rows need.</summary>
/// <remarks>
/// Both are the same model, planned from the same data and run by the same engine. <see cref="Feed"/> simulates every
/// breast species through each feed cycle (feed, infant, expressed-milk and within-feed outputs). <see cref="Daily"/>
/// integrates the breasts' fast dynamics exactly over each planned feed cycle (docs/model.md §4b) and simulates only
/// the milk and cells the infant swallows, one leap a day: the cohort resolution.
/// </remarks>
public enum SimulationResolution
{
    /// <summary>Every feed cycle resolved: the breasts' milk and cells, the infant and containers, as species.</summary>
    Feed,

    /// <summary>Feed-cycle averages: milk and cells swallowed per breast and day, exact in mean (cells also in distribution).</summary>
    Daily,
}

/// <summary>Driver values on a time grid: from <see cref="Times"/>[k], driver i of <see cref="Drivers"/> has value <see cref="Values"/>[k · Drivers.Length + i].</summary>
/// <remarks>A dense alternative to a list of <see cref="DriverChange"/> for inputs that change together (the daily resolution's drivers change every day).</remarks>
/// <param name="Drivers">Driver ids (columns).</param>
/// <param name="Times">Run times, hours, ascending (rows).</param>
/// <param name="Values">Row-major values.</param>
public sealed record DriverTable(ImmutableArray<string> Drivers, ImmutableArray<double> Times, ImmutableArray<double> Values)
{
    /// <summary>The value of driver column <paramref name="driver"/> from row <paramref name="row"/>.</summary>
    public double this[int row, int driver] => Values[row * Drivers.Length + driver];
}

/// <summary>The mother of one run: her own values, drawn or fixed.</summary>
/// <param name="Sampled">Whether she was drawn from the population (else the median mother with the scenario's fixed values).</param>
/// <param name="ProductionFactor">Milk production relative to the median.</param>
/// <param name="CapacityMl">Storage capacity of each breast, mL.</param>
/// <param name="RightShare">Share of her milk made by the right breast.</param>
/// <param name="FeedsFactor">Her infant's breastfeeding frequency relative to the median.</param>
/// <param name="CellFactors">Multipliers of the cell concentrations, by cell type id (class effect × scenario factor).</param>
public sealed record MotherEffects(
    bool Sampled, double ProductionFactor, double CapacityMl, double RightShare, double FeedsFactor,
    ImmutableSortedDictionary<string, double> CellFactors);

/// <summary>One breastfeed: milk removal from one breast by the infant.</summary>
/// <param name="Hours">Run time, hours.</param>
/// <param name="Breast">Breast fed from.</param>
/// <param name="RemovalFraction">Share of the breast's milk and free cells removed (binomial thinning).</param>
/// <param name="Meal">Index of the meal (a meal is one or two breastfeeds within 30 min).</param>
/// <param name="SecondOfPair">Whether it is the second breast of a paired meal.</param>
public sealed record PlannedFeed(double Hours, Breast Breast, double RemovalFraction, int Meal, bool SecondOfPair);

/// <summary>A scheduled change of a driver's value (the engine applies it as an exact timed event).</summary>
/// <param name="Hours">Run time, hours.</param>
/// <param name="Driver">Driver id.</param>
/// <param name="Value">New value, in the driver's unit.</param>
public sealed record DriverChange(double Hours, string Driver, double Value);

/// <summary>What an intervention does.</summary>
public enum InterventionKind
{
    /// <summary>A breastfeed: thin the breast's milk and cells; viable cells go to the infant's gut.</summary>
    Feed,

    /// <summary>Pumping: thin the breast's milk and cells into a container.</summary>
    Pump,

    /// <summary>A container moved to a storage place (drivers change; no moves).</summary>
    Store,

    /// <summary>Thawing a frozen container: freeze–thaw deaths (alive → dead thinning).</summary>
    Thaw,

    /// <summary>Holder pasteurisation: every viable cell dies.</summary>
    Pasteurise,

    /// <summary>Formula fed to the infant: volume, no cells.</summary>
    FormulaFeed,

    /// <summary>Formula poured into a comparator container: volume, no cells.</summary>
    FormulaFill,
}

/// <summary>A binomial thinning move: k ~ Binomial(count(From), fraction) leave From, go to To (if any) and add to Tally (if any).</summary>
/// <param name="From">Species thinned.</param>
/// <param name="To">Species receiving the removed count, or null (removed from the system).</param>
/// <param name="Tally">Running total also increased by the removed count, or null.</param>
public sealed record SpeciesMove(string From, string? To, string? Tally);

/// <summary>A fixed count added to a species.</summary>
/// <param name="Species">Species id.</param>
/// <param name="Count">Count added.</param>
public sealed record SpeciesAddition(string Species, long Count);

/// <summary>A discrete intervention at a time: thinning moves with one fraction, and additions.</summary>
/// <remarks>
/// Each move thins independently with the same <see cref="Fraction"/>: milk and each cell species of a well-mixed
/// breast leave in the same expected proportion, so concentrations are unchanged by removal on average.
/// </remarks>
/// <param name="Hours">Run time, hours.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Label">Short text for reports.</param>
/// <param name="Breast">Breast, for feeds and pumping.</param>
/// <param name="Container">Container, for container interventions.</param>
/// <param name="Fraction">Thinning probability for every move.</param>
/// <param name="Moves">Thinning moves.</param>
/// <param name="Additions">Fixed additions.</param>
/// <param name="TemperatureC">Temperature of the container after it (expressed.csv), if it concerns one.</param>
public sealed record Intervention(
    double Hours, InterventionKind Kind, string Label, Breast? Breast, string? Container, double Fraction,
    ImmutableArray<SpeciesMove> Moves, ImmutableArray<SpeciesAddition> Additions, double? TemperatureC);

/// <summary>One day of the run: its lactation day, stage and the events active on it (the daily.csv columns).</summary>
/// <param name="RunDay">Day of the run (0 = the first 24 h of the run).</param>
/// <param name="LactationDay">Lactation day.</param>
/// <param name="Stage">Stage id.</param>
/// <param name="Events">Illnesses and processes active that day.</param>
public sealed record DayPlan(int RunDay, int LactationDay, string Stage, ImmutableArray<string> Events);

/// <summary>Everything one run needs besides the engine: the network, the mother's values, the drivers' schedule,
/// the interventions and the initial state.</summary>
/// <remarks>
/// Phase 2 builds an engine network from <see cref="Network"/> (with <see cref="Parameters"/> as its constants), sets
/// <see cref="InitialCounts"/>, schedules <see cref="DriverChanges"/> and <see cref="Interventions"/> as exact timed
/// events (interventions after driver changes at the same time), and simulates to the scenario's end. The plan is a
/// pure function of model, profile, scenario and seed.
/// </remarks>
/// <param name="Network">The reaction network.</param>
/// <param name="Scenario">The scenario.</param>
/// <param name="Seed">Root seed (streams: mother, feeding, days; phase 2 derives its own for the engine).</param>
/// <param name="Mother">The mother's values.</param>
/// <param name="Parameters">The network's constants with the mother's own values in place.</param>
/// <param name="InitialCounts">Counts at t = 0 (species not listed start at 0).</param>
/// <param name="DriverChanges">Driver values over time, sorted by time; the first ones at t = 0 set every driver (empty at daily resolution: see <see cref="DriverTable"/>).</param>
/// <param name="Interventions">Feeds, pumping, storage, thawing, pasteurisation, formula, sorted by time (daily resolution: formula fed to the infant only).</param>
/// <param name="Feeds">The breastfeeds (also among the interventions).</param>
/// <param name="Days">Per-day stage and events.</param>
public sealed record RunPlan(
    NetworkSpec Network,
    Scenario Scenario,
    ulong Seed,
    MotherEffects Mother,
    ImmutableArray<ParameterSpec> Parameters,
    ImmutableSortedDictionary<string, long> InitialCounts,
    ImmutableArray<DriverChange> DriverChanges,
    ImmutableArray<Intervention> Interventions,
    ImmutableArray<PlannedFeed> Feeds,
    ImmutableArray<DayPlan> Days)
{
    /// <summary>How finely the run resolves time (<see cref="Network"/> is built for it).</summary>
    public SimulationResolution Resolution { get; init; }

    /// <summary>The daily resolution's driver values, one row per run day (null at feed resolution, whose drivers are <see cref="DriverChanges"/>).</summary>
    public DriverTable? DriverTable { get; init; }

    /// <summary>Bacteria, sodium and potassium of each breast's milk over the run (a step function: docs/model.md §8b).</summary>
    public ChemistrySteps Chemistry { get; init; } = ChemistrySteps.Empty;

    /// <summary>
    /// Daily resolution: per run day and breast (index (day · 2 + breast) · 4), the mean milk drunk (mL) and the bacteria
    /// (CFU/mL), sodium and potassium (mmol/L) of it, volume-weighted over that breast's feeds (NaN without milk);
    /// empty at feed resolution, whose feeds read <see cref="Chemistry"/> directly.
    /// </summary>
    public ImmutableArray<double> ChemistryDays { get; init; } = [];
}

/// <summary>The milk chemistry of each breast as a step function of run time: from <see cref="Times"/>[k] on, breast b has values <see cref="Values"/>[(k · 2 + b) · 3 + j] (j = bacteria CFU/mL, sodium, potassium mmol/L).</summary>
/// <remarks>The values change at the plan's driver points (day starts, 6-h illness steps, the end of weaning), as the cell targets do.</remarks>
/// <param name="Times">Run times, hours, ascending.</param>
/// <param name="Values">Values, as above.</param>
public sealed record ChemistrySteps(ImmutableArray<double> Times, ImmutableArray<double> Values)
{
    /// <summary>No values.</summary>
    public static readonly ChemistrySteps Empty = new([], []);

    internal static ChemistrySteps From(List<DriverPoint> points)
    {
        var times = new double[points.Count];
        var values = new double[points.Count * 6];
        for (var k = 0; k < points.Count; k++)
        {
            var p = points[k];
            times[k] = p.Hours;
            for (var b = 0; b < 2; b++)
            {
                values[(k * 2 + b) * 3] = p.Bacteria[b];
                values[(k * 2 + b) * 3 + 1] = p.Sodium[b];
                values[(k * 2 + b) * 3 + 2] = p.Potassium[b];
            }
        }
        return new ChemistrySteps(ImmutableCollectionsMarshal.AsImmutableArray(times), ImmutableCollectionsMarshal.AsImmutableArray(values));
    }

    /// <summary>The index of the step in force at run time <paramref name="hours"/> (the last time ≤ hours; 0 before the first).</summary>
    public int StepAt(double hours)
    {
        var i = Times.AsSpan().BinarySearch(hours);
        return i >= 0 ? i : Math.Max(0, ~i - 1);
    }

    /// <summary>Bacteria (CFU/mL), sodium and potassium (mmol/L) of breast <paramref name="breast"/>'s milk in step <paramref name="step"/>.</summary>
    public (double Bacteria, double Sodium, double Potassium) At(int step, Breast breast)
    {
        var i = (step * 2 + (int)breast) * 3;
        return (Values[i], Values[i + 1], Values[i + 2]);
    }
}
