using System.Text;
using MilkCells.Core.Errors;
using MilkCells.Storage.Cohorts;
using MilkCells.Storage.Testing;
using static MilkCells.Storage.Tests.StoreTestHelpers;

namespace MilkCells.Storage.Tests;

/// <summary>What every cohort store backend must do; run once per backend.</summary>
public abstract class CohortStoreContract
{
    protected abstract StoreFactory Stores { get; }

    private static ICohortStore NewRun(string uri, int mothers, int days, ShardSpec? shard = null, bool resume = false)
    {
        var store = CohortStore.OpenForWrite(uri);
        store.StartRun(SyntheticCohort.Metadata(mothers, days), SyntheticCohort.Daily, shard ?? ShardSpec.Whole, resume);
        return store;
    }

    [Fact]
    public void Rows_round_trip_with_metadata_schema_and_the_completed_set()
    {
        var uri = Stores.NewUri("roundtrip");
        using (var store = NewRun(uri, 10, 20))
        {
            SyntheticCohort.WriteAll(store, [3, 1, 7], 20);
        }
        using var read = CohortStore.OpenForRead(uri);
        Assert.Equal(SyntheticCohort.Metadata(10, 20), read.Metadata);
        Assert.Equal(SyntheticCohort.Daily, read.Schema);
        Assert.Equal([ShardSpec.Whole], read.Shards);
        Assert.Equal(new HashSet<long> { 1, 3, 7 }, read.CompletedMothers().ToHashSet());
        Assert.Equal(60, read.CountRows());
        var expected = SyntheticCohort.Mother(3, 20);
        using var reader = read.ReadRows();
        var row = 0;
        while (reader.Read())
        {
            if (reader.MotherId != 3)
            {
                continue;
            }
            Assert.Equal(row, reader.Day);
            for (var c = 0; c < SyntheticCohort.Daily.Count; c++)
            {
                Assert.Equal(expected.IsNull(row, c), reader.IsNull(c));
                switch (SyntheticCohort.Daily.Columns[c].Kind)
                {
                    case ColumnKind.Integer when !expected.IsNull(row, c):
                        Assert.Equal(expected.GetInteger(row, c), reader.GetInteger(c));
                        break;
                    case ColumnKind.Real:
                        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.GetReal(row, c)), BitConverter.DoubleToInt64Bits(reader.GetReal(c)));
                        break;
                    case ColumnKind.Text:
                        Assert.Equal(expected.GetText(row, c), reader.GetText(c));
                        break;
                }
            }
            row++;
        }
        Assert.Equal(20, row);
    }

    [Fact]
    public void Export_is_sorted_by_mother_then_day_whatever_the_write_order()
    {
        var forward = Write(Stores, "forward", Enumerable.Range(0, 12).Select(i => (long)i), 12, 9);
        var uri = Stores.NewUri("shuffled");
        using (var store = NewRun(uri, 12, 9))
        {
            store.WriteMothers([SyntheticCohort.Mother(11, 9), SyntheticCohort.Mother(2, 9)]);
            store.WriteMothers([SyntheticCohort.Mother(5, 9)]);
            SyntheticCohort.WriteAll(store, [10, 0, 9, 1, 8, 3, 7, 4, 6], 9, perTransaction: 2);
        }
        var bytes = ExportBytes(uri);
        Assert.Equal(ExportBytes(forward), bytes);
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        Assert.StartsWith("mother_id,day,stage,events,milk_ml,feeds,cells_per_ml_total,", lines[0]);
        Assert.StartsWith("0,0,colostrum,", lines[1]);
        Assert.StartsWith("0,1,colostrum,", lines[2]);
        Assert.StartsWith("1,0,", lines[10]);
    }

    [Fact]
    public void Export_writes_the_canonical_bytes()
    {
        var schema = CohortSchema.Create(("stage", ColumnKind.Text), ("milk_ml", ColumnKind.Real), ("feeds", ColumnKind.Integer));
        var uri = Stores.NewUri("canonical");
        using (var store = CohortStore.OpenForWrite(uri))
        {
            store.StartRun(SyntheticCohort.Metadata(2, 3), schema, ShardSpec.Whole, resume: false);
            var b = new MotherRows(schema, 1);
            b.Add(0).Text(0, "a,b").Real(1, 0.1).Integer(2, -5);
            b.Add(2).Text(0, "say \"hi\"\nthere").Real(1, double.NaN);
            var a = new MotherRows(schema, 0);
            a.Add(0).Text(0, "mûr").Real(1, 1e21).Integer(2, long.MaxValue);
            a.Add(1).Real(1, -0.0).Integer(2, 0);
            a.Add(2).Real(1, 1.0 / 3).Text(0, "");
            store.WriteMothers([b, a]);
        }
        var expected = "mother_id,day,stage,milk_ml,feeds\n"
            + "0,0,mûr,1E+21,9223372036854775807\n"
            + "0,1,,0,0\n"
            + "0,2,,0.3333333333333333,\n"
            + "1,0,\"a,b\",0.1,-5\n"
            + "1,2,\"say \"\"hi\"\"\nthere\",,\n";
        Assert.Equal(expected, Encoding.UTF8.GetString(ExportBytes(uri)));
    }

    [Fact]
    public void Reads_stream_a_column_subset_a_day_window_and_a_stage()
    {
        var uri = Write(Stores, "query", [0, 1, 2], 3, 30);
        using var store = CohortStore.OpenForRead(uri);
        using (var reader = store.ReadRows(new CohortQuery { Columns = ["pct_leucocyte", "stage"], FromDay = 4, ToDay = 10, Where = new("stage", "transitional") }))
        {
            Assert.Equal(["pct_leucocyte", "stage"], reader.Schema.Columns.Select(c => c.Name));
            var seen = new List<(long, int)>();
            while (reader.Read())
            {
                Assert.Equal("transitional", reader.GetText(1));
                seen.Add((reader.MotherId, reader.Day));
            }
            Assert.Equal([0, 1, 2], seen.Select(s => s.Item1).Distinct());
            Assert.Equal(Enumerable.Range(6, 5), seen.Where(s => s.Item1 == 1).Select(s => s.Item2));
        }
        Assert.Throws<InputException>(() => store.ReadRows(new CohortQuery { Columns = ["no_such"] }).Dispose());
        Assert.Throws<InputException>(() => store.ReadRows(new CohortQuery { Where = new("milk_ml", "1") }).Dispose());
    }

    [Fact]
    public void A_store_holding_another_run_is_refused_naming_each_difference()
    {
        var uri = Write(Stores, "other", [0], 5, 4);
        using var store = CohortStore.OpenForWrite(uri);
        var other = SyntheticCohort.Metadata(5, 4, seed: 43) with { Profile = "lay-claims" };
        var ex = Assert.Throws<InputException>(() => store.StartRun(other, SyntheticCohort.Daily, ShardSpec.Whole, resume: true));
        Assert.Contains("different run", ex.Message);
        Assert.Contains("seed: '42' (store) vs '43' (this run)", ex.Message);
        Assert.Contains("profile: 'default' (store) vs 'lay-claims' (this run)", ex.Message);
        var columns = CohortSchema.Create(SyntheticCohort.Daily.Columns.Append(new ColumnSpec("extra", ColumnKind.Real)));
        var schemaEx = Assert.Throws<InputException>(() => store.StartRun(SyntheticCohort.Metadata(5, 4), columns, ShardSpec.Whole, resume: true));
        Assert.Contains("columns differ", schemaEx.Message);
        var shardEx = Assert.Throws<InputException>(() => store.StartRun(SyntheticCohort.Metadata(5, 4), SyntheticCohort.Daily, new ShardSpec(1, 2), resume: true));
        Assert.Contains("split differently", shardEx.Message);
    }

    [Fact]
    public void Continuing_a_shard_needs_resume_and_the_completed_set_says_what_to_skip()
    {
        var uri = Write(Stores, "resume", [0, 2], 4, 6);
        using (var store = CohortStore.OpenForWrite(uri))
        {
            var ex = Assert.Throws<InputException>(() => store.StartRun(SyntheticCohort.Metadata(4, 6), SyntheticCohort.Daily, ShardSpec.Whole, resume: false));
            Assert.Contains("already holds shard 0/1", ex.Message);
            Assert.Contains("2 mothers complete", ex.Message);
            Assert.Contains("--resume", ex.Message);
            store.StartRun(SyntheticCohort.Metadata(4, 6), SyntheticCohort.Daily, ShardSpec.Whole, resume: true);
            Assert.Equal(new HashSet<long> { 0, 2 }, store.CompletedMothers().ToHashSet());
            SyntheticCohort.WriteAll(store, Enumerable.Range(0, 4).Select(i => (long)i), 6);
        }
        Assert.Equal(ExportBytes(Write(Stores, "whole", [0, 1, 2, 3], 4, 6)), ExportBytes(uri));
    }

    [Fact]
    public void Writing_a_mother_twice_is_refused_and_the_batch_is_not_written()
    {
        var uri = Write(Stores, "dup", [1], 3, 5);
        using var store = CohortStore.OpenForWrite(uri);
        store.StartRun(SyntheticCohort.Metadata(3, 5), SyntheticCohort.Daily, ShardSpec.Whole, resume: true);
        var ex = Assert.Throws<InputException>(() => store.WriteMothers([SyntheticCohort.Mother(0, 5), SyntheticCohort.Mother(1, 5)]));
        Assert.Contains("mother(s) 1 are already in the store", ex.Message);
        Assert.Equal(new HashSet<long> { 1 }, store.CompletedMothers().ToHashSet());
        Assert.Equal(5, store.CountRows());
        var twice = Assert.Throws<InputException>(() => store.WriteMothers([SyntheticCohort.Mother(2, 5), SyntheticCohort.Mother(2, 5)]));
        Assert.Contains("given twice", twice.Message);
        Assert.Equal(5, store.CountRows());
    }

    [Fact]
    public void Many_threads_through_one_writer_store_what_a_sequential_run_stores()
    {
        var sequential = Write(Stores, "seq", Enumerable.Range(0, 40).Select(i => (long)i), 40, 15);
        var uri = Stores.NewUri("threads");
        using (var store = NewRun(uri, 40, 15))
        using (var writer = new CohortWriter(store, mothersPerTransaction: 5, queueCapacity: 4))
        {
            Parallel.For(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 4 }, id => writer.Add(SyntheticCohort.Fill(writer.Rent(39 - id), 15)));
            writer.Complete();
            Assert.Equal(40, writer.MothersWritten);
        }
        Assert.Equal(ExportBytes(sequential), ExportBytes(uri));
    }

    [Fact]
    public void Mothers_that_arrive_one_by_one_are_committed_before_the_run_completes()
    {
        // The writer gathers a few mothers per commit, but only for a bounded time: three mothers, fewer than it gathers,
        // must reach the store while the run is still open (a commit that waited for more would never come).
        var uri = Stores.NewUri("trickle");
        using var store = NewRun(uri, 3, 4);
        using var writer = new CohortWriter(store, mothersPerTransaction: 64, queueCapacity: 16);
        for (var id = 0; id < 3; id++)
        {
            writer.Add(SyntheticCohort.Fill(writer.Rent(id), 4), TestContext.Current.CancellationToken);
            Thread.Sleep(20);
        }
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (writer.MothersWritten < 3 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(10);
        }
        Assert.Equal(3, writer.MothersWritten);
        writer.Complete();
        Assert.Equal(new HashSet<long> { 0, 1, 2 }, store.CompletedMothers().ToHashSet());
    }

    [Fact]
    public void Merging_shards_gives_what_one_store_gives_and_a_repeated_merge_changes_nothing()
    {
        const int mothers = 23, days = 11;
        var whole = Write(Stores, "whole", Enumerable.Range(0, mothers).Select(i => (long)i), mothers, days);
        var shards = Enumerable.Range(0, 3).Select(k =>
        {
            var shard = new ShardSpec(k, 3);
            return Write(Stores, $"shard{k}", Enumerable.Range(0, mothers).Select(i => (long)i).Where(shard.Contains), mothers, days, shard);
        }).ToList();
        var target = Stores.NewUri("merged");
        using (var store = CohortStore.OpenForWrite(target))
        {
            var summary = CohortMerge.Merge(store, [shards[2], shards[0]], cancellation: TestContext.Current.CancellationToken);
            Assert.Equal(15, summary.MothersCopied);
            Assert.Equal(15, summary.MothersPresent);
            summary = CohortMerge.Merge(store, shards, cancellation: TestContext.Current.CancellationToken);
            Assert.Equal(8, summary.MothersCopied);
            Assert.Equal(15, summary.MothersSkipped);
            Assert.Equal(mothers, summary.MothersPresent);
            Assert.Equal(mothers, summary.MothersExpected);
            Assert.Equal([new(0, 3), new(1, 3), new(2, 3)], summary.Shards);
        }
        Assert.Equal(ExportBytes(whole), ExportBytes(target));
    }

    [Fact]
    public void Merge_refuses_overlapping_or_foreign_shards_before_copying_anything()
    {
        var a = Write(Stores, "a", [0, 2], 4, 3, new ShardSpec(0, 2));
        var b = Write(Stores, "b", [2], 4, 3, new ShardSpec(0, 2)); // shard 0/2 written twice
        var target = Stores.NewUri("target");
        using var store = CohortStore.OpenForWrite(target);
        var overlap = Assert.Throws<InputException>(() => CohortMerge.Merge(store, [a, b], cancellation: TestContext.Current.CancellationToken));
        Assert.Contains("mother 2 is also in", overlap.Message);
        var foreignUri = Stores.NewUri("foreign");
        using (var foreign = CohortStore.OpenForWrite(foreignUri))
        {
            foreign.StartRun(SyntheticCohort.Metadata(4, 3) with { CodeVersion = "code-2" }, SyntheticCohort.Daily, new ShardSpec(1, 2), resume: false);
            SyntheticCohort.WriteAll(foreign, [3], 3);
        }
        var mismatch = Assert.Throws<InputException>(() => CohortMerge.Merge(store, [a, foreignUri], cancellation: TestContext.Current.CancellationToken));
        Assert.Contains("code_version: 'code-1'", mismatch.Message);
        Assert.Null(store.Metadata);
        Assert.Empty(store.CompletedMothers());
    }

    [Fact]
    public void Reading_a_store_that_holds_nothing_is_an_input_error()
    {
        var uri = Stores.NewUri("empty");
        CohortStore.OpenForWrite(uri).Dispose();
        var ex = Assert.Throws<InputException>(() => CohortStore.OpenForRead(uri));
        Assert.Contains("holds no", ex.Message);
    }
}

public sealed class SqliteCohortStoreTests : CohortStoreContract, IDisposable
{
    private readonly SqliteStores _stores = new();

    protected override StoreFactory Stores => _stores;

    public void Dispose() => _stores.Dispose();

    /// <summary>Every value of every row, as text, in the order read.</summary>
    private static List<string> Rows(ICohortRowReader reader, int count = int.MaxValue)
    {
        var rows = new List<string>();
        while (rows.Count < count && reader.Read())
        {
            var row = new StringBuilder($"{reader.MotherId}/{reader.Day}");
            for (var c = 0; c < reader.Schema.Count; c++)
            {
                row.Append('|').Append(reader.IsNull(c) ? "null" : reader.Schema.Columns[c].Kind switch
                {
                    ColumnKind.Integer => reader.GetInteger(c).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ColumnKind.Real => BitConverter.DoubleToInt64Bits(reader.GetReal(c)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => reader.GetText(c),
                });
            }
            rows.Add(row.ToString());
        }
        return rows;
    }

    [Fact]
    public void Cursors_of_a_store_opened_for_reading_read_side_by_side_what_the_writer_reads()
    {
        // A store opened for reading gives each cursor a connection of its own (without SQLite's mutex); two cursors
        // stepped in turn, one of them filtered, must read exactly what the writing store's own connection reads.
        var uri = Stores.NewUri("cursors");
        List<string> all, filtered;
        var query = new CohortQuery { Columns = ["pct_leucocyte", "stage"], FromDay = 2, ToDay = 9, Where = new("stage", "transitional") };
        using (var writer = CohortStore.OpenForWrite(uri))
        {
            writer.StartRun(SyntheticCohort.Metadata(4, 12), SyntheticCohort.Daily, ShardSpec.Whole, resume: false);
            SyntheticCohort.WriteAll(writer, [2, 0, 3], 12);
            using (var reader = writer.ReadRows())
            {
                all = Rows(reader);
            }
            using var reader2 = writer.ReadRows(query);
            filtered = Rows(reader2);
        }
        Assert.Equal(36, all.Count);
        Assert.NotEmpty(filtered);
        using var read = CohortStore.OpenForRead(uri);
        using var first = read.ReadRows();
        using var second = read.ReadRows(query);
        var a = new List<string>();
        var b = new List<string>();
        while (true)
        {
            var more = Rows(first, 1);
            var moreFiltered = Rows(second, 1);
            a.AddRange(more);
            b.AddRange(moreFiltered);
            if (more.Count == 0 && moreFiltered.Count == 0)
            {
                break;
            }
        }
        Assert.Equal(all, a);
        Assert.Equal(filtered, b);
    }
}

public sealed class PostgresCohortStoreTests : CohortStoreContract
{
    protected override StoreFactory Stores => PostgresStores.Require();
}

public sealed class DuckDbCohortStoreTests : CohortStoreContract, IDisposable
{
    private readonly DuckDbStores _stores = new();

    protected override StoreFactory Stores => _stores;

    public void Dispose() => _stores.Dispose();
}

public sealed class ParquetCohortStoreTests : CohortStoreContract, IDisposable
{
    private readonly ParquetStores _stores = new();

    protected override StoreFactory Stores => _stores;

    public void Dispose() => _stores.Dispose();
}
