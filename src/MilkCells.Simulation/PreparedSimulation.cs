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
    /// <remarks>Only the rows leave: the plan is dropped here, so its daily driver table is written into a buffer reused by the thread.</remarks>
    public ImmutableArray<DailyRow> Run(ulong rootSeed, long motherId, CancellationToken cancellation, IProgress<SimulationProgress>? progress = null)
    {
        var options = new SimulationOptions { Detail = false, Progress = progress, Resolution = Resolution };
        var planner = _sampled.Value;
        double[]? buffer = null;
        if (Resolution == SimulationResolution.Daily)
        {
            buffer = t_table is { } b && b.Length == planner.TableSize ? b : t_table = new double[planner.TableSize];
        }
        return RunPlanned(planner, MotherSimulation.MotherSeed(rootSeed, motherId), options, cancellation, buffer).Daily;
    }

    [ThreadStatic]
    private static double[]? t_table;

    /// <summary>One run of the scenario with <paramref name="seed"/> as the plan's seed; <see cref="SimulationOptions.Days"/> and <see cref="SimulationOptions.Resolution"/> are this instance's.</summary>
    public SimulationResult Simulate(ulong seed, SimulationOptions? options = null, CancellationToken cancellation = default) =>
        RunPlanned(_fixed.Value, seed, (options ?? new SimulationOptions()) with { Resolution = Resolution }, cancellation, null);

    private SimulationResult RunPlanned(ScenarioPlanner planner, ulong seed, SimulationOptions options, CancellationToken cancellation, double[]? tableBuffer)
    {
        var plan = planner.Plan(seed, tableBuffer);
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
            var breasts = options.Detail ? new DailyRows.BreastBuilder(days, _model, _perMl) : null;
            // Day totals are read by interventions listed first, so formula given at exactly midnight counts in the day it
            // starts, as at feed resolution; they are also the run's only stops besides formula feeds: one leap a day.
            var interventions = new List<EngineIntervention>(days + 1 + plan.Interventions.Length);
            var chemistry = plan.ChemistryDays;
            var drunkBefore = new double[2]; // each breast's milk tally at the previous boundary, quanta
            for (var d = 0; d <= days; d++)
            {
                var day = d;
                interventions.Add(new EngineIntervention(Math.Min(d * 24.0, end), ctx =>
                {
                    cancellation.ThrowIfCancellationRequested();
                    var row = daily.Boundary;
                    row[1] = ctx[_formula];
                    foreach (var b in Names.Breasts)
                    {
                        var own = breasts is null ? default : breasts.Boundary(b);
                        var milk = ctx[_milk[(int)b]];
                        if (day > 0)
                        {
                            // The day's chemistry is the plan's (exact mean over that breast's feeds), weighted by what was drunk.
                            var i = ((day - 1) * 2 + (int)b) * 4;
                            var readout = new ChemistryReadout(chemistry[i + 1], chemistry[i + 2], chemistry[i + 3]);
                            daily.AddChemistry(day - 1, (milk - drunkBefore[(int)b]) / _perMl, readout);
                            if (breasts is not null)
                            {
                                breasts.Chemistry[(int)b] = readout;
                            }
                        }
                        drunkBefore[(int)b] = milk;
                        row[0] += milk;
                        var (alive, dead) = (_alive[(int)b], _dead[(int)b]);
                        for (var t = 0; t < n; t++)
                        {
                            var (al, de) = (ctx[alive[t]], ctx[dead[t]]);
                            row[2 + t] += al;
                            row[2 + n + t] += de;
                            if (!own.IsEmpty)
                            {
                                own[1 + t] = al;
                                own[1 + n + t] = de;
                            }
                        }
                        if (!own.IsEmpty)
                        {
                            own[0] = milk;
                        }
                    }
                    daily.Commit();
                    breasts?.Commit();
                    if (day > 0)
                    {
                        options.Progress?.Report(new SimulationProgress(day, days));
                    }
                }, "day totals"));
            }
            foreach (var i in plan.Interventions)
            {
                var additions = i.Additions.Select(a => (Slot: _net.SlotOf(a.Species), a.Count)).ToArray();
                interventions.Add(new EngineIntervention(i.Hours, ctx =>
                {
                    foreach (var (slot, count) in additions)
                    {
                        ctx[slot] += count;
                    }
                }, i.Label));
            }
            var sim = new Simulator(_net, options.Algorithm ?? MotherSimulation.DailyAlgorithm);
            var rng = RandomStream.Derive(seed, MotherSimulation.EngineStreamLabel);
            var result = sim.Run(ref rng, new RunOptions
            {
                EndTime = end,
                Interventions = interventions,
                Drivers = schedule,
                KeepSeries = false,
            });
            var types = _model.CellTypes;
            ImmutableArray<string> cellColumns = [.. types.SelectMany(t => new[] { $"{t.Id}_alive", $"{t.Id}_dead" })];
            return new SimulationResult(plan, seed, [.. types.Select(t => t.Id)], cellColumns, [], daily.Rows(),
                [], [], [], -1, [], new EngineStats(result.Firings, result.Leaps, plan.Interventions.Length))
            {
                BreastDays = breasts?.Rows() ?? [],
            };
        }
    }
}
