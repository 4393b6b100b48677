using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using MilkCells.Core.Errors;

namespace MilkCells.Samples.Input;

/// <summary>A small CSV table (RFC 4180: quoted fields, doubled quotes), header first, lines starting with '#' skipped.</summary>
/// <remarks>Column names compare case-insensitively and trimmed; every row keeps its line number for messages.</remarks>
public sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;

    private CsvTable(string file, ImmutableArray<string> header, ImmutableArray<CsvRow> rows)
    {
        File = file;
        Header = header;
        Rows = rows;
        _columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Length; i++)
        {
            if (!_columns.TryAdd(header[i], i))
            {
                throw new InputException(InputLocation.AtLine(file, 1), $"column '{header[i]}' appears twice in the header");
            }
        }
    }

    /// <summary>The file it came from.</summary>
    public string File { get; }

    /// <summary>The column names.</summary>
    public ImmutableArray<string> Header { get; }

    /// <summary>The data rows.</summary>
    public ImmutableArray<CsvRow> Rows { get; }

    /// <summary>Whether the table has a column.</summary>
    public bool Has(string column) => _columns.ContainsKey(column);

    /// <summary>A column's index, or −1.</summary>
    public int IndexOf(string column) => _columns.TryGetValue(column, out var i) ? i : -1;

    /// <summary>Reads a CSV file.</summary>
    public static CsvTable ReadFile(string path)
    {
        try
        {
            return Parse(System.IO.File.ReadAllText(path), path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(InputLocation.InFile(path), $"cannot read: {ex.Message}");
        }
    }

    /// <summary>Parses CSV text.</summary>
    public static CsvTable Parse(string text, string file)
    {
        var records = new List<(int Line, string[] Fields)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        var atFieldStart = true;
        var comment = false;
        for (var i = 0; i <= text.Length; i++)
        {
            var end = i == text.Length;
            var ch = end ? '\n' : text[i];
            if (quoted)
            {
                if (end)
                {
                    throw new InputException(InputLocation.AtLine(file, recordLine), "a quoted field is not closed");
                }
                if (ch == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (ch == '\n')
                    {
                        line++;
                    }
                    field.Append(ch);
                }
                continue;
            }
            if (comment)
            {
                if (ch == '\n')
                {
                    comment = false;
                    line++;
                    recordLine = line;
                }
                continue;
            }
            switch (ch)
            {
                case '#' when atFieldStart && fields.Count == 0:
                    comment = true;
                    break;
                case '"' when atFieldStart:
                    quoted = true;
                    atFieldStart = false;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    atFieldStart = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    if (!(fields.Count == 1 && fields[0].Trim().Length == 0))
                    {
                        records.Add((recordLine, fields.ToArray()));
                    }
                    fields.Clear();
                    atFieldStart = true;
                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append(ch);
                    atFieldStart = false;
                    break;
            }
        }
        if (records.Count == 0)
        {
            throw new InputException(InputLocation.InFile(file), "the CSV file is empty: it needs a header line");
        }
        var header = records[0].Fields.Select(h => h.Trim()).ToImmutableArray();
        var rows = ImmutableArray.CreateBuilder<CsvRow>();
        foreach (var (at, values) in records.Skip(1))
        {
            if (values.Length != header.Length)
            {
                throw new InputException(InputLocation.AtLine(file, at), $"the row has {values.Length} fields; the header has {header.Length}");
            }
            rows.Add(new CsvRow(at, [.. values.Select(v => v.Trim())]));
        }
        return new CsvTable(file, header, rows.ToImmutable());
    }

    /// <summary>A row's text in a column, or null when the column is absent or the cell empty.</summary>
    public string? Text(CsvRow row, string column)
    {
        var i = IndexOf(column);
        return i < 0 || row.Values[i].Length == 0 ? null : row.Values[i];
    }

    /// <summary>A row's number in a column (null when absent or empty).</summary>
    /// <exception cref="InputException">Not a finite number, or negative when <paramref name="nonNegative"/>.</exception>
    public double? Number(CsvRow row, string column, bool nonNegative = true)
    {
        var text = Text(row, column);
        if (text is null)
        {
            return null;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new InputException(new InputLocation(File, row.Line, Element: column), $"'{text}' is not a number");
        }
        if (nonNegative && value < 0)
        {
            throw new InputException(new InputLocation(File, row.Line, Element: column), $"{text} is negative; counts, volumes and concentrations cannot be");
        }
        return value;
    }

    /// <summary>A field as CSV text (quoted when it holds a comma, quote or line break).</summary>
    public static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>One data row with its line number.</summary>
/// <param name="Line">1-based line of the file.</param>
/// <param name="Values">The fields, trimmed.</param>
public sealed record CsvRow(int Line, ImmutableArray<string> Values);
