using System.Globalization;
using MilkCells.Core.Errors;

namespace MilkCells.Cytometry.Compensation;

/// <summary>Reads a spillover matrix from a text file, in any of the layouts cytometry software writes.</summary>
/// <remarks>
/// Accepted, detected from the content:
/// <list type="bullet">
/// <item>a table: a header line of detector names, then one line of coefficients per fluorochrome (CSV as FlowKit
/// and cytometer exports write it; tab-, semicolon- or space-separated alike; names may be quoted);</item>
/// <item>the same with a row name first on each line (R's <c>write.table</c>, flowCore's reference matrices); rows
/// named in another order than the header are put back in header order;</item>
/// <item>FlowJo's matrix export: a title line and a <c>&lt;TAB&gt;</c> line before the table;</item>
/// <item>an FCS spillover keyword value, "n,name₁,…,nameₙ,coefficients…".</item>
/// </list>
/// Line ends may be LF, CRLF or CR (FlowJo on classic Mac OS).
/// </remarks>
public static class SpilloverFile
{
    /// <summary>Reads the spillover matrix in <paramref name="path"/>.</summary>
    /// <exception cref="InputException">The file is missing or holds no readable matrix; the message names the line.</exception>
    public static SpilloverMatrix Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(InputLocation.InFile(path), $"cannot read the spillover matrix file: {ex.Message}", inner: ex);
        }
        return Parse(text, path);
    }

    /// <summary>Reads a spillover matrix from text; <paramref name="source"/> names it in errors.</summary>
    public static SpilloverMatrix Parse(string text, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = SplitLines(text);
        if (lines.Count == 0)
        {
            throw new InputException(InputLocation.InFile(source), "the spillover matrix file is empty");
        }
        if (lines.Count == 1 && lines[0].Text.Contains(',') && int.TryParse(lines[0].Text.Split(',')[0].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            return SpilloverMatrix.ParseFcsKeyword(lines[0].Text, "spillover keyword", source);
        }

        var rows = lines.Select(l => (l.Number, Tokens: Tokenize(l.Text))).ToList();
        // The header is the last line before the first row that holds numbers.
        var firstNumeric = rows.FindIndex(r => r.Tokens.Count > 0 && r.Tokens.Skip(r.Tokens.Count > 1 ? 1 : 0).All(IsNumber));
        if (firstNumeric < 1)
        {
            throw new InputException(InputLocation.AtLine(source, rows[0].Number),
                firstNumeric == 0 ? "the matrix has no header line of channel names before its numbers" : "no line of coefficients found");
        }
        var (headerLine, header) = rows[firstNumeric - 1];
        if (header.Count > 0 && header[0].Length == 0)
        {
            header = header.Skip(1).ToList(); // an empty corner cell above the row names
        }
        var location = InputLocation.AtLine(source, headerLine);
        SpilloverMatrix.CheckNames(header, location);
        var n = header.Count;

        var labels = new List<string>();
        var values = new List<double[]>();
        for (var r = firstNumeric; r < rows.Count; r++)
        {
            var (number, tokens) = rows[r];
            string? label = null;
            if (tokens.Count == n + 1)
            {
                label = tokens[0];
                tokens = tokens.Skip(1).ToList();
            }
            if (tokens.Count != n)
            {
                throw new InputException(InputLocation.AtLine(source, number), $"{tokens.Count} values on this line, the header names {n} channels");
            }
            var row = new double[n];
            for (var j = 0; j < n; j++)
            {
                if (!TryNumber(tokens[j], out row[j]))
                {
                    throw new InputException(InputLocation.AtLine(source, number), $"'{SpilloverMatrix.Shorten(tokens[j])}' (column {j + 1}) is not a number");
                }
            }
            if (label is not null)
            {
                labels.Add(label);
            }
            values.Add(row);
        }
        if (labels.Count != 0 && labels.Count != values.Count)
        {
            throw new InputException(location, "some coefficient lines start with a row name and others do not");
        }

        if (labels.Count == 0)
        {
            if (values.Count != n)
            {
                throw new InputException(location, $"{values.Count} coefficient lines for {n} channels; without row names the matrix must be square");
            }
            return new SpilloverMatrix(header, header, ToArray(values, n), Path.GetFileName(source));
        }

        SpilloverMatrix.CheckNames(labels, location);
        if (labels.All(header.Contains) && labels.Count == n)
        {
            // Rows named by detectors: put them in header order so the diagonal is each detector's own fluorochrome.
            var ordered = header.Select(h => values[labels.IndexOf(h)]).ToList();
            return new SpilloverMatrix(header, header, ToArray(ordered, n), Path.GetFileName(source));
        }
        if (labels.Count > n)
        {
            throw new InputException(location, $"{labels.Count} fluorochrome rows cannot be unmixed from {n} detectors");
        }
        return new SpilloverMatrix(labels, header, ToArray(values, n), Path.GetFileName(source));
    }

    private static double[,] ToArray(IReadOnlyList<double[]> rows, int n)
    {
        var m = new double[rows.Count, n];
        for (var i = 0; i < rows.Count; i++)
        {
            for (var j = 0; j < n; j++)
            {
                m[i, j] = rows[i][j];
            }
        }
        return m;
    }

    private static List<(int Number, string Text)> SplitLines(string text)
    {
        var result = new List<(int, string)>();
        var number = 0;
        foreach (var raw in text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n'))
        {
            number++;
            var line = raw.Trim().TrimStart('\uFEFF');
            if (line.Length > 0)
            {
                result.Add((number, line));
            }
        }
        return result;
    }

    /// <summary>Splits a line at tabs, else commas, else semicolons, else runs of spaces; double quotes protect separators.</summary>
    private static List<string> Tokenize(string line)
    {
        var unquoted = string.Concat(line.Split('"').Where((_, i) => i % 2 == 0));
        var separator = unquoted.Contains('\t') ? '\t' : unquoted.Contains(',') ? ',' : unquoted.Contains(';') ? ';' : ' ';
        var tokens = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        var pending = false;
        foreach (var ch in line)
        {
            if (ch == '"')
            {
                quoted = !quoted;
                pending = true;
            }
            else if (!quoted && (ch == separator || (separator == ' ' && char.IsWhiteSpace(ch))))
            {
                if (separator != ' ' || pending || current.Length > 0)
                {
                    tokens.Add(current.ToString().Trim());
                }
                current.Clear();
                pending = false;
            }
            else
            {
                current.Append(ch);
            }
        }
        if (separator != ' ' || pending || current.Length > 0)
        {
            tokens.Add(current.ToString().Trim());
        }
        return tokens;
    }

    private static bool IsNumber(string token) => TryNumber(token, out _);

    private static bool TryNumber(string token, out double value) =>
        double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
