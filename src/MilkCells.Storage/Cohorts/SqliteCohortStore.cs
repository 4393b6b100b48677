using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using MilkCells.Core.Errors;
using SQLitePCL;

namespace MilkCells.Storage.Cohorts;

/// <summary>The SQLite backend: one file, WAL journal, rows in a WITHOUT ROWID table clustered by (mother_id, day).</summary>
/// <remarks>
/// Inserts go through one prepared statement per table bound with SQLitePCL's raw API (the ADO.NET layer costs more
/// per value than SQLite itself); synchronous=NORMAL is durable at each commit's checkpoint and atomic always.
/// </remarks>
internal sealed class SqliteCohortStore : CohortStoreBase
{
    private sqlite3_stmt? _insertRow;
    private sqlite3_stmt? _insertMother;

    private SqliteCohortStore(SqliteConnection connection, string name) : base(connection, name)
    {
    }

    protected override string BigIntType => "INTEGER";

    protected override string RealType => "REAL";

    protected override string RowsTableSuffix => " WITHOUT ROWID";

    private SqliteConnection Sqlite => (SqliteConnection)Connection;

    /// <summary>Opens (and, for writing, creates) the SQLite store at <paramref name="uri"/>.</summary>
    public static SqliteCohortStore Open(StoreUri uri, bool write)
    {
        var path = uri.Path!;
        var name = uri.ToString();
        if (Directory.Exists(path))
        {
            throw new InputException(InputLocation.InFile(name), "is a folder, not a store file", "name a file, e.g. sqlite:cohort.db");
        }
        if (!write && !File.Exists(path))
        {
            throw new InputException(InputLocation.InFile(name), "no store at this path", "check the path; a store is created by a cohort run or merge");
        }
        if (write && !File.Exists(path))
        {
            // A store is created only in an existing folder: a typo in a path never makes folders.
            var folder = Path.GetDirectoryName(path)!;
            if (!Directory.Exists(folder))
            {
                throw new InputException(InputLocation.InFile(name), $"the folder {folder} does not exist", $"create it first (mkdir -p {folder}) or choose another path");
            }
        }
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = write ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = 60,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = write
                    ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=60000; PRAGMA cache_size=-65536;"
                    : "PRAGMA busy_timeout=60000; PRAGMA cache_size=-65536;";
                pragma.ExecuteNonQuery();
            }
            var store = new SqliteCohortStore(connection, name);
            store.Load(mustExist: !write);
            return store;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new InputException(InputLocation.InFile(name), $"cannot open the SQLite store: {ex.Message}", "is it a milkcells store file, and writable?", ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    protected override DbTransaction BeginExclusive() => Sqlite.BeginTransaction(deferred: false);

    protected override bool TablesExist()
    {
        using var command = Command("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'cohort_run'");
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    protected override bool IsDuplicateKey(Exception ex) => ex is SqliteException { SqliteErrorCode: raw.SQLITE_CONSTRAINT };

    protected override void InsertMothers(DbTransaction transaction, IReadOnlyList<MotherRows> mothers)
    {
        var db = Sqlite.Handle!;
        var schema = Schema!;
        _insertRow ??= Prepare(db, InsertRowSql(schema));
        _insertMother ??= Prepare(db, $"INSERT INTO {MothersTable} (mother_id, row_count) VALUES (?1, ?2)");
        var stmt = _insertRow;
        foreach (var m in mothers)
        {
            for (var row = 0; row < m.Count; row++)
            {
                raw.sqlite3_bind_int64(stmt, 1, m.MotherId);
                raw.sqlite3_bind_int(stmt, 2, m.Day(row));
                for (var c = 0; c < schema.Count; c++)
                {
                    var index = c + 3;
                    ref readonly var cell = ref m.CellAt(row, c);
                    if (!cell.HasValue)
                    {
                        raw.sqlite3_bind_null(stmt, index);
                        continue;
                    }
                    switch (schema.Columns[c].Kind)
                    {
                        case ColumnKind.Integer:
                            raw.sqlite3_bind_int64(stmt, index, cell.Integer);
                            break;
                        case ColumnKind.Real:
                            raw.sqlite3_bind_double(stmt, index, cell.Real);
                            break;
                        default:
                            raw.sqlite3_bind_text(stmt, index, cell.Text!);
                            break;
                    }
                }
                Step(db, stmt);
            }
            raw.sqlite3_bind_int64(_insertMother, 1, m.MotherId);
            raw.sqlite3_bind_int(_insertMother, 2, m.Count);
            Step(db, _insertMother);
        }
    }

    /// <summary>Reads through SQLitePCL's raw API: the ADO.NET reader costs about as much again per value.</summary>
    protected override ICohortRowReader CreateReader(string sql, IReadOnlyList<(string Name, object Value)> parameters, CohortSchema schema)
    {
        var db = Sqlite.Handle!;
        var stmt = Prepare(db, sql);
        foreach (var (name, value) in parameters)
        {
            var index = raw.sqlite3_bind_parameter_index(stmt, "@" + name);
            var rc = value is string text ? raw.sqlite3_bind_text(stmt, index, text) : raw.sqlite3_bind_int64(stmt, index, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
            if (rc != raw.SQLITE_OK)
            {
                stmt.Dispose();
                throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
            }
        }
        return new RawRowReader(db, stmt, schema);
    }

    private sealed class RawRowReader(sqlite3 db, sqlite3_stmt stmt, CohortSchema schema) : ICohortRowReader
    {
        public CohortSchema Schema => schema;

        public long MotherId => raw.sqlite3_column_int64(stmt, 0);

        public int Day => raw.sqlite3_column_int(stmt, 1);

        public bool Read()
        {
            var rc = raw.sqlite3_step(stmt);
            return rc == raw.SQLITE_ROW || (rc == raw.SQLITE_DONE ? false : throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc));
        }

        public bool IsNull(int column) => raw.sqlite3_column_type(stmt, column + 2) == raw.SQLITE_NULL;

        public long GetInteger(int column) => raw.sqlite3_column_int64(stmt, column + 2);

        public double GetReal(int column) => IsNull(column) ? double.NaN : raw.sqlite3_column_double(stmt, column + 2);

        public string? GetText(int column) => IsNull(column) ? null : raw.sqlite3_column_text(stmt, column + 2).utf8_to_string();

        public void Dispose() => stmt.Dispose();
    }

    private static string InsertRowSql(CohortSchema schema)
    {
        var sql = new StringBuilder($"INSERT INTO {RowsTable} (mother_id, day");
        foreach (var column in schema.Columns)
        {
            sql.Append(", ").Append(Quote(column.Name));
        }
        sql.Append(") VALUES (?1, ?2");
        for (var i = 0; i < schema.Count; i++)
        {
            sql.Append(", ?").Append(i + 3);
        }
        return sql.Append(')').ToString();
    }

    private static sqlite3_stmt Prepare(sqlite3 db, string sql)
    {
        var rc = raw.sqlite3_prepare_v2(db, sql, out var stmt);
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }
        return stmt;
    }

    private static void Step(sqlite3 db, sqlite3_stmt stmt)
    {
        var rc = raw.sqlite3_step(stmt);
        raw.sqlite3_reset(stmt);
        if (rc != raw.SQLITE_DONE)
        {
            var extended = raw.sqlite3_extended_errcode(db);
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc, extended);
        }
    }

    public override void Dispose()
    {
        _insertRow?.Dispose();
        _insertMother?.Dispose();
        base.Dispose();
    }
}
