using System.Globalization;
using DuckDB.NET.Data;
using MilkCells.Core.Errors;

namespace MilkCells.Storage.Cohorts;

/// <summary>Opens DuckDB connections the way every MilkCells store uses them, turning DuckDB's errors into input errors.</summary>
internal static class DuckDbSession
{
    /// <summary>A connection to the database file at <paramref name="path"/> (created when writing), or an <see cref="InputException"/> saying why not.</summary>
    public static DuckDBConnection Connect(string path, bool readOnly, string storeName)
    {
        var builder = new DuckDBConnectionStringBuilder { DataSource = path };
        if (readOnly)
        {
            builder["ACCESS_MODE"] = "READ_ONLY";
        }
        var connection = new DuckDBConnection(builder.ToString());
        try
        {
            connection.Open();
            Configure(connection, readOnly ? null : CheckpointThreshold);
            return connection;
        }
        catch (DuckDBException ex)
        {
            connection.Dispose();
            var message = ex.Message.Split('\n')[0];
            throw message.Contains("lock", StringComparison.OrdinalIgnoreCase)
                ? new InputException(InputLocation.InFile(storeName), $"the DuckDB store is open in another process ({message})",
                    "a DuckDB file has one writer at a time: let it finish, or give each shard its own file and merge them", ex)
                : new InputException(InputLocation.InFile(storeName), $"cannot open the DuckDB store: {message}", "is it a milkcells DuckDB store?", ex);
        }
    }

    /// <summary>DuckDB's memory ceiling for every connection MilkCells opens: past it, sorts and aggregates spill to disk and written blocks are evicted, so memory stays bounded whatever the cohort's size.</summary>
    /// <remarks>512 MB was too little: sorting a 10,000 × 365 Parquet store (33 columns) for export failed to pin a sort block
    /// ("Out of Memory Error: failed to pin block", 2 threads). DuckDB's own default is 80 % of RAM.</remarks>
    public const string MemoryLimit = "2GB";

    /// <summary>The write-ahead log size that triggers a checkpoint while writing (DuckDB's default is 16 MB).</summary>
    /// <remarks>A checkpoint compresses the table's columns; checkpointing every few batches of mothers re-compresses the unfinished row group each time, so a writer checkpoints less often. A killed writer's log is replayed when the file is next opened.</remarks>
    public const string CheckpointThreshold = "256MB";

    private static void Configure(DuckDBConnection connection, string? checkpointThreshold)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SET memory_limit = '{MemoryLimit}'" + (checkpointThreshold is null ? "" : $"; SET checkpoint_threshold = '{checkpointThreshold}'");
        command.ExecuteNonQuery();
    }

    /// <summary>An in-memory DuckDB for querying files, spilling to a private temporary folder (deleted by <see cref="InMemory.Dispose"/>).</summary>
    public static InMemory OpenInMemory() => new();

    /// <summary>An in-memory database whose spill folder is its own, not DuckDB's default <c>.tmp</c> in the working folder.</summary>
    public sealed class InMemory : IDisposable
    {
        private readonly string _temp = Path.Combine(Path.GetTempPath(), $"milkcells-duckdb-{Guid.NewGuid():N}");

        internal InMemory()
        {
            Connection = new DuckDBConnection("Data Source=:memory:");
            Connection.Open();
            Configure(Connection, null);
            using var command = Connection.CreateCommand();
            command.CommandText = string.Create(CultureInfo.InvariantCulture, $"SET temp_directory = '{_temp.Replace("'", "''", StringComparison.Ordinal)}'");
            command.ExecuteNonQuery();
        }

        /// <summary>The open connection.</summary>
        public DuckDBConnection Connection { get; }

        public void Dispose()
        {
            Connection.Dispose();
            if (Directory.Exists(_temp))
            {
                Directory.Delete(_temp, recursive: true);
            }
        }
    }

    /// <summary>A SQL string literal.</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}

/// <summary>Row cursors over DuckDB queries.</summary>
internal static class DuckDbRows
{
    /// <summary>Runs <paramref name="sql"/> (parameters written <c>@name</c>) in streaming mode — DuckDB hands over a chunk of rows at a time instead of materialising the result; <paramref name="owner"/> is disposed with the reader.</summary>
    public static ICohortRowReader Execute(DuckDBConnection connection, string sql, IReadOnlyList<(string Name, object Value)> parameters, CohortSchema schema, IDisposable? owner = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql.Replace('@', '$');
        command.UseStreamingMode = true;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(name, value));
        }
        return new DbRowReader(command, schema, owner);
    }
}
