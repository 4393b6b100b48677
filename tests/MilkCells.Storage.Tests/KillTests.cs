using System.Diagnostics;
using MilkCells.Storage.Cohorts;
using MilkCells.Storage.Testing;
using static MilkCells.Storage.Tests.StoreTestHelpers;

namespace MilkCells.Storage.Tests;

/// <summary>A writer process killed with SIGKILL mid-run leaves only complete mothers, and --resume completes the run exactly.</summary>
public sealed class KillTests : IDisposable
{
    private const int Mothers = 1000;
    private const int Days = 200;
    private readonly SqliteStores _sqlite = new();

    [Fact]
    public void Sqlite_store_killed_mid_run_keeps_only_complete_mothers_and_resumes_exactly() => KillAndResume(_sqlite);

    [Fact]
    public void Postgres_store_killed_mid_run_keeps_only_complete_mothers_and_resumes_exactly() => KillAndResume(PostgresStores.Require());

    [Fact]
    public void DuckDb_store_killed_mid_run_keeps_only_complete_mothers_and_resumes_exactly()
    {
        using var stores = new DuckDbStores();
        KillAndResume(stores);
    }

    /// <summary>Four mothers per part file: of the 25 mothers the writer reported, at least 22 are in renamed parts.</summary>
    [Fact]
    public void Parquet_store_killed_mid_run_keeps_only_complete_mothers_and_resumes_exactly()
    {
        using var stores = new ParquetStores(rowsPerFile: 4 * Days);
        KillAndResume(stores, buffered: 3);
    }

    /// <param name="stores">The backend.</param>
    /// <param name="buffered">How many reported mothers the store may still hold in memory (Parquet gathers a part file's worth).</param>
    private void KillAndResume(StoreFactory stores, int buffered = 0)
    {
        var uri = stores.NewUri("killed");
        using (var writer = StartWriter(uri, "--pause-ms", "5"))
        {
            var committed = 0;
            while (committed < 25 && writer.StandardOutput.ReadLine() is { } line)
            {
                committed = int.Parse(line["committed ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
            if (committed < 25)
            {
                Assert.Fail("the writer stopped early: " + writer.StandardError.ReadToEnd());
            }
            writer.Kill(); // SIGKILL on Unix: no handler, no flush, no rollback by the process
            writer.WaitForExit();
            Assert.Equal(137, writer.ExitCode); // 128 + SIGKILL: it was killed, it did not finish
        }

        long[] complete;
        using (var store = CohortStore.OpenForRead(uri))
        {
            complete = store.CompletedMothers().Order().ToArray();
            Assert.InRange(complete.Length, 25 - buffered, Mothers - 1); // killed mid-run, not after it
            Assert.Equal(complete.Length * (long)Days, store.CountRows());
            using var reader = store.ReadRows(new CohortQuery { Columns = [] });
            var rowsPerMother = new Dictionary<long, int>();
            while (reader.Read())
            {
                rowsPerMother[reader.MotherId] = rowsPerMother.GetValueOrDefault(reader.MotherId) + 1;
            }
            Assert.Equal(complete, rowsPerMother.Keys.Order());
            Assert.All(rowsPerMother.Values, n => Assert.Equal(Days, n));
        }
        var reference = stores.NewUri("reference");
        using (var store = CohortStore.OpenForWrite(reference))
        {
            store.StartRun(SyntheticCohort.Metadata(Mothers, Days), SyntheticCohort.Daily, ShardSpec.Whole, resume: false);
            SyntheticCohort.WriteAll(store, complete, Days);
        }
        Assert.Equal(ExportBytes(reference), ExportBytes(uri));

        using (var resumed = StartWriter(uri, "--resume"))
        {
            resumed.StandardOutput.ReadToEnd();
            resumed.WaitForExit();
            Assert.Equal(0, resumed.ExitCode);
        }
        using (var store = CohortStore.OpenForWrite(reference))
        {
            store.StartRun(SyntheticCohort.Metadata(Mothers, Days), SyntheticCohort.Daily, ShardSpec.Whole, resume: true);
            SyntheticCohort.WriteAll(store, Enumerable.Range(0, Mothers).Select(i => (long)i), Days, perTransaction: 256);
        }
        Assert.Equal(ExportBytes(reference), ExportBytes(uri));
    }

    private static Process StartWriter(string uri, params string[] extra)
    {
        var dll = typeof(SyntheticCohort).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, uri, Mothers.ToString(System.Globalization.CultureInfo.InvariantCulture), Days.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(extra))
        {
            start.ArgumentList.Add(arg);
        }
        return Process.Start(start)!;
    }

    public void Dispose() => _sqlite.Dispose();
}
