using MilkCells.Core.Errors;
using MilkCells.Storage.Cohorts;
using MilkCells.Storage.Cohorts.Columnar;
using MilkCells.Storage.Testing;
using Microsoft.Data.Sqlite;
using static MilkCells.Storage.Tests.StoreTestHelpers;

namespace MilkCells.Storage.Tests;

/// <summary>Reading a SQLite or DuckDB store's row groups on two threads (what a Parquet or Arrow export of such a store does).</summary>
public sealed class ConcurrentRowGroupTests : IDisposable
{
    private readonly SqliteStores _stores = new();
    private readonly DuckDbStores _duckDb = new();
    private readonly ParquetStores _parquet = new(rowsPerFile: 16);

    public void Dispose()
    {
        _stores.Dispose();
        _duckDb.Dispose();
        _parquet.Dispose();
    }

    [Fact]
    public void A_plan_starts_each_group_at_the_mother_and_row_that_hold_it()
    {
        // Mothers 1, 2 and 4 hold 5, 3 and 7 rows; groups of 4 rows start at rows 0, 4, 8 and 12 of the 15. Each
        // group's cursor reads through the next group's first mother (to see the row after its own), the last to the end.
        var uri = _stores.NewUri("plan");
        using (var writer = CohortStore.OpenForWrite(uri))
        {
            writer.StartRun(SyntheticCohort.Metadata(5, 7), SyntheticCohort.Daily, ShardSpec.Whole, resume: false);
            writer.WriteMothers([SyntheticCohort.Mother(1, 5), SyntheticCohort.Mother(2, 3), SyntheticCohort.Mother(4, 7)]);
        }
        using var store = CohortStore.OpenForRead(uri);
        var plan = ConcurrentRowGroups.Plan(store, 4)!;
        Assert.Equal(
            [new(1, 0, 4, true, false, 1), new(1, 4, 4, false, false, 4), new(4, 0, 4, false, false, 4), new(4, 4, 3, false, true, null)],
            plan);
        Assert.Null(ConcurrentRowGroups.Plan(store, 15)); // one group: nothing to share
        using var writing = CohortStore.OpenForWrite(uri);
        Assert.Null(ConcurrentRowGroups.Plan(writing, 4)); // a store open for writing reads on its own connection only
    }

    [Theory]
    [InlineData(7)]
    [InlineData(20)]
    [InlineData(37)]
    [InlineData(7, "duckdb")]
    [InlineData(37, "duckdb")]
    public void The_groups_hold_exactly_the_rows_one_cursor_cut_every_size_rows_holds(int size, string kind = "sqlite")
    {
        var uri = Write(kind == "duckdb" ? _duckDb : _stores, "groups", [5, 0, 9, 3, 7], 10, 12);
        using var store = CohortStore.OpenForRead(uri);
        var expected = new List<string>();
        using (var reader = store.ReadRows())
        {
            var batch = new ColumnBatch(store.Schema!, size);
            while (reader.Read())
            {
                batch.Add(reader);
                if (batch.Count == size)
                {
                    expected.Add(Describe(batch));
                    batch.Clear();
                }
            }
            if (batch.Count > 0)
            {
                expected.Add(Describe(batch));
            }
        }
        var plan = ConcurrentRowGroups.Plan(store, size)!;
        var groups = new List<string>();
        var rows = ConcurrentRowGroups.Read(store, plan, batch => groups.Add(Describe(batch)), CancellationToken.None);
        Assert.Equal(60, rows);
        Assert.Equal(expected, groups);
    }

    [Fact]
    public void A_parquet_folder_is_read_by_one_cursor()
    {
        // Its part files hold row groups of whatever mothers a writer had; a cursor per group would decode about two
        // part files for each group it reads (docs/performance.md, "zstd's fastest level, and bounded row groups from a DuckDB store").
        var uri = Write(_parquet, "one-cursor", [0, 1, 2, 3], 4, 10);
        using var store = CohortStore.OpenForRead(uri);
        Assert.Null(ConcurrentRowGroups.Plan(store, 6));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void A_store_whose_row_counts_disagree_with_its_rows_is_refused(int change)
    {
        var uri = Write(_stores, "damaged", [0, 1, 2, 3], 4, 10);
        using (var connection = new SqliteConnection("Data Source=" + uri["sqlite:".Length..] + ";Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE cohort_mothers SET row_count = row_count + {change} WHERE mother_id = 1";
            Assert.Equal(1, command.ExecuteNonQuery());
        }
        using var store = CohortStore.OpenForRead(uri);
        var plan = ConcurrentRowGroups.Plan(store, 6)!;
        var ex = Assert.Throws<InputException>(() => ConcurrentRowGroups.Read(store, plan, _ => { }, CancellationToken.None));
        Assert.Contains("row counts per mother disagree with its rows", ex.Message);
        Assert.Contains(store.Name, ex.Message);
    }

    [Fact]
    public void A_failed_write_stops_both_readers_and_surfaces_as_itself()
    {
        var uri = Write(_stores, "failing", [0, 1, 2, 3, 4, 5], 6, 10);
        using var store = CohortStore.OpenForRead(uri);
        var plan = ConcurrentRowGroups.Plan(store, 5)!;
        var written = 0;
        var ex = Assert.Throws<IOException>(() => ConcurrentRowGroups.Read(store, plan, _ =>
        {
            if (++written == 3)
            {
                throw new IOException("disk full");
            }
        }, CancellationToken.None));
        Assert.Equal("disk full", ex.Message);
        Assert.Equal(3, written);
    }

    private static string Describe(ColumnBatch batch)
    {
        var text = new System.Text.StringBuilder();
        for (var r = 0; r < batch.Count; r++)
        {
            text.Append(batch.MotherIds[r]).Append('/').Append(batch.Days[r]);
            for (var c = 0; c < batch.Schema.Count; c++)
            {
                text.Append('|').Append(batch.Schema.Columns[c].Kind switch
                {
                    ColumnKind.Integer => batch.IntegerNulls[c]![r] ? "null" : batch.Integers[c]![r].ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ColumnKind.Real => BitConverter.DoubleToInt64Bits(batch.Reals[c]![r]).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => batch.Texts[c]![r] ?? "null",
                });
            }
            text.Append('\n');
        }
        return text.ToString();
    }
}
