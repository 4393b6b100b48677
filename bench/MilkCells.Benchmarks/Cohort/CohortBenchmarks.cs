using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MilkCells.Cohorts;
using MilkCells.Engine.Compilation;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using MilkCells.Simulation;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Benchmarks.Cohort;

/// <summary>
/// A whole cohort run into a SQLite store, by thread count: mother-days per second = Mothers × Days / mean time.
/// Issue 5's target, 10,000 mothers × 365 days in under 60 s on 2 cores, is 60,833 mother-days/s.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project bench/MilkCells.Benchmarks -- --filter '*CohortRunBenchmarks*'</c>.</remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class CohortRunBenchmarks
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"milkcells-bench-cohort-{Environment.ProcessId}");
    private CohortSpec _spec = null!;
    private int _run;

    /// <summary>Mothers per run.</summary>
    [Params(8)]
    public int Mothers { get; set; }

    /// <summary>Days per mother.</summary>
    [Params(30, 365)]
    public int Days { get; set; }

    /// <summary>Simulation threads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_dir);
        var model = MilkModel.Embedded;
        _spec = CohortSpec.Create(model.Calibrate(null), ScenarioLoader.Load("healthy", model), 1, Mothers, Days);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark]
    public long Run()
    {
        using var store = CohortStore.OpenForWrite($"sqlite:{_dir}/run-{++_run}.db");
        return CohortRunner.Run(_spec, store, new CohortRunOptions { Threads = Threads, CodeVersion = "bench" }).Simulated;
    }
}

/// <summary>
/// Where one 365-day mother's time goes: planning (the schedule of feeds, drivers and the sampled mother), compiling
/// the engine network, the whole simulation (plan + compile + engine), and the cohort path after it (rows into a
/// store buffer and a SQLite transaction). Engine time ≈ Simulate − Plan − Compile.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project bench/MilkCells.Benchmarks -- --filter '*MotherCostBenchmarks*'</c>.</remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class MotherCostBenchmarks
{
    private const int Days = 365;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"milkcells-bench-mother-{Environment.ProcessId}");
    private CalibratedModel _model = null!;
    private Scenario _scenario = null!;
    private ImmutableArray<DailyRow> _rows;
    private ICohortStore _store = null!;
    private MotherRows _buffer = null!;
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_dir);
        var model = MilkModel.Embedded;
        _model = model.Calibrate(null);
        var healthy = ScenarioLoader.Load("healthy", model);
        _scenario = MotherSimulation.WithDays(healthy with { Mother = healthy.Mother with { Mode = MotherMode.Sampled } }, Days);
        _rows = MotherSimulation.Run(_model, healthy, 1, 0, Days, CancellationToken.None);
        _store = CohortStore.OpenForWrite($"sqlite:{_dir}/path.db");
        var spec = CohortSpec.Create(_model, healthy, 1, int.MaxValue, Days);
        _store.StartRun(spec.Metadata("bench"), spec.Schema, ShardSpec.Whole, resume: false);
        _buffer = new MotherRows(spec.Schema, 0);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>The run plan: sampled mother, feeds, driver schedule, interventions.</summary>
    [Benchmark]
    public int Plan() => RunPlanner.Plan(_model, _scenario, 7).Feeds.Length;

    /// <summary>Plan, then map onto the engine and compile the network.</summary>
    [Benchmark]
    public int PlanAndCompile() => CompiledNetwork.Compile(EngineMapping.ToEngine(RunPlanner.Plan(_model, _scenario, 7))).ReactionCount;

    /// <summary>One cohort mother, all of it: <see cref="MotherSimulation.Run"/>.</summary>
    [Benchmark]
    public int Simulate() => MotherSimulation.Run(_model, _scenario, 1, 7, Days, CancellationToken.None).Length;

    /// <summary>The cohort path for one mother's 365 rows: fill a store buffer and commit it in one SQLite transaction.</summary>
    [Benchmark]
    public int StoreOneMother()
    {
        _buffer.Reset(_next++);
        _store.WriteMothers([CohortColumns.Fill(_buffer, _rows)]);
        return _buffer.Count;
    }
}
