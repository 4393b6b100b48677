using MilkCells.Model.Catalogue;
using MilkCells.SingleCell.Analysis;
using MilkCells.SingleCell.Annotation;
using MilkCells.SingleCell.Formats;
using MilkCells.TestSupport;

namespace MilkCells.SingleCell.Tests;

/// <summary>scanpy's pbmc68k_reduced (anndata 0.5 archive): clusters against scanpy's louvain, annotation against FACS bulk labels.</summary>
public sealed class Pbmc68kTests(ITestOutputHelper output)
{
    /// <summary>The FACS-sorted bulk labels at the level the milk model resolves leucocytes.</summary>
    internal static string ClassOf(string bulkLabel) => bulkLabel switch
    {
        "CD14+ Monocyte" => "monocyte/macrophage",
        "CD19+ B" => "B",
        "CD34+" => "CD34+ progenitor",
        "CD56+ NK" => "NK",
        "Dendritic" => "dendritic",
        _ => "T", // CD4+/CD25 T Reg, CD4+/CD45RA+/CD25- Naive T, CD4+/CD45RO+ Memory, CD8+ Cytotoxic T, CD8+/CD45RA+ Naive Cytotoxic
    };

    [Fact]
    public void Clusters_agree_with_louvain_and_annotation_with_bulk_labels()
    {
        var input = MatrixReader.Read(Shared.Require("scrna/files/anndata-archives/v0.5.0/adata.h5ad"));
        var markers = MarkerCatalogue.Named("blood-immune", MilkModel.Embedded);
        var result = Pipeline.Run(input, markers, new PipelineOptions(), new Work(2));
        var louvain = input.CellAnnotation("louvain")!.Values;
        var bulk = input.CellAnnotation("bulk_labels")!.Values;
        var cells = result.Cells;
        var ari = Agreement.AdjustedRandIndex(cells.Select(i => louvain[i]).ToList(), result.Clusters.Membership);
        var truth = cells.Select(i => ClassOf(bulk[i])).ToList();
        var classOf = result.Annotation.Sets.ToDictionary(s => s.Set.Id, s => s.Set.Class);
        var called = Enumerable.Range(0, cells.Length).Select(k => result.Annotation.CellCall[k] < 0 ? "unassigned" : result.Annotation.Sets[result.Annotation.CellCall[k]].Set.Class).ToList();
        var clusterCalled = Enumerable.Range(0, cells.Length).Select(k => result.Annotation.ClusterCall[result.Clusters.Membership[k]] is var c && c < 0 ? "unassigned" : result.Annotation.Sets[c].Set.Class).ToList();
        var accuracy = truth.Zip(called).Count(p => p.First == p.Second) / (double)truth.Count;
        var clusterAccuracy = truth.Zip(clusterCalled).Count(p => p.First == p.Second) / (double)truth.Count;
        output.WriteLine($"cells {cells.Length}, clusters {result.Clusters.Count}, ARI vs louvain {ari:F3}, cell accuracy {accuracy:P1}, cluster accuracy {clusterAccuracy:P1}");
        var (rows, cols, counts) = Agreement.Confusion(truth, called);
        output.WriteLine("truth \\ call: " + string.Join(" | ", cols));
        for (var r = 0; r < rows.Count; r++)
        {
            output.WriteLine($"{rows[r]}: " + string.Join(" | ", Enumerable.Range(0, cols.Count).Select(c => counts[r, c])));
        }
        foreach (var (step, time, _) in result.Timings)
        {
            output.WriteLine($"{step}: {time.TotalMilliseconds:F0} ms");
        }
        Assert.True(ari >= 0.6, $"ARI {ari:F3}");
        Assert.True(accuracy >= 0.85, $"accuracy {accuracy:P1}");
    }
}
