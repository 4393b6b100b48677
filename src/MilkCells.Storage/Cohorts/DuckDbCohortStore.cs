using System.Data.Common;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using MilkCells.Core.Errors;

namespace MilkCells.Storage.Cohorts;

/// <summary>The DuckDB backend: one embedded columnar database file; rows arrive through DuckDB's appender.</summary>
/// <remarks>
/// The tables are the SQLite store's; the rows table has no key of its own (DuckDB keeps an index per key, which
/// would cost more than the rows), because each mother's completion marker in <c>cohort_mothers</c> — the primary key —
/// is appended in the same transaction as her rows: a repeated mother fails the marker and rolls the rows back. A
/// DuckDB file has one writing process at a time, so shards write their own files and are merged (as with SQLite).
/// </remarks>
internal sealed class DuckDbCohortStore : CohortStoreBase, IAnalyticalCohortStore, IConcurrentRowSource
{
    private readonly bool _write;

    private DuckDbCohortStore(DuckDBConnection connection, string name, string path, bool write) : base(connection, name)
    {
        DatabasePath = path;
        _write = write;
    }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    protected override string BigIntType => "BIGINT";

    protected override string RealType => "DOUBLE";

    protected override char ParameterMarker => '$';

    protected override string RowsTableKey => "";

    private DuckDBConnection DuckDb => (DuckDBConnection)Connection;

    /// <summary>Opens (and, for writing, creates) the DuckDB store at <paramref name="uri"/>.</summary>
    public static DuckDbCohortStore Open(StoreUri uri, bool write)
    {
        var path = uri.Path!;
        var name = uri.ToString();
        if (!write && !File.Exists(path))
        {
            throw new InputException(InputLocation.InFile(name), "no store at this path", "check the path; a store is created by a cohort run or merge");
        }
        if (write && !File.Exists(path))
        {
            SqliteCohortStore.RequireParent(path, name);
        }
        var connection = DuckDbSession.Connect(path, readOnly: !write, name);
        try
        {
            var store = new DuckDbCohortStore(connection, name, path, write);
            store.Load(mustExist: !write);
            return store;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    protected override DbTransaction BeginExclusive() => DuckDb.BeginTransaction();

    protected override bool TablesExist()
    {
        using var command = Command("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'cohort_run'");
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    protected override bool IsDuplicateKey(Exception ex) => ex is DuckDBException { ErrorType: DuckDBErrorType.Constraint };

    protected override void InsertMothers(DbTransaction transaction, IReadOnlyList<MotherRows> mothers)
    {
        var schema = Schema!;
        using (var markers = DuckDb.CreateAppender(MothersTable))
        {
            foreach (var m in mothers)
            {
                markers.CreateRow().AppendValue(m.MotherId).AppendValue(m.Count).EndRow();
            }
        }
        using var rows = DuckDb.CreateAppender(RowsTable);
        foreach (var m in mothers)
        {
            for (var row = 0; row < m.Count; row++)
            {
                var appended = rows.CreateRow().AppendValue(m.MotherId).AppendValue(m.Day(row));
                for (var c = 0; c < schema.Count; c++)
                {
                    ref readonly var cell = ref m.CellAt(row, c);
                    appended = !cell.HasValue
                        ? appended.AppendNullValue()
                        : schema.Columns[c].Kind switch
                        {
                            ColumnKind.Integer => appended.AppendValue(cell.Integer),
                            ColumnKind.Real => appended.AppendValue(cell.Real),
                            _ => appended.AppendValue(cell.Text),
                        };
                }
                appended.EndRow();
            }
        }
    }

    /// <remarks>A store opened for reading gives each cursor a connection of its own to the same database (DuckDB.NET
    /// shares the database between connections with one connection string), so that two threads can read row groups at
    /// once (<see cref="ConcurrentRowGroups"/>); a connection serves one query at a time.</remarks>
    protected override ICohortRowReader CreateReader(string sql, IReadOnlyList<(string Name, object Value)> parameters, CohortSchema schema)
    {
        if (_write)
        {
            return DuckDbRows.Execute(DuckDb, sql, parameters, schema);
        }
        var own = new DuckDBConnection(DuckDb.ConnectionString);
        try
        {
            own.Open();
            return DuckDbRows.Execute(own, sql, parameters, schema, own);
        }
        catch
        {
            own.Dispose();
            throw;
        }
    }

    /// <summary>Each complete mother's row count, from the completion markers; null when the store is open for writing.</summary>
    public IReadOnlyList<(long Mother, long Rows)>? RowCountsForConcurrentReading()
    {
        return _write ? null : MotherRowCounts();
    }

    /// <inheritdoc />
    public AnalyticalSource Rows() => new(DuckDb, RowsTable, Name);
}
