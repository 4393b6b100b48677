using System.Data.Common;
using System.Text;
using MilkCells.Core.Errors;

namespace MilkCells.Storage.Cohorts;

/// <summary>The SQL every SQL-speaking store runs for <see cref="ICohortStore.ReadRows"/>: mother_id, day, the chosen columns, filtered, sorted by mother then day.</summary>
/// <param name="Sql">The query; named parameters are written <c>@name</c>.</param>
/// <param name="Parameters">Their values.</param>
/// <param name="Schema">The value columns the query returns after mother_id and day.</param>
internal sealed record RowQuery(string Sql, IReadOnlyList<(string Name, object Value)> Parameters, CohortSchema Schema)
{
    /// <summary>The query for <paramref name="query"/> over <paramref name="relation"/> (a table, or a file scan).</summary>
    /// <exception cref="InputException">A column the store does not have, or a match on a column that is not text.</exception>
    public static RowQuery Build(CohortSchema schema, CohortQuery query, string relation, string storeName)
    {
        var selected = query.Columns is null ? schema : Select(schema, query.Columns, storeName);
        var sql = new StringBuilder("SELECT mother_id, day");
        foreach (var column in selected.Columns)
        {
            sql.Append(", ").Append(Quote(column.Name));
        }
        sql.Append(" FROM ").Append(relation);
        var conditions = new List<string>();
        var parameters = new List<(string Name, object Value)>();
        void Condition(string text, string name, object? value)
        {
            if (value is not null)
            {
                conditions.Add(text);
                parameters.Add((name, value));
            }
        }
        Condition("day >= @fromDay", "fromDay", query.FromDay);
        Condition("day <= @toDay", "toDay", query.ToDay);
        Condition("mother_id >= @fromMother", "fromMother", query.FromMother);
        Condition("mother_id <= @toMother", "toMother", query.ToMother);
        if (query.Where is { } match)
        {
            if (!schema.Contains(match.Column) || schema.Columns[schema.IndexOf(match.Column)].Kind != ColumnKind.Text)
            {
                throw new InputException(InputLocation.InFile(storeName), $"the store has no text column '{match.Column}' to match");
            }
            Condition($"{Quote(match.Column)} = @match", "match", match.Value);
        }
        if (conditions.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
        }
        return new RowQuery(sql.Append(" ORDER BY mother_id, day").ToString(), parameters, selected);
    }

    private static CohortSchema Select(CohortSchema schema, IReadOnlyList<string> names, string storeName)
    {
        var missing = names.Where(n => !schema.Contains(n)).ToList();
        return missing.Count == 0
            ? schema.Select(names)
            : throw new InputException(InputLocation.InFile(storeName), $"the store has no column(s) {string.Join(", ", missing)}", $"its columns: {schema}");
    }

    /// <summary>A double-quoted SQL identifier (names are validated lower-case identifiers, so quoting never changes them).</summary>
    public static string Quote(string identifier) => "\"" + identifier + "\"";
}

/// <summary>A cursor over an ADO.NET reader whose columns are mother_id, day, then <see cref="Schema"/>'s.</summary>
internal sealed class DbRowReader : ICohortRowReader
{
    private readonly DbCommand _command;
    private readonly DbDataReader _reader;
    private readonly IDisposable? _owner;

    /// <summary>Executes <paramref name="command"/>; it and <paramref name="owner"/> are disposed with the reader (also when executing fails).</summary>
    public DbRowReader(DbCommand command, CohortSchema schema, IDisposable? owner = null)
    {
        _command = command;
        _owner = owner;
        Schema = schema;
        try
        {
            _reader = command.ExecuteReader();
        }
        catch
        {
            command.Dispose();
            owner?.Dispose();
            throw;
        }
    }

    public CohortSchema Schema { get; }

    public long MotherId => _reader.GetInt64(0);

    public int Day => _reader.GetInt32(1);

    public bool Read() => _reader.Read();

    public bool IsNull(int column) => _reader.IsDBNull(column + 2);

    public long GetInteger(int column) => _reader.GetInt64(column + 2);

    public double GetReal(int column) => _reader.IsDBNull(column + 2) ? double.NaN : _reader.GetDouble(column + 2);

    public string? GetText(int column) => _reader.IsDBNull(column + 2) ? null : _reader.GetString(column + 2);

    public void Dispose()
    {
        _reader.Dispose();
        _command.Dispose();
        _owner?.Dispose();
    }
}
