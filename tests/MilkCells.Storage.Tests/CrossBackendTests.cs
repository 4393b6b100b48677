using MilkCells.Core.Errors;
using MilkCells.Storage.Cohorts;
using static MilkCells.Storage.Tests.StoreTestHelpers;

namespace MilkCells.Storage.Tests;

public sealed class CrossBackendTests : IDisposable
{
    private readonly SqliteStores _sqlite = new();

    [Fact]
    public void Sqlite_and_postgres_export_byte_identical_csv_for_the_same_rows()
    {
        var postgres = PostgresStores.Require();
        var ids = Enumerable.Range(0, 30).Select(i => (long)(i * 7 % 30)).ToList();
        var fromSqlite = ExportBytes(Write(_sqlite, "same", ids, 30, 40));
        var fromPostgres = ExportBytes(Write(postgres, "same", ids, 30, 40));
        Assert.True(fromSqlite.Length > 30 * 40 * 50);
        Assert.Equal(fromSqlite, fromPostgres);
    }

    [Fact]
    public void Postgres_shards_written_concurrently_into_one_store_and_sqlite_shards_merged_into_postgres_match_one_run()
    {
        var postgres = PostgresStores.Require();
        const int mothers = 17, days = 9;
        var whole = ExportBytes(Write(_sqlite, "whole", Enumerable.Range(0, mothers).Select(i => (long)i), mothers, days));
        var shared = postgres.NewUri("shared");
        Parallel.For(0, 4, k =>
        {
            var shard = new ShardSpec(k, 4);
            using var store = CohortStore.OpenForWrite(shared);
            store.StartRun(Testing.SyntheticCohort.Metadata(mothers, days), Testing.SyntheticCohort.Daily, shard, resume: false);
            Testing.SyntheticCohort.WriteAll(store, Enumerable.Range(0, mothers).Select(i => (long)i).Where(shard.Contains), days, perTransaction: 1);
        });
        Assert.Equal(whole, ExportBytes(shared));
        var shardUris = Enumerable.Range(0, 2).Select(k => Write(_sqlite, $"s{k}", Enumerable.Range(0, mothers).Select(i => (long)i).Where(new ShardSpec(k, 2).Contains), mothers, days, new ShardSpec(k, 2))).ToList();
        var merged = postgres.NewUri("merged");
        using (var target = CohortStore.OpenForWrite(merged))
        {
            CohortMerge.Merge(target, shardUris, cancellation: TestContext.Current.CancellationToken);
        }
        Assert.Equal(whole, ExportBytes(merged));
    }

    [Fact]
    public void An_unreachable_postgres_server_is_a_clear_input_error()
    {
        var ex = Assert.Throws<InputException>(() => CohortStore.OpenForWrite("postgres://someone:secret@127.0.0.1:1/cohort"));
        Assert.Contains("cannot reach PostgreSQL at 127.0.0.1:1", ex.Message);
        Assert.Contains("someone:***@", ex.Message);
        Assert.DoesNotContain("secret", ex.Message);
    }

    [Fact]
    public void A_missing_postgres_database_is_named()
    {
        var postgres = PostgresStores.Require();
        var uri = StoreUri.Parse(postgres.NewUri("x"));
        var ex = Assert.Throws<InputException>(() => CohortStore.OpenForRead($"postgres://{uri.User}@{uri.Host}:{uri.Port}/no_such_db_here"));
        Assert.Contains("database 'no_such_db_here' does not exist", ex.Message);
    }

    public void Dispose() => _sqlite.Dispose();
}
