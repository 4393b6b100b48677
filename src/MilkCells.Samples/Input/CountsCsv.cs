using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Yaml;
using MilkCells.Samples.Analysis;

namespace MilkCells.Samples.Input;

/// <summary>Counts from a hemocytometer, a microscope or a lab report: one row per sample with any subset of the model's measures.</summary>
/// <remarks>
/// Columns: <c>sample_id</c> (required), optional <c>mother_id, lactation_day, breast, collected_at</c>, and any of the
/// measures of <see cref="Measures.All"/> (cells/mL by total, class or type, % leucocytes and stem cells, viable
/// fraction, bacteria, sodium, potassium, Na:K). What follows from the rest is filled in and noted: leucocytes/mL from
/// the total and % leucocytes and the reverse, the total from the three classes, Na:K from sodium and potassium.
/// An unknown column is refused (a typo would otherwise be silently ignored).
/// </remarks>
public static class CountsCsv
{
    private static readonly string[] InfoColumns = ["sample_id", "mother_id", "lactation_day", "breast", "collected_at"];

    /// <summary>Whether a CSV file is a counts table (it has measures and no <c>file</c> column).</summary>
    public static bool IsCounts(CsvTable table) => !table.Has("file");

    /// <summary>Reads every row as a sample.</summary>
    public static ImmutableArray<AnalyzedSample> Read(string path, MilkModel model) => Read(CsvTable.ReadFile(path), model);

    /// <summary>Reads a parsed table.</summary>
    public static ImmutableArray<AnalyzedSample> Read(CsvTable table, MilkModel model)
    {
        var measures = Measures.All(model).Select(m => m.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (table.Has("file"))
        {
            throw new InputException(InputLocation.AtLine(table.File, 1), "this CSV has a 'file' column, so it is a manifest of FCS files, not counts", "pass it with --manifest");
        }
        if (!table.Has("sample_id"))
        {
            throw new InputException(InputLocation.AtLine(table.File, 1), "a counts CSV needs a 'sample_id' column");
        }
        foreach (var column in table.Header)
        {
            if (!measures.Contains(column) && !InfoColumns.Contains(column, StringComparer.OrdinalIgnoreCase))
            {
                var known = InfoColumns.Concat(Measures.All(model).Select(m => m.Name)).ToList();
                var near = Spelling.Suggest(column, known);
                throw new InputException(new InputLocation(table.File, 1, Element: column), $"unknown column '{column}'",
                    near is not null ? $"did you mean '{near}'?" : "columns: " + string.Join(", ", known));
            }
        }
        var samples = ImmutableArray.CreateBuilder<AnalyzedSample>();
        foreach (var row in table.Rows)
        {
            var info = Manifest.ReadInfo(table, row, null);
            var values = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
            foreach (var column in table.Header.Where(measures.Contains))
            {
                if (table.Number(row, column) is { } v)
                {
                    values[column.ToLowerInvariant()] = v;
                }
            }
            var notes = new List<string>();
            Derive(values, notes);
            var where = new InputLocation(table.File, row.Line);
            if (values.TryGetValue(Measures.Viable, out var viable) && viable > 1)
            {
                throw new InputException(where with { Element = Measures.Viable }, $"{viable} is not a fraction", "give the viable fraction from 0 to 1");
            }
            foreach (var pct in new[] { Measures.PctLeucocyte, Measures.PctStem })
            {
                if (values.TryGetValue(pct, out var p) && p > 100)
                {
                    throw new InputException(where with { Element = pct }, $"{p} % is more than all cells");
                }
            }
            samples.Add(new AnalyzedSample(info, $"{table.File}:{row.Line}", null, values.ToImmutable(), ImmutableSortedDictionary<string, double>.Empty.WithComparers(StringComparer.Ordinal), [.. notes]));
        }
        return samples.ToImmutable();
    }

    private static void Derive(ImmutableSortedDictionary<string, double>.Builder v, List<string> notes)
    {
        bool Has(string m) => v.ContainsKey(m);
        if (!Has(Measures.Total) && Has(Measures.Epithelial) && Has(Measures.Leucocyte) && Has(Measures.Stem))
        {
            v[Measures.Total] = v[Measures.Epithelial] + v[Measures.Leucocyte] + v[Measures.Stem];
            notes.Add("total cells/mL = epithelial + leucocytes + stem cells");
        }
        if (!Has(Measures.Leucocyte) && Has(Measures.Total) && Has(Measures.PctLeucocyte))
        {
            v[Measures.Leucocyte] = v[Measures.Total] * v[Measures.PctLeucocyte] / 100;
            notes.Add("leucocytes/mL = total × % leucocytes");
        }
        if (!Has(Measures.PctLeucocyte) && Has(Measures.Total) && Has(Measures.Leucocyte) && v[Measures.Total] > 0)
        {
            v[Measures.PctLeucocyte] = 100 * v[Measures.Leucocyte] / v[Measures.Total];
            notes.Add("% leucocytes = leucocytes / total");
        }
        if (!Has(Measures.Total) && Has(Measures.Leucocyte) && Has(Measures.PctLeucocyte) && v[Measures.PctLeucocyte] > 0)
        {
            v[Measures.Total] = v[Measures.Leucocyte] * 100 / v[Measures.PctLeucocyte];
            notes.Add("total cells/mL = leucocytes / % leucocytes");
        }
        if (Has(Measures.Total) && Has(Measures.Leucocyte) && v[Measures.Leucocyte] > v[Measures.Total] * (1 + 1e-9))
        {
            notes.Add("leucocytes/mL exceed the total cells/mL given");
        }
        if (!Has(Measures.NaK) && Has(Measures.Sodium) && Has(Measures.Potassium) && v[Measures.Potassium] > 0)
        {
            v[Measures.NaK] = v[Measures.Sodium] / v[Measures.Potassium];
            notes.Add("Na:K computed from sodium and potassium");
        }
    }
}
