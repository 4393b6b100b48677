using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using MilkCells.Simulation;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Benchmarks.Simulation;

/// <summary>Cohort cost: one mother-year of <c>healthy</c> at each resolution, and a cohort at daily resolution on two threads, alone and into SQLite.</summary>
/// <remarks>
/// Issue 5's target, 10,000 mothers × 365 days in under 60 s on 2 cores, is 12 ms of CPU per mother-year for
/// everything. <see cref="MotherYear"/> is the single-core cost per mother (×10,000 / 2 cores: the simulation's share of
/// the wall time); <see cref="Cohort"/> runs <see cref="Mothers"/> mothers on 2 threads; <see cref="CohortIntoSqlite"/>
/// adds the store (64 mothers a transaction, one writer), so 10,000 / <see cref="Mothers"/> × its time projects the
/// whole cohort. Run: <c>dotnet run -c Release --project bench/MilkCells.Benchmarks -- --filter '*CohortBenchmarks*'</c>.
/// </remarks>
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 2, iterationCount: 8)]
[MemoryDiagnoser]
public class CohortBenchmarks
{
    private const int Days = 365;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"milkcells-cohort-bench-{Environment.ProcessId}");
    private PreparedSimulation _prepared = null!;
    private CohortSchema _schema = null!;
    private readonly ConcurrentBag<MotherRows> _buffers = [];
    private long _next;
    private int _run;

    /// <summary>Mothers per cohort operation.</summary>
    [Params(400)]
    public int Mothers { get; set; }

    /// <summary>How finely the mother-year is resolved.</summary>
    [Params(SimulationResolution.Daily, SimulationResolution.Feed)]
    public SimulationResolution Resolution { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var model = MilkModel.Embedded;
        _prepared = MotherSimulation.Prepare(model.Calibrate(null), ScenarioLoader.Load("healthy", model), Days, Resolution);
        _schema = CohortSchema.Create(DailyTable.Columns(model).Skip(1).Select(c => (c.Name, c.Kind switch
        {
            DailyValueKind.Integer => ColumnKind.Integer,
            DailyValueKind.Real => ColumnKind.Real,
            _ => ColumnKind.Text,
        })).ToArray());
        Directory.CreateDirectory(_dir);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    /// <summary>One mother-year on one thread (a new mother each call).</summary>
    [Benchmark]
    public int MotherYear() => _prepared.Run(1, _next++, CancellationToken.None).Length;

    /// <summary><see cref="Mothers"/> mother-years on 2 threads, rows kept in memory per mother and dropped.</summary>
    [Benchmark]
    public long Cohort()
    {
        if (Resolution == SimulationResolution.Feed)
        {
            return 0; // ~1 s a mother-year: not a cohort resolution
        }
        long rows = 0;
        Parallel.For(0, Mothers, new ParallelOptions { MaxDegreeOfParallelism = 2 }, m => Interlocked.Add(ref rows, _prepared.Run(1, m, CancellationToken.None).Length));
        return rows;
    }

    /// <summary><see cref="Mothers"/> mother-years simulated on 2 threads while one writer stores them in SQLite, 64 mothers a transaction.</summary>
    [Benchmark]
    public long CohortIntoSqlite()
    {
        if (Resolution == SimulationResolution.Feed)
        {
            return 0;
        }
        using var store = CohortStore.OpenForWrite($"sqlite:{_dir}/cohort-{++_run}.db");
        store.StartRun(new RunMetadata("healthy", "bench", 1, Mothers, Days, "default", "bench", "bench"), _schema, ShardSpec.Whole, resume: false);
        using var queue = new BlockingCollection<MotherRows>(boundedCapacity: 256);
        var writer = Task.Run(() =>
        {
            var batch = new List<MotherRows>(64);
            void Flush()
            {
                store.WriteMothers(batch);
                foreach (var written in batch)
                {
                    _buffers.Add(written); // buffers are reused, as a cohort writer's are
                }
                batch.Clear();
            }
            foreach (var mother in queue.GetConsumingEnumerable())
            {
                batch.Add(mother);
                if (batch.Count == 64)
                {
                    Flush();
                }
            }
            if (batch.Count > 0)
            {
                Flush();
            }
        });
        Parallel.For(0, Mothers, new ParallelOptions { MaxDegreeOfParallelism = 2 }, m => queue.Add(ToRows(m, _prepared.Run(1, m, CancellationToken.None))));
        queue.CompleteAdding();
        writer.Wait();
        return store.CountRows();
    }

    private MotherRows ToRows(long mother, IReadOnlyList<DailyRow> daily)
    {
        if (_buffers.TryTake(out var rows))
        {
            rows.Reset(mother);
        }
        else
        {
            rows = new MotherRows(_schema, mother, daily.Count);
        }
        foreach (var d in daily)
        {
            var values = DailyTable.Values(d);
            var setter = rows.Add(d.Day);
            for (var c = 1; c < values.Length; c++)
            {
                var v = values[c];
                _ = v.Kind switch
                {
                    DailyValueKind.Integer => setter.Integer(c - 1, v.Integer),
                    DailyValueKind.Real => setter.Real(c - 1, v.Real),
                    _ => setter.Text(c - 1, v.Text),
                };
            }
        }
        return rows;
    }
}
