using MilkCells.Storage.Cohorts;
using MilkCells.Storage.Testing;
using MilkCells.TestSupport;
using Npgsql;

namespace MilkCells.Storage.Tests;

/// <summary>Where a test's stores live: a SQLite file in a temp folder, or a fresh schema in the test run's PostgreSQL database.</summary>
public abstract class StoreFactory : IDisposable
{
    /// <summary>A URI for a new, empty store named <paramref name="name"/>.</summary>
    public abstract string NewUri(string name);

    public abstract void Dispose();
}

/// <summary>SQLite stores in a temporary folder.</summary>
public sealed class SqliteStores : StoreFactory
{
    private readonly TempDir _dir = new("milkcells-store");

    public override string NewUri(string name) => "sqlite:" + _dir.File($"{name}-{Guid.NewGuid():N}.db");

    public override void Dispose() => _dir.Dispose();
}

/// <summary>DuckDB stores in a temporary folder.</summary>
public sealed class DuckDbStores : StoreFactory
{
    private readonly TempDir _dir = new("milkcells-duckdb");

    public override string NewUri(string name) => "duckdb:" + _dir.File($"{name}-{Guid.NewGuid():N}.duckdb");

    public override void Dispose() => _dir.Dispose();
}

/// <summary>Parquet store folders in a temporary folder; small part files (<paramref name="rowsPerFile"/> rows) so every test spans several.</summary>
public sealed class ParquetStores(int rowsPerFile = 64) : StoreFactory
{
    private readonly TempDir _dir = new("milkcells-parquet");

    public override string NewUri(string name) => $"parquet:{_dir.File($"{name}-{Guid.NewGuid():N}")}?rows_per_file={rowsPerFile}";

    public override void Dispose() => _dir.Dispose();
}

/// <summary>
/// PostgreSQL stores: one database per test run (created from MILKCELLS_PG_URI, which ./test.sh exports, and dropped
/// at the end), one schema per store. Skips when the variable is unset, or fails under MILKCELLS_REQUIRE_SHARED=1.
/// </summary>
public sealed class PostgresStores : StoreFactory
{
    private static readonly Lazy<PostgresStores?> Instance = new(Create);
    private readonly string _adminUri;
    private readonly string _database;
    private int _next;

    private PostgresStores(string adminUri, string database)
    {
        _adminUri = adminUri;
        _database = database;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Drop();
    }

    /// <summary>The shared factory, or a skip (failure under MILKCELLS_REQUIRE_SHARED=1) when no server is configured.</summary>
    public static PostgresStores Require()
    {
        if (Instance.Value is { } stores)
        {
            return stores;
        }
        const string message = "MILKCELLS_PG_URI is not set (./test.sh starts a PostgreSQL server and sets it)";
        if (Shared.Required)
        {
            Assert.Fail(message + "; MILKCELLS_REQUIRE_SHARED=1 makes this a failure");
        }
        Assert.Skip(message);
        return null!;
    }

    /// <summary>The server URI given by the environment.</summary>
    public static string? AdminUri => Environment.GetEnvironmentVariable("MILKCELLS_PG_URI") is { Length: > 0 } uri ? uri : null;

    private static PostgresStores? Create()
    {
        if (AdminUri is not { } admin)
        {
            return null;
        }
        var database = $"milkcells_test_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
        using var connection = PostgresCohortStoreAccess.Connect(admin);
        using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
        command.ExecuteNonQuery();
        return new PostgresStores(admin, database);
    }

    public override string NewUri(string name)
    {
        var uri = StoreUri.Parse(_adminUri);
        var schema = $"{name.Replace('-', '_')}_{Interlocked.Increment(ref _next)}".ToLowerInvariant();
        var user = uri.User is null ? "" : Uri.EscapeDataString(uri.User) + (uri.Password is null ? "" : ":" + Uri.EscapeDataString(uri.Password)) + "@";
        return $"postgres://{user}{uri.Host}:{uri.Port}/{_database}?schema={schema}";
    }

    /// <summary>Schemas are dropped with the database at process exit.</summary>
    public override void Dispose()
    {
    }

    private void Drop()
    {
        try
        {
            using var connection = PostgresCohortStoreAccess.Connect(_adminUri);
            using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
            command.ExecuteNonQuery();
        }
        catch (NpgsqlException)
        {
            // the throw-away server may already be gone
        }
    }
}

/// <summary>Test access to the backend's connection helper.</summary>
internal static class PostgresCohortStoreAccess
{
    public static NpgsqlConnection Connect(string uri) => PostgresCohortStore.Connect(StoreUri.Parse(uri));
}

/// <summary>Shared helpers for store tests.</summary>
internal static class StoreTestHelpers
{
    public static string ExportText(ICohortStore store)
    {
        using var buffer = new MemoryStream();
        CohortCsv.Export(store, buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static byte[] ExportBytes(string uri)
    {
        using var store = CohortStore.OpenForRead(uri);
        using var buffer = new MemoryStream();
        CohortCsv.Export(store, buffer);
        return buffer.ToArray();
    }

    /// <summary>A store holding mothers <paramref name="ids"/> of a run of <paramref name="mothers"/> mothers.</summary>
    public static string Write(StoreFactory stores, string name, IEnumerable<long> ids, int mothers, int days, ShardSpec? shard = null)
    {
        var uri = stores.NewUri(name);
        using var store = CohortStore.OpenForWrite(uri);
        store.StartRun(SyntheticCohort.Metadata(mothers, days), SyntheticCohort.Daily, shard ?? ShardSpec.Whole, resume: false);
        SyntheticCohort.WriteAll(store, ids, days);
        return uri;
    }
}
