using System.Collections.Immutable;
using System.Globalization;
using MilkCells.Reports;
using MilkCells.SingleCell;
using MilkCells.SingleCell.Analysis;
using MilkCells.SingleCell.Annotation;

namespace MilkCells.Cli.Scrna;

/// <summary>report.html of <c>scrna annotate</c>: embedding by type and by cluster, marker dot plot, composition against the model, QC histograms.</summary>
internal static class ScrnaReport
{
    private static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    public static Report Build(PipelineResult r, PipelineOptions options, List<CompositionRow> composition, ExpectedComposition? expected, string markersOrigin, string codeVersion)
    {
        var metadata = new ReportMetadata(new CalibrationProfile("default", true, "modern flow cytometry"), options.Seed, expected?.Scenario,
            [new("input", $"{r.Input.Source} — {r.Input.Format}"), new("markers", markersOrigin), new("code", codeVersion)]);
        var report = new Report($"Single-cell annotation: {Path.GetFileName(r.Input.Source.TrimEnd('/'))}", metadata);
        var kept = r.CellCount;
        report = report.With("Summary",
            new TextBlock($"{r.Input.CellCount:N0} cells × {r.Input.FeatureCount:N0} genes ({r.InputKind}); {kept:N0} cells passed quality control, {r.Clusters.Count} Leiden clusters, "
                + $"{r.Annotation.Sets.Length} cell types scored ({r.Annotation.Skipped.Length} without any marker in the matrix)."),
            new TableBlock("Methods and parameters", ["step", "method", "parameters"], [.. Methods(r, options).Select(m => ImmutableArray.Create(m.Step, m.Method, m.Parameters))]));
        if (r.Warnings.Length > 0)
        {
            report = report.With("Warnings", new TextBlock(string.Join("\n\n", r.Warnings)));
        }
        report = report.With("Embedding (UMAP)", Embedding(r, byType: true), Embedding(r, byType: false));
        report = report.With("Marker genes", DotPlot(r), new TableBlock("Clusters", ["cluster", "cells", "cell type", "CL id", "score", "confidence", "top markers"],
            [.. Enumerable.Range(0, r.Clusters.Count).Select(c =>
            {
                var call = r.Annotation.ClusterCall[c];
                var set = call < 0 ? null : r.Annotation.Sets[call].Set;
                return ImmutableArray.Create(c.ToString(CultureInfo.InvariantCulture), r.Clusters.Membership.Count(m => m == c).ToString(CultureInfo.InvariantCulture),
                    set?.Id ?? AnnotationResult.Unassigned, set?.OntologyId ?? "", F(r.Annotation.ClusterScore[c], "0.###"), F(r.Annotation.ClusterConfidence[c], "0.##"),
                    string.Join(", ", r.Markers[c].Where(m => m.Z > 0).Take(6).Select(m => $"{r.Genes[m.Gene]} ({F(m.Log2FoldChange, "0.0")})")));
            })]));
        report = report.With(Composition(composition, expected));
        report = report.With("Quality control", Histogram("UMIs per cell", r.Qc.TotalCounts, r.Qc.Keep, log: true), Histogram("Genes detected per cell",
            r.Qc.GenesDetected.Select(g => (double)g).ToArray(), r.Qc.Keep, log: true), Histogram("Mitochondrial share (%)", r.Qc.PctMito, r.Qc.Keep, log: false),
            new TableBlock("Thresholds", ["metric", "removed if", "threshold", "rule", "cells removed"],
                [.. r.Qc.Thresholds.Select(t => ImmutableArray.Create(t.Metric, t.Direction, F(t.Value, "0.###"), t.Rule, t.Removed.ToString(CultureInfo.InvariantCulture)))]));
        return report;
    }

    public static IEnumerable<(string Step, string Method, string Parameters)> Methods(PipelineResult r, PipelineOptions o)
    {
        yield return ("quality control", "MAD outliers (scater isOutlier; McCarthy et al. 2017)", $"{F(o.QcMads, "0.#")} MADs; {string.Join("; ", r.Qc.Thresholds.Select(t => $"{t.Metric} {t.Direction} {F(t.Value, "0.###")}"))}");
        yield return ("normalisation", r.InputKind == "counts" ? "LogNormalize (Satija et al. 2015)" : "none (input already log-normalised)", r.InputKind == "counts" ? "scale factor 10,000, ln(1 + x)" : "");
        yield return ("highly variable genes", r.Hvg.Method == HvgMethod.Vst ? "vst (Stuart et al. 2019)" : "dispersion (Satija et al. 2015; Zheng et al. 2017)",
            $"{r.Hvg.Selected.Length} genes{(r.Hvg.Method == HvgMethod.Vst ? ", loess span 0.3" : ", 20 bins")}");
        yield return ("PCA", "randomised SVD (Halko, Martinsson & Tropp 2011)", $"{r.Pca.Scores.Columns} components, genes scaled and clipped at 10, 4 power iterations, oversampling 10");
        yield return ("neighbours", "exact kNN, UMAP fuzzy graph (McInnes et al. 2018)", $"k = {r.Knn.K} (self included) on {Math.Min(o.NeighbourDimensions, r.Pca.Scores.Columns)} PCs, Euclidean");
        yield return ("clustering", "Leiden (Traag, Waltman & van Eck 2019)", $"modularity, resolution {F(o.Resolution, "0.###")}, θ 0.01, {r.Clusters.Iterations} iteration(s)");
        yield return ("embedding", "UMAP (McInnes et al. 2018)", $"min_dist 0.5, spread 1, {o.UmapEpochs ?? Umap.DefaultEpochs(r.CellCount)} epochs, PCA initialisation");
        yield return ("markers", "Wilcoxon rank-sum, one cluster vs rest, BH-adjusted", "tie-corrected normal approximation; log2 fold change of mean expm1");
        yield return ("annotation", "module score (Tirosh et al. 2016, Seurat AddModuleScore), kNN-smoothed", $"24 bins, 100 controls per marker, unassigned below {F(o.MinScore, "0.###")}");
    }

    private static ScatterChart Embedding(PipelineResult r, bool byType)
    {
        var labels = Enumerable.Range(0, r.CellCount).Select(k => byType ? r.Annotation.CellType(k) : $"cluster {r.Clusters.Membership[k]}").ToArray();
        var groups = labels.Distinct().OrderBy(l => l == AnnotationResult.Unassigned).ThenBy(l => byType ? 0 : int.Parse(l["cluster ".Length..], CultureInfo.InvariantCulture)).ThenBy(l => l, StringComparer.Ordinal)
            .Select((g, i) =>
            {
                var idx = Enumerable.Range(0, r.CellCount).Where(k => labels[k] == g).ToArray();
                return new ScatterGroup(g, [.. idx.Select(k => (double)r.Embedding[k, 0])], [.. idx.Select(k => (double)r.Embedding[k, 1])],
                    g == AnnotationResult.Unassigned ? "#BBBBBB" : Colour(i));
            }).ToImmutableArray();
        return new ScatterChart
        {
            Title = byType ? "UMAP coloured by cell type" : "UMAP coloured by Leiden cluster",
            Series = [],
            Groups = groups,
            XLabel = "UMAP 1",
            YLabel = "UMAP 2",
            PointRadius = r.CellCount > 20_000 ? 0.8 : r.CellCount > 3000 ? 1.2 : 2,
        };
    }

    /// <summary>A distinct colour per group: the Okabe–Ito palette, then evenly spaced hues.</summary>
    private static string Colour(int i)
    {
        if (i < ReportHtml.Palette.Count - 1)
        {
            return ReportHtml.Palette[i];
        }
        var hue = (i * 137.508) % 360;
        return $"hsl({hue.ToString("0", CultureInfo.InvariantCulture)}, 60%, 45%)";
    }

    private static DotPlotChart DotPlot(PipelineResult r)
    {
        var genes = r.Annotation.Sets.SelectMany(s => s.Genes).Distinct().Take(40).ToArray();
        var clusters = r.Clusters.Count;
        var size = new double[clusters, genes.Length];
        var mean = new double[clusters, genes.Length];
        var col = genes.Select((g, i) => (g, i)).ToDictionary(p => p.g, p => p.i);
        var members = new int[clusters];
        for (var k = 0; k < r.CellCount; k++)
        {
            var c = r.Clusters.Membership[k];
            members[c]++;
            var idx = r.LogNormalized.RowIndices(k);
            var val = r.LogNormalized.RowValues(k);
            for (var t = 0; t < idx.Length; t++)
            {
                if (col.TryGetValue(idx[t], out var j) && val[t] > 0)
                {
                    size[c, j]++;
                    mean[c, j] += val[t];
                }
            }
        }
        var rows = ImmutableArray.CreateBuilder<ImmutableArray<double>>();
        var colours = ImmutableArray.CreateBuilder<ImmutableArray<double>>();
        // colour: each gene's mean expression z-scored across clusters
        var z = new double[clusters, genes.Length];
        for (var j = 0; j < genes.Length; j++)
        {
            var m = Enumerable.Range(0, clusters).Select(c => mean[c, j] / Math.Max(1, members[c])).ToArray();
            var mu = m.Average();
            var sd = Math.Sqrt(m.Sum(v => (v - mu) * (v - mu)) / Math.Max(1, m.Length - 1));
            for (var c = 0; c < clusters; c++)
            {
                z[c, j] = sd > 0 ? (m[c] - mu) / sd : 0;
            }
        }
        for (var c = 0; c < clusters; c++)
        {
            rows.Add([.. Enumerable.Range(0, genes.Length).Select(j => size[c, j] / Math.Max(1, members[c]))]);
            colours.Add([.. Enumerable.Range(0, genes.Length).Select(j => z[c, j])]);
        }
        return new DotPlotChart
        {
            Title = "Marker genes of the cell types, by cluster",
            Series = [],
            Columns = [.. genes.Select(g => r.Genes[g])],
            Rows = [.. Enumerable.Range(0, clusters).Select(c => $"{c}: {r.Annotation.ClusterType(c)}")],
            Size = rows.ToImmutable(),
            Color = colours.ToImmutable(),
            ColorLabel = "mean log-normalised expression, z across clusters",
            Caption = "Dot size: share of the cluster's cells with the gene detected; colour: its mean expression relative to the other clusters.",
        };
    }

    private static ReportSection Composition(List<CompositionRow> rows, ExpectedComposition? expected)
    {
        var blocks = new List<ReportBlock>();
        var note = "Single-cell capture is biased: dissociation and droplet capture lose fragile cells (neutrophils, large lactocytes), doublets and ambient RNA blur calls, "
            + "so observed shares are of the cells captured, not of the milk. The model's expectation is the share of the cells the infant drinks, counted as flow cytometry would.";
        blocks.Add(new TextBlock(expected is null
            ? "No model expectation: the marker sets are not the model's cell types (or --lactation-day was not given). " + note
            : $"Expected: the model on lactation day {expected.LactationDay} ({expected.Stage}), scenario {expected.Scenario}, {expected.Mothers} simulated mothers; the band is their 2.5–97.5 % range. " + note));
        foreach (var level in new[] { "class", "type" })
        {
            var levelRows = rows.Where(x => x.Level == level && x.Key != AnnotationResult.Unassigned).ToList();
            var series = ImmutableArray.CreateBuilder<Series>();
            series.Add(new Series("observed", [.. levelRows.Select(x => 100 * x.Share)]));
            if (expected is not null)
            {
                series.Add(new Series("model mean", [.. levelRows.Select(x => x.Expected is null ? double.NaN : 100 * x.Expected.Mean)]));
                series.Add(new Series("model 97.5 %", [.. levelRows.Select(x => x.Expected is null ? double.NaN : 100 * x.Expected.High)]));
            }
            blocks.Add(new BarChart
            {
                Title = $"Composition by {level}: observed vs the model",
                Categories = [.. levelRows.Select(x => x.Key)],
                Series = series.ToImmutable(),
                YLabel = "% of cells",
                YScale = level == "type" ? AxisScale.Logarithmic : AxisScale.Linear,
            });
        }
        blocks.Add(new TableBlock("Composition", ["level", "type or class", "cells", "observed %", "95 % interval", "model mean %", "model 2.5–97.5 %", "within spread"],
            [.. rows.Select(x => ImmutableArray.Create(x.Level, x.Key, x.Cells.ToString(CultureInfo.InvariantCulture), F(100 * x.Share, "0.###"),
                $"{F(100 * x.ShareLow, "0.###")}–{F(100 * x.ShareHigh, "0.###")}", x.Expected is null ? "" : F(100 * x.Expected.Mean, "0.###"),
                x.Expected is null ? "" : $"{F(100 * x.Expected.Low, "0.###")}–{F(100 * x.Expected.High, "0.###")}", x.WithinSpread is { } w ? (w ? "yes" : "no") : ""))]));
        return new ReportSection("Composition against the model", [.. blocks]);
    }

    private static BarChart Histogram(string title, double[] values, bool[] keep, bool log)
    {
        var finite = values.Where(v => double.IsFinite(v) && (!log || v > 0)).ToArray();
        const int bins = 30;
        if (finite.Length == 0)
        {
            return new BarChart { Title = title, Categories = ["none"], Series = [new Series("cells", [0])] };
        }
        var t = finite.Select(v => log ? Math.Log10(v) : v).ToArray();
        double lo = t.Min(), hi = t.Max();
        if (hi <= lo)
        {
            hi = lo + 1;
        }
        var width = (hi - lo) / bins;
        var passed = new double[bins];
        var removed = new double[bins];
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (!double.IsFinite(v) || (log && v <= 0))
            {
                continue;
            }
            var b = Math.Min(bins - 1, (int)(((log ? Math.Log10(v) : v) - lo) / width));
            (keep[i] ? passed : removed)[b]++;
        }
        var labels = Enumerable.Range(0, bins).Select(b => log ? F(Math.Pow(10, lo + (b + 0.5) * width), "0") : F(lo + (b + 0.5) * width, "0.#")).ToImmutableArray();
        return new BarChart
        {
            Title = title,
            Categories = labels,
            Stacked = true,
            Series = [new Series("passed", [.. passed], "#009E73"), new Series("removed", [.. removed], "#D55E00")],
            XLabel = log ? "bin centre (log-spaced bins)" : "bin centre",
            YLabel = "cells",
        };
    }
}
