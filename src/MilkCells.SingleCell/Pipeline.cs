using System.Collections.Immutable;
using System.Diagnostics;
using MilkCells.Core.Errors;
using MilkCells.SingleCell.Analysis;
using MilkCells.SingleCell.Annotation;
using MilkCells.SingleCell.Data;

namespace MilkCells.SingleCell;

/// <summary>The parameters of one analysis; every one is written into the outputs.</summary>
public sealed record PipelineOptions
{
    public ulong Seed { get; init; } = 1;
    public double QcMads { get; init; } = QualityControl.DefaultMads;
    public int VariableGenes { get; init; } = HighlyVariableGenes.DefaultCount;
    public int Components { get; init; } = Pca.DefaultComponents;
    public int NeighbourDimensions { get; init; } = Neighbors.DefaultDimensions;
    public int Neighbours { get; init; } = Neighbors.DefaultK;
    public double Resolution { get; init; } = Leiden.DefaultResolution;
    public int? UmapEpochs { get; init; }
    public double MinScore { get; init; } = ModuleScore.DefaultMinScore;

    /// <summary>Whether unknown marker genes in a set with none found are an error (a user's markers file) or skipped (the model's sets).</summary>
    public bool StrictMarkers { get; init; }

    /// <summary>The parameters as (name, value) rows.</summary>
    public IEnumerable<(string Name, string Value)> Describe()
    {
        yield return ("seed", Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("qc_mads", Format(QcMads));
        yield return ("variable_genes", VariableGenes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("pca_components", Components.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("neighbour_dimensions", NeighbourDimensions.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("neighbours", Neighbours.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("leiden_resolution", Format(Resolution));
        yield return ("umap_epochs", UmapEpochs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "auto (500 below 10,000 cells, else 200)");
        yield return ("min_module_score", Format(MinScore));
    }

    private static string Format(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Everything one analysis produced, cells after QC in <see cref="Cells"/> order.</summary>
/// <remarks><see cref="Input"/> keeps the input's cells, features and annotations without its matrix (freed after QC);
/// <see cref="Counts"/> holds the analysed cells' values as read.</remarks>
public sealed record PipelineResult(
    CellMatrix Input, string InputKind, QcResult Qc, int[] Cells, ImmutableArray<string> Genes, SparseMatrix Counts, SparseMatrix LogNormalized, HvgResult Hvg, PcaResult Pca,
    KnnGraph Knn, WeightedGraph Graph, Clustering Clusters, DenseMatrix Embedding, MarkerStat[][] Markers, AnnotationResult Annotation,
    ImmutableArray<string> Warnings, ImmutableArray<(string Step, TimeSpan Time, TimeSpan Cpu)> Timings)
{
    public int CellCount => Cells.Length;

    public string Barcode(int k) => Input.Barcodes[Cells[k]];
}

/// <summary>The whole analysis: QC, normalisation, HVG, PCA, kNN, Leiden, UMAP, markers and annotation.</summary>
public static class Pipeline
{
    public static PipelineResult Run(CellMatrix input, MarkerCatalogue markers, PipelineOptions options, Work work, IProgress<string>? progress = null)
    {
        var warnings = ImmutableArray.CreateBuilder<string>();
        var timings = ImmutableArray.CreateBuilder<(string, TimeSpan, TimeSpan)>();
        var clock = Stopwatch.StartNew();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var large = input.Counts is { NonZeros: > 10_000_000 };
        void Step(string name)
        {
            if (large)
            {
                // the steps drop arrays of hundreds of MB (the matrix as read, the scaled genes, transposes): collect them
                // now, compacting the large-object heap, so that the peak stays near the data that is alive
                System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect();
            }
            process.Refresh();
            var now = process.TotalProcessorTime;
            timings.Add((name, clock.Elapsed, now - cpu));
            cpu = now;
            clock.Restart();
            work.Cancellation.ThrowIfCancellationRequested();
        }
        var (matrix, kind) = Choose(input, warnings);
        var (genesOnly, other) = matrix.SplitFeatureTypes();
        if (other is not null)
        {
            warnings.Add($"{other.FeatureCount} features of other types ({string.Join(", ", other.FeatureTypeNames)}) are kept apart and not analysed");
        }
        matrix = genesOnly;
        var x = matrix.Counts!;
        var counts = kind == "counts";
        var geneNames = matrix.Features.Select(f => f.Name).ToImmutableArray();
        // marker names are checked before the work starts (a user's file naming unknown genes fails here)
        ModuleScore.Resolve(markers, geneNames, new double[geneNames.Length], options.Seed, options.StrictMarkers);
        progress?.Report("quality control");
        var qc = QualityControl.Run(x, geneNames, counts, options.QcMads);
        var keep = Enumerable.Range(0, x.Rows).Where(i => qc.Keep[i]).ToArray();
        if (keep.Length < 3)
        {
            throw new InputException(InputLocation.InFile(input.Source), $"only {keep.Length} cell(s) pass quality control (of {x.Rows})",
                "an analysis needs at least 3 cells with counts");
        }
        var kept = keep.Length == x.Rows ? x : x.Select(keep, null, x.Columns);
        matrix = matrix with { Counts = null, Raw = null };
        input = input with { Counts = null, Raw = null };
        x = null!;
        Step("quality control");
        progress?.Report("normalisation");
        var logNorm = counts ? Normalization.LogNormalize(kept, work) : kept;
        Step("normalisation");
        progress?.Report("highly variable genes");
        var hvg = counts ? HighlyVariableGenes.Vst(kept, options.VariableGenes, work) : HighlyVariableGenes.Dispersion(logNorm, options.VariableGenes);
        if (hvg.Selected.Length < 2)
        {
            throw new InputException(InputLocation.InFile(input.Source), "fewer than two genes vary between cells", "is the matrix empty or constant?");
        }
        Step("highly variable genes");
        progress?.Report("PCA");
        var scaled = Analysis.Pca.Scale(logNorm, hvg.Selected, work);
        var pca = Analysis.Pca.Run(scaled, options.Components, options.Seed, work);
        Step("PCA");
        progress?.Report("neighbours");
        var knn = Neighbors.Exact(pca.Scores, options.NeighbourDimensions, options.Neighbours, work);
        var graph = FuzzyGraph.Build(knn);
        Step("neighbours");
        progress?.Report("Leiden clustering");
        var clusters = Leiden.Run(graph, options.Resolution, options.Seed, work.Cancellation);
        Step("Leiden");
        progress?.Report("UMAP");
        var embedding = Umap.Layout(graph, pca.Scores, options.UmapEpochs ?? Umap.DefaultEpochs(keep.Length), options.Seed, work);
        Step("UMAP");
        progress?.Report("marker genes");
        var markerStats = Markers.RankGenes(logNorm, clusters.Membership, clusters.Count, work);
        Step("markers");
        progress?.Report("annotation");
        var (means, _) = HighlyVariableGenes.ColumnMeanVariance(logNorm, v => v);
        var (sets, skipped) = ModuleScore.Resolve(markers, geneNames, means, options.Seed, options.StrictMarkers);
        if (sets.Length == 0)
        {
            warnings.Add($"no marker gene of any cell type in {markers.Origin} is in the matrix: every cell is unassigned (are the features gene symbols?)");
        }
        foreach (var s in skipped)
        {
            warnings.Add($"cell type '{s.Set.Id}' not scored: none of its markers ({string.Join(", ", s.Set.Genes)}) is in the matrix");
        }
        foreach (var s in sets.Where(s => s.Missing.Length > 0))
        {
            warnings.Add($"cell type '{s.Set.Id}': {s.Missing.Length} of {s.Set.Genes.Length} markers not in the matrix ({string.Join(", ", s.Missing)})");
        }
        var annotation = ModuleScore.Annotate(logNorm, sets, skipped, knn, clusters.Membership, clusters.Count, options.MinScore, work);
        Step("annotation");
        return new PipelineResult(matrix, kind, qc, keep, geneNames, kept, logNorm, hvg, pca, knn, graph, clusters, embedding, markerStats, annotation,
            warnings.ToImmutable(), timings.ToImmutable());
    }

    /// <summary>Which matrix to analyse: counts where the file has them, else log-normalised values (an .h5ad's raw when X is scaled).</summary>
    private static (CellMatrix Matrix, string Kind) Choose(CellMatrix input, ImmutableArray<string>.Builder warnings)
    {
        if (input.Counts is null)
        {
            throw new InputException(InputLocation.InFile(input.Source), "the file has no expression matrix (an .h5ad written without X)",
                "give a file with counts: a 10x folder or .h5, or an .h5ad with X");
        }
        if (input.CellCount == 0 || input.FeatureCount == 0 || input.Counts.NonZeros == 0)
        {
            throw new InputException(InputLocation.InFile(input.Source), $"the matrix is empty ({input.CellCount} cells × {input.FeatureCount} features, {input.Counts.NonZeros} non-zero values)",
                "give a matrix with counts");
        }
        if (input.Counts.IsCounts())
        {
            return (input, "counts");
        }
        var negative = input.Counts.Values.Any(v => v < 0);
        if (!negative)
        {
            warnings.Add("the matrix holds non-integer values: taken as log-normalised expression (no QC filtering, normalisation skipped, dispersion HVGs)");
            return (input, "log-normalised");
        }
        if (input.Raw?.Counts is { } raw && raw.Values.All(v => v >= 0))
        {
            var kind = raw.IsCounts() ? "counts" : "log-normalised";
            warnings.Add($"X holds scaled values (some negative); analysing the file's raw matrix ({kind}) instead, as scanpy's use_raw does");
            return (input.Raw with { CellAnnotations = input.CellAnnotations, Genomes = input.Genomes, Genome = input.Genome }, kind);
        }
        throw new InputException(InputLocation.InFile(input.Source), "the matrix holds negative values (scaled data) and the file has no raw counts",
            "give the counts (or log-normalised values) the scaled matrix came from");
    }
}
