using System.Diagnostics;
using MilkCells.Storage.Cohorts;
using MilkCells.TestSupport;
using static MilkCells.Cli.Tests.MilkcellsProcess;

namespace MilkCells.Cli.Tests;

/// <summary>
/// <c>milkcells cohort run</c> as real processes: SIGKILLed mid-run and resumed, K shard processes at once into one
/// PostgreSQL store or into per-shard SQLite files merged afterwards, and PostgreSQL exporting SQLite's bytes.
/// </summary>
public sealed class CohortProcessTests : IDisposable
{
    private const int Mothers = 3000; // a few seconds at ~10⁵ mother-days/s, so the run is killed mid-way
    private const int Days = 40;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    private readonly TempDir _dir = new("milkcells-cohort-proc");

    public void Dispose() => _dir.Dispose();

    private static string[] RunArgs(string store, int mothers = Mothers, int days = Days) =>
        ["cohort", "run", "--scenario", "healthy", "--mothers", N(mothers), "--days", N(days), "--seed", "77", "--store", store];

    /// <summary>The export of one uninterrupted, sequential, in-process run (SQLite).</summary>
    private byte[] Reference(int mothers = Mothers, int days = Days)
    {
        var uri = "sqlite:" + _dir.File($"reference-{mothers}-{days}.db");
        if (!File.Exists(uri["sqlite:".Length..]))
        {
            CohortFiles.Run([.. RunArgs(uri, mothers, days)[2..], "--threads", "1"]);
        }
        return CohortFiles.Export(_dir, uri);
    }

    [Fact]
    public void A_run_killed_with_SIGKILL_keeps_whole_mothers_and_resume_completes_it_exactly_Sqlite() =>
        KillAndResume("sqlite:" + _dir.File("killed.db"));

    [Fact]
    public void A_run_killed_with_SIGKILL_keeps_whole_mothers_and_resume_completes_it_exactly_Postgres()
    {
        using var pg = PostgresSchemas.Require();
        KillAndResume(pg.NewUri("killed"));
    }

    private void KillAndResume(string uri)
    {
        using (var run = Start([.. RunArgs(uri), "--threads", "2"]))
        {
            var clock = Stopwatch.StartNew();
            while (CompleteMothers(uri) < 1)
            {
                Assert.False(run.HasExited, $"the run ended before it could be killed: exit {(run.HasExited ? run.ExitCode : 0)} {ErrorOf(run)}");
                Assert.True(clock.Elapsed < Timeout, "the run committed no mothers in time");
                Thread.Sleep(20);
            }
            run.Kill(); // SIGKILL: no handler runs, nothing is flushed or rolled back by the process
            run.WaitForExit();
            Assert.Equal(137, run.ExitCode);
        }
        using (var store = CohortStore.OpenForRead(uri))
        {
            var complete = store.CompletedMothers();
            Assert.InRange(complete.Count, 1, Mothers - 1);
            Assert.Equal(complete.Count * (long)Days, store.CountRows()); // no row of an incomplete mother
        }
        using (var resumed = Start([.. RunArgs(uri), "--threads", "2", "--resume"]))
        {
            WaitOk(resumed, Timeout);
        }
        using (var store = CohortStore.OpenForRead(uri))
        {
            Assert.Equal(Enumerable.Range(0, Mothers).Select(i => (long)i), store.CompletedMothers().Order()); // every pair, once
            Assert.Equal(Mothers * (long)Days, store.CountRows());
        }
        Assert.Equal(Reference(), CohortFiles.Export(_dir, uri));
    }

    private static int CompleteMothers(string uri)
    {
        try
        {
            using var store = CohortStore.OpenForRead(uri);
            return store.CompletedMothers().Count;
        }
        catch (Core.Errors.InputException)
        {
            return 0; // not created yet
        }
    }

    [Fact]
    public void K_shard_processes_into_one_PostgreSQL_store_give_the_sequential_bytes()
    {
        using var pg = PostgresSchemas.Require();
        var uri = pg.NewUri("shards");
        const int k = 3, mothers = 9, days = 4;
        var processes = Enumerable.Range(0, k).Select(i => Start([.. RunArgs(uri, mothers, days), "--threads", "1", "--shard", $"{i}/{k}"])).ToArray();
        foreach (var p in processes)
        {
            WaitOk(p, Timeout);
            p.Dispose();
        }
        using (var store = CohortStore.OpenForRead(uri))
        {
            Assert.Equal(Enumerable.Range(0, k).Select(i => new ShardSpec(i, k)), store.Shards);
        }
        Assert.Equal(Reference(mothers, days), CohortFiles.Export(_dir, uri)); // PostgreSQL exports SQLite's bytes
    }

    [Fact]
    public void K_shard_processes_into_their_own_SQLite_files_merged_give_the_sequential_bytes()
    {
        const int k = 3, mothers = 9, days = 4;
        var shards = Enumerable.Range(0, k).Select(i => "sqlite:" + _dir.File($"shard-{i}.db")).ToArray();
        var processes = shards.Select((uri, i) => Start([.. RunArgs(uri, mothers, days), "--threads", "1", "--shard", $"{i}/{k}"])).ToArray();
        foreach (var p in processes)
        {
            WaitOk(p, Timeout);
            p.Dispose();
        }
        var merged = "sqlite:" + _dir.File("merged.db");
        var (code, _, error) = CliHarness.Run(["cohort", "merge", "--store", merged, .. shards]);
        Assert.True(code == 0, error);
        Assert.Equal(Reference(mothers, days), CohortFiles.Export(_dir, merged));
    }

    [Fact]
    public void A_PostgreSQL_store_has_the_SQLite_schema_and_exports_the_same_bytes()
    {
        using var pg = PostgresSchemas.Require();
        var uri = pg.NewUri("same");
        CohortFiles.Run([.. RunArgs(uri, 5, 3)[2..], "--threads", "2"]);
        var expected = Reference(5, 3);
        using (var postgres = CohortStore.OpenForRead(uri))
        using (var sqlite = CohortStore.OpenForRead("sqlite:" + _dir.File("reference-5-3.db")))
        {
            Assert.Equal(sqlite.Schema, postgres.Schema);
            Assert.Equal(sqlite.Metadata, postgres.Metadata);
        }
        Assert.Equal(expected, CohortFiles.Export(_dir, uri));
    }
}
