using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using MilkCells.Model.Catalogue;
using MilkCells.Reports;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Cohorts.Reference;

/// <summary>Writes a reference set as CSV (with the commands that rebuild it) and as a report with plots.</summary>
/// <remarks>
/// reference.csv: comment lines <c># key: value</c> (what, quantile definition, the rebuild command, the cohort's
/// scenario, profile, seed, size, versions and fingerprint), then <c>measure,unit,stage,first_day,last_day,n,mothers,p2.5,…</c>.
/// Percentiles have 6 significant digits (a Monte-Carlo estimate carries fewer). Same set → same bytes.
/// </remarks>
public static class ReferenceFiles
{
    /// <summary>The CSV file name.</summary>
    public const string Csv = "reference.csv";

    /// <summary>The report file name.</summary>
    public const string Html = "report.html";

    /// <summary>The store the rebuild command names: the results do not depend on it.</summary>
    public const string RebuildStore = "sqlite:reference.db";

    /// <summary>The one shell line that rebuilds <paramref name="set"/> into <paramref name="outDir"/> (as typed).</summary>
    public static string RebuildCommand(ReferenceSet set, string outDir)
    {
        var s = set.Source;
        var windows = set.Windows.SequenceEqual(DayWindows.Default) ? "" : " --windows " + DayWindows.Format(set.Windows);
        return string.Create(CultureInfo.InvariantCulture,
            $"milkcells cohort run --scenario {s.Scenario} --profile {s.Profile} --mothers {s.Mothers} --days {s.Days} --seed {s.Seed} --store {RebuildStore} && milkcells reference build --store {RebuildStore} --out {outDir}{windows}");
    }

    /// <summary>The (key, value) header lines of the CSV.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Header(ReferenceSet set, string outDir)
    {
        var s = set.Source;
        var marking = MarkingOf(s.Profile);
        var lines = new List<KeyValuePair<string, string>>();
        if (marking is not null)
        {
            lines.Add(new("calibration profile", $"'{s.Profile}': {marking}"));
        }
        lines.AddRange(
        [
            new("what", "MilkCells reference ranges: percentiles of daily values of simulated mother-days, per lactation-day window and stage"),
            new("quantiles", "Hyndman & Fan (1996) definition 7 (R's default), exact; NULL values (no milk drunk that day) left out"),
            new("rebuild", RebuildCommand(set, outDir)),
            new("cohort", string.Create(CultureInfo.InvariantCulture, $"scenario {s.Scenario} ({s.ScenarioHash}), profile {s.Profile}, seed {s.Seed}, {s.Mothers} mothers x {s.Days} days")),
            new("versions", $"model {s.ModelVersion}, code {s.CodeVersion}"),
            new("fingerprint", $"{set.Fingerprint} (rows of mothers 0-{CohortFingerprint.DefaultMothers - 1}; see CohortFingerprint)"),
        ]);
        return lines;
    }

    /// <summary>The CSV column names.</summary>
    public static IEnumerable<string> Columns(ReferenceSet set) =>
        new[] { "measure", "unit", "stage", "first_day", "last_day", "n", "mothers" }.Concat(set.Percentiles.Select(p => "p" + p.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Writes the CSV.</summary>
    public static void WriteCsv(ReferenceSet set, string outDir, TextWriter w)
    {
        foreach (var (key, value) in Header(set, outDir))
        {
            w.Write($"# {key}: {value}\n");
        }
        w.Write(string.Join(',', Columns(set)));
        w.Write('\n');
        foreach (var row in set.Rows)
        {
            w.Write(string.Create(CultureInfo.InvariantCulture, $"{row.Measure.Column},{row.Measure.Unit},{row.Stage},{row.Window.First},{row.Window.Last},{row.N},{row.Mothers}"));
            foreach (var v in row.Values)
            {
                w.Write(',');
                w.Write(Number(v));
            }
            w.Write('\n');
        }
    }

    /// <summary>Writes reference.csv and report.html into <paramref name="outDir"/>, each written beside and renamed into place.</summary>
    public static IReadOnlyList<string> WriteAll(ReferenceSet set, string outDir) => WriteAll(set, outDir, outDir);

    /// <summary>Writes the CSV and report into the existing <paramref name="folder"/>, naming <paramref name="outDir"/> (the folder as the user gave it) in the rebuild command.</summary>
    public static IReadOnlyList<string> WriteAll(ReferenceSet set, string folder, string outDir)
    {
        var full = Path.GetFullPath(folder);
        Directory.CreateDirectory(full);
        WriteAtomically(Path.Combine(full, Csv), w => WriteCsv(set, outDir, w));
        WriteAtomically(Path.Combine(full, Html), w => w.Write(ReportHtml.Render(Report(set, outDir))));
        return [Csv, Html];
    }

    /// <summary>The report: how to read it, then one chart of the percentile bands per measure.</summary>
    public static Report Report(ReferenceSet set, string outDir)
    {
        var s = set.Source;
        var marking = MarkingOf(s.Profile);
        var metadata = new ReportMetadata(new CalibrationProfile(s.Profile, marking is null, marking), s.Seed, s.Scenario,
        [
            .. Header(set, outDir).Where(l => l.Key is "cohort" or "versions" or "fingerprint" or "rebuild"),
            new("mother-days", set.RowsRead.ToString("N0", CultureInfo.InvariantCulture)),
        ]);
        var report = new Report($"Reference ranges: {s.Scenario}, {s.Mothers:N0} simulated mothers", metadata).With("How to read this",
            new TextBlock(
                "Each chart shows one daily quantity over lactation: the shaded bands hold the central 95 % (percentiles 2.5–97.5), " +
                "80 % (10–90) and 50 % (25–75) of the simulated mother-days in each lactation-day window and stage, the line is the " +
                "median, and each value holds across its window's days. A real sample of that day is placed by the band it falls in.\n\n" +
                "Quantiles: Hyndman & Fan (1996) definition 7, the default of R. Concentrations are of the milk the infant drank that day " +
                "(volume-weighted); days without breast milk are left out. These are ranges of the model, not of measured women: the model's " +
                "between-mother and day-to-day variability (docs/model.md §7) decides their width."));
        var stages = set.Rows.GroupBy(r => r.Stage).Select(g => (Stage: g.Key, First: g.Min(r => r.FirstDay), Last: g.Max(r => r.LastDay))).OrderBy(b => b.First).ToArray();
        var bands = stages.Select((b, i) => new Band(b.First, b.Last + 1, b.Stage, i % 2 == 0 ? "rgba(120,120,120,0.08)" : "rgba(120,120,120,0.16)")).ToImmutableArray();
        var blocks = new List<ReportBlock>();
        foreach (var measure in set.Rows.GroupBy(r => r.Measure))
        {
            // Each window's percentiles hold over its days [first, last + 1): two points per window draw a step.
            var rows = measure.OrderBy(r => r.FirstDay).ToArray();
            ImmutableArray<double> Steps(Func<ReferenceRow, double> value) => [.. rows.SelectMany(r => new[] { value(r), value(r) })];
            ImmutableArray<double> Percentile(double p) => Steps(r => r.Values[set.Percentiles.IndexOf(p)]);
            var pairs = set.Percentiles.Where(p => p < 50 && set.Percentiles.Contains(100 - p)).ToArray();
            blocks.Add(new LineChart
            {
                Title = $"{Title(measure.Key)} ({measure.Key.Unit})",
                X = Steps(r => r.FirstDay).Select((v, i) => i % 2 == 0 ? v : rows[i / 2].LastDay + 1.0).ToImmutableArray(),
                Series = [],
                Ranges =
                [
                    new PercentileBands("simulated mothers",
                        [.. pairs.Select(p => new PercentileBand(p, 100 - p, Percentile(p), Percentile(100 - p)))],
                        set.Percentiles.Contains(50) ? Percentile(50) : default, "#0072B2"),
                ],
                XLabel = "lactation day (square-root scale)",
                XScale = AxisScale.SquareRoot,
                YLabel = measure.Key.Unit,
                YScale = measure.Key.LogScale ? AxisScale.Logarithmic : AxisScale.Linear,
                Bands = bands,
            });
        }
        return report.With("Percentiles by lactation day", [.. blocks]);
    }

    /// <summary>What a measure is, in words (its unit goes after it).</summary>
    public static string Title(ReferenceMeasure measure) => measure.Column switch
    {
        "cells_per_ml_total" => "All cells per mL of milk drunk",
        "cells_per_ml_epithelial" => "Epithelial cells per mL",
        "cells_per_ml_leucocyte" => "Leucocytes per mL",
        "cells_per_ml_stem" => "Stem/progenitor cells per mL",
        "pct_leucocyte" => "Leucocytes",
        "pct_stem" => "Stem/progenitor cells",
        "viable_fraction" => "Viable share of the cells",
        "milk_ml" => "Milk drunk",
        "ingested_total" => "Cells swallowed",
        "bacteria_cfu_per_ml" => "Bacteria in the milk drunk",
        "sodium_mmol_l" => "Sodium",
        "potassium_mmol_l" => "Potassium",
        "na_k_ratio" => "Sodium to potassium, Na:K",
        var column when column.StartsWith("cells_per_ml_", StringComparison.Ordinal)
            && MilkModel.Embedded.CellTypes.FirstOrDefault(c => c.Id.Replace('-', '_') == column["cells_per_ml_".Length..]) is { } type
            => $"{type.Name} per mL",
        var column => char.ToUpperInvariant(column[0]) + column[1..].Replace('_', ' '),
    };

    private static string? MarkingOf(string profile) =>
        MilkModel.Embedded.Profiles.FirstOrDefault(p => p.Id == profile) is { IsDefault: false } p ? p.Marking : null;

    private static string Number(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    private static void WriteAtomically(string path, Action<TextWriter> body)
    {
        var temp = path + ".partial";
        try
        {
            using (var w = new StreamWriter(temp, false, new UTF8Encoding(false)) { NewLine = "\n" })
            {
                body(w);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
