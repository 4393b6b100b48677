using MilkCells.Cohorts.Reference;
using MilkCells.Storage.Cohorts;
using MilkCells.TestSupport;

namespace MilkCells.Cohorts.Tests;

/// <summary>One real cohort in SQLite, DuckDB and a Parquet folder, whole and in K = 3 shards: the same exports and the same reference set.</summary>
public sealed class ColumnarStoreTests : IDisposable
{
    private static readonly CohortSpec Spec = Cohorts.Spec(mothers: 11, days: 30, seed: 13);
    private readonly TempDir _dir = new("milkcells-columnar");

    public void Dispose() => _dir.Dispose();

    private string Sqlite(string name) => "sqlite:" + _dir.File(name + ".db");

    private string DuckDb(string name) => "duckdb:" + _dir.File(name + ".duckdb");

    private string Parquet(string name) => "parquet:" + _dir.File(name) + "?rows_per_file=40";

    private static byte[] Export(string uri, ExportFormat format)
    {
        using var store = CohortStore.OpenForRead(uri);
        using var buffer = new MemoryStream();
        CohortExport.Export(store, buffer, format, TestContext.Current.CancellationToken);
        return buffer.ToArray();
    }

    /// <summary>K = 3 shard runs, at once, into one Parquet folder (no merge), or into their own stores merged into <paramref name="target"/>.</summary>
    private string Sharded(string target, Func<int, string>? shardStore = null)
    {
        var runs = Enumerable.Range(0, 3).Select(i => Task.Run(() =>
            Cohorts.Run(_dir, "", Spec, threads: 1 + (i % 2), shard: new ShardSpec(i, 3), uri: shardStore?.Invoke(i) ?? target))).ToArray();
        Task.WaitAll(runs, TestContext.Current.CancellationToken);
        if (shardStore is not null)
        {
            using var store = CohortStore.OpenForWrite(target);
            CohortMerge.Merge(store, [.. Enumerable.Range(0, 3).Select(shardStore)], cancellation: TestContext.Current.CancellationToken);
        }
        return target;
    }

    [Fact]
    public void Three_stores_whole_or_in_three_shards_export_the_same_csv_parquet_and_arrow_bytes()
    {
        var reference = Cohorts.Run(_dir, "", Spec, threads: 1, uri: Sqlite("whole"));
        string[] stores =
        [
            Cohorts.Run(_dir, "", Spec, threads: 3, uri: DuckDb("whole")),
            Cohorts.Run(_dir, "", Spec, threads: 2, uri: Parquet("whole")),
            Sharded(Sqlite("merged"), i => Sqlite($"shard{i}")),
            Sharded(DuckDb("merged"), i => DuckDb($"shard{i}")),
            Sharded(Parquet("sharded")),
            Sharded(Parquet("merged"), i => Sqlite($"for-parquet-{i}")),
        ];
        foreach (var format in new[] { ExportFormat.Csv, ExportFormat.Parquet, ExportFormat.Arrow })
        {
            var expected = Export(reference, format);
            Assert.True(expected.Length > 1000);
            foreach (var uri in stores)
            {
                Assert.True(expected.AsSpan().SequenceEqual(Export(uri, format)), $"{format} export of {uri} differs from the SQLite store's");
            }
        }
        using var sharded = CohortStore.OpenForRead(Parquet("sharded"));
        Assert.Equal([new(0, 3), new(1, 3), new(2, 3)], sharded.Shards);
        Assert.Equal(11, sharded.CompletedMothers().Count);
        Assert.Equal(11L * 30, sharded.CountRows());
        Assert.True(Directory.EnumerateFiles(_dir.File("sharded"), "part-*.parquet", SearchOption.AllDirectories).Count() >= 6, "several part files per shard");
    }

    [Fact]
    public void DuckDb_and_Parquet_stores_compute_the_reference_set_of_the_streaming_pass_bit_for_bit()
    {
        var sqlite = Cohorts.Run(_dir, "", Spec, threads: 2, uri: Sqlite("ref"));
        var duckdb = Cohorts.Run(_dir, "", Spec, threads: 2, uri: DuckDb("ref"));
        var parquet = Sharded(Parquet("ref"));
        var options = new ReferenceOptions { Windows = DayWindows.Parse("0-1,2-3,4-5,6-9,10-14,15-21,22-25") }; // day 26-29 outside
        ReferenceSet Build(string uri, bool inStore, ReferenceOptions? other = null)
        {
            using var store = CohortStore.OpenForRead(uri);
            Assert.Equal(uri != sqlite, CohortAnalytics.IsAnalytical(store));
            return ReferenceBuilder.Build(store, (other ?? options) with { InStore = inStore }, cancellation: TestContext.Current.CancellationToken);
        }
        var expected = Build(sqlite, inStore: false);
        Assert.Equal(11L * 30, expected.RowsRead);
        Assert.Equal(11L * 4, expected.RowsOutside);
        var streamed = options with { MaxValuesInMemory = 11L * 26 - 1 }; // one fewer than the mother-days in windows: a columnar store streams them
        foreach (var actual in new[] { Build(duckdb, true), Build(parquet, true), Build(parquet, false), Build(duckdb, true, streamed) })
        {
            Assert.Equal(expected.Fingerprint, actual.Fingerprint);
            Assert.Equal((expected.RowsRead, expected.RowsOutside), (actual.RowsRead, actual.RowsOutside));
            Assert.Equal(expected.Rows.Length, actual.Rows.Length);
            foreach (var (e, a) in expected.Rows.Zip(actual.Rows))
            {
                Assert.Equal((e.Measure, e.Stage, e.Window, e.FirstDay, e.LastDay, e.N, e.Mothers), (a.Measure, a.Stage, a.Window, a.FirstDay, a.LastDay, a.N, a.Mothers));
                Assert.Equal(e.Values.Select(BitConverter.DoubleToInt64Bits), a.Values.Select(BitConverter.DoubleToInt64Bits)); // bit for bit
            }
        }
    }
}
