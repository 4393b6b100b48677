using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace MilkCells.Storage.Cohorts;

/// <summary>How a cohort column is stored and exported.</summary>
public enum ColumnKind
{
    /// <summary>A 64-bit signed integer.</summary>
    Integer,

    /// <summary>An IEEE double, exported as its shortest round-trip text.</summary>
    Real,

    /// <summary>UTF-8 text (no NUL characters).</summary>
    Text,
}

/// <summary>One value column of the cohort table: its name (lower-case identifier) and kind.</summary>
public sealed record ColumnSpec(string Name, ColumnKind Kind);

/// <summary>The value columns of a cohort table, as the simulation supplies them; the key (mother_id, day) is implicit.</summary>
/// <remarks>
/// Design: the store knows nothing of milk. The simulation names its daily columns (issue 3's daily.csv minus
/// <c>day</c>, plus whatever it adds) and the store creates, checks and exports exactly those, in that order.
/// Two schemas are equal when their names and kinds are equal in order; resume and merge require equality.
/// </remarks>
public sealed partial class CohortSchema : IEquatable<CohortSchema>
{
    /// <summary>The key column naming the mother.</summary>
    public const string MotherIdColumn = "mother_id";

    /// <summary>The key column naming the day (day 0 = the first 24 h).</summary>
    public const string DayColumn = "day";

    private readonly Dictionary<string, int> _index;

    private CohortSchema(ImmutableArray<ColumnSpec> columns)
    {
        Columns = columns;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Length; i++)
        {
            _index[columns[i].Name] = i;
        }
    }

    /// <summary>The value columns in table order (after mother_id and day).</summary>
    public ImmutableArray<ColumnSpec> Columns { get; }

    /// <summary>How many value columns there are.</summary>
    public int Count => Columns.Length;

    /// <summary>A validated schema; throws <see cref="ArgumentException"/> on a bad, reserved or repeated name.</summary>
    public static CohortSchema Create(IEnumerable<ColumnSpec> columns)
    {
        var list = columns.ToImmutableArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in list)
        {
            if (!IsIdentifier(column.Name))
            {
                throw new ArgumentException($"column name '{column.Name}' is not a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters)");
            }
            if (column.Name is MotherIdColumn or DayColumn)
            {
                throw new ArgumentException($"column '{column.Name}' is part of the key and is implicit");
            }
            if (!seen.Add(column.Name))
            {
                throw new ArgumentException($"column '{column.Name}' appears twice");
            }
            if (!Enum.IsDefined(column.Kind))
            {
                throw new ArgumentException($"column '{column.Name}' has an unknown kind {column.Kind}");
            }
        }
        return new CohortSchema(list);
    }

    /// <summary>A schema from <c>(name, kind)</c> pairs.</summary>
    public static CohortSchema Create(params (string Name, ColumnKind Kind)[] columns) =>
        Create(columns.Select(c => new ColumnSpec(c.Name, c.Kind)));

    /// <summary>The position of a value column; throws <see cref="KeyNotFoundException"/> when absent.</summary>
    public int IndexOf(string name) =>
        _index.TryGetValue(name, out var i) ? i : throw new KeyNotFoundException($"the cohort schema has no column '{name}'");

    /// <summary>Whether the schema has a value column of that name.</summary>
    public bool Contains(string name) => _index.ContainsKey(name);

    /// <summary>The sub-schema of the named columns, in the order given.</summary>
    public CohortSchema Select(IEnumerable<string> names) => new(names.Select(n => Columns[IndexOf(n)]).ToImmutableArray());

    /// <summary>The header of an export: <c>mother_id,day,</c> then the value columns.</summary>
    public IEnumerable<string> HeaderNames() => new[] { MotherIdColumn, DayColumn }.Concat(Columns.Select(c => c.Name));

    /// <summary>A compact text form, <c>name:kind,…</c>, used in error messages.</summary>
    public override string ToString() => string.Join(",", Columns.Select(c => $"{c.Name}:{c.Kind.ToString().ToLowerInvariant()}"));

    public bool Equals(CohortSchema? other) => other is not null && Columns.SequenceEqual(other.Columns);

    public override bool Equals(object? obj) => Equals(obj as CohortSchema);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    internal static bool IsIdentifier(string name) => name.Length <= 63 && IdentifierPattern().IsMatch(name);

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex IdentifierPattern();
}
