using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MilkCells.SingleCell;
using MilkCells.SingleCell.Analysis;
using MilkCells.SingleCell.Annotation;
using MilkCells.SingleCell.Formats;

namespace MilkCells.Cli.Scrna;

/// <summary>One row of composition.csv: observed cells of a type or class against the model's expectation.</summary>
internal sealed record CompositionRow(string Level, string Key, string Class, long Cells, double Share, double ShareLow, double ShareHigh, ExpectedShare? Expected)
{
    /// <summary>Whether the observed 95 % interval overlaps the model's 2.5–97.5 % band across mothers.</summary>
    public bool? WithinSpread => Expected is null ? null : ShareHigh >= Expected.Low && ShareLow <= Expected.High;
}

/// <summary>The files of <c>scrna annotate</c>: cells.csv, clusters.csv, markers.csv, composition.csv, annotated.h5ad, run.json.</summary>
internal static class AnnotateFiles
{
    public const string Cells = "cells.csv";
    public const string Clusters = "clusters.csv";
    public const string MarkersCsv = "markers.csv";
    public const string Composition = "composition.csv";
    public const string H5adFile = "annotated.h5ad";
    public const string RunJson = "run.json";
    public const string Report = "report.html";

    /// <summary>Top markers listed per cluster in markers.csv.</summary>
    public const int MarkersPerCluster = 25;

    private static string F(double v, string format = "R") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "";

    private static StreamWriter Csv(string path) => new(path, false, new UTF8Encoding(false)) { NewLine = "\n" };

    /// <summary>Composition rows: every scored type, then every class, counted over the QC-passing cells.</summary>
    public static List<CompositionRow> CompositionRows(PipelineResult r, ExpectedComposition? expected)
    {
        var n = r.CellCount;
        var calls = Enumerable.Range(0, n).Select(r.Annotation.CellType).ToList();
        var classOf = r.Annotation.Sets.ToDictionary(s => s.Set.Id, s => s.Set.Class);
        var rows = new List<CompositionRow>();
        foreach (var set in r.Annotation.Sets.Select(s => s.Set).Concat(r.Annotation.Skipped.Select(s => s.Set)))
        {
            var cells = calls.Count(c => c == set.Id);
            var (lo, hi) = ModelComposition.Wilson(cells, n);
            rows.Add(new CompositionRow("type", set.Id, set.Class, cells, (double)cells / n, lo, hi, expected?.Types.FirstOrDefault(t => t.Key == set.Id)));
        }
        var unassigned = calls.Count(c => c == AnnotationResult.Unassigned);
        var (ulo, uhi) = ModelComposition.Wilson(unassigned, n);
        rows.Add(new CompositionRow("type", AnnotationResult.Unassigned, "", unassigned, (double)unassigned / n, ulo, uhi, null));
        foreach (var cls in r.Annotation.Sets.Select(s => s.Set.Class).Concat(r.Annotation.Skipped.Select(s => s.Set.Class)).Distinct())
        {
            var cells = calls.Count(c => c != AnnotationResult.Unassigned && classOf[c] == cls);
            var (lo, hi) = ModelComposition.Wilson(cells, n);
            rows.Add(new CompositionRow("class", cls, cls, cells, (double)cells / n, lo, hi, expected?.Classes.FirstOrDefault(t => t.Key == cls)));
        }
        return rows;
    }

    public static void WriteCells(PipelineResult r, string path)
    {
        using var w = Csv(path);
        w.WriteLine("barcode,qc_pass,cluster,cell_type,cell_ontology,class,score,confidence,cluster_type,total_counts,genes_detected,pct_mito,umap_1,umap_2");
        var position = new int[r.Input.CellCount];
        Array.Fill(position, -1);
        for (var k = 0; k < r.Cells.Length; k++)
        {
            position[r.Cells[k]] = k;
        }
        for (var i = 0; i < r.Input.CellCount; i++)
        {
            var k = position[i];
            var qc = $"{F(r.Qc.TotalCounts[i])},{r.Qc.GenesDetected[i]},{F(r.Qc.PctMito[i], "0.###")}";
            if (k < 0)
            {
                w.WriteLine($"{CsvText(r.Input.Barcodes[i])},false,,,,,,,,{qc},,");
                continue;
            }
            var call = r.Annotation.CellCall[k];
            var set = call < 0 ? null : r.Annotation.Sets[call].Set;
            var cluster = r.Clusters.Membership[k];
            w.WriteLine(string.Join(',', CsvText(r.Input.Barcodes[i]), "true", cluster.ToString(CultureInfo.InvariantCulture), set?.Id ?? AnnotationResult.Unassigned,
                set?.OntologyId ?? "", CsvText(set?.Class ?? ""), F(r.Annotation.CellScore[k], "0.####"), F(r.Annotation.CellConfidence[k], "0.###"),
                r.Annotation.ClusterType(cluster), qc, F(r.Embedding[k, 0], "0.####"), F(r.Embedding[k, 1], "0.####")));
        }
    }

    public static void WriteClusters(PipelineResult r, string path)
    {
        using var w = Csv(path);
        w.WriteLine("cluster,cells,cell_type,cell_ontology,class,score,confidence,top_markers");
        for (var c = 0; c < r.Clusters.Count; c++)
        {
            var call = r.Annotation.ClusterCall[c];
            var set = call < 0 ? null : r.Annotation.Sets[call].Set;
            var size = r.Clusters.Membership.Count(m => m == c);
            var top = string.Join(";", r.Markers[c].Where(m => m.Z > 0).Take(10).Select(m => r.Genes[m.Gene]));
            w.WriteLine(string.Join(',', c.ToString(CultureInfo.InvariantCulture), size.ToString(CultureInfo.InvariantCulture), set?.Id ?? AnnotationResult.Unassigned,
                set?.OntologyId ?? "", CsvText(set?.Class ?? ""), F(r.Annotation.ClusterScore[c], "0.####"), F(r.Annotation.ClusterConfidence[c], "0.###"), CsvText(top)));
        }
    }

    public static void WriteMarkers(PipelineResult r, string path)
    {
        using var w = Csv(path);
        w.WriteLine("cluster,rank,gene,z,log2_fold_change,p_value,p_adjusted,pct_in,pct_out");
        for (var c = 0; c < r.Clusters.Count; c++)
        {
            var rank = 0;
            foreach (var m in r.Markers[c].Take(MarkersPerCluster))
            {
                rank++;
                w.WriteLine(string.Join(',', c.ToString(CultureInfo.InvariantCulture), rank.ToString(CultureInfo.InvariantCulture), CsvText(r.Genes[m.Gene]),
                    F(m.Z, "0.####"), F(m.Log2FoldChange, "0.####"), F(m.PValue, "G6"), F(m.PAdjusted, "G6"), F(m.PctIn, "0.####"), F(m.PctOut, "0.####")));
            }
        }
    }

    public static void WriteComposition(List<CompositionRow> rows, ExpectedComposition? expected, string path)
    {
        using var w = Csv(path);
        if (expected is not null)
        {
            w.WriteLine($"# expected: model, scenario {expected.Scenario}, lactation day {expected.LactationDay} ({expected.Stage}), {expected.Mothers} simulated mothers (seed {expected.Seed}); shares of the cells the infant drinks, counted as flow cytometry would");
        }
        w.WriteLine("# observed: share of QC-passing cells annotated to each type or class, with a 95 % Wilson interval; single-cell capture is biased (fragile neutrophils and lactocytes are lost, doublets and ambient RNA blur calls), so a difference is not by itself a difference in the milk");
        w.WriteLine("level,key,class,cells,share,share_low,share_high,expected_mean,expected_p2_5,expected_median,expected_p97_5,within_spread");
        foreach (var row in rows)
        {
            var e = row.Expected;
            w.WriteLine(string.Join(',', row.Level, CsvText(row.Key), CsvText(row.Class), row.Cells.ToString(CultureInfo.InvariantCulture), F(row.Share, "0.######"), F(row.ShareLow, "0.######"),
                F(row.ShareHigh, "0.######"), e is null ? "" : F(e.Mean, "0.######"), e is null ? "" : F(e.Low, "0.######"), e is null ? "" : F(e.Median, "0.######"),
                e is null ? "" : F(e.High, "0.######"), row.WithinSpread is { } within ? (within ? "yes" : "no") : ""));
        }
    }

    /// <summary>The .h5ad of the analysed cells: X as analysed, obs with clusters and calls, obsm X_pca and X_umap.</summary>
    public static H5adContent H5ad(PipelineResult r, IEnumerable<(string, string)> uns)
    {
        var n = r.CellCount;
        var clusterNames = Enumerable.Range(0, r.Clusters.Count).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToImmutableArray();
        var types = r.Annotation.Sets.Select(s => s.Set.Id).Append(AnnotationResult.Unassigned).ToImmutableArray();
        var hvg = new bool[r.Genes.Length];
        foreach (var j in r.Hvg.Selected)
        {
            hvg[j] = true;
        }
        var obs = ImmutableArray.Create<FrameColumn>(
            new CategoricalColumn("cluster", [.. r.Clusters.Membership.Select(c => clusterNames[c])], clusterNames),
            new CategoricalColumn("cell_type", [.. Enumerable.Range(0, n).Select(r.Annotation.CellType)], types),
            new CategoricalColumn("cluster_type", [.. r.Clusters.Membership.Select(r.Annotation.ClusterType)], types),
            new NumberColumn("score", [.. r.Annotation.CellScore.Select(v => (double)v)]),
            new NumberColumn("confidence", [.. r.Annotation.CellConfidence.Select(v => (double)v)]),
            new NumberColumn("total_counts", [.. r.Cells.Select(i => r.Qc.TotalCounts[i])]),
            new IntegerColumn("genes_detected", [.. r.Cells.Select(i => (long)r.Qc.GenesDetected[i])]),
            new NumberColumn("pct_mito", [.. r.Cells.Select(i => r.Qc.PctMito[i])]));
        var var = ImmutableArray.Create<FrameColumn>(
            new CategoricalColumn("gene_ids", [.. r.Input.Features.Select(f => f.Id)]),
            new BoolColumn("highly_variable", hvg));
        var x = r.Counts;
        return new H5adContent(x, [.. r.Cells.Select(i => r.Input.Barcodes[i])], UniqueNames(r.Genes), obs, var,
            [("X_pca", r.Pca.Scores), ("X_umap", r.Embedding)], [.. uns]);
    }

    /// <summary>Names made unique as anndata's <c>var_names_make_unique</c> does (GENE, GENE-1, GENE-2…).</summary>
    public static ImmutableArray<string> UniqueNames(IReadOnlyList<string> names)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var used = new HashSet<string>(names, StringComparer.Ordinal);
        var result = new string[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (!seen.TryGetValue(name, out var k))
            {
                seen[name] = 0;
                result[i] = name;
                continue;
            }
            string candidate;
            do
            {
                k++;
                candidate = $"{name}-{k}";
            }
            while (used.Contains(candidate));
            seen[name] = k;
            used.Add(candidate);
            result[i] = candidate;
        }
        return [.. result];
    }

    public static string CsvText(string s) => s.AsSpan().IndexOfAny(",\"\n\r") < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static void WriteRunJson(string path, object value) =>
        File.WriteAllText(path, JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }) + "\n", new UTF8Encoding(false));
}
