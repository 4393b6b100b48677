using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using MilkCells.Core.Errors;
using SQLitePCL;

namespace MilkCells.Storage.Cohorts;

/// <summary>The SQLite backend: one file, WAL journal, rows in a WITHOUT ROWID table clustered by (mother_id, day).</summary>
/// <remarks>
/// Inserts go through one prepared statement per table, bound with SQLite's own functions on the statement pointer (the
/// ADO.NET layer, and SQLitePCL's raw API, cost more per value than SQLite itself); synchronous=NORMAL is durable at
/// each commit's checkpoint and atomic always. New files use 16 KiB pages, so a leaf holds ~50 rows of ~330 bytes.
/// </remarks>
internal sealed class SqliteCohortStore : CohortStoreBase, IConcurrentRowSource
{
    private sqlite3_stmt? _insertRow;
    private sqlite3_stmt? _insertMother;

    /// <summary>The file, when the store was opened for reading only: row cursors then read through connections of their own.</summary>
    private readonly string? _readOnlyPath;

    private SqliteCohortStore(SqliteConnection connection, string name, string? readOnlyPath) : base(connection, name)
    {
        _readOnlyPath = readOnlyPath;
    }

    protected override string BigIntType => "INTEGER";

    protected override string RealType => "REAL";

    protected override string RowsTableSuffix => " WITHOUT ROWID";

    private SqliteConnection Sqlite => (SqliteConnection)Connection;

    /// <summary>A store is created only in an existing folder: a typo in a path never makes folders (every file or folder store checks this).</summary>
    internal static void RequireParent(string path, string name)
    {
        var folder = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(path))!;
        if (!Directory.Exists(folder))
        {
            throw new InputException(InputLocation.InFile(name), $"the folder {folder} does not exist", $"create it first (mkdir -p {folder}) or choose another path");
        }
    }

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
            RequireParent(path, name);
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
                    ? "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=60000; PRAGMA cache_size=-65536;"
                    : "PRAGMA busy_timeout=60000; PRAGMA cache_size=-65536;";
                pragma.ExecuteNonQuery();
            }
            var store = new SqliteCohortStore(connection, name, write ? null : path);
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

    /// <remarks>
    /// Binds straight on the statement pointer (<see cref="NativeBind"/>): SQLitePCL's raw API marshals the statement's
    /// SafeHandle and dispatches through its provider on every value, which cost about as much as SQLite's own insert
    /// for a row of 39 values. Text repeats from row to row (stage, events), so each column keeps the UTF-8 bytes of its last string.
    /// </remarks>
    protected override void InsertMothers(DbTransaction transaction, IReadOnlyList<MotherRows> mothers)
    {
        var db = Sqlite.Handle!;
        var schema = Schema!;
        _insertRow ??= Prepare(db, InsertRowSql(schema));
        _insertMother ??= Prepare(db, $"INSERT INTO {MothersTable} (mother_id, row_count) VALUES (?1, ?2)");
        _lastText ??= new string?[schema.Count];
        _lastUtf8 ??= new byte[schema.Count][];
        var stmt = _insertRow;
        var added = false;
        stmt.DangerousAddRef(ref added);
        try
        {
            var handle = stmt.DangerousGetHandle();
            var kinds = schema.Columns.Select(c => c.Kind).ToArray();
            foreach (var m in mothers)
            {
                for (var row = 0; row < m.Count; row++)
                {
                    Bound(db, NativeBind.Int64(handle, 1, m.MotherId));
                    Bound(db, NativeBind.Int64(handle, 2, m.Day(row)));
                    for (var c = 0; c < kinds.Length; c++)
                    {
                        var index = c + 3;
                        ref readonly var cell = ref m.CellAt(row, c);
                        Bound(db, !cell.HasValue ? NativeBind.Null(handle, index) : kinds[c] switch
                        {
                            ColumnKind.Integer => NativeBind.Int64(handle, index, cell.Integer),
                            ColumnKind.Real => NativeBind.Double(handle, index, cell.Real),
                            _ => BindText(handle, index, c, cell.Text!),
                        });
                    }
                    Step(db, stmt);
                }
                raw.sqlite3_bind_int64(_insertMother, 1, m.MotherId);
                raw.sqlite3_bind_int(_insertMother, 2, m.Count);
                Step(db, _insertMother);
            }
        }
        finally
        {
            if (added)
            {
                stmt.DangerousRelease();
            }
        }
    }

    private string?[]? _lastText;
    private byte[]?[]? _lastUtf8;

    private int BindText(nint stmt, int index, int column, string text)
    {
        if (!ReferenceEquals(_lastText![column], text) && !string.Equals(_lastText[column], text, StringComparison.Ordinal))
        {
            _lastUtf8![column] = Encoding.UTF8.GetBytes(text);
            _lastText[column] = text;
        }
        var bytes = _lastUtf8![column]!;
        return NativeBind.Text(stmt, index, ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(bytes), bytes.Length, NativeBind.Transient);
    }

    private static void Bound(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }
    }

    /// <summary>Reads through SQLitePCL's raw API: the ADO.NET reader costs about as much again per value.</summary>
    /// <remarks>
    /// A store opened for reading only gives each cursor a read-only connection of its own opened without a mutex
    /// (SQLITE_OPEN_NOMUTEX, SQLite's multi-thread mode: the cursor is its connection's only user). On the store's own
    /// connection, which Microsoft.Data.Sqlite opens in SQLite's default serialized mode, every column accessor takes
    /// and releases the connection's mutex: a quarter of a 10,000 × 365 export's CPU went there (docs/performance.md,
    /// "Cohort exports and columnar stores"). Nothing in the process writes to such a store, so both connections see
    /// the same rows. A store opened for writing reads on its own connection, which sees its own transaction.
    /// </remarks>
    protected override ICohortRowReader CreateReader(string sql, IReadOnlyList<(string Name, object Value)> parameters, CohortSchema schema)
    {
        var own = _readOnlyPath is not null ? OpenUnshared(_readOnlyPath) : null;
        var db = own ?? Sqlite.Handle!;
        sqlite3_stmt? stmt = null;
        try
        {
            stmt = Prepare(db, sql);
            foreach (var (name, value) in parameters)
            {
                var index = raw.sqlite3_bind_parameter_index(stmt, "@" + name);
                var rc = value is string text ? raw.sqlite3_bind_text(stmt, index, text) : raw.sqlite3_bind_int64(stmt, index, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                if (rc != raw.SQLITE_OK)
                {
                    throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
                }
            }
            return new RawRowReader(db, stmt, schema, own);
        }
        catch
        {
            stmt?.Dispose();
            own?.Dispose();
            throw;
        }
    }

    /// <summary>Opened for reading, every cursor has a connection of its own, so cursors on different threads read at once.</summary>
    public IReadOnlyList<(long Mother, long Rows)>? RowCountsForConcurrentReading()
    {
        return _readOnlyPath is null ? null : MotherRowCounts();
    }

    /// <summary>A read-only connection without a mutex and with SQLite's default 2 MiB page cache.</summary>
    /// <remarks>A cursor reads its rows once, in key order, so the operating system's file cache serves it as well; a
    /// 64 MiB cache per cursor, filled and freed by each of a concurrent export's 35 cursors, cost 3–4 s of page faults
    /// in a 10,000 × 365 export.</remarks>
    private sqlite3 OpenUnshared(string path)
    {
        var rc = raw.sqlite3_open_v2(path, out var db, raw.SQLITE_OPEN_READONLY | raw.SQLITE_OPEN_NOMUTEX, null);
        if (rc != raw.SQLITE_OK)
        {
            var message = db is null ? raw.sqlite3_errstr(rc).utf8_to_string() : raw.sqlite3_errmsg(db).utf8_to_string();
            db?.Dispose();
            throw new InputException(InputLocation.InFile(Name), $"cannot open the SQLite store: {message}", "is it a milkcells store file?");
        }
        try
        {
            Bound(db, raw.sqlite3_busy_timeout(db, 60000));
            Bound(db, raw.sqlite3_exec(db, "PRAGMA cache_size=-2048;"));
            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>A cursor that reads values straight from the statement: one native call per value, no handle marshalling, text cached.</summary>
    /// <remarks>
    /// SQLitePCL's raw API marshals the statement's SafeHandle and dispatches through its provider on every call, about
    /// 70 ns a value; the column accessors of SQLite only read the current row, so they are called here directly
    /// (<see cref="NativeColumns"/>). A real is read with one call: SQLite returns 0.0 for NULL, so only a 0.0 asks the
    /// type. Text repeats from row to row (stage, events), so the last string of each column is reused when the bytes match.
    /// </remarks>
    private sealed class RawRowReader : ICohortRowReader
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _stmt;
        private readonly sqlite3? _own;
        private readonly nint _handle;
        private readonly byte[]?[] _lastBytes;
        private readonly string?[] _lastText;
        private bool _released;
        private bool _done;

        /// <summary>A cursor over <paramref name="stmt"/>; <paramref name="own"/>, when given, is its own connection, closed with it.</summary>
        public RawRowReader(sqlite3 db, sqlite3_stmt stmt, CohortSchema schema, sqlite3? own)
        {
            _db = db;
            _stmt = stmt;
            _own = own;
            Schema = schema;
            var added = false;
            stmt.DangerousAddRef(ref added);
            _handle = stmt.DangerousGetHandle();
            _lastBytes = new byte[schema.Count][];
            _lastText = new string[schema.Count];
        }

        public CohortSchema Schema { get; }

        public long MotherId => NativeColumns.Int64(_handle, 0);

        public int Day => (int)NativeColumns.Int64(_handle, 1);

        /// <remarks>Once the rows are done it stays done: SQLite would start the statement over on the next step.</remarks>
        public bool Read()
        {
            if (_done)
            {
                return false;
            }
            var rc = NativeColumns.Step(_handle);
            if (rc == raw.SQLITE_ROW)
            {
                return true;
            }
            _done = true;
            return rc == raw.SQLITE_DONE ? false : throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc);
        }

        public bool IsNull(int column) => NativeColumns.Type(_handle, column + 2) == raw.SQLITE_NULL;

        public long GetInteger(int column) => NativeColumns.Int64(_handle, column + 2);

        public double GetReal(int column)
        {
            var value = NativeColumns.Double(_handle, column + 2);
            return value == 0 && IsNull(column) ? double.NaN : value;
        }

        public string? GetText(int column)
        {
            if (IsNull(column))
            {
                return null;
            }
            var bytes = NativeColumns.Bytes(_handle, column + 2);
            if (_lastBytes[column] is { } last && bytes.SequenceEqual(last))
            {
                return _lastText[column];
            }
            _lastBytes[column] = bytes.ToArray();
            return _lastText[column] = Encoding.UTF8.GetString(bytes);
        }

        public void Dispose()
        {
            if (!_released)
            {
                _released = true;
                _stmt.DangerousRelease();
            }
            _stmt.Dispose();
            _own?.Dispose();
        }
    }

    /// <summary>SQLite's column accessors called directly on the statement pointer (the library SQLitePCL loads, e_sqlite3).</summary>
    /// <remarks>They only read the current row and never block, so they skip the GC transition; stepping reads the
    /// file, so it does not.</remarks>
    private static unsafe class NativeColumns
    {
        [System.Runtime.InteropServices.DllImport("e_sqlite3", EntryPoint = "sqlite3_step", ExactSpelling = true)]
        public static extern int Step(nint stmt);

        [System.Runtime.InteropServices.DllImport("e_sqlite3", EntryPoint = "sqlite3_column_blob", ExactSpelling = true)]
        [System.Runtime.InteropServices.SuppressGCTransition]
        private static extern byte* Blob(nint stmt, int column);

        [System.Runtime.InteropServices.DllImport("e_sqlite3", EntryPoint = "sqlite3_column_bytes", ExactSpelling = true)]
        [System.Runtime.InteropServices.SuppressGCTransition]
        private static extern int Length(nint stmt, int column);

        /// <summary>The value's bytes (UTF-8 for text), valid until the next step: the blob first, then its length, as SQLite asks.</summary>
        public static ReadOnlySpan<byte> Bytes(nint stmt, int column)
        {
            var data = Blob(stmt, column);
            return new ReadOnlySpan<byte>(data, Length(stmt, column));
        }

        [System.Runtime.InteropServices.DllImport("e_sqlite3", EntryPoint = "sqlite3_column_type", ExactSpelling = true)]
        [System.Runtime.InteropServices.SuppressGCTransition]
        public static extern int Type(nint stmt, int column);

        [System.Runtime.InteropServices.DllImport("e_sqlite3", EntryPoint = "sqlite3_column_int64", ExactSpelling = true)]
        [System.Runtime.InteropServices.SuppressGCTransition]
        public static extern long Int64(nint stmt, int column);

        [System.Runtime.InteropServices.DllImport("e_sqlite3", EntryPoint = "sqlite3_column_double", ExactSpelling = true)]
        [System.Runtime.InteropServices.SuppressGCTransition]
        public static extern double Double(nint stmt, int column);
    }

    /// <summary>SQLite's bind functions called directly on the statement pointer (the library SQLitePCL loads, e_sqlite3).</summary>
    /// <remarks>They copy one value into the statement under the connection's mutex, which only the writer thread takes, so they skip the GC transition.</remarks>
    private static class NativeBind
    {
        /// <summary>SQLITE_TRANSIENT: SQLite copies the bytes before the call returns.</summary>
        public static readonly nint Transient = -1;

        [System.Runtime.InteropServices.DllImport("e_sqlite3", EntryPoint = "sqlite3_bind_int64", ExactSpelling = true)]
        [System.Runtime.InteropServices.SuppressGCTransition]
        public static extern int Int64(nint stmt, int index, long value);

        [System.Runtime.InteropServices.DllImport("e_sqlite3", EntryPoint = "sqlite3_bind_double", ExactSpelling = true)]
        [System.Runtime.InteropServices.SuppressGCTransition]
        public static extern int Double(nint stmt, int index, double value);

        [System.Runtime.InteropServices.DllImport("e_sqlite3", EntryPoint = "sqlite3_bind_null", ExactSpelling = true)]
        [System.Runtime.InteropServices.SuppressGCTransition]
        public static extern int Null(nint stmt, int index);

        [System.Runtime.InteropServices.DllImport("e_sqlite3", EntryPoint = "sqlite3_bind_text", ExactSpelling = true)]
        [System.Runtime.InteropServices.SuppressGCTransition]
        public static extern int Text(nint stmt, int index, ref byte utf8, int length, nint destructor);
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
