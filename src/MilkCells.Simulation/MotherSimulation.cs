using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.Core.Random;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Simulation;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using MilkCells.Model.Structure;
using EngineIntervention = MilkCells.Engine.Simulation.Intervention;
using PlanIntervention = MilkCells.Model.Planning.Intervention;

namespace MilkCells.Simulation;

/// <summary>How far a run has got.</summary>
/// <param name="Day">Days simulated so far.</param>
/// <param name="Days">Days in the run.</param>
public readonly record struct SimulationProgress(int Day, int Days);

/// <summary>Options of one run beyond the scenario.</summary>
public sealed record SimulationOptions
{
    /// <summary>Run length in days instead of the scenario's; null keeps the scenario's.</summary>
    public int? Days { get; init; }

    /// <summary>The run day whose within-feed dynamics are sampled finely; null picks one (see <see cref="MotherSimulation.DefaultWithinFeedDay"/>).</summary>
    public int? WithinFeedDay { get; init; }

    /// <summary>Minutes between within-feed samples.</summary>
    public double WithinFeedStepMinutes { get; init; } = 5;

    /// <summary>Whether to collect feed, per-breast daily, infant, expressed and within-feed rows (false: daily rows only, as cohorts need).</summary>
    public bool Detail { get; init; } = true;

    /// <summary>How finely to resolve time: <see cref="SimulationResolution.Feed"/> (every output) or <see cref="SimulationResolution.Daily"/> (daily and per-breast daily rows only; ~400× cheaper a mother-year).</summary>
    public SimulationResolution Resolution { get; init; } = SimulationResolution.Feed;

    /// <summary>The engine algorithm; null: <see cref="MotherSimulation.DefaultAlgorithm"/> (feed resolution) or <see cref="MotherSimulation.DailyAlgorithm"/>.</summary>
    public Algorithm? Algorithm { get; init; }

    /// <summary>Receives progress once per simulated day; null for none.</summary>
    public IProgress<SimulationProgress>? Progress { get; init; }
}

/// <summary>Simulates one mother–infant pair: plans the run, maps it onto the engine and collects the output rows.</summary>
/// <remarks>
/// The engine runs everything: the network's reactions with the plan's driver schedule, and every feed, pumping,
/// storage move, thaw, pasteurisation and formula fill as an engine host intervention at its exact time (after the
/// driver changes of the same time). Interventions thin species binomially (each species independently with the
/// intervention's fraction), move what they remove and add it to running totals. Daily rows come from the totals at
/// day boundaries; feed rows from the interventions themselves; a sampling intervention 30 min after each feed reads
/// the breast again. Random streams: the plan's (mother, feeding, days) from the seed as <see cref="RunPlanner"/>
/// derives them, and the engine's from <c>RandomStream.Derive(seed, Label("engine"))</c>.
/// <para>At <see cref="SimulationResolution.Daily"/> the same plan (same mother, feeds and day effects for a seed) is
/// reduced by integrating the breasts' fast dynamics over each feed cycle (docs/model.md §4b), and the engine draws
/// only what the infant drinks and swallows from each breast each day: the cohort resolution.</para>
/// </remarks>
public static class MotherSimulation
{
    /// <summary>The engine algorithm of milk runs: the cells sampled exactly, milk synthesis tau-leaped with ε = 0.03.</summary>
    /// <remarks>
    /// Every cell reaction of the feed network is monomolecular with rate constants that change only at driver
    /// changes (entry ∅ → x, death x → y, retention x → ∅, differentiation x → y; swallowed cells in the gut, blood,
    /// organs and containers likewise), and no other rate reads a cell count, so the engine samples them exactly from
    /// the monomolecular master equation's solution whenever they are read (<see cref="TauLeaping.ExactLinear"/>;
    /// Jahnke &amp; Huisinga 2007, J Math Biol 54:1–26): no leap error and no τ bound from them. What is left to leap
    /// is milk synthesis in each breast (its rate falls as the breast fills), with the engine's default ε = 0.03 and a
    /// turnover cap of 0.25. Before, every reaction leaped with ε = 0.15 and kτ ≤ 0.25 (~360 leaps a day, a transient
    /// error per leap up to O((kτ)²/2) ≈ 3 %); MotherSimulationTests compares the two on the same plan.
    /// </remarks>
    public static readonly TauLeaping DefaultAlgorithm = new(Epsilon: 0.03, MaxTurnover: 0.25) { ExactLinear = true };

    /// <summary>The engine algorithm of daily-resolution runs: tau-leaping, which is exact there.</summary>
    /// <remarks>
    /// The daily network's reactions are zero-order with rates constant over each day (drivers), so the firings in a
    /// leap over a constant-rate interval are exactly Poisson with mean rate × τ: the leap is an exact sample, whatever
    /// ε, and the engine takes one leap per day (τ selection has no reactant to bound it).
    /// </remarks>
    public static readonly TauLeaping DailyAlgorithm = new();

    /// <summary>The resolution <see cref="Run"/> uses by default: <see cref="SimulationResolution.Daily"/>, validated against the feed resolution (tests/MilkCells.Simulation.Tests/ResolutionTests.cs).</summary>
    public const SimulationResolution CohortResolution = SimulationResolution.Daily;

    /// <summary>The label of the engine's random stream under a run's seed.</summary>
    public static readonly ulong EngineStreamLabel = RandomStream.Label("engine");

    /// <summary>The label under which cohort mothers' seeds are derived from the root seed.</summary>
    public static readonly ulong CohortMotherLabel = RandomStream.Label("cohort-mother");

    /// <summary>The seed of mother <paramref name="motherId"/> of a cohort with root seed <paramref name="rootSeed"/>.</summary>
    /// <remarks>A pure function of the two, so a cohort is the same for any thread count, order or sharding.</remarks>
    public static ulong MotherSeed(ulong rootSeed, long motherId) => RandomStream.DeriveSeed(rootSeed, [CohortMotherLabel, (ulong)motherId]);

    /// <summary>One cohort mother's daily rows: a sampled mother (between-mother variability) with day-to-day noise.</summary>
    /// <remarks>
    /// The scenario's mother is drawn from the population whatever its <c>mother.mode</c> (its fixed values and
    /// cell-type factors are ignored in sampled mode, as <see cref="RunPlanner.Mother"/> does), with the seed
    /// <see cref="MotherSeed"/>(<paramref name="rootSeed"/>, <paramref name="motherId"/>). Only daily rows are
    /// collected. Thread-safe: each call builds its own engine state.
    /// <code>
    /// var model = MilkModel.Embedded.Calibrate(null);
    /// var scenario = ScenarioLoader.Load("healthy", MilkModel.Embedded);
    /// var rows = MotherSimulation.Run(model, scenario, rootSeed: 42, motherId: 7, days: 365, CancellationToken.None);
    /// </code>
    /// </remarks>
    public static ImmutableArray<DailyRow> Run(CalibratedModel calibration, Scenario scenario, ulong rootSeed, long motherId, int? days,
        CancellationToken cancellation, IProgress<SimulationProgress>? progress = null, SimulationResolution resolution = CohortResolution) =>
        PreparedSimulation.Cached(calibration, scenario, days, resolution).Run(rootSeed, motherId, cancellation, progress);

    /// <summary>Prepares <paramref name="scenario"/> for simulating many mothers: the plan's fixed part and, at daily resolution, the compiled network, built once.</summary>
    /// <remarks>
    /// Cohorts call this once and then <see cref="PreparedSimulation.Run"/> per mother, on any thread.
    /// <see cref="Run"/> does the same through a cache keyed by the scenario and calibration instances.
    /// </remarks>
    public static PreparedSimulation Prepare(CalibratedModel calibration, Scenario scenario, int? days, SimulationResolution resolution = CohortResolution) =>
        new(calibration, WithDays(scenario, days), resolution);

    /// <summary>Simulates the scenario once with <paramref name="seed"/> as the plan's seed (what <c>milkcells simulate --seed</c> does).</summary>
    public static SimulationResult Simulate(CalibratedModel calibration, Scenario scenario, ulong seed, SimulationOptions? options = null,
        CancellationToken cancellation = default)
    {
        options ??= new SimulationOptions();
        return new PreparedSimulation(calibration, WithDays(scenario, options.Days), options.Resolution).Simulate(seed, options, cancellation);
    }

    /// <summary>Runs a feed-resolution plan.</summary>
    internal static SimulationResult RunFeeds(CalibratedModel calibration, RunPlan plan, ulong seed, SimulationOptions options, CancellationToken cancellation) =>
        new Runner(calibration, plan, seed, options, cancellation).Execute();

    /// <summary>The scenario shortened or lengthened to <paramref name="days"/>; checks the run stays within lactation.</summary>
    public static Scenario WithDays(Scenario scenario, int? days)
    {
        if (days is not { } d)
        {
            return scenario;
        }
        var where = InputLocation.AtElement(scenario.Origin, "--days");
        if (d < 1)
        {
            throw new InputException(where, $"{d} days is not a run length", "give at least 1 day");
        }
        return scenario with { DurationDays = d };
    }

    /// <summary>The day whose within-feed dynamics a report shows: day 30 (mature milk, Hassiotou 2013's 1–6 months) if the run reaches it, else its middle day.</summary>
    public static int DefaultWithinFeedDay(Scenario scenario)
    {
        var days = (int)Math.Ceiling(scenario.DurationDays);
        var target = 30 - scenario.StartDay;
        return target >= 0 && target < days ? target : days / 2;
    }

    /// <summary>One run's mutable state: slots, collectors and the engine simulator.</summary>
    private sealed class Runner
    {
        private readonly CalibratedModel _model;
        private readonly RunPlan _plan;
        private readonly ulong _seed;
        private readonly SimulationOptions _options;
        private readonly CancellationToken _cancellation;
        private readonly CompiledNetwork _net;
        private readonly NetworkSpec _spec;
        private readonly double _quantum;
        private readonly double _perMl; // quanta per mL: counts / _perMl prints 30.7 where counts × 0.1 prints 30.700000000000003
        private readonly int _days;
        private readonly ImmutableArray<string> _cellTypes;
        private readonly Dictionary<string, CellClass> _classOf;

        // Slots (resolved once).
        private readonly int _intake, _formula;
        private readonly int[] _ingestedAlive, _ingestedDead; // by cell type
        private readonly int[][] _breastCells; // by breast: alive, dead interleaved by type
        private readonly bool[][] _breastLeucocyte;
        private readonly int[] _breastMilk;
        private readonly int[] _infantSlots;
        private readonly ImmutableArray<string> _infantColumns;
        private readonly int _gutFirst, _gutCount;
        private readonly ImmutableArray<string> _cellColumns;
        private readonly Dictionary<string, int> _columnOf;
        private readonly Dictionary<string, SpeciesSpec> _speciesById;

        // Collectors.
        private readonly List<FeedRow> _feeds = [];
        private readonly List<ExpressedRow> _expressed = [];
        private readonly List<InfantRow> _infant = [];
        private readonly List<BreastSample> _within = [];
        private readonly List<BreastSample> _series = [];
        private readonly Dictionary<string, ContainerState> _containers = new(StringComparer.Ordinal);
        private long _interventions;
        private DailyRows.Builder? _daily;

        public Runner(CalibratedModel model, RunPlan plan, ulong seed, SimulationOptions options, CancellationToken cancellation)
        {
            _model = model;
            _plan = plan;
            _seed = seed;
            _options = options;
            _cancellation = cancellation;
            _spec = plan.Network;
            _quantum = _spec.VolumeQuantumMl;
            _perMl = EngineMapping.QuantaPerMl(_quantum);
            _days = (int)Math.Ceiling(plan.Scenario.DurationDays);
            _net = CompiledNetwork.Compile(EngineMapping.ToEngine(plan));
            var m = model.Model;
            _cellTypes = [.. m.CellTypes.Select(t => t.Id)];
            _classOf = m.CellTypes.ToDictionary(t => t.Id, t => t.Class);
            _intake = _net.SlotOf(Names.IntakeMilk);
            _formula = _net.SlotOf(Names.FormulaMilk);
            _ingestedAlive = [.. m.CellTypes.Select(t => _net.SlotOf(Names.Ingested(t, Viability.Alive)))];
            _ingestedDead = [.. m.CellTypes.Select(t => _net.SlotOf(Names.Ingested(t, Viability.Dead)))];
            _breastMilk = [.. Names.Breasts.Select(b => _net.SlotOf(Names.Milk(b)))];
            _breastCells = [.. Names.Breasts.Select(b => m.CellTypes.SelectMany(t => new[] { _net.SlotOf(Names.Cells(t, Viability.Alive, b)), _net.SlotOf(Names.Cells(t, Viability.Dead, b)) }).ToArray())];
            _breastLeucocyte = [.. Names.Breasts.Select(_ => m.CellTypes.SelectMany(t => new[] { t.Class == CellClass.Leucocyte, t.Class == CellClass.Leucocyte }).ToArray())];
            var gut = _spec.Species.Where(s => s.Role == SpeciesRole.GutCells).Select(s => _net.SlotOf(s.Id)).ToArray();
            _gutFirst = gut.Min();
            _gutCount = gut.Length;
            if (gut.Max() - _gutFirst + 1 != _gutCount)
            {
                throw new InvalidOperationException("gut species are expected to be contiguous");
            }
            var infant = _spec.Species.Where(s => s.Role is SpeciesRole.BloodCells or SpeciesRole.OrganCells or SpeciesRole.FateCells).ToArray();
            _infantSlots = [.. infant.Select(s => _net.SlotOf(s.Id))];
            _infantColumns = ["gut_viable", .. infant.Select(s => s.Id)];
            _cellColumns = [.. _cellTypes.SelectMany(t => new[] { $"{t}_alive", $"{t}_dead" })];
            _columnOf = _cellColumns.Select((c, k) => (c, k)).ToDictionary(x => x.c, x => x.k, StringComparer.Ordinal);
            _speciesById = _spec.Species.ToDictionary(x => x.Id, StringComparer.Ordinal);
        }

        public SimulationResult Execute()
        {
            var end = _plan.Scenario.DurationHours;
            var daily = _daily = new DailyRows.Builder(_plan, _model.Model, _perMl);
            // Day totals are read by interventions listed first, so they run before any feed at the same time: a feed at
            // exactly midnight belongs to the day it starts (as its feed row and the feeds column say), whereas output
            // times see the state after that time's interventions.
            var interventions = new List<EngineIntervention>();
            for (var d = 0; d <= _days; d++)
            {
                interventions.Add(new EngineIntervention(Math.Min(d * 24.0, end), ctx =>
                {
                    var row = daily.Boundary;
                    row[0] = ctx[_intake];
                    row[1] = ctx[_formula];
                    for (var t = 0; t < _cellTypes.Length; t++)
                    {
                        row[2 + t] = ctx[_ingestedAlive[t]];
                        row[2 + _cellTypes.Length + t] = ctx[_ingestedDead[t]];
                    }
                    daily.Commit();
                }, "day totals"));
            }
            var sampleDelay = _model.Value(ModelParameters.SampleDelay);
            foreach (var i in _plan.Interventions)
            {
                interventions.Add(Translate(i, sampleDelay));
            }
            var withinDay = Math.Clamp(_options.WithinFeedDay ?? DefaultWithinFeedDay(_plan.Scenario), 0, _days - 1);
            var (times, kinds) = RecordTimes(end, withinDay);
            var algorithm = _options.Algorithm ?? DefaultAlgorithm;
            var sim = new Simulator(_net, algorithm);
            var rng = RandomStream.Derive(_seed, EngineStreamLabel);
            var dayIndex = 0;
            var result = sim.Run(ref rng, new RunOptions
            {
                EndTime = end,
                RecordTimes = times,
                Interventions = interventions,
                KeepSeries = false,
                Observer = (in Observation o) =>
                {
                    var kind = kinds[o.Index];
                    if ((kind & (RecordKind.Within | RecordKind.Series)) != 0)
                    {
                        foreach (var b in Names.Breasts)
                        {
                            var (volume, cells, leucocytes) = Breast(o, b);
                            var sample = new BreastSample(o.Time, b, volume, cells / volume, leucocytes / volume);
                            if ((kind & RecordKind.Within) != 0)
                            {
                                _within.Add(sample);
                            }
                            if ((kind & RecordKind.Series) != 0)
                            {
                                _series.Add(sample);
                            }
                        }
                    }
                    if ((kind & RecordKind.Day) != 0)
                    {
                        _cancellation.ThrowIfCancellationRequested();
                        var d = dayIndex++;
                        if (d > 0)
                        {
                            if (_options.Detail)
                            {
                                InfantAt(o, d - 1);
                                HeldRows(o);
                            }
                            _options.Progress?.Report(new SimulationProgress(d, _days));
                        }
                    }
                },
            });
            var feeds = _feeds.ToImmutableArray();
            return new SimulationResult(_plan, _seed, _cellTypes, _cellColumns, _infantColumns,
                daily.Rows(), feeds, [.. _infant],
                [.. _expressed], withinDay, [.. _within], new EngineStats(result.Firings, result.Leaps, _interventions))
            {
                BreastDays = DailyRows.FromFeeds(feeds, _days, _model.Model, _options.Detail),
                BreastSeries = [.. _series],
            };
        }

        [Flags]
        private enum RecordKind : byte
        {
            Day = 1,
            Within = 2,
            Series = 4,
        }

        private (double[] Times, RecordKind[] Kinds) RecordTimes(double end, int withinDay)
        {
            var map = new SortedDictionary<double, RecordKind>();
            for (var d = 0; d <= _days; d++)
            {
                map[Math.Min(d * 24.0, end)] = RecordKind.Day;
            }
            if (_options.Detail)
            {
                var step = _options.WithinFeedStepMinutes / 60;
                var count = (int)Math.Round(24 / step);
                for (var k = 0; k <= count; k++)
                {
                    var t = Math.Min(withinDay * 24 + k * step, end);
                    map[t] = map.GetValueOrDefault(t) | RecordKind.Within;
                }
                // Each breast's stored milk every `resolutionHours` of the scenario, over the whole run.
                var every = _plan.Scenario.ResolutionHours;
                for (var k = 0L; k * every <= end; k++)
                {
                    var t = k * every;
                    map[t] = map.GetValueOrDefault(t) | RecordKind.Series;
                }
            }
            return ([.. map.Keys], [.. map.Values]);
        }


        private (double Volume, double Cells, double Leucocytes) Breast(in Observation o, Breast b)
        {
            var slots = _breastCells[(int)b];
            var isLeu = _breastLeucocyte[(int)b];
            double cells = 0, leu = 0;
            for (var i = 0; i < slots.Length; i++)
            {
                var n = o.Value(slots[i]);
                cells += n;
                if (isLeu[i])
                {
                    leu += n;
                }
            }
            return (o.Value(_breastMilk[(int)b]) / _perMl, cells, leu);
        }

        private (double Volume, double Cells, double Leucocytes) Breast(InterventionContext ctx, Breast b)
        {
            var slots = _breastCells[(int)b];
            var isLeu = _breastLeucocyte[(int)b];
            double cells = 0, leu = 0;
            for (var i = 0; i < slots.Length; i++)
            {
                var n = ctx[slots[i]];
                cells += n;
                if (isLeu[i])
                {
                    leu += n;
                }
            }
            return (ctx[_breastMilk[(int)b]] / _perMl, cells, leu);
        }

        // --- interventions ------------------------------------------------------------------------------------------

        private sealed record Move(int From, int To, int Tally, int CellColumn);

        private sealed class ContainerState
        {
            public double TemperatureC;
            public int MilkSlot;
            public int[] AliveSlots = [];
            public int[] DeadSlots = [];
            public bool Active;
        }

        private EngineIntervention Translate(PlanIntervention i, double sampleDelay)
        {
            var cellColumns = _cellColumns;
            var columnOf = _columnOf;
            var moves = i.Moves.Select(mv =>
            {
                var species = _speciesById[mv.From];
                var column = species.CellType is { } t && species.Viability is { } v ? columnOf[$"{t}_{Names.Of(v)}"] : -1;
                return new Move(_net.SlotOf(mv.From), mv.To is null ? -1 : _net.SlotOf(mv.To), mv.Tally is null ? -1 : _net.SlotOf(mv.Tally), column);
            }).ToArray();
            var additions = i.Additions.Select(a => (Slot: _net.SlotOf(a.Species), a.Count)).ToArray();
            var container = i.Container is null ? null : Container(i.Container);
            var fraction = i.Fraction;
            var fridge = _model.Value(ModelParameters.FridgeTemperature);
            return new EngineIntervention(i.Hours, ctx =>
            {
                _interventions++;
                if (container is not null && container.Active && _options.Detail)
                {
                    ContainerRow(i.Container!, container, "held", ctx.Time, ctx);
                }
                var before = i.Kind == InterventionKind.Feed ? Breast(ctx, i.Breast!.Value) : default;
                var counts = i.Kind == InterventionKind.Feed ? new long[cellColumns.Length] : null;
                long milk = 0;
                foreach (var mv in moves)
                {
                    var n = (long)ctx[mv.From];
                    var k = fraction >= 1 ? n : fraction <= 0 ? 0 : Samplers.Binomial(ref ctx.Random, n, fraction);
                    if (k == 0)
                    {
                        continue;
                    }
                    ctx[mv.From] = n - k;
                    if (mv.To >= 0)
                    {
                        ctx[mv.To] += k;
                    }
                    if (mv.Tally >= 0)
                    {
                        ctx[mv.Tally] += k;
                    }
                    if (mv.CellColumn >= 0 && counts is not null)
                    {
                        counts[mv.CellColumn] += k;
                    }
                    else if (mv.CellColumn < 0)
                    {
                        milk += k;
                    }
                }
                foreach (var (slot, count) in additions)
                {
                    ctx[slot] += count;
                }
                var chemistry = ChemistryReadout.None;
                if (i.Kind == InterventionKind.Feed)
                {
                    var (bacteria, sodium, potassium) = _plan.Chemistry.At(_plan.Chemistry.StepAt(ctx.Time), i.Breast!.Value);
                    chemistry = new ChemistryReadout(bacteria, sodium, potassium);
                    _daily!.AddChemistry((int)Math.Floor(ctx.Time / 24), milk / _perMl, chemistry);
                }
                if (i.Kind == InterventionKind.Feed && _options.Detail)
                {
                    var b = i.Breast!.Value;
                    var volume = milk / _perMl;
                    long total = 0, leucocytes = 0;
                    for (var c = 0; c < counts!.Length; c++)
                    {
                        total += counts[c];
                        if (_classOf[_cellTypes[c / 2]] == CellClass.Leucocyte)
                        {
                            leucocytes += counts[c];
                        }
                    }
                    var rowIndex = _feeds.Count;
                    _feeds.Add(new FeedRow((int)Math.Floor(ctx.Time / 24), ctx.Time, b, Meal(i), fraction, volume,
                        Ratio(total, volume), Ratio(leucocytes, volume), total > 0 ? 100.0 * leucocytes / total : double.NaN,
                        Ratio(before.Cells, before.Volume), double.NaN, Ratio(before.Leucocytes, before.Volume), volume > 0 ? chemistry : ChemistryReadout.None,
                        [.. counts]));
                    var at = ctx.Time + sampleDelay;
                    if (at <= _plan.Scenario.DurationHours)
                    {
                        ctx.Schedule(at, later =>
                        {
                            var (v, cells, _) = Breast(later, b);
                            _feeds[rowIndex] = _feeds[rowIndex] with { CellsPerMlAfter30Min = Ratio(cells, v) };
                        }, "sample 30 min after a feed");
                    }
                }
                if (container is not null)
                {
                    container.Active = true;
                    container.TemperatureC = i.TemperatureC ?? container.TemperatureC;
                    if (_options.Detail)
                    {
                        ContainerRow(i.Container!, container, Process(i.Kind), ctx.Time, ctx);
                    }
                    if (i.Kind == InterventionKind.Pasteurise)
                    {
                        container.TemperatureC = fridge; // Holder milk is then kept at 4 °C (docs/model.md §6)
                    }
                }
            }, i.Label);
        }

        private readonly Dictionary<double, int> _mealByTime = [];

        private int Meal(PlanIntervention i)
        {
            if (_mealByTime.Count == 0)
            {
                foreach (var f in _plan.Feeds)
                {
                    _mealByTime[f.Hours] = f.Meal;
                }
            }
            return _mealByTime.GetValueOrDefault(i.Hours, -1);
        }

        private static string Process(InterventionKind kind) => kind switch
        {
            InterventionKind.Pump => "pump",
            InterventionKind.Store => "store",
            InterventionKind.Thaw => "thaw",
            InterventionKind.Pasteurise => "pasteurise",
            InterventionKind.FormulaFill => "formula",
            _ => kind.ToString().ToLowerInvariant(),
        };

        private ContainerState Container(string id)
        {
            if (_containers.TryGetValue(id, out var c))
            {
                return c;
            }
            var species = _spec.Species.Where(s => s.Container == id).ToArray();
            c = new ContainerState
            {
                MilkSlot = _net.SlotOf(species.Single(s => s.Role == SpeciesRole.ContainerMilk).Id),
                AliveSlots = [.. species.Where(s => s.Role == SpeciesRole.ContainerCells && s.Viability == Viability.Alive).Select(s => _net.SlotOf(s.Id))],
                DeadSlots = [.. species.Where(s => s.Role == SpeciesRole.ContainerCells && s.Viability == Viability.Dead).Select(s => _net.SlotOf(s.Id))],
            };
            _containers[id] = c;
            return c;
        }

        private void ContainerRow(string id, ContainerState c, string process, double time, InterventionContext ctx) =>
            ContainerRow(id, c, process, time, slot => ctx[slot]);

        private void ContainerRow(string id, ContainerState c, string process, double time, Func<int, double> value)
        {
            double alive = 0, dead = 0;
            foreach (var s in c.AliveSlots)
            {
                alive += value(s);
            }
            foreach (var s in c.DeadSlots)
            {
                dead += value(s);
            }
            var total = alive + dead;
            _expressed.Add(new ExpressedRow(id, process, time, c.TemperatureC, value(c.MilkSlot) / _perMl, (long)total, total > 0 ? alive / total : double.NaN));
        }

        private void HeldRows(in Observation o)
        {
            foreach (var (id, c) in _containers.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                if (c.Active)
                {
                    double alive = 0, dead = 0;
                    foreach (var s in c.AliveSlots)
                    {
                        alive += o.Value(s);
                    }
                    foreach (var s in c.DeadSlots)
                    {
                        dead += o.Value(s);
                    }
                    var total = alive + dead;
                    var process = o.Time >= _plan.Scenario.DurationHours ? "end" : "held";
                    _expressed.Add(new ExpressedRow(id, process, o.Time, c.TemperatureC, o.Value(c.MilkSlot) / _perMl, (long)total, total > 0 ? alive / total : double.NaN));
                }
            }
        }

        private void InfantAt(in Observation o, int day)
        {
            var counts = new long[_infantColumns.Length];
            double gut = 0;
            for (var s = _gutFirst; s < _gutFirst + _gutCount; s++)
            {
                gut += o.Value(s);
            }
            counts[0] = (long)gut;
            for (var i = 0; i < _infantSlots.Length; i++)
            {
                counts[i + 1] = (long)o.Value(_infantSlots[i]);
            }
            _infant.Add(new InfantRow(day, o.Time, [.. counts]));
        }

        private static double Ratio(double count, double volume) => volume > 0 ? count / volume : double.NaN;
    }
}
