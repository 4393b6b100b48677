using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MilkCells.Cohorts;
using MilkCells.Model.Catalogue;
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
    [Params(500)]
    public int Mothers { get; set; }

    /// <summary>Days per mother.</summary>
    [Params(365)]
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
/// Where one 365-day cohort mother's time goes: the simulation (<see cref="CohortSpec.Mother"/>, the simulation's
/// cohort resolution), then the cohort path — her rows into a store buffer, and that buffer committed in one SQLite
/// transaction. Per mother-day = mean / 365.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project bench/MilkCells.Benchmarks -- --filter '*MotherCostBenchmarks*'</c>.</remarks>
[MemoryDiagnoser]
public class MotherCostBenchmarks
{
    private const int Days = 365;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"milkcells-bench-mother-{Environment.ProcessId}");
    private CohortSpec _spec = null!;
    private ImmutableArray<DailyRow> _rows;
    private ICohortStore _store = null!;
    private MotherRows _buffer = null!;
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_dir);
        var model = MilkModel.Embedded;
        _spec = CohortSpec.Create(model.Calibrate(null), ScenarioLoader.Load("healthy", model), 1, int.MaxValue, Days);
        _rows = _spec.Mother(0, CancellationToken.None);
        _store = CohortStore.OpenForWrite($"sqlite:{_dir}/path.db");
        _store.StartRun(_spec.Metadata("bench"), _spec.Schema, ShardSpec.Whole, resume: false);
        _buffer = new MotherRows(_spec.Schema, 0);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>One cohort mother's simulation: plan, engine, daily rows.</summary>
    [Benchmark]
    public int Simulate() => _spec.Mother(++_next, CancellationToken.None).Length;

    /// <summary>Her 365 rows into a reused store buffer.</summary>
    [Benchmark]
    public int Fill()
    {
        _buffer.Reset(0);
        return CohortColumns.Fill(_buffer, _rows).Count;
    }

    /// <summary>Her filled rows committed in one SQLite transaction (what the writer thread does).</summary>
    [Benchmark]
    public int StoreOneMother()
    {
        _buffer.Reset(++_next);
        _store.WriteMothers([CohortColumns.Fill(_buffer, _rows)]);
        return _buffer.Count;
    }
}
