using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using MilkCells.Core.Errors;
using MilkCells.Samples.Input;

namespace MilkCells.Samples.Reference;

/// <summary>One row of a reference set: the percentiles of a measure over the mother-days of a lactation-day window and stage.</summary>
/// <param name="Measure">The measure (a daily.csv column).</param>
/// <param name="Unit">Its unit.</param>
/// <param name="Stage">The lactation stage.</param>
/// <param name="FirstDay">First lactation day of the window.</param>
/// <param name="LastDay">Last lactation day.</param>
/// <param name="Percentiles">The probabilities, in percent (2.5 … 97.5).</param>
/// <param name="Values">The percentiles' values.</param>
public sealed record ReferenceRange(string Measure, string Unit, string Stage, int FirstDay, int LastDay, ImmutableArray<double> Percentiles, ImmutableArray<double> Values)
{
    /// <summary>The median, or the middle percentile given.</summary>
    public double Median => Values[Percentiles.IndexOf(50) is var i and >= 0 ? i : Values.Length / 2];

    /// <summary>The lowest percentile's value (2.5 %).</summary>
    public double Low => Values[0];

    /// <summary>The highest percentile's value (97.5 %).</summary>
    public double High => Values[^1];
}

/// <summary>Where a sample's value falls in the reference set at its lactation day.</summary>
/// <param name="Range">The reference row used.</param>
/// <param name="Percentile">The percentile (interpolated between the set's; at its ends when outside them).</param>
/// <param name="Flag">"low" below the lowest percentile (2.5 %), "high" above the highest (97.5 %), else "".</param>
public sealed record PercentilePlacement(ReferenceRange Range, double Percentile, string Flag);

/// <summary>A reference set as <c>milkcells reference build</c> writes it (reference.csv), read for placing samples.</summary>
/// <remarks>
/// The percentiles are Hyndman &amp; Fan type-7 quantiles of simulated healthy mother-days (docs: README "Reference
/// ranges"). A value's percentile is found by linear interpolation between the set's percentiles — on the log scale for
/// measures that span orders of magnitude — and is only known between the lowest and highest percentile given: outside
/// them it is reported at that end and flagged. The default set (data/reference/reference.csv: healthy, 1,000 mothers ×
/// 365 days) is embedded.
/// </remarks>
public sealed class ReferenceTable
{
    private readonly Dictionary<string, ReferenceRange[]> _byMeasure;

    private ReferenceTable(string origin, ImmutableArray<KeyValuePair<string, string>> header, ImmutableArray<ReferenceRange> rows)
    {
        Origin = origin;
        Header = header;
        Rows = rows;
        _byMeasure = rows.GroupBy(r => r.Measure, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(r => r.FirstDay).ToArray(), StringComparer.Ordinal);
        FirstDay = rows.Min(r => r.FirstDay);
        LastDay = rows.Max(r => r.LastDay);
    }

    /// <summary>"builtin:default" or the file read.</summary>
    public string Origin { get; }

    /// <summary>The file's <c># key: value</c> lines (cohort, versions, rebuild command).</summary>
    public ImmutableArray<KeyValuePair<string, string>> Header { get; }

    /// <summary>Every row.</summary>
    public ImmutableArray<ReferenceRange> Rows { get; }

    /// <summary>The first lactation day covered.</summary>
    public int FirstDay { get; }

    /// <summary>The last lactation day covered.</summary>
    public int LastDay { get; }

    /// <summary>The measures with ranges.</summary>
    public IEnumerable<string> Measures => _byMeasure.Keys;

    private static readonly Lazy<ReferenceTable> DefaultTable = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("MilkCells.Samples.reference.csv")
            ?? throw new InvalidOperationException("the default reference set is not embedded");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "data/reference/reference.csv", "builtin:default");
    });

    /// <summary>The shipped default reference set.</summary>
    public static ReferenceTable Default => DefaultTable.Value;

    /// <summary>"default", a folder holding reference.csv, or a reference.csv file.</summary>
    /// <exception cref="InputException">Not found or not a reference set.</exception>
    public static ReferenceTable Load(string what)
    {
        if (what == "default")
        {
            return Default;
        }
        var path = Directory.Exists(what) ? Path.Combine(what, "reference.csv") : what;
        if (!File.Exists(path))
        {
            throw new InputException(new InputLocation(File: path, Element: "--reference"), "no reference set here",
                "give 'default', a folder written by 'milkcells reference build', or its reference.csv");
        }
        return Parse(File.ReadAllText(path), path, path);
    }

    /// <summary>Parses reference.csv text.</summary>
    public static ReferenceTable Parse(string text, string file, string origin)
    {
        var header = text.Split('\n').Where(l => l.StartsWith("# ", StringComparison.Ordinal) && l.Contains(": ", StringComparison.Ordinal))
            .Select(l => l[2..].TrimEnd('\r')).Select(l => new KeyValuePair<string, string>(l[..l.IndexOf(": ", StringComparison.Ordinal)], l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..]))
            .ToImmutableArray();
        var table = CsvTable.Parse(text, file);
        foreach (var column in new[] { "measure", "unit", "stage", "first_day", "last_day" })
        {
            if (!table.Has(column))
            {
                throw new InputException(InputLocation.AtLine(file, 1), $"not a reference set: no '{column}' column", "write one with 'milkcells reference build'");
            }
        }
        var pColumns = table.Header.Where(h => h.StartsWith('p') && double.TryParse(h[1..], NumberStyles.Float, CultureInfo.InvariantCulture, out _)).ToList();
        if (pColumns.Count < 2)
        {
            throw new InputException(InputLocation.AtLine(file, 1), "not a reference set: fewer than two percentile columns (p2.5 … p97.5)");
        }
        var ps = pColumns.Select(h => double.Parse(h[1..], CultureInfo.InvariantCulture)).ToImmutableArray();
        var rows = ImmutableArray.CreateBuilder<ReferenceRange>();
        foreach (var row in table.Rows)
        {
            var first = (int)(table.Number(row, "first_day") ?? 0);
            var last = (int)(table.Number(row, "last_day") ?? 0);
            var values = pColumns.Select(c => table.Number(row, c, nonNegative: false) ?? double.NaN).ToImmutableArray();
            rows.Add(new ReferenceRange(table.Text(row, "measure")!, table.Text(row, "unit") ?? "", table.Text(row, "stage") ?? "", first, last, ps, values));
        }
        if (rows.Count == 0)
        {
            throw new InputException(InputLocation.InFile(file), "the reference set has no rows");
        }
        return new ReferenceTable(origin, header, rows.ToImmutable());
    }

    /// <summary>The range of <paramref name="measure"/> at lactation day <paramref name="day"/>, or null.</summary>
    public ReferenceRange? RangeAt(string measure, int day) =>
        _byMeasure.TryGetValue(measure, out var rows) ? rows.FirstOrDefault(r => r.FirstDay <= day && day <= r.LastDay) : null;

    /// <summary>Whether the set covers a lactation day.</summary>
    public bool Covers(int day) => Rows.Any(r => r.FirstDay <= day && day <= r.LastDay);

    /// <summary>Places a value in the range of its measure at its lactation day; null when the set has no such range.</summary>
    public PercentilePlacement? Place(string measure, int day, double value, bool logScale)
    {
        if (RangeAt(measure, day) is not { } range || !double.IsFinite(value))
        {
            return null;
        }
        var ps = range.Percentiles;
        var qs = range.Values;
        double T(double x) => logScale ? Math.Log(Math.Max(x, 1e-300)) : x;
        var v = T(value);
        if (v < T(qs[0]))
        {
            return new PercentilePlacement(range, ps[0], "low");
        }
        if (v > T(qs[^1]))
        {
            return new PercentilePlacement(range, ps[^1], "high");
        }
        for (var i = 0; i < qs.Length - 1; i++)
        {
            var (lo, hi) = (T(qs[i]), T(qs[i + 1]));
            if (v <= hi)
            {
                var w = hi > lo ? (v - lo) / (hi - lo) : 0.5;
                return new PercentilePlacement(range, ps[i] + w * (ps[i + 1] - ps[i]), "");
            }
        }
        return new PercentilePlacement(range, ps[^1], "");
    }
}
