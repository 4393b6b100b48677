using System.Collections.Immutable;
using System.Globalization;
using MilkCells.Core.Provenance;
using MilkCells.Reports;
using MilkCells.Samples.Analysis;
using MilkCells.Samples.Findings;

namespace MilkCells.Samples.Output;

/// <summary>The report of <c>sample analyze</c>: samples and findings, each FCS sample's gating, reference bands, mothers' series and states, sources.</summary>
public static class SampleReport
{
    private static readonly string[] BandMeasures = [Measures.Leucocyte, Measures.Total, Measures.PctLeucocyte, Measures.Epithelial, Measures.Viable];

    /// <summary>Builds the report (a pure value; <see cref="ReportHtml"/> renders it).</summary>
    public static Report Build(AnalysisResult result, string codeVersion)
    {
        var o = result.Options;
        var metadata = new ReportMetadata(new CalibrationProfile("default", true, "modern flow cytometry"), null, null,
        [
            new("panel", $"{o.Panel.Name} ({o.Panel.Origin})"),
            new("reference set", SampleAnalysis.ReferenceCitation(o.Reference)),
            new("samples", result.Samples.Length.ToString(CultureInfo.InvariantCulture)),
            new("mothers", result.Mothers.Length.ToString(CultureInfo.InvariantCulture)),
            new("model", result.Model.Version),
            new("code", codeVersion),
            .. result.LibraryKey is { } key ? [new KeyValuePair<string, string>("state library", key)] : Array.Empty<KeyValuePair<string, string>>(),
        ]);
        var report = new Report("Milk samples", metadata).With("How to read this", new TextBlock(
            "Each sample's cells are counted per mL of milk in the model's classes and placed among simulated healthy mothers of the same lactation day " +
            "(the reference set's percentiles; outside its 2.5-97.5 % band a value is flagged: one healthy sample in twenty is flagged by design). " +
            "Findings say what the literature associates with such values, with the citation; they are not diagnoses. " +
            "For a mother with samples on several days, her values are shown against the band and her own baseline (the median of her samples), " +
            "and the probability of each health state on each day is inferred from the model's simulated cohorts (docs/sample.md, States).\n\n" +
            "FCS samples are gated with the panel below; each plot shows a gate's parent population with the gate drawn in orange."));

        report = report.With("Samples", SamplesTable(result), FindingsTable(result));
        var gated = result.Samples.Where(s => s.Sample.Fcs is { Plots.Length: > 0 }).ToList();
        if (gated.Count > 0)
        {
            var blocks = new List<ReportBlock>();
            foreach (var s in gated)
            {
                var fcs = s.Sample.Fcs!;
                blocks.Add(new TableBlock($"{s.Sample.Info.SampleId}: {Path.GetFileName(fcs.File)}, {fcs.Events:N0} events, counts by {fcs.CountRoute}, aggregate factor {fcs.AggregateFactor:0.####}",
                    ["population", "parent", "events", "% of parent", "cells/mL", "model cell types"],
                    [.. fcs.Populations.Select(p => ImmutableArray.Create(p.Population.Id, p.Population.ParentId ?? "-", p.Events.ToString(CultureInfo.InvariantCulture),
                        p.ParentEvents > 0 ? (100.0 * p.Events / p.ParentEvents).ToString("0.00", CultureInfo.InvariantCulture) : "-",
                        p.CellsPerMl is { } c ? c.ToString("0.###e+0", CultureInfo.InvariantCulture) : "",
                        p.Population.IsMapped ? string.Join(" ", p.Population.CellTypes) : "(not mapped)"))]));
                foreach (var plot in fcs.Plots)
                {
                    blocks.Add(new DensityPlot($"{s.Sample.Info.SampleId}: {plot.GateId} in {plot.ParentLabel}", plot.XLabel, plot.YLabel, plot.XRange, plot.YRange, plot.Bins,
                        plot.Counts, plot.Outline,
                        string.Create(CultureInfo.InvariantCulture, $"{plot.GateEvents:N0} of {plot.ParentEvents:N0} events ({(plot.ParentEvents > 0 ? 100.0 * plot.GateEvents / plot.ParentEvents : 0):0.00} %)")));
                }
            }
            if (result.Samples.Count(s => s.Sample.Fcs is not null) > gated.Count)
            {
                blocks.Add(new TextBlock($"Gate plots are drawn for the first {gated.Count} FCS samples; samples.csv has every sample's counts."));
            }
            report = report.With("Gating", [.. blocks]);
        }
        report = report.With("Reference bands", [.. BandCharts(result)]);
        if (result.Mothers.Length > 0)
        {
            report = report.With("Mothers", [.. MotherBlocks(result)]);
        }
        report = report.With("Panel", PanelTable(result));
        return report.With("Sources", new TableBlock(null, ["source"], [.. SampleOutputs.Citations(result).Select(c => ImmutableArray.Create(c))]),
            new ParameterTableBlock([.. o.Priors.Sourced.Select(p => new ParameterRow("state prior " + p.Name, p.Value.Value.ToString("R", CultureInfo.InvariantCulture), p.Value.Unit,
                new Provenance(p.Value.Source, p.Value.Note, ToConfidence(p.Value.Confidence), MeasurementEra.Derived)))], "Priors of the state inference"));
    }

    private static Confidence ToConfidence(string text) => text switch
    {
        "high" => Core.Provenance.Confidence.High,
        "medium" => Core.Provenance.Confidence.Medium,
        "low" => Core.Provenance.Confidence.Low,
        _ => Core.Provenance.Confidence.Assumption,
    };

    private static TableBlock SamplesTable(AnalysisResult result) => new("Each sample's main measures (flags: below the 2.5th or above the 97.5th percentile)",
        ["sample", "mother", "day", "breast", "leucocytes/mL", "all cells/mL", "% leucocytes", "viable", "flags"],
        [.. result.Samples.Select(r =>
        {
            var s = r.Sample;
            return ImmutableArray.Create(s.Info.SampleId, s.Info.MotherId ?? "", s.Info.LactationDay?.ToString(CultureInfo.InvariantCulture) ?? "", s.Info.Breast ?? "",
                Sci(s.Value(Measures.Leucocyte)), Sci(s.Value(Measures.Total)), Fixed(s.Value(Measures.PctLeucocyte)), Fixed(s.Value(Measures.Viable)),
                string.Join("; ", r.Placements.Where(p => p.Value.Flag.Length > 0).Select(p => $"{p.Key} {p.Value.Flag}")));
        })]);

    private static TableBlock FindingsTable(AnalysisResult result) => new("Findings (what the literature associates with these values; not diagnoses)",
        ["sample", "finding", "status", "what", "source"],
        [.. result.Samples.SelectMany(r => r.Findings.Select(f => ImmutableArray.Create(r.Sample.Info.SampleId, f.Id,
            f.Status switch { FindingStatus.Met => "met", FindingStatus.NotMet => "not met", _ => "not assessed" }, f.Text, f.Citation)))]);

    private static TableBlock PanelTable(AnalysisResult result)
    {
        var panel = result.Options.Panel;
        return new TableBlock($"{panel.Name}: {panel.Title}", ["population", "parent", "role", "model cell types", "source"],
            [.. panel.Populations.Select(p => ImmutableArray.Create(p.Id, p.ParentId ?? "-", p.Role.ToString().ToLowerInvariant(),
                p.IsMapped ? string.Join(" ", p.CellTypes) : "(not mapped)", p.Source ?? ""))]);
    }

    private static IEnumerable<ReportBlock> BandCharts(AnalysisResult result)
    {
        var dated = result.Samples.Where(s => s.Sample.Info.LactationDay is not null).ToList();
        if (dated.Count == 0)
        {
            yield return new TextBlock("No sample has a lactation day, so none is placed in the reference set.");
            yield break;
        }
        var days = dated.Select(s => s.Sample.Info.LactationDay!.Value).Distinct().OrderBy(d => d).ToImmutableArray();
        var measures = Measures.All(result.Model).ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var name in BandMeasures.Where(m => dated.Any(s => s.Sample.Values.ContainsKey(m))))
        {
            var m = measures[name];
            var series = new List<Series>
            {
                new("p2.5", [.. days.Select(d => result.Options.Reference.RangeAt(name, d)?.Low ?? double.NaN)], "#999999"),
                new("p50", [.. days.Select(d => result.Options.Reference.RangeAt(name, d)?.Median ?? double.NaN)], "#555555"),
                new("p97.5", [.. days.Select(d => result.Options.Reference.RangeAt(name, d)?.High ?? double.NaN)], "#999999"),
            };
            foreach (var group in dated.GroupBy(s => s.Sample.Info.MotherId ?? "(no mother)").OrderBy(g => g.Key, StringComparer.Ordinal).Take(8))
            {
                series.Add(new Series(group.Key, [.. days.Select(d => group.Where(s => s.Sample.Info.LactationDay == d).Select(s => s.Sample.Value(name)).OfType<double>().DefaultIfEmpty(double.NaN).Average())]));
            }
            yield return new LineChart
            {
                Title = $"{m.Label}: samples against the reference band",
                X = [.. days.Select(d => (double)d)],
                Series = [.. series],
                XLabel = "lactation day",
                YLabel = m.Unit,
                YScale = m.LogScale ? AxisScale.Logarithmic : AxisScale.Linear,
                Caption = "Grey: the 2.5th, 50th and 97.5th percentiles of simulated healthy mothers; colours: samples (up to eight mothers, averaged per day).",
            };
        }
    }

    private static IEnumerable<ReportBlock> MotherBlocks(AnalysisResult result)
    {
        foreach (var m in result.Mothers)
        {
            var days = m.Samples.Select(s => s.Sample.Info.LactationDay).OfType<int>().Distinct().OrderBy(d => d).ToImmutableArray();
            if (days.Length > 0 && m.Samples.Any(s => s.Sample.Values.ContainsKey(Measures.Leucocyte)))
            {
                var baseline = m.Baseline.GetValueOrDefault(Measures.Leucocyte, double.NaN);
                yield return new LineChart
                {
                    Title = $"Mother {m.MotherId}: leucocytes/mL",
                    X = [.. days.Select(d => (double)d)],
                    Series =
                    [
                        new("p2.5", [.. days.Select(d => result.Options.Reference.RangeAt(Measures.Leucocyte, d)?.Low ?? double.NaN)], "#999999"),
                        new("p97.5", [.. days.Select(d => result.Options.Reference.RangeAt(Measures.Leucocyte, d)?.High ?? double.NaN)], "#999999"),
                        new("her baseline (median)", [.. days.Select(_ => baseline)], "#009E73"),
                        .. new[] { "left", "right", "" }.Where(b => m.Samples.Any(s => (s.Sample.Info.Breast ?? "") == b)).Select(b =>
                            new Series(b.Length == 0 ? "breast not given" : b + " breast",
                                [.. days.Select(d => m.Samples.Where(s => s.Sample.Info.LactationDay == d && (s.Sample.Info.Breast ?? "") == b).Select(s => s.Sample.Value(Measures.Leucocyte)).OfType<double>().DefaultIfEmpty(double.NaN).Average())])),
                    ],
                    XLabel = "lactation day",
                    YLabel = "cells/mL",
                    YScale = AxisScale.Logarithmic,
                    Caption = "Her samples against the reference band (grey) and her own baseline (green).",
                };
            }
            if (m.States is { } st)
            {
                yield return new StackedAreaChart
                {
                    Title = $"Mother {m.MotherId}: probability of each state on each sample day",
                    X = [.. st.Days.Select(d => (double)d)],
                    Series = [.. st.States.Select((s, k) => new Series(s, [.. st.Daily.Select(day => day[k])]))],
                    XLabel = "lactation day",
                    YLabel = "probability",
                    AsPercent = false,
                    Caption = m.StatesNote,
                };
                yield return new TableBlock($"Mother {m.MotherId}: which state her series comes from", ["state", "prior", "posterior"],
                    [.. st.States.Select((s, k) => ImmutableArray.Create(s, st.Prior[k].ToString("0.####", CultureInfo.InvariantCulture), st.Probability[k].ToString("0.####", CultureInfo.InvariantCulture)))]);
            }
            else
            {
                yield return new TextBlock($"Mother {m.MotherId}: {m.StatesNote}.");
            }
        }
    }

    private static string Sci(double? v) => v is { } x ? x.ToString("0.###e+0", CultureInfo.InvariantCulture) : "";

    private static string Fixed(double? v) => v is { } x ? x.ToString("0.###", CultureInfo.InvariantCulture) : "";
}
