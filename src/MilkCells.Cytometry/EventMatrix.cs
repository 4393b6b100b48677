using MilkCells.Core.Errors;

namespace MilkCells.Cytometry;

/// <summary>Flow cytometry events held by column: one array of values per channel, named by $PnN.</summary>
/// <remarks>
/// Gates, transforms and compensation all work a channel at a time, so columns (not rows) are the natural layout:
/// each operation streams through contiguous memory. The matrix owns its arrays; callers must not change them after
/// construction. Channel names may repeat (some instruments write duplicate $PnN); looking up a repeated name fails.
/// </remarks>
public sealed class EventMatrix
{
    private readonly string[] _names;
    private readonly double[][] _columns;

    /// <summary>A matrix from named columns of equal length (the arrays are taken over, not copied).</summary>
    public EventMatrix(IReadOnlyList<string> names, IReadOnlyList<double[]> columns)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(columns);
        if (names.Count != columns.Count)
        {
            throw new ArgumentException($"{names.Count} names for {columns.Count} columns", nameof(columns));
        }
        _names = names.ToArray();
        _columns = columns.ToArray();
        EventCount = _columns.Length == 0 ? 0 : _columns[0].Length;
        for (var c = 0; c < _columns.Length; c++)
        {
            ArgumentNullException.ThrowIfNull(_columns[c], nameof(columns));
            if (_columns[c].Length != EventCount)
            {
                throw new ArgumentException($"column '{_names[c]}' has {_columns[c].Length} events, the first has {EventCount}", nameof(columns));
            }
        }
    }

    /// <summary>Number of events (rows).</summary>
    public int EventCount { get; }

    /// <summary>Number of channels (columns).</summary>
    public int ChannelCount => _columns.Length;

    /// <summary>The channel names in column order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The values of channel <paramref name="index"/>, one per event.</summary>
    public ReadOnlySpan<double> Column(int index) => _columns[index];

    /// <summary>The array behind a column, for this library's own read-only use without a copy.</summary>
    internal double[] ColumnArray(int index) => _columns[index];

    /// <summary>The values of channel <paramref name="index"/> as memory (for work split across threads).</summary>
    public ReadOnlyMemory<double> ColumnMemory(int index) => _columns[index];

    /// <summary>The column index of a channel name (exact, ordinal), or -1 if absent; throws if the name is repeated.</summary>
    public int IndexOf(string name)
    {
        var found = -1;
        for (var c = 0; c < _names.Length; c++)
        {
            if (string.Equals(_names[c], name, StringComparison.Ordinal))
            {
                if (found >= 0)
                {
                    throw new InputException(new InputLocation(Element: $"channel '{name}'"),
                        $"channel name '{name}' appears more than once (columns {found + 1} and {c + 1}), so it cannot be referred to by name");
                }
                found = c;
            }
        }
        return found;
    }

    /// <summary>The values of the named channel; an input error naming the available channels if absent.</summary>
    public ReadOnlySpan<double> Column(string name) => _columns[RequireIndex(name)];

    /// <summary>The column index of a channel that must exist.</summary>
    public int RequireIndex(string name)
    {
        var index = IndexOf(name);
        if (index < 0)
        {
            throw new InputException(new InputLocation(Element: $"channel '{name}'"),
                $"no channel named '{name}'; the channels are: {string.Join(", ", _names)}");
        }
        return index;
    }

    /// <summary>A matrix from row-major values (event after event), as FCS DATA segments store them.</summary>
    public static EventMatrix FromRowMajor(IReadOnlyList<string> names, ReadOnlySpan<double> rowMajor)
    {
        ArgumentNullException.ThrowIfNull(names);
        var width = names.Count;
        if (width == 0)
        {
            return new EventMatrix(names, Array.Empty<double[]>());
        }
        if (rowMajor.Length % width != 0)
        {
            throw new ArgumentException($"{rowMajor.Length} values is not a whole number of {width}-channel events", nameof(rowMajor));
        }
        var count = rowMajor.Length / width;
        var columns = new double[width][];
        for (var c = 0; c < width; c++)
        {
            var column = new double[count];
            for (var e = 0; e < count; e++)
            {
                column[e] = rowMajor[e * width + c];
            }
            columns[c] = column;
        }
        return new EventMatrix(names, columns);
    }

    /// <summary>This matrix with some columns replaced (same name) or appended (new name); the others are shared.</summary>
    public EventMatrix With(IReadOnlyList<(string Name, double[] Values)> columns)
    {
        var names = new List<string>(_names);
        var data = new List<double[]>(_columns);
        foreach (var (name, values) in columns)
        {
            var at = IndexOf(name);
            if (at >= 0)
            {
                data[at] = values;
            }
            else
            {
                names.Add(name);
                data.Add(values);
            }
        }
        return new EventMatrix(names, data);
    }
}
