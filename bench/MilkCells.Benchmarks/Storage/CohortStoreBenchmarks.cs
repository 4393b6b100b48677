using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MilkCells.Storage.Cohorts;
using MilkCells.Storage.Testing;

namespace MilkCells.Benchmarks.Storage;

/// <summary>
/// Cohort store throughput: insert and export of <see cref="Mothers"/> × 365 daily rows (issue 5's 15 value columns).
/// Rows/s = Mothers × 365 / mean time. Issue 5's target, 10,000 × 365 in under 60 s, needs over 60,000 rows/s.
/// PostgreSQL cases run when MILKCELLS_PG_URI is set (./test.sh's server, or your own).
/// </summary>
/// <remarks>Run: dotnet run -c Release --project bench/MilkCells.Benchmarks -- --filter '*CohortStore*'</remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class CohortStoreBenchmarks
{
    private const int Days = 365;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"milkcells-bench-{Environment.ProcessId}");
    private List<MotherRows> _mothers = [];
    private string _exportUri = "";
    private int _run;

    /// <summary>Mothers per operation.</summary>
    [Params(1000)]
    public int Mothers { get; set; }

    /// <summary>The backend.</summary>
    [Params("sqlite", "postgres")]
    public string Backend { get; set; } = "sqlite";

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_dir);
        _mothers = Enumerable.Range(0, Mothers).Select(i => SyntheticCohort.Mother(i, Days)).ToList();
        _exportUri = NewUri();
        Insert(_exportUri);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Directory.Delete(_dir, recursive: true);
        if (Backend == "postgres")
        {
            using var connection = PostgresCohortStore.Connect(StoreUri.Parse(PostgresUri));
            for (var run = 1; run <= _run; run++)
            {
                using var drop = new Npgsql.NpgsqlCommand($"DROP SCHEMA IF EXISTS bench_{Environment.ProcessId}_{run} CASCADE", connection);
                drop.ExecuteNonQuery();
            }
        }
    }

    private static string PostgresUri => Environment.GetEnvironmentVariable("MILKCELLS_PG_URI")
        ?? throw new InvalidOperationException("set MILKCELLS_PG_URI to benchmark PostgreSQL");

    /// <summary>Insert every mother, 64 mothers per transaction (what <see cref="CohortWriter"/> does under load).</summary>
    [Benchmark]
    public void Insert() => Insert(NewUri());

    /// <summary>Export every row to canonical CSV.</summary>
    [Benchmark]
    public long Export()
    {
        using var store = CohortStore.OpenForRead(_exportUri);
        return CohortCsv.Export(store, Stream.Null);
    }

    private void Insert(string uri)
    {
        using var store = CohortStore.OpenForWrite(uri);
        store.StartRun(SyntheticCohort.Metadata(Mothers, Days), SyntheticCohort.Daily, ShardSpec.Whole, resume: false);
        foreach (var batch in _mothers.Chunk(64))
        {
            store.WriteMothers(batch);
        }
    }

    private string NewUri()
    {
        _run++;
        if (Backend == "sqlite")
        {
            return $"sqlite:{_dir}/bench-{_run}.db";
        }
        return $"{PostgresUri}?schema=bench_{Environment.ProcessId}_{_run}";
    }
}
