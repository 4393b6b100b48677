using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;

namespace MilkCells.Workflows.Simulate;

/// <summary>The reference set shipped in data/reference (embedded): the healthy cohort's percentiles of daily values by lactation-day window.</summary>
/// <remarks>Read-only and parsed once. A run's report draws them behind its own lines (issue 10: a single trajectory shows no spread).</remarks>
public sealed class ShippedReference
{
    private static readonly Lazy<ShippedReference?> Instance = new(Load);

    private readonly Dictionary<string, List<Row>> _byMeasure;

    private ShippedReference(Dictionary<string, List<Row>> byMeasure, ImmutableArray<double> percentiles, string cohort)
    {
        _byMeasure = byMeasure;
        Percentiles = percentiles;
        Cohort = cohort;
    }

    /// <summary>The embedded set, or null when the build has none.</summary>
    public static ShippedReference? Embedded => Instance.Value;

    /// <summary>The percentiles each row gives (2.5, 10, 25, 50, 75, 90, 97.5).</summary>
    public ImmutableArray<double> Percentiles { get; }

    /// <summary>The cohort it was built from (its header's "cohort" line).</summary>
    public string Cohort { get; }

    /// <summary>One row: a window of lactation days and its percentiles.</summary>
    public sealed record Row(int First, int Last, double[] Values);

    /// <summary>Percentile <paramref name="percentile"/> of <paramref name="measure"/> on each of <paramref name="days"/> (NaN where no window covers a day).</summary>
    public ImmutableArray<double> Band(string measure, double percentile, IEnumerable<int> days)
    {
        var column = Percentiles.IndexOf(percentile);
        if (column < 0 || !_byMeasure.TryGetValue(measure, out var rows))
        {
            return [.. days.Select(_ => double.NaN)];
        }
        return [.. days.Select(d => rows.FirstOrDefault(r => d >= r.First && d <= r.Last)?.Values[column] ?? double.NaN)];
    }

    /// <summary>Whether the set has <paramref name="measure"/>.</summary>
    public bool Has(string measure) => _byMeasure.ContainsKey(measure);

    private static ShippedReference? Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("MilkCells.Workflows.reference.csv");
        if (stream is null)
        {
            return null;
        }
        using var reader = new StreamReader(stream);
        var byMeasure = new Dictionary<string, List<Row>>(StringComparer.Ordinal);
        var cohort = "";
        string[]? header = null;
        var percentiles = ImmutableArray<double>.Empty;
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith("# cohort: ", StringComparison.Ordinal))
            {
                cohort = line["# cohort: ".Length..];
                continue;
            }
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }
            var cells = line.Split(',');
            if (header is null)
            {
                header = cells;
                percentiles = [.. header.Where(h => h.StartsWith('p')).Select(h => double.Parse(h[1..], CultureInfo.InvariantCulture))];
                continue;
            }
            var first = Array.IndexOf(header, "first_day");
            var last = Array.IndexOf(header, "last_day");
            var values = header.Select((h, i) => (h, i)).Where(x => x.h.StartsWith('p'))
                .Select(x => double.Parse(cells[x.i], CultureInfo.InvariantCulture)).ToArray();
            if (!byMeasure.TryGetValue(cells[0], out var list))
            {
                byMeasure[cells[0]] = list = [];
            }
            list.Add(new Row(int.Parse(cells[first], CultureInfo.InvariantCulture), int.Parse(cells[last], CultureInfo.InvariantCulture), values));
        }
        return new ShippedReference(byMeasure, percentiles, cohort);
    }
}
