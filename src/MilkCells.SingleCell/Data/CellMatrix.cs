using System.Collections.Immutable;

namespace MilkCells.SingleCell.Data;

/// <summary>The 10x feature type of ordinary genes.</summary>
public static class FeatureTypes
{
    public const string GeneExpression = "Gene Expression";
}

/// <summary>One feature (column): its id (kept as a string, even when it looks like a number), name, type and genome.</summary>
/// <param name="Id">The feature id (an Ensembl id, or the name where the file has no ids).</param>
/// <param name="Name">The gene symbol or feature name.</param>
/// <param name="Type">The 10x feature type (<c>Gene Expression</c>, <c>Antibody Capture</c>, …).</param>
/// <param name="Genome">The reference genome, where the file says.</param>
public sealed record Feature(string Id, string Name, string Type = FeatureTypes.GeneExpression, string? Genome = null);

/// <summary>A per-cell or per-feature annotation column read from a file (categorical or numeric, held as text).</summary>
/// <param name="Name">The column name.</param>
/// <param name="Values">One value per row, as text.</param>
/// <param name="Categories">The categories in their stored order, for a categorical column; empty otherwise.</param>
public sealed record AnnotationColumn(string Name, ImmutableArray<string> Values, ImmutableArray<string> Categories);

/// <summary>A cells × features matrix with its barcodes, features and annotations, as read from one file or folder.</summary>
/// <param name="Counts">The values, cells in rows; null when the file has no matrix (an .h5ad written without X).</param>
/// <param name="Barcodes">The cell barcodes (row names).</param>
/// <param name="Features">The features (column names).</param>
/// <param name="Format">What was read, for people (for example "10x HDF5, Cell Ranger 3 (matrix group)").</param>
/// <param name="Source">The path read.</param>
public sealed record CellMatrix(SparseMatrix? Counts, ImmutableArray<string> Barcodes, ImmutableArray<Feature> Features, string Format, string Source)
{
    /// <summary>Cell annotations (obs columns of an .h5ad), if any.</summary>
    public ImmutableArray<AnnotationColumn> CellAnnotations { get; init; } = [];

    /// <summary>The genomes the file holds (several for a Cell Ranger 2 multi-genome file); the one read is <see cref="Genome"/>.</summary>
    public ImmutableArray<string> Genomes { get; init; } = [];

    /// <summary>The genome read, where the file has several.</summary>
    public string? Genome { get; init; }

    /// <summary>A second matrix the file holds besides the main one (an .h5ad's <c>raw</c>), if any.</summary>
    public CellMatrix? Raw { get; init; }

    /// <summary>Notes about what was read (for example "X holds processed values, not counts").</summary>
    public ImmutableArray<string> Notes { get; init; } = [];

    public int CellCount => Barcodes.Length;

    public int FeatureCount => Features.Length;

    /// <summary>The distinct feature types, in first-seen order.</summary>
    public IReadOnlyList<string> FeatureTypeNames => Features.Select(f => f.Type).Distinct().ToList();

    /// <summary>A cell annotation by name, or null.</summary>
    public AnnotationColumn? CellAnnotation(string name) => CellAnnotations.FirstOrDefault(c => c.Name == name);

    /// <summary>The matrix restricted to gene-expression features; other feature types (antibody capture, CRISPR guides) are kept apart.</summary>
    public (CellMatrix Genes, CellMatrix? Other) SplitFeatureTypes()
    {
        var isGene = Features.Select(f => f.Type == FeatureTypes.GeneExpression).ToArray();
        if (isGene.All(g => g))
        {
            return (this, null);
        }
        return (SelectFeatures(isGene), SelectFeatures(isGene.Select(g => !g).ToArray()));
    }

    /// <summary>The matrix with only the features where <paramref name="keep"/> is true.</summary>
    public CellMatrix SelectFeatures(bool[] keep)
    {
        var map = new int[Features.Length];
        var n = 0;
        for (var j = 0; j < map.Length; j++)
        {
            map[j] = keep[j] ? n++ : -1;
        }
        var counts = Counts?.Select(Enumerable.Range(0, Counts.Rows).ToArray(), map, n);
        return this with { Counts = counts, Features = [.. Features.Where((_, j) => keep[j])], Raw = null };
    }

    /// <summary>The matrix with only the given cells (in that order).</summary>
    public CellMatrix SelectCells(IReadOnlyList<int> cells) => this with
    {
        Counts = Counts?.Select(cells, null, FeatureCount),
        Barcodes = [.. cells.Select(i => Barcodes[i])],
        CellAnnotations = [.. CellAnnotations.Select(c => c with { Values = [.. cells.Select(i => c.Values[i])] })],
        Raw = Raw?.SelectCells(cells),
    };
}
