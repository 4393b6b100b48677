using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MilkCells.Core.Random;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Simulation;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using MilkCells.Model.Structure;
using EngineIntervention = MilkCells.Engine.Simulation.Intervention;

namespace MilkCells.Simulation;

/// <summary>A scenario prepared for simulating many mothers at one resolution: planning constants and, at daily resolution, the compiled network, built once.</summary>
/// <remarks>
/// Immutable and thread-safe: <see cref="Run"/> and <see cref="Simulate"/> build their own engine state, so a cohort
/// runs mothers on any number of threads from one instance, and each mother's rows depend only on the root seed and
/// her id. At daily resolution the network has no mother-specific constant (the mother enters through the drivers),
/// so it is compiled once and each run passes its days as a <see cref="DriverSchedule"/>.
/// <code>
/// var prepared = MotherSimulation.Prepare(model, scenario, days: 365);
/// Parallel.For(0, 10_000, m => store.Add(m, prepared.Run(rootSeed: 42, motherId: m, CancellationToken.None)));
/// </code>
/// </remarks>
public sealed class PreparedSimulation
{
    private static readonly ConditionalWeakTable<Scenario, ConditionalWeakTable<CalibratedModel, ConcurrentDictionary<(int?, SimulationResolution), Lazy<PreparedSimulation>>>> Cache = new();

    private readonly Lazy<ScenarioPlanner> _fixed;
    private readonly Lazy<ScenarioPlanner> _sampled;
    private readonly Lazy<DailyEngine>? _daily;

    internal PreparedSimulation(CalibratedModel calibration, Scenario scenario, SimulationResolution resolution)
    {
        Calibration = calibration;
        Scenario = scenario;
        Resolution = resolution;
        _fixed = new(() => RunPlanner.Prepare(calibration, scenario, resolution));
        _sampled = new(() => scenario.Mother.Mode == MotherMode.Sampled
            ? _fixed.Value
            : RunPlanner.Prepare(calibration, scenario with { Mother = scenario.Mother with { Mode = MotherMode.Sampled } }, resolution));
        if (resolution == SimulationResolution.Daily)
        {
            _daily = new(() => new DailyEngine(_fixed.Value));
        }
    }

    /// <summary>The calibration.</summary>
    public CalibratedModel Calibration { get; }

    /// <summary>The scenario (with the run length applied).</summary>
    public Scenario Scenario { get; }

    /// <summary>The resolution.</summary>
    public SimulationResolution Resolution { get; }

    /// <summary>The prepared simulation of <paramref name="scenario"/> for <paramref name="days"/>, shared while both instances live.</summary>
    internal static PreparedSimulation Cached(CalibratedModel calibration, Scenario scenario, int? days, SimulationResolution resolution) =>
        Cache.GetValue(scenario, _ => new()).GetValue(calibration, _ => new())
            .GetOrAdd((days, resolution), key => new(() => MotherSimulation.Prepare(calibration, scenario, key.Item1, key.Item2))).Value;

    /// <summary>One cohort mother's daily rows (see <see cref="MotherSimulation.Run"/>).</summary>
    public ImmutableArray<DailyRow> Run(ulong rootSeed, long motherId, CancellationToken cancellation, IProgress<SimulationProgress>? progress = null)
    {
        var options = new SimulationOptions { Detail = false, Progress = progress, Resolution = Resolution };
        return RunPlanned(_sampled.Value, MotherSimulation.MotherSeed(rootSeed, motherId), options, cancellation).Daily;
    }

    /// <summary>One run of the scenario with <paramref name="seed"/> as the plan's seed; <see cref="SimulationOptions.Days"/> and <see cref="SimulationOptions.Resolution"/> are this instance's.</summary>
    public SimulationResult Simulate(ulong seed, SimulationOptions? options = null, CancellationToken cancellation = default) =>
        RunPlanned(_fixed.Value, seed, (options ?? new SimulationOptions()) with { Resolution = Resolution }, cancellation);

    private SimulationResult RunPlanned(ScenarioPlanner planner, ulong seed, SimulationOptions options, CancellationToken cancellation)
    {
        var plan = planner.Plan(seed);
        return Resolution == SimulationResolution.Daily
            ? _daily!.Value.Run(plan, seed, options, cancellation)
            : MotherSimulation.RunFeeds(Calibration, plan, seed, options, cancellation);
    }

    /// <summary>The daily network compiled once, with the slots runs read.</summary>
    private sealed class DailyEngine
    {
        private readonly CompiledNetwork _net;
        private readonly string[] _drivers;
        private readonly int[] _milk; // by breast
        private readonly int[][] _alive, _dead; // by breast, cell type
        private readonly int _formula;
        private readonly MilkModel _model;
        private readonly double _perMl;

        public DailyEngine(ScenarioPlanner planner)
        {
            var spec = planner.Network;
            _net = CompiledNetwork.Compile(EngineMapping.ToEngine(spec, planner.Scenario));
            _drivers = [.. spec.Drivers.Select(d => d.Id)];
            _model = planner.Model.Model;
            var types = _model.CellTypes;
            _milk = [.. Names.Breasts.Select(b => _net.SlotOf(Names.IntakeFrom(b)))];
            _alive = [.. Names.Breasts.Select(b => types.Select(t => _net.SlotOf(Names.IngestedFrom(t, Viability.Alive, b))).ToArray())];
            _dead = [.. Names.Breasts.Select(b => types.Select(t => _net.SlotOf(Names.IngestedFrom(t, Viability.Dead, b))).ToArray())];
            _formula = _net.SlotOf(Names.FormulaMilk);
            _perMl = EngineMapping.QuantaPerMl(spec.VolumeQuantumMl);
        }

        public SimulationResult Run(RunPlan plan, ulong seed, SimulationOptions options, CancellationToken cancellation)
        {
            var table = plan.DriverTable!;
            if (!table.Drivers.SequenceEqual(_drivers))
            {
                throw new InvalidOperationException("the plan's driver table does not match the compiled daily network");
            }
            var schedule = new DriverSchedule(_net, _drivers, ImmutableCollectionsMarshal.AsArray(table.Times)!, ImmutableCollectionsMarshal.AsArray(table.Values)!);
            var days = plan.Days.Length;
            var end = plan.Scenario.DurationHours;
            var n = _model.CellTypes.Length;
            var daily = new DailyRows.Builder(plan, _model, _perMl);
            var breasts = new DailyRows.BreastBuilder(days, _model, _perMl);
            var times = new double[days + 1];
            for (var d = 0; d <= days; d++)
            {
                times[d] = Math.Min(d * 24.0, end);
            }
            var interventions = plan.Interventions.Select(i => new EngineIntervention(i.Hours, ctx =>
            {
                foreach (var a in i.Additions)
                {
                    ctx[_net.SlotOf(a.Species)] += a.Count;
                }
            }, i.Label)).ToArray();
            var sim = new Simulator(_net, options.Algorithm ?? MotherSimulation.DailyAlgorithm);
            var rng = RandomStream.Derive(seed, MotherSimulation.EngineStreamLabel);
            var result = sim.Run(ref rng, new RunOptions
            {
                EndTime = end,
                RecordTimes = times,
                Interventions = interventions,
                Drivers = schedule,
                KeepSeries = false,
                Observer = (in Observation o) =>
                {
                    cancellation.ThrowIfCancellationRequested();
                    var row = daily.Boundary;
                    row[1] = o.Value(_formula);
                    foreach (var b in Names.Breasts)
                    {
                        var own = breasts.Boundary(b);
                        var milk = o.Value(_milk[(int)b]);
                        own[0] = milk;
                        row[0] += milk;
                        var (alive, dead) = (_alive[(int)b], _dead[(int)b]);
                        for (var t = 0; t < n; t++)
                        {
                            var (al, de) = (o.Value(alive[t]), o.Value(dead[t]));
                            own[1 + t] = al;
                            own[1 + n + t] = de;
                            row[2 + t] += al;
                            row[2 + n + t] += de;
                        }
                    }
                    daily.Commit();
                    breasts.Commit();
                    if (o.Index > 0)
                    {
                        options.Progress?.Report(new SimulationProgress(o.Index, days));
                    }
                },
            });
            var types = _model.CellTypes;
            ImmutableArray<string> cellColumns = [.. types.SelectMany(t => new[] { $"{t.Id}_alive", $"{t.Id}_dead" })];
            return new SimulationResult(plan, seed, [.. types.Select(t => t.Id)], cellColumns, [], daily.Rows(),
                [], [], [], -1, [], new EngineStats(result.Firings, result.Leaps, interventions.Length))
            {
                BreastDays = breasts.Rows(),
            };
        }
    }
}
