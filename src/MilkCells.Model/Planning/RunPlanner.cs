using System.Collections.Immutable;
using MilkCells.Core.Provenance;
using MilkCells.Core.Random;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Derivation;
using MilkCells.Model.Scenarios;
using MilkCells.Model.Structure;
using static MilkCells.Model.Catalogue.ModelParameters;

namespace MilkCells.Model.Planning;

/// <summary>Turns a calibrated model, a scenario and a seed into a <see cref="RunPlan"/>: the mother, the feeds, the drivers' schedule and the interventions.</summary>
/// <remarks>
/// This samples the scenario's inputs (the mother, meal times, removal fractions, day-to-day effects); it does not
/// simulate the network. Random streams: <c>RandomStream.Derive(seed, Label("mother"|"feeding"|"days"))</c>, so a
/// plan depends only on the seed, whatever the resolution. Phase 2 derives its engine stream from the same seed with
/// another label.
/// </remarks>
public static class RunPlanner
{
    /// <summary>Plans one run.</summary>
    public static RunPlan Plan(CalibratedModel calibrated, Scenario scenario, ulong seed, SimulationResolution resolution = SimulationResolution.Feed) =>
        Prepare(calibrated, scenario, resolution).Plan(seed);

    /// <summary>The scenario prepared for planning many runs (a cohort): everything that does not depend on the seed, built once.</summary>
    public static ScenarioPlanner Prepare(CalibratedModel calibrated, Scenario scenario, SimulationResolution resolution = SimulationResolution.Feed) =>
        new(calibrated, scenario, resolution);

    /// <summary>The calibrated model with the scenario's parameter settings applied (provenance says so).</summary>
    public static CalibratedModel WithOverrides(CalibratedModel model, Scenario scenario)
    {
        if (scenario.ParameterOverrides.IsEmpty)
        {
            return model;
        }
        var parameters = model.Parameters;
        foreach (var o in scenario.ParameterOverrides)
        {
            var p = parameters[o.Id];
            var provenance = new Provenance($"set by scenario '{scenario.Name}' ({o.Location})", p.Provenance.Condition, Confidence.Assumption, p.Provenance.Era);
            var updated = o.Key is null
                ? p with { Value = o.Value, Provenance = provenance, Note = "set by the scenario" }
                : p with { Table = p.Table.SetItem(o.Key, o.Value), Provenance = provenance, Note = "entry set by the scenario" };
            parameters = parameters.SetItem(o.Id, updated);
        }
        return model with { Parameters = parameters };
    }

    /// <summary>The run's mother: the median mother with the scenario's fixed values, or a draw from the population.</summary>
    public static MotherEffects Mother(CalibratedModel model, DerivedParameters derived, Scenario scenario, ulong seed)
    {
        var spec = scenario.Mother;
        var classFactors = new Dictionary<CellClass, double> { [CellClass.Epithelial] = 1, [CellClass.Leucocyte] = 1, [CellClass.Stem] = 1 };
        double production = spec.ProductionFactor ?? 1, capacity = spec.StorageCapacityMl ?? model.Value(StorageCapacity);
        double rightShare = spec.RightShare ?? model.Value(RightShare), feeds = 1;
        if (spec.Mode == MotherMode.Sampled)
        {
            var rng = RandomStream.Derive(seed, RandomStream.Label("mother"));
            production = Samplers.LogNormal(ref rng, 0, derived[DerivedParameters.ProductionLogSd]);
            capacity = model.Value(StorageCapacity) * Samplers.LogNormal(ref rng, 0, derived[DerivedParameters.CapacityLogSd]);
            rightShare = Math.Clamp(Samplers.Normal(ref rng, model.Value(RightShare), model.Value(RightShareSd)), 0.2, 0.8);
            feeds = Samplers.LogNormal(ref rng, 0, derived[DerivedParameters.FeedsLogSd]);
            foreach (var cls in classFactors.Keys.ToArray())
            {
                classFactors[cls] = Samplers.LogNormal(ref rng, 0, model.Value(CellsMotherLogSd, CellType.ClassKeyOf(cls)));
            }
        }
        var cells = model.Model.CellTypes.ToImmutableSortedDictionary(t => t.Id,
            t => classFactors[t.Class] * spec.CellTypeFactors.GetValueOrDefault(t.Id, 1.0), StringComparer.Ordinal);
        return new MotherEffects(spec.Mode == MotherMode.Sampled, production, capacity, rightShare, feeds, cells);
    }

    /// <summary>The onset–plateau–recovery shape of an illness, 0 to 1, at <paramref name="hoursSinceOnset"/>.</summary>
    /// <remarks>Linear rise over the onset time, plateau, linear fall over the recovery time; when the episode is shorter
    /// than onset + recovery both are shortened in proportion.</remarks>
    public static double IllnessShape(double hoursSinceOnset, double durationHours, double onsetHours, double recoveryHours)
    {
        if (hoursSinceOnset < 0 || hoursSinceOnset >= durationHours)
        {
            return 0;
        }
        var squeeze = Math.Min(1, durationHours / (onsetHours + recoveryHours));
        var (onset, recovery) = (onsetHours * squeeze, recoveryHours * squeeze);
        if (hoursSinceOnset < onset)
        {
            return hoursSinceOnset / onset;
        }
        return hoursSinceOnset < durationHours - recovery ? 1 : (durationHours - hoursSinceOnset) / recovery;
    }
}

/// <summary>A scenario prepared for planning runs: the calibrated model with the scenario's settings, the derived constants, the network and per-stage compositions, built once.</summary>
/// <remarks>
/// Immutable and thread-safe: a cohort plans every mother from one instance (<see cref="Plan(ulong)"/> depends only on the
/// seed). <see cref="RunPlanner.Plan"/> is <c>RunPlanner.Prepare(...).Plan(seed)</c>.
/// </remarks>
public sealed class ScenarioPlanner
{
    internal ScenarioPlanner(CalibratedModel calibrated, Scenario scenario, SimulationResolution resolution)
    {
        Model = RunPlanner.WithOverrides(calibrated, scenario);
        Scenario = scenario;
        Resolution = resolution;
        Derived = DerivedParameters.From(Model);
        Network = resolution == SimulationResolution.Daily
            ? NetworkBuilder.BuildDaily(Model)
            : NetworkBuilder.Build(Model, Derived, scenario.Containers);
        var m = Model.Model;
        Types = m.CellTypes;
        LeucocyteTypes = [.. Enumerable.Range(0, Types.Length).Where(i => Types[i].Class == CellClass.Leucocyte)];
        var curve = new CompositionCurve(Model, Types, scenario.Birth);
        var days = (int)Math.Ceiling(scenario.DurationDays);
        var targets = new double[days * Types.Length];
        Weaning = new double[days];
        Lactogenesis = new double[days];
        for (var d = 0; d < days; d++)
        {
            Weaning[d] = WeaningWeight(scenario, d);
            Lactogenesis[d] = Derived.LactogenesisProgress(scenario.StartDay + d);
            curve.Target(scenario.StartDay + d, Weaning[d], scenario.Feeding.ExclusiveUntilDay, targets.AsSpan(d * Types.Length, Types.Length));
        }
        DayTargets = targets;
        var typeIndex = Enumerable.Range(0, Types.Length).ToDictionary(i => Types[i].Id, StringComparer.Ordinal);
        Chemistry = new MilkChemistry(Model);
        Episodes = [.. scenario.Events.OfType<IllnessEvent>().Select(e =>
        {
            var state = m.HealthStates.First(h => h.Id == e.State);
            double Of(string name) => Model.Value(state.ParameterId(name), e.Severity);
            var shares = Model[state.ParameterId("leucocyte_shares")].Table.Select(kv => (typeIndex[kv.Key], kv.Value)).ToArray();
            var bacteria = Of("peak_bacteria");
            return new Episode(e, Of("onset"), Of("recovery"), Of("synthesis_factor"), Of("epithelial_factor"), Of("peak_leucocytes"), shares,
                Chemistry.LeakFor(Of("peak_na_k")), bacteria > Chemistry.BacteriaBaseline ? Math.Log(bacteria / Chemistry.BacteriaBaseline) : 0);
        })];
    }

    /// <summary>The milk chemistry (Na, K, bacteria) of the calibrated model.</summary>
    public MilkChemistry Chemistry { get; }

    /// <summary>The calibrated model with the scenario's parameter settings applied.</summary>
    public CalibratedModel Model { get; }

    /// <summary>The scenario.</summary>
    public Scenario Scenario { get; }

    /// <summary>The resolution the network is built for.</summary>
    public SimulationResolution Resolution { get; }

    /// <summary>The derived constants.</summary>
    public DerivedParameters Derived { get; }

    /// <summary>The network every plan of this scenario shares.</summary>
    public NetworkSpec Network { get; }

    internal ImmutableArray<CellType> Types { get; }

    /// <summary>The daily driver table's layout, worked out by the first mother planned (a benign race: every thread computes the same).</summary>
    internal FeedCycleAveraging.Layout? AveragingLayout { get; set; }

    /// <summary>The size of a daily-resolution driver table for this scenario: run days × drivers.</summary>
    internal int TableSize => (int)Math.Ceiling(Scenario.DurationDays) * Network.Drivers.Length;

    internal int[] LeucocyteTypes { get; }

    /// <summary>Target concentration of each cell type (model order) on each run day (index day · types + type), cells/mL of milk drunk (docs/model.md §4c).</summary>
    internal double[] DayTargets { get; }

    /// <summary>The target concentrations on run day <paramref name="runDay"/> (clamped to the run).</summary>
    internal ReadOnlySpan<double> TargetsOn(int runDay) =>
        DayTargets.AsSpan(Math.Clamp(runDay, 0, Weaning.Length - 1) * Types.Length, Types.Length);

    /// <summary>Per run day: how far weaning has gone, 0 (full lactation) to 1 (involution): 1 − the share of feeds left.</summary>
    internal double[] Weaning { get; }

    /// <summary>Per run day: progress of lactogenesis II, 0 to 1 (<see cref="DerivedParameters.LactogenesisProgress"/>): between-mother factors apply in this proportion.</summary>
    internal double[] Lactogenesis { get; }

    /// <summary>1 − the share of feeds left at mid-day (weaning tapers them linearly), 1 once weaning has ended.</summary>
    private static double WeaningWeight(Scenario scenario, int runDay)
    {
        if (scenario.Weaning is not { } w)
        {
            return 0;
        }
        var mid = runDay * 24 + 12.0;
        return mid < w.Hours ? 0 : Math.Min(1, (mid - w.Hours) / (w.OverDays * 24));
    }

    internal ImmutableArray<Episode> Episodes { get; }

    /// <summary>An illness episode with its state's values for its severity looked up once.</summary>
    /// <param name="Event">The scenario's event.</param>
    /// <param name="Onset">Hours from onset to peak.</param>
    /// <param name="Recovery">Hours from the start of recovery to baseline.</param>
    /// <param name="SynthesisFactor">Synthesis of the affected breast(s) at the peak.</param>
    /// <param name="EpithelialFactor">Epithelial shedding at the peak.</param>
    /// <param name="Peak">Added leucocytes per mL at the peak.</param>
    /// <param name="Shares">Leucocyte types of the response (model index, share).</param>
    /// <param name="Leak">Tight-junction leak at the peak (<see cref="MilkChemistry.LeakFor"/>).</param>
    /// <param name="BacteriaLogRatio">ln(peak bacteria / healthy bacteria), 0 when the state leaves bacteria unchanged.</param>
    internal sealed record Episode(IllnessEvent Event, double Onset, double Recovery, double SynthesisFactor, double EpithelialFactor, double Peak,
        (int Type, double Share)[] Shares, double Leak, double BacteriaLogRatio);

    /// <summary>Plans the run with seed <paramref name="seed"/>.</summary>
    public RunPlan Plan(ulong seed) => Plan(seed, null);

    /// <summary>Plans the run, writing a daily-resolution driver table into <paramref name="tableBuffer"/> when it has exactly the table's size.</summary>
    /// <remarks>For callers that run the plan and drop it before reusing the buffer (a cohort thread): the table is
    /// ~180 kB a mother-year, large-object-heap sized, and allocating it per mother costs a gen-2 collection every few
    /// dozen mothers.</remarks>
    internal RunPlan Plan(ulong seed, double[]? tableBuffer)
    {
        var mother = RunPlanner.Mother(Model, Derived, Scenario, seed);
        var context = new PlanContext(this, mother, seed);
        var feeds = context.PlanFeeds();
        var points = context.DriverPoints();
        if (Resolution == SimulationResolution.Daily)
        {
            var table = FeedCycleAveraging.Table(this, context, mother, points, feeds, tableBuffer, out var chemistryDays);
            return new RunPlan(Network, Scenario, seed, mother, Network.Parameters, ImmutableSortedDictionary<string, long>.Empty, [],
                context.PlanFormulaFeeds(), feeds, context.Days())
            { Resolution = Resolution, DriverTable = table, Chemistry = ChemistrySteps.From(points), ChemistryDays = chemistryDays };
        }
        var drivers = context.PlanDrivers(points, feeds);
        var interventions = context.PlanInterventions(feeds);
        var parameters = Network.Parameters.Select(p => p.MotherSpecific && p.Id == Names.MotherCapacity ? p with { Value = mother.CapacityMl } : p).ToImmutableArray();
        return new RunPlan(Network, Scenario, seed, mother, parameters, context.InitialCounts(Network), drivers, interventions, feeds, context.Days())
        { Resolution = Resolution, Chemistry = ChemistrySteps.From(points) };
    }
}

/// <summary>The values of the breast and cell drivers from one planning time (a day start, an illness step, the end of weaning).</summary>
/// <param name="hours">Run time, hours.</param>
/// <param name="types">Number of cell types.</param>
/// <remarks>Every value lives in one array (a point per planning time per mother adds up: one allocation, not eleven).</remarks>
internal sealed class DriverPoint(double hours, int types)
{
    private readonly double[] _v = new double[2 * 7 + 3 * types];

    /// <summary>Run time, hours.</summary>
    public double Hours { get; } = hours;

    /// <summary>Per breast: synthesis rate of the empty breast, mL/h.</summary>
    public Span<double> SynthMax => _v.AsSpan(0, 2);

    /// <summary>Per breast: clearance flow Q, mL/h.</summary>
    public Span<double> ClearFlow => _v.AsSpan(2, 2);

    /// <summary>Per breast: 1/B.</summary>
    public Span<double> BoostNorm => _v.AsSpan(4, 2);

    /// <summary>Per breast: illness factor on epithelial shedding.</summary>
    public Span<double> Epithelial => _v.AsSpan(6, 2);

    /// <summary>Per breast: bacteria in the milk, CFU/mL.</summary>
    public Span<double> Bacteria => _v.AsSpan(8, 2);

    /// <summary>Per breast: sodium, mmol/L.</summary>
    public Span<double> Sodium => _v.AsSpan(10, 2);

    /// <summary>Per breast: potassium, mmol/L.</summary>
    public Span<double> Potassium => _v.AsSpan(12, 2);

    /// <summary>Per breast, per cell type (model order; 0 for non-leucocytes): added leucocytes per mL.</summary>
    public PerBreast Inflammation => new(_v, types);

    /// <summary>Per cell type (model order): target concentration, cells/mL.</summary>
    public Span<double> Conc => _v.AsSpan(14 + 2 * types, types);

    /// <summary>Per breast, per cell type: <c>Inflammation[b][t]</c>.</summary>
    public readonly struct PerBreast(double[] values, int types)
    {
        public Span<double> this[int breast] => values.AsSpan(14 + breast * types, types);
    }
}

/// <summary>The seed-dependent part of planning one run.</summary>
internal sealed class PlanContext
{
    private readonly ScenarioPlanner _p;
    private readonly CalibratedModel _model;
    private readonly DerivedParameters _derived;
    private readonly Scenario _scenario;
    private readonly MotherEffects _mother;
    private readonly ulong _seed;
    private readonly MilkModel _m;
    private readonly int _days;
    private readonly double[] _dayProduction;
    private readonly double[] _dayCells;
    private readonly double[] _dayBoost;
    private readonly double[] _cellFactors; // by cell type, model order
    private FeedCycle[,]? _cycles;

    public PlanContext(ScenarioPlanner planner, MotherEffects mother, ulong seed)
    {
        _p = planner;
        _model = planner.Model;
        _derived = planner.Derived;
        _scenario = planner.Scenario;
        _mother = mother;
        _seed = seed;
        _m = _model.Model;
        _days = (int)Math.Ceiling(_scenario.DurationDays);
        _dayProduction = DayEffects("production");
        _dayCells = DayEffects("cells");
        _dayBoost = DayEffects("boost");
        _cellFactors = [.. planner.Types.Select(t => mother.CellFactors[t.Id])];
    }

    public int RunDays => _days;

    public double DayBoost(int runDay) => _dayBoost[Math.Min(runDay, _days - 1)];

    private double[] DayEffects(string quantity)
    {
        var rng = RandomStream.Derive(_seed, RandomStream.Label("days"), RandomStream.Label(quantity));
        var sd = _model.Value(DayLogSd, quantity);
        var effects = new double[_days];
        for (var i = 0; i < effects.Length; i++)
        {
            effects[i] = Samplers.LogNormal(ref rng, 0, sd);
        }
        return effects;
    }

    private int LactationDay(int runDay) => _scenario.StartDay + runDay;

    private double WeaningTaper(double hours) => _scenario.Weaning is not { } w || hours < w.Hours
        ? 1
        : Math.Max(0, 1 - (hours - w.Hours) / (w.OverDays * 24));

    public bool Involuting(double hours) => _scenario.Weaning is { } w && hours >= w.EndHours;

    public string StageAt(double hours)
    {
        if (Involuting(hours))
        {
            return _m.Stages.First(s => s.AfterWeaning).Id;
        }
        return _m.StageOnDay((int)Math.Floor(_scenario.DayAt(hours)))?.Id ?? _m.Stages.Last(s => !s.AfterWeaning).Id;
    }

    /// <summary>The feed cycle of each breast on each run day (production, frequency, synthesis rate).</summary>
    public FeedCycle Cycle(int runDay, Breast b)
    {
        if (_cycles is null)
        {
            _cycles = new FeedCycle[_days, 2];
            var f = _scenario.Feeding.RemovalFraction ?? _model.Value(RemovalFraction);
            var intake = _model[Intake];
            var breastfeedsPerDay = _model[BreastfeedsPerDay];
            var maxFill = _model.Value(MaxFill);
            var maxFeeds = _model.Value(BreastfeedsMax);
            for (var d = 0; d < _days; d++)
            {
                var day = LactationDay(d);
                // The mother's own production and feeding frequency emerge with lactogenesis II (docs/model.md §7): before it
                // every mother makes colostrum near the median.
                var lactogenesis = _p.Lactogenesis[d];
                var daily = intake.At(day) * Math.Pow(_mother.ProductionFactor, lactogenesis) * _dayProduction[d];
                var taper = WeaningTaper(d * 24 + 12);
                var breastfeeds = _scenario.Feeding.Mode == FeedingMode.Schedule
                    ? _scenario.Feeding.ScheduleTimesHours.Length * (_scenario.Feeding.ScheduleBreasts == MealBreasts.Both ? 2 : 1) * taper
                    : breastfeedsPerDay.At(day) * Math.Pow(_mother.FeedsFactor, lactogenesis) * taper;
                foreach (var side in Names.Breasts)
                {
                    var share = side == Breast.Right ? _mother.RightShare : 1 - _mother.RightShare;
                    _cycles[d, (int)side] = FeedCycle.Solve(daily * share * taper, breastfeeds / 2, f, _mother.CapacityMl, maxFill,
                        Math.Max(breastfeeds / 2, maxFeeds / 2));
                }
            }
        }
        return _cycles[Math.Clamp(runDay, 0, _days - 1), (int)b];
    }

    // --- feeds ------------------------------------------------------------------------------------------------------

    public ImmutableArray<PlannedFeed> PlanFeeds()
    {
        var rng = RandomStream.Derive(_seed, RandomStream.Label("feeding"));
        // Sized for the most breastfeeds a day the model allows, so that a year's feeds do not grow the list step by step,
        // and kept under the large-object heap's 85,000 bytes (10,000 references).
        var feeds = new List<PlannedFeed>((int)Math.Min(10_000, Math.Ceiling(_days * _model.Value(BreastfeedsMax))));
        var (alpha, beta) = (_derived[DerivedParameters.RemovalBetaAlpha], _derived[DerivedParameters.RemovalBetaBeta]);
        var scenario = _scenario;
        double Removal(ref RandomStream r)
        {
            if (scenario.Feeding.RemovalFraction is { } fixedFraction)
            {
                return fixedFraction;
            }
            var x = Samplers.Gamma(ref r, alpha, 1);
            return x / (x + Samplers.Gamma(ref r, beta, 1));
        }
        var end = scenario.DurationHours;
        var gap = _model.Value(PairedGap);
        var paired = _derived[DerivedParameters.PairedFraction];
        var next = Breast.Left;
        var meal = 0;
        void Meal(double t, bool both, ref RandomStream r)
        {
            feeds.Add(new PlannedFeed(t, next, Removal(ref r), meal, false));
            var other = next == Breast.Left ? Breast.Right : Breast.Left;
            if (both && t + gap < end)
            {
                feeds.Add(new PlannedFeed(t + gap, other, Removal(ref r), meal, true));
            }
            next = other; // the next meal starts on the other breast
            meal++;
        }
        switch (scenario.Feeding.Mode)
        {
            case FeedingMode.OnDemand:
            {
                var cv = _model.Value(MealIntervalCv);
                var shape = 1 / (cv * cv);
                // The first meal falls uniformly within the first interval, so the run starts mid-cycle.
                var t = rng.NextDouble() * MeanMealInterval(0);
                while (t < end && !Involuting(t))
                {
                    var both = rng.NextDouble() < paired;
                    Meal(t, both, ref rng);
                    var mean = MeanMealInterval(t);
                    if (double.IsInfinity(mean))
                    {
                        break;
                    }
                    t += Samplers.Gamma(ref rng, shape, mean / shape);
                }
                break;
            }
            case FeedingMode.Schedule:
                for (var d = 0; d < _days; d++)
                {
                    foreach (var clock in scenario.Feeding.ScheduleTimesHours)
                    {
                        var t = d * 24 + clock;
                        if (t < end && rng.NextDouble() < WeaningTaper(t))
                        {
                            Meal(t, scenario.Feeding.ScheduleBreasts == MealBreasts.Both, ref rng);
                        }
                    }
                }
                break;
        }
        // Meals come in time order; only a paired second breast can follow a meal that starts within the gap. A stable
        // insertion sort is linear on such input (what OrderBy would give, without its cost per comparison).
        for (var i = 1; i < feeds.Count; i++)
        {
            var f = feeds[i];
            var j = i - 1;
            while (j >= 0 && feeds[j].Hours > f.Hours)
            {
                feeds[j + 1] = feeds[j];
                j--;
            }
            feeds[j + 1] = f;
        }
        return [.. feeds];
    }

    /// <summary>Mean time between meals at run time <paramref name="hours"/>: 24 h / meals per day.</summary>
    private double MeanMealInterval(double hours)
    {
        var d = (int)Math.Floor(hours / 24);
        var breastfeeds = Cycle(d, Breast.Left).FeedsPerDay + Cycle(d, Breast.Right).FeedsPerDay;
        var meals = breastfeeds / (1 + _derived[DerivedParameters.PairedFraction]);
        return meals <= 0 ? double.PositiveInfinity : 24 / meals;
    }

    // --- drivers ----------------------------------------------------------------------------------------------------

    /// <summary>The values of the breast and cell drivers at every planning time: day starts, illness steps, the end of weaning.</summary>
    public List<DriverPoint> DriverPoints()
    {
        var model = _model;
        var k = _derived[DerivedParameters.LossRate];
        var steps = DerivedParameters.BoostSteps(model);
        var bin = model.Value(BoostBin);
        var types = _p.Types;
        var n = types.Length;
        var chemistry = _p.Chemistry;

        // Times at which daily or illness-driven values are recomputed.
        var times = new List<double>(_days + 16);
        for (var d = 0; d < _days; d++)
        {
            times.Add(d * 24.0);
        }
        var step = model.Value(HealthStep);
        foreach (var ep in _p.Episodes)
        {
            var e = ep.Event;
            for (var t = e.Hours; t < e.EndHours; t += step)
            {
                times.Add(t);
            }
            times.Add(e.EndHours);
        }
        if (_scenario.Weaning is { } w)
        {
            times.Add(w.EndHours);
        }
        times.Sort();
        var points = new List<DriverPoint>(times.Count);
        FeedCycle? lastCycle = null;
        var scales = new (FeedCycle? Cycle, InfluxScale Scale)[2];
        for (var it = 0; it < times.Count; it++)
        {
            var t = times[it];
            if (it > 0 && t == times[it - 1])
            {
                continue; // a time once, as a set keeps it
            }
            if (!(t < _scenario.DurationHours))
            {
                break;
            }
            var d = (int)Math.Floor(t / 24);
            var involuting = Involuting(t);
            var mid = t + step / 2; // illness shape at the middle of the step
            var point = new DriverPoint(t, n);
            var lactationDay = LactationDay(d);
            // Weaning opens the junctions as suckling falls (Prosser 1984): the leak follows the taper of feeds.
            var weaning = involuting ? 1 : _p.Weaning[Math.Min(d, _days - 1)];
            foreach (var b in Names.Breasts)
            {
                var cycle = Cycle(d, b);
                if (involuting)
                {
                    cycle = lastCycle ?? cycle;
                }
                else if (cycle.PreFeedMl > 0)
                {
                    lastCycle = cycle;
                }
                var (synthesis, epithelial) = (1.0, 1.0);
                var (tight, bacteria) = (1 - chemistry.WeaningLeak * weaning, 0.0); // 1 − leak; ln(B / B₀)
                var added = point.Inflammation[(int)b];
                foreach (var ep in _p.Episodes)
                {
                    var e = ep.Event;
                    if (e.Breast is not null && e.Breast != b)
                    {
                        continue;
                    }
                    var shape = RunPlanner.IllnessShape(mid - e.Hours, e.DurationHours, ep.Onset, ep.Recovery);
                    if (shape <= 0)
                    {
                        continue;
                    }
                    synthesis *= 1 - (1 - ep.SynthesisFactor) * shape;
                    epithelial += (ep.EpithelialFactor - 1) * shape;
                    tight *= 1 - ep.Leak * shape;
                    bacteria += ep.BacteriaLogRatio * shape;
                    var peak = ep.Peak * shape;
                    foreach (var (type, share) in ep.Shares)
                    {
                        added[type] += peak * share;
                    }
                }
                // The clearance flow is solved for the cycle the breast actually runs (synthesis reduced by illness), so
                // the milk drunk carries the target concentration: a smaller volume does not concentrate the added cells.
                InfluxScale scale;
                if (synthesis == 1 || involuting)
                {
                    ref var cached = ref scales[(int)b];
                    if (!ReferenceEquals(cached.Cycle, cycle))
                    {
                        cached = (cycle, InfluxScale.For(cycle, k, steps, bin));
                    }
                    scale = cached.Scale;
                }
                else
                {
                    scale = InfluxScale.For(cycle.WithSynthesis(synthesis), k, steps, bin);
                }
                point.SynthMax[(int)b] = involuting ? 0 : cycle.MaxSynthesisMlPerHour * synthesis;
                point.ClearFlow[(int)b] = scale.ClearanceFlowMlPerHour;
                point.BoostNorm[(int)b] = scale.BoostNormalisation;
                point.Epithelial[(int)b] = epithelial;
                (point.Sodium[(int)b], point.Potassium[(int)b]) = chemistry.With(lactationDay, 1 - tight);
                point.Bacteria[(int)b] = chemistry.BacteriaBaseline * Math.Exp(bacteria);
            }
            var composition = _p.TargetsOn(d);
            var day = _dayCells[Math.Min(d, _days - 1)];
            for (var i = 0; i < n; i++)
            {
                point.Conc[i] = composition[i] * _cellFactors[i] * day;
            }
            points.Add(point);
        }
        return points;
    }

    /// <summary>Post-feed shedding steps of one breast: m1, m2, then 1, until its next feed (times and values, in order).</summary>
    public List<(double Hours, double Value)> BoostChanges(ImmutableArray<PlannedFeed> feeds, Breast b)
    {
        var steps = DerivedParameters.BoostSteps(_model);
        var bin = _model.Value(BoostBin);
        var changes = new List<(double, double)>();
        var onBreast = feeds.Where(f => f.Breast == b).ToArray();
        for (var i = 0; i < onBreast.Length; i++)
        {
            var t0 = onBreast[i].Hours;
            var until = i + 1 < onBreast.Length ? onBreast[i + 1].Hours : double.PositiveInfinity;
            var g = DayBoost((int)(t0 / 24));
            for (var s = 0; s <= steps.Length; s++)
            {
                var at = t0 + s * bin;
                if (at >= until || at >= _scenario.DurationHours)
                {
                    break;
                }
                changes.Add((at, s < steps.Length ? 1 + (steps[s] - 1) * g : 1));
            }
        }
        return changes;
    }

    /// <summary>The feed resolution's driver schedule: every change of every driver, sorted by time then driver id.</summary>
    public ImmutableArray<DriverChange> PlanDrivers(List<DriverPoint> points, ImmutableArray<PlannedFeed> feeds)
    {
        var changes = new List<DriverChange>();
        var last = new Dictionary<string, double>();
        void Set(double t, string driver, double value)
        {
            if (!last.TryGetValue(driver, out var previous) || previous != value)
            {
                changes.Add(new DriverChange(t, driver, value));
                last[driver] = value;
            }
        }
        var types = _p.Types;
        var names = Names.Breasts.Select(b => (Synth: Names.SynthMax(b), Clear: Names.ClearFlow(b), Norm: Names.BoostNorm(b), Epi: Names.EpiFactor(b),
            Shed: Names.ShedBoost(b), Infl: _p.LeucocyteTypes.Select(i => Names.Inflammation(types[i], b)).ToArray())).ToArray();
        var conc = types.Select(Names.Conc).ToArray();
        var gutPermeability = _model[GutPermeability];
        foreach (var point in points)
        {
            var t = point.Hours;
            Set(t, Names.GutOpen, gutPermeability.At(LactationDay((int)Math.Floor(t / 24))));
            foreach (var b in Names.Breasts)
            {
                var x = names[(int)b];
                Set(t, x.Synth, point.SynthMax[(int)b]);
                Set(t, x.Clear, point.ClearFlow[(int)b]);
                Set(t, x.Norm, point.BoostNorm[(int)b]);
                Set(t, x.Epi, point.Epithelial[(int)b]);
                for (var j = 0; j < _p.LeucocyteTypes.Length; j++)
                {
                    Set(t, x.Infl[j], point.Inflammation[(int)b][_p.LeucocyteTypes[j]]);
                }
                if (t == 0)
                {
                    Set(0, x.Shed, 1);
                }
            }
            for (var i = 0; i < conc.Length; i++)
            {
                Set(t, conc[i], point.Conc[i]);
            }
        }
        foreach (var b in Names.Breasts)
        {
            foreach (var (at, value) in BoostChanges(feeds, b))
            {
                changes.Add(new DriverChange(at, names[(int)b].Shed, value));
            }
        }
        PlanContainerDrivers(changes);
        return [.. changes.OrderBy(c => c.Hours).ThenBy(c => c.Driver, StringComparer.Ordinal)];
    }

    private void PlanContainerDrivers(List<DriverChange> changes)
    {
        var model = _model;
        var hold = model.Value(RoomHold);
        var (early, late) = (model.Value(RoomDeathEarly), model.Value(RoomDeathLate));
        var fridgeDeath = _derived[DerivedParameters.FridgeDeathRate];
        var fridgeLoss = _derived[DerivedParameters.FridgeLossRate];
        var freezerDeath = _derived[DerivedParameters.FreezerDeathRate];
        foreach (var k in _scenario.Containers.Where(c => c.Kind == ContainerKind.Expressed))
        {
            var (death, loss) = (Names.ContainerDeath(k), Names.ContainerLoss(k));
            changes.Add(new DriverChange(0, death, 0));
            changes.Add(new DriverChange(0, loss, 0));
            var roomSince = double.NaN;
            foreach (var e in _scenario.Events.Where(e => e.ContainerId == k.Id && e is not FormulaEvent).DistinctBy(e => e.Hours))
            {
                switch (e)
                {
                    case PumpEvent when double.IsNaN(roomSince):
                    case ThawEvent:
                    case StoreEvent { Place: StoragePlace.Room }:
                        roomSince = e.Hours;
                        changes.RemoveAll(c => c.Driver == death && c.Hours > e.Hours);
                        changes.Add(new DriverChange(e.Hours, death, early));
                        changes.Add(new DriverChange(e.Hours, loss, 0));
                        if (e.Hours + hold < _scenario.DurationHours)
                        {
                            changes.Add(new DriverChange(e.Hours + hold, death, late)); // superseded below if moved earlier
                        }
                        break;
                    case StoreEvent { Place: StoragePlace.Fridge }:
                    case PasteuriseEvent:
                        roomSince = double.PositiveInfinity;
                        changes.RemoveAll(c => c.Driver == death && c.Hours > e.Hours);
                        changes.Add(new DriverChange(e.Hours, death, fridgeDeath));
                        changes.Add(new DriverChange(e.Hours, loss, fridgeLoss));
                        break;
                    case StoreEvent { Place: StoragePlace.Freezer }:
                        // Held for the first hours, then viability falls with storage time (docs/model.md §6).
                        roomSince = double.PositiveInfinity;
                        changes.RemoveAll(c => c.Driver == death && c.Hours > e.Hours);
                        changes.Add(new DriverChange(e.Hours, death, 0));
                        changes.Add(new DriverChange(e.Hours, loss, 0));
                        if (e.Hours + hold < _scenario.DurationHours)
                        {
                            changes.Add(new DriverChange(e.Hours + hold, death, freezerDeath));
                        }
                        break;
                }
            }
        }
    }

    // --- interventions ----------------------------------------------------------------------------------------------

    public ImmutableArray<Intervention> PlanInterventions(ImmutableArray<PlannedFeed> feeds)
    {
        var list = new List<Intervention>();
        var types = _m.CellTypes;
        var viabilities = new[] { Viability.Alive, Viability.Dead };
        // Every feed of a breast moves the same species: build the moves once per breast.
        var feedMoves = Names.Breasts.Select(b =>
        {
            var moves = ImmutableArray.CreateBuilder<SpeciesMove>();
            moves.Add(new SpeciesMove(Names.Milk(b), null, Names.IntakeMilk));
            foreach (var t in types)
            {
                foreach (var v in viabilities)
                {
                    moves.Add(new SpeciesMove(Names.Cells(t, v, b), v == Viability.Alive ? Names.Gut(t) : null, Names.Ingested(t, v)));
                }
            }
            return (Moves: moves.ToImmutable(), Label: $"feed {Names.Of(b)}");
        }).ToArray();
        foreach (var f in feeds)
        {
            var (moves, label) = feedMoves[(int)f.Breast];
            list.Add(new Intervention(f.Hours, InterventionKind.Feed, label, f.Breast, null, f.RemovalFraction, moves, [], null));
        }
        var quantum = _model.Value(VolumeQuantum);
        foreach (var e in _scenario.Events)
        {
            var container = _scenario.Containers.FirstOrDefault(c => c.Id == e.ContainerId);
            switch (e)
            {
                case PumpEvent p when container is not null:
                {
                    var moves = new List<SpeciesMove> { new(Names.Milk(p.Breast), Names.ContainerMilk(container), null) };
                    foreach (var t in types)
                    {
                        foreach (var v in viabilities)
                        {
                            moves.Add(new SpeciesMove(Names.Cells(t, v, p.Breast), Names.ContainerCells(container, t, v), null));
                        }
                    }
                    list.Add(new Intervention(p.Hours, InterventionKind.Pump, p.Label, p.Breast, container.Id,
                        PumpFraction(p), [.. moves], [], _model.Value(RoomTemperature)));
                    break;
                }
                case StoreEvent s when container is not null:
                    list.Add(new Intervention(s.Hours, InterventionKind.Store, s.Label, null, container.Id, 0, [], [], Temperature(s.Place)));
                    break;
                case ThawEvent th when container is not null:
                    list.Add(new Intervention(th.Hours, InterventionKind.Thaw, th.Label, null, container.Id,
                        1 - _derived[DerivedParameters.FreezeThawSurvival], KillMoves(container), [], _model.Value(RoomTemperature)));
                    break;
                case PasteuriseEvent ps when container is not null:
                    list.Add(new Intervention(ps.Hours, InterventionKind.Pasteurise, ps.Label, null, container.Id,
                        1 - _model.Value(HolderSurvival), KillMoves(container), [], _model.Value(HolderTemperature)));
                    break;
                case FormulaEvent fe:
                {
                    var count = (long)Math.Round(fe.VolumeMl / quantum);
                    list.Add(container is null
                        ? new Intervention(fe.Hours, InterventionKind.FormulaFeed, fe.Label, null, null, 0, [], [new SpeciesAddition(Names.FormulaMilk, count)], null)
                        : new Intervention(fe.Hours, InterventionKind.FormulaFill, fe.Label, null, container.Id, 0, [],
                            [new SpeciesAddition(Names.ContainerMilk(container), count)], _model.Value(RoomTemperature)));
                    break;
                }
            }
        }
        return [.. list.OrderBy(i => i.Hours)];
    }

    /// <summary>The daily resolution's interventions: formula fed to the infant (containers are not simulated there).</summary>
    public ImmutableArray<Intervention> PlanFormulaFeeds()
    {
        var quantum = _model.Value(VolumeQuantum);
        return [.. _scenario.Events.OfType<FormulaEvent>().Where(e => e.Container is null).OrderBy(e => e.Hours)
            .Select(fe => new Intervention(fe.Hours, InterventionKind.FormulaFeed, fe.Label, null, null, 0, [],
                [new SpeciesAddition(Names.FormulaMilk, (long)Math.Round(fe.VolumeMl / quantum))], null))];
    }

    /// <summary>Pumping sessions that remove milk and cells from a breast into a container: (time, breast, fraction), in time order.</summary>
    public IEnumerable<(double Hours, Breast Breast, double Fraction)> Pumping() =>
        _scenario.Events.OfType<PumpEvent>().Where(p => _scenario.Containers.Any(c => c.Id == p.ContainerId)).OrderBy(p => p.Hours)
            .Select(p => (p.Hours, p.Breast, PumpFraction(p)));

    private double PumpFraction(PumpEvent p) => p.Fraction ?? _model.Value(RemovalFraction);

    private ImmutableArray<SpeciesMove> KillMoves(ContainerSpec container) =>
        [.. _m.CellTypes.Select(t => new SpeciesMove(Names.ContainerCells(container, t, Viability.Alive), Names.ContainerCells(container, t, Viability.Dead), null))];

    private double Temperature(StoragePlace place) => place switch
    {
        StoragePlace.Fridge => _model.Value(FridgeTemperature),
        StoragePlace.Freezer => _model.Value(FreezerTemperature),
        _ => _model.Value(RoomTemperature),
    };

    // --- initial state and days -------------------------------------------------------------------------------------

    /// <summary>Mean-field state of breast <paramref name="b"/> at t = 0: half-way through a feed cycle, cells at the day's targets (counts, model order).</summary>
    public (long Milk, long[] Alive, long[] Dead) InitialBreast(Breast b)
    {
        var quantum = _model.Value(VolumeQuantum);
        var viable = _model.Value(ViableFraction);
        var cycle = Cycle(0, b);
        var volume = cycle.PreFeedMl > 0 ? cycle.VolumeAfter(cycle.IntervalHours / 2) : 0;
        var composition = _p.TargetsOn(0);
        var n = composition.Length;
        var (alive, dead) = (new long[n], new long[n]);
        for (var i = 0; i < n; i++)
        {
            var cells = composition[i] * _cellFactors[i] * _dayCells[0] * volume;
            alive[i] = (long)Math.Round(cells * viable);
            dead[i] = (long)Math.Round(cells * (1 - viable));
        }
        return ((long)Math.Round(volume / quantum), alive, dead);
    }

    /// <summary>Mean-field counts at t = 0: each breast half-way through a feed cycle, cells at the day's targets.</summary>
    public ImmutableSortedDictionary<string, long> InitialCounts(NetworkSpec network)
    {
        var counts = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        var types = _p.Types;
        foreach (var b in Names.Breasts)
        {
            var (milk, alive, dead) = InitialBreast(b);
            counts[Names.Milk(b)] = milk;
            for (var i = 0; i < types.Length; i++)
            {
                counts[Names.Cells(types[i], Viability.Alive, b)] = alive[i];
                counts[Names.Cells(types[i], Viability.Dead, b)] = dead[i];
            }
        }
        return counts.ToImmutable();
    }

    public ImmutableArray<DayPlan> Days()
    {
        var list = ImmutableArray.CreateBuilder<DayPlan>(_days);
        var events = _scenario.Events;
        for (var d = 0; d < _days; d++)
        {
            var (from, to) = (d * 24.0, (d + 1) * 24.0);
            List<string>? labels = null;
            foreach (var e in events)
            {
                var active = e switch
                {
                    IllnessEvent i => i.Hours < to && i.EndHours > from,
                    WeaningEvent w => w.Hours < to && w.EndHours > from,
                    _ => e.Hours >= from && e.Hours < to,
                };
                if (active && !(labels ??= []).Contains(e.Label))
                {
                    labels.Add(e.Label);
                }
            }
            list.Add(new DayPlan(d, LactationDay(d), StageAt(from + 12), labels is null ? [] : [.. labels]));
        }
        return list.MoveToImmutable();
    }
}
