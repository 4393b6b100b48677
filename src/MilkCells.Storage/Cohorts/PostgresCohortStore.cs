using System.Data.Common;
using System.Net.Sockets;
using MilkCells.Core.Errors;
using Npgsql;
using NpgsqlTypes;

namespace MilkCells.Storage.Cohorts;

/// <summary>The PostgreSQL backend: rows arrive by binary COPY; many shard processes may write one store at once.</summary>
/// <remarks>
/// StartRun holds a transaction-scoped advisory lock, so concurrent shards create the tables and
/// record the run once. <c>?schema=NAME</c> keeps several stores in one database.
/// </remarks>
internal sealed class PostgresCohortStore : CohortStoreBase
{
    private readonly string _schemaName;

    private PostgresCohortStore(NpgsqlConnection connection, string name, string schemaName) : base(connection, name)
    {
        _schemaName = schemaName;
    }

    protected override string BigIntType => "BIGINT";

    protected override string RealType => "DOUBLE PRECISION";

    private NpgsqlConnection Npgsql => (NpgsqlConnection)Connection;

    /// <summary>Opens the PostgreSQL store at <paramref name="uri"/>; for writing, creates its schema when missing.</summary>
    public static PostgresCohortStore Open(StoreUri uri, bool write)
    {
        var connection = Connect(uri);
        try
        {
            var store = new PostgresCohortStore(connection, uri.ToString(), uri.SchemaName);
            if (write && uri.SchemaName != "public")
            {
                using var tx = connection.BeginTransaction();
                store.Lock(tx);
                store.Execute(tx, $"CREATE SCHEMA IF NOT EXISTS {Quote(uri.SchemaName)}");
                tx.Commit();
            }
            store.Load(mustExist: !write);
            return store;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>An open connection to the server the URI names, or an <see cref="InputException"/> saying why not.</summary>
    internal static NpgsqlConnection Connect(StoreUri uri)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port,
            Database = uri.Database,
            Username = uri.User ?? Environment.UserName,
            Password = uri.Password,
            SearchPath = uri.SchemaName,
            Timeout = 10,
            CommandTimeout = 0,
            Pooling = false,
            ApplicationName = "milkcells",
        };
        var connection = new NpgsqlConnection(builder.ToString());
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            connection.Dispose();
            throw Describe(uri, ex);
        }
    }

    private static InputException Describe(StoreUri uri, Exception ex)
    {
        var where = InputLocation.InFile(uri.ToString());
        return ex switch
        {
            PostgresException { SqlState: "3D000" } => new InputException(where, $"database '{uri.Database}' does not exist on {uri.Host}:{uri.Port}",
                $"create it first (createdb {uri.Database})", ex),
            PostgresException { SqlState: "28P01" or "28000" } pg => new InputException(where, $"the server refused the login: {pg.MessageText}",
                "check the user and password in the URI", ex),
            PostgresException pg => new InputException(where, $"the server refused the connection: {pg.MessageText}", null, ex),
            _ => new InputException(where, $"cannot reach PostgreSQL at {uri.Host}:{uri.Port} ({Innermost(ex).Message})",
                "is the server running and listening there? check the host and port in the URI", ex),
        };
    }

    private static Exception Innermost(Exception ex) => ex.InnerException is null ? ex : Innermost(ex.InnerException);

    private void Lock(DbTransaction tx) =>
        Execute(tx, "SELECT pg_advisory_xact_lock(hashtext('milkcells-cohort:' || @s))", ("s", _schemaName));

    protected override DbTransaction BeginExclusive()
    {
        var tx = Npgsql.BeginTransaction();
        Lock(tx);
        return tx;
    }

    protected override bool TablesExist()
    {
        using var command = Command("SELECT to_regclass(quote_ident(@s) || '.cohort_run') IS NOT NULL");
        var parameter = command.CreateParameter();
        parameter.ParameterName = "s";
        parameter.Value = _schemaName;
        command.Parameters.Add(parameter);
        return (bool)command.ExecuteScalar()!;
    }

    protected override bool IsDuplicateKey(Exception ex) =>
        ex is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } || (ex.InnerException is { } inner && IsDuplicateKey(inner));

    protected override void InsertMothers(DbTransaction transaction, IReadOnlyList<MotherRows> mothers)
    {
        var schema = Schema!;
        var columns = string.Join(", ", schema.Columns.Select(c => Quote(c.Name)).Prepend("day").Prepend("mother_id"));
        using (var rows = Npgsql.BeginBinaryImport($"COPY {RowsTable} ({columns}) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var m in mothers)
            {
                for (var row = 0; row < m.Count; row++)
                {
                    rows.StartRow();
                    rows.Write(m.MotherId, NpgsqlDbType.Bigint);
                    rows.Write(m.Day(row), NpgsqlDbType.Integer);
                    for (var c = 0; c < schema.Count; c++)
                    {
                        ref readonly var cell = ref m.CellAt(row, c);
                        if (!cell.HasValue)
                        {
                            rows.WriteNull();
                            continue;
                        }
                        switch (schema.Columns[c].Kind)
                        {
                            case ColumnKind.Integer:
                                rows.Write(cell.Integer, NpgsqlDbType.Bigint);
                                break;
                            case ColumnKind.Real:
                                rows.Write(cell.Real, NpgsqlDbType.Double);
                                break;
                            default:
                                rows.Write(cell.Text!, NpgsqlDbType.Text);
                                break;
                        }
                    }
                }
            }
            rows.Complete();
        }
        using (var markers = Npgsql.BeginBinaryImport($"COPY {MothersTable} (mother_id, row_count) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var m in mothers)
            {
                markers.StartRow();
                markers.Write(m.MotherId, NpgsqlDbType.Bigint);
                markers.Write(m.Count, NpgsqlDbType.Integer);
            }
            markers.Complete();
        }
    }
}
