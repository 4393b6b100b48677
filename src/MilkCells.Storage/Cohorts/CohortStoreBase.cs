using System.Data.Common;
using System.Globalization;
using System.Text;
using MilkCells.Core.Errors;

namespace MilkCells.Storage.Cohorts;

/// <summary>What both backends share: the tables, the run-metadata rules, the completed set and the row cursor.</summary>
/// <remarks>
/// Tables: <c>cohort_run</c> (key/value metadata), <c>cohort_columns</c> (the schema), <c>cohort_shards</c>,
/// <c>cohort_mothers</c> (one completion marker per mother, written in the same transaction as its rows) and
/// <c>cohort_rows</c> (primary key mother_id, day). A row without its mother's marker cannot exist.
/// </remarks>
internal abstract class CohortStoreBase : ICohortStore
{
    protected const string RowsTable = "cohort_rows";
    protected const string MothersTable = "cohort_mothers";
    private const string FormatKey = "store_format";
    private const string FormatVersion = "1";

    private List<ShardSpec> _shards = [];
    private DbTransaction? _active;

    protected CohortStoreBase(DbConnection connection, string name)
    {
        Connection = connection;
        Name = name;
    }

    public string Name { get; }

    public RunMetadata? Metadata { get; private set; }

    public CohortSchema? Schema { get; private set; }

    public IReadOnlyList<ShardSpec> Shards => _shards;

    protected DbConnection Connection { get; }

    /// <summary>The SQL type of 64-bit integers.</summary>
    protected abstract string BigIntType { get; }

    /// <summary>The SQL type of doubles.</summary>
    protected abstract string RealType { get; }

    /// <summary>What follows the rows table's definition (SQLite: WITHOUT ROWID).</summary>
    protected virtual string RowsTableSuffix => "";

    /// <summary>The character that starts a named parameter in this backend's SQL (the base class writes <c>@name</c>).</summary>
    protected virtual char ParameterMarker => '@';

    /// <summary>The rows table's key clause; a store may leave it out where the mothers table's key already refuses a repeated mother.</summary>
    protected virtual string RowsTableKey => ", PRIMARY KEY (mother_id, day)";

    /// <summary>Opens a transaction that excludes every other writer's <see cref="StartRun"/> until it ends.</summary>
    protected abstract DbTransaction BeginExclusive();

    /// <summary>Writes the rows and markers of <paramref name="mothers"/> inside <paramref name="transaction"/>.</summary>
    protected abstract void InsertMothers(DbTransaction transaction, IReadOnlyList<MotherRows> mothers);

    /// <summary>Whether an exception is a primary-key violation.</summary>
    protected abstract bool IsDuplicateKey(Exception ex);

    /// <summary>Whether the cohort tables exist.</summary>
    protected abstract bool TablesExist();

    /// <summary>Loads metadata, schema and shards when the store holds a run; with <paramref name="mustExist"/>, refuses a store without one.</summary>
    protected void Load(bool mustExist)
    {
        if (!TablesExist())
        {
            if (mustExist)
            {
                throw new InputException(InputLocation.InFile(Name), "the store holds no cohort (its tables are missing)", "check the URI, or write a cohort into it first");
            }
            return;
        }
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var reader = Command("SELECT key, value FROM cohort_run").ExecuteReader())
        {
            while (reader.Read())
            {
                pairs[reader.GetString(0)] = reader.GetString(1);
            }
        }
        if (pairs.Count == 0)
        {
            if (mustExist)
            {
                throw new InputException(InputLocation.InFile(Name), "the store holds no run yet");
            }
            return;
        }
        if (!pairs.TryGetValue(FormatKey, out var format) || format != FormatVersion)
        {
            throw new InputException(InputLocation.InFile(Name), $"the store's format is '{format}', this code reads format {FormatVersion}", "export it with the version that wrote it");
        }
        Metadata = RunMetadata.FromPairs(pairs, Name);
        var columns = new List<ColumnSpec>();
        using (var reader = Command("SELECT name, kind FROM cohort_columns ORDER BY position").ExecuteReader())
        {
            while (reader.Read())
            {
                columns.Add(new ColumnSpec(reader.GetString(0), Enum.Parse<ColumnKind>(reader.GetString(1), ignoreCase: true)));
            }
        }
        Schema = CohortSchema.Create(columns);
        _shards = [];
        using (var reader = Command("SELECT shard_index, shard_count FROM cohort_shards ORDER BY shard_count, shard_index").ExecuteReader())
        {
            while (reader.Read())
            {
                _shards.Add(new ShardSpec(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture)));
            }
        }
    }

    public void StartRun(RunMetadata metadata, CohortSchema schema, ShardSpec shard, bool resume)
    {
        try
        {
            using (var tx = BeginExclusive())
            {
                _active = tx;
                Execute(tx, $"CREATE TABLE IF NOT EXISTS cohort_run (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
                Execute(tx, $"CREATE TABLE IF NOT EXISTS cohort_columns (position INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL)");
                Execute(tx, $"CREATE TABLE IF NOT EXISTS cohort_shards (shard_index INTEGER NOT NULL, shard_count INTEGER NOT NULL, PRIMARY KEY (shard_index, shard_count))");
                Execute(tx, $"CREATE TABLE IF NOT EXISTS {MothersTable} (mother_id {BigIntType} PRIMARY KEY, row_count INTEGER NOT NULL)");
                Load(mustExist: false);
                if (Metadata is null)
                {
                    var pairs = metadata.ToPairs().Prepend(new(FormatKey, FormatVersion));
                    foreach (var (key, value) in pairs)
                    {
                        Execute(tx, "INSERT INTO cohort_run (key, value) VALUES (@k, @v)", ("k", key), ("v", value));
                    }
                    for (var i = 0; i < schema.Count; i++)
                    {
                        Execute(tx, "INSERT INTO cohort_columns (position, name, kind) VALUES (@p, @n, @k)",
                            ("p", i), ("n", schema.Columns[i].Name), ("k", schema.Columns[i].Kind.ToString().ToLowerInvariant()));
                    }
                    Execute(tx, CreateRowsTableSql(schema));
                }
                else
                {
                    CheckCompatible(metadata, schema, shard, resume);
                }
                if (!_shards.Contains(shard))
                {
                    Execute(tx, "INSERT INTO cohort_shards (shard_index, shard_count) VALUES (@i, @c)", ("i", shard.Index), ("c", shard.Count));
                }
                tx.Commit();
            }
        }
        finally
        {
            _active = null;
        }
        Load(mustExist: true);
    }

    private void CheckCompatible(RunMetadata metadata, CohortSchema schema, ShardSpec shard, bool resume) =>
        RunCompatibility.Check(Name, Metadata!, Schema!, _shards, metadata, schema, shard, resume, CountMothers);

    private string CreateRowsTableSql(CohortSchema schema)
    {
        var sql = new StringBuilder($"CREATE TABLE {RowsTable} (mother_id {BigIntType} NOT NULL, day INTEGER NOT NULL");
        foreach (var column in schema.Columns)
        {
            sql.Append(", ").Append(Quote(column.Name)).Append(' ').Append(column.Kind switch
            {
                ColumnKind.Integer => BigIntType,
                ColumnKind.Real => RealType,
                _ => "TEXT",
            });
        }
        return sql.Append(RowsTableKey).Append(')').Append(RowsTableSuffix).ToString();
    }

    public IReadOnlySet<long> CompletedMothers()
    {
        var set = new HashSet<long>();
        if (Metadata is null)
        {
            return set;
        }
        using var reader = Command($"SELECT mother_id FROM {MothersTable}").ExecuteReader();
        while (reader.Read())
        {
            set.Add(reader.GetInt64(0));
        }
        return set;
    }

    private long CountMothers() => Convert.ToInt64(Command($"SELECT COUNT(*) FROM {MothersTable}").ExecuteScalar(), CultureInfo.InvariantCulture);

    public long CountRows() => Metadata is null ? 0 : Convert.ToInt64(Command($"SELECT COUNT(*) FROM {RowsTable}").ExecuteScalar(), CultureInfo.InvariantCulture);

    public void WriteMothers(IReadOnlyList<MotherRows> mothers)
    {
        if (Metadata is null || Schema is null)
        {
            throw new InvalidOperationException("StartRun must be called before rows are written");
        }
        if (mothers.Count == 0)
        {
            return;
        }
        RunCompatibility.CheckColumns(mothers, Schema);
        try
        {
            using var tx = Connection.BeginTransaction();
            InsertMothers(tx, mothers);
            tx.Commit();
        }
        catch (Exception ex) when (IsDuplicateKey(ex))
        {
            throw RunCompatibility.Duplicates(Name, mothers, CompletedMothers(), ex);
        }
    }

    /// <summary>Each complete mother's row count from the completion markers, in mother order; null before a run is stored.</summary>
    protected IReadOnlyList<(long Mother, long Rows)>? MotherRowCounts()
    {
        if (Metadata is null)
        {
            return null;
        }
        var counts = new List<(long, long)>();
        using var command = Command($"SELECT mother_id, row_count FROM {MothersTable} ORDER BY mother_id");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            counts.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }
        return counts;
    }

    public ICohortRowReader ReadRows(CohortQuery? query = null)
    {
        query ??= new CohortQuery();
        if (Schema is null)
        {
            throw new InputException(InputLocation.InFile(Name), "the store holds no run yet");
        }
        var rows = RowQuery.Build(Schema, query, RowsTable, Name);
        return CreateReader(rows.Sql, rows.Parameters, rows.Schema);
    }

    /// <summary>Runs a row query whose columns are mother_id, day, then <paramref name="schema"/>'s.</summary>
    protected virtual ICohortRowReader CreateReader(string sql, IReadOnlyList<(string Name, object Value)> parameters, CohortSchema schema)
    {
        var command = Command(sql);
        foreach (var (name, value) in parameters)
        {
            AddParameter(command, name, value);
        }
        return new DbRowReader(command, schema);
    }

    /// <summary>A double-quoted SQL identifier (names are validated lower-case identifiers, so quoting never changes them).</summary>
    protected static string Quote(string identifier) => RowQuery.Quote(identifier);

    protected DbCommand Command(string sql, DbTransaction? transaction = null)
    {
        var command = Connection.CreateCommand();
        command.CommandText = ParameterMarker == '@' ? sql : sql.Replace('@', ParameterMarker);
        command.Transaction = transaction ?? _active;
        return command;
    }

    protected void Execute(DbTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(sql, transaction);
        foreach (var (name, value) in parameters)
        {
            AddParameter(command, name, value);
        }
        command.ExecuteNonQuery();
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    public virtual void Dispose() => Connection.Dispose();
}
