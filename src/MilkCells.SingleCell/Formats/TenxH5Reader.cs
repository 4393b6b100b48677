using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.SingleCell.Data;
using PureHDF;
using PureHDF.VOL.Native;

namespace MilkCells.SingleCell.Formats;

/// <summary>Reads 10x Genomics HDF5 feature-barcode matrices: Cell Ranger 3+ (<c>matrix</c> group) and Cell Ranger 1.2/2 (one group per genome).</summary>
/// <remarks>
/// Layout (10x Genomics, "HDF5 Feature Barcode Matrix Format"): the matrix is stored compressed-sparse-column with
/// features in rows and barcodes in columns — <c>data</c>, <c>indices</c> (feature index), <c>indptr</c> (one start per
/// barcode), <c>shape</c> = [features, barcodes] — which is exactly compressed-sparse-row with cells in rows.
/// Cell Ranger 3 adds <c>features/{id,name,feature_type,genome}</c>; Cell Ranger 2 has <c>genes</c> and
/// <c>gene_names</c> in a group named after the genome, and a multi-genome run has one such group per genome.
/// </remarks>
internal static class TenxH5Reader
{
    /// <summary>Whether the file looks like a 10x HDF5 matrix (rather than an .h5ad).</summary>
    public static bool Recognises(NativeFile file) =>
        Hdf5.GroupOrNull(file, "matrix") is { } m && m.LinkExists("indptr") || GenomeGroups(file).Count > 0;

    /// <summary>The Cell Ranger 2 genome groups (each with indptr and genes).</summary>
    public static IReadOnlyList<string> GenomeGroups(NativeFile file) =>
        file.Children().OfType<IH5Group>().Where(g => g.LinkExists("indptr") && g.LinkExists("genes")).Select(g => g.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();

    public static CellMatrix Read(NativeFile file, string source, string? genome)
    {
        if (Hdf5.GroupOrNull(file, "matrix") is { } v3 && v3.LinkExists("indptr"))
        {
            var features = Hdf5.GroupOrNull(v3, "features")
                ?? throw new InputException(InputLocation.AtElement(source, "/matrix"), "the matrix group has no 'features' group", "is this a Cell Ranger 3 file?");
            var ids = Hdf5.Guard(source, "/matrix/features/id", () => Hdf5.Strings(Required(features, "id", source, "/matrix/features")));
            var names = Hdf5.Guard(source, "/matrix/features/name", () => Hdf5.Strings(Required(features, "name", source, "/matrix/features")));
            var types = Hdf5.DatasetOrNull(features, "feature_type") is { } t ? Hdf5.Guard(source, "/matrix/features/feature_type", () => Hdf5.Strings(t)) : null;
            var genomes = Hdf5.DatasetOrNull(features, "genome") is { } g ? Hdf5.Guard(source, "/matrix/features/genome", () => Hdf5.Strings(g)) : null;
            var feats = ids.Select((id, j) => new Feature(id, j < names.Length ? names[j] : id, types?[j] ?? FeatureTypes.GeneExpression, genomes?[j])).ToImmutableArray();
            if (names.Length != ids.Length || (types is not null && types.Length != ids.Length))
            {
                throw new InputException(InputLocation.AtElement(source, "/matrix/features"), $"{ids.Length} feature ids but {names.Length} names{(types is null ? "" : $" and {types.Length} types")}");
            }
            var distinctGenomes = genomes?.Where(x => x.Length > 0).Distinct().ToImmutableArray() ?? [];
            return ReadGroup(v3, "/matrix", source, feats, "10x HDF5, Cell Ranger 3+ ('matrix' group)") with { Genomes = distinctGenomes };
        }
        var groups = GenomeGroups(file);
        if (groups.Count == 0)
        {
            throw new InputException(InputLocation.InFile(source), "an HDF5 file with neither a 10x 'matrix' group nor genome groups, nor AnnData's X/obs/var",
                "give a Cell Ranger .h5 or an AnnData .h5ad");
        }
        string chosen;
        if (genome is not null)
        {
            chosen = groups.FirstOrDefault(x => x == genome) ?? throw new InputException(InputLocation.AtElement(source, "--genome"),
                $"no genome '{genome}' in this file", $"it has {string.Join(", ", groups)}");
        }
        else if (groups.Count == 1)
        {
            chosen = groups[0];
        }
        else
        {
            throw new InputException(InputLocation.InFile(source), $"the file holds {groups.Count} genomes ({string.Join(", ", groups)})",
                $"choose one with --genome (or {Path.GetFileName(source)}#{groups[0]})");
        }
        var group = file.Group(chosen);
        var at = "/" + chosen;
        var geneIds = Hdf5.Guard(source, at + "/genes", () => Hdf5.Strings(Required(group, "genes", source, at)));
        var geneNames = Hdf5.DatasetOrNull(group, "gene_names") is { } gn ? Hdf5.Guard(source, at + "/gene_names", () => Hdf5.Strings(gn)) : geneIds;
        if (geneNames.Length != geneIds.Length)
        {
            throw new InputException(InputLocation.AtElement(source, at), $"{geneIds.Length} gene ids but {geneNames.Length} gene names");
        }
        var features2 = geneIds.Select((id, j) => new Feature(id, geneNames[j], FeatureTypes.GeneExpression, chosen)).ToImmutableArray();
        return ReadGroup(group, at, source, features2, "10x HDF5, Cell Ranger 1.2/2 (genome groups)") with { Genomes = [.. groups], Genome = chosen };
    }

    private static IH5Dataset Required(IH5Group group, string name, string source, string at) =>
        Hdf5.DatasetOrNull(group, name) ?? throw new InputException(InputLocation.AtElement(source, at), $"no '{name}' dataset", "the 10x HDF5 layout needs data, indices, indptr, shape, barcodes and features");

    private static CellMatrix ReadGroup(IH5Group group, string at, string source, ImmutableArray<Feature> features, string format)
    {
        var barcodes = Hdf5.Guard(source, at + "/barcodes", () => Hdf5.Strings(Required(group, "barcodes", source, at)));
        var dataSet = Required(group, "data", source, at);
        var data = Hdf5.Guard(source, at + "/data", () => Hdf5.Floats(dataSet));
        var indices = Hdf5.Guard(source, at + "/indices", () => Hdf5.Int32s(Required(group, "indices", source, at), source, at + "/indices"));
        var indptr = Hdf5.Guard(source, at + "/indptr", () => Hdf5.Int32s(Required(group, "indptr", source, at), source, at + "/indptr"));
        var shape = Hdf5.Guard(source, at + "/shape", () => Hdf5.Integers(Required(group, "shape", source, at)));
        if (shape.Length != 2)
        {
            throw new InputException(InputLocation.AtElement(source, at + "/shape"), $"shape has {shape.Length} entries, not 2");
        }
        if (shape[0] != features.Length)
        {
            throw new InputException(InputLocation.AtElement(source, at), $"shape says {shape[0]} features but the file lists {features.Length}",
                "the features and the matrix come from different runs");
        }
        if (shape[1] != barcodes.Length)
        {
            throw new InputException(InputLocation.AtElement(source, at), $"shape says {shape[1]} barcodes but the file lists {barcodes.Length}",
                "the barcodes and the matrix come from different runs");
        }
        var matrix = SparseChecks.Csr(source, at, barcodes.Length, features.Length, indptr, indices, data, Hdf5.KindOf(dataSet));
        return new CellMatrix(matrix, [.. barcodes], features, format, source);
    }
}

/// <summary>Checks of compressed sparse arrays read from a file, each failure an input error naming the place.</summary>
internal static class SparseChecks
{
    /// <summary>A CSR matrix from file arrays after checking pointers, indices and values (no negative counts).</summary>
    public static SparseMatrix Csr(string source, string at, int rows, int columns, int[] indptr, int[] indices, float[] data, ValueKind kind, bool allowNegative = false)
    {
        if (indptr.Length != rows + 1)
        {
            throw new InputException(InputLocation.AtElement(source, at + "/indptr"), $"indptr has {indptr.Length} entries for {rows} cells (needs {rows + 1})",
                "the barcodes and the matrix disagree");
        }
        if (indices.Length != data.Length)
        {
            throw new InputException(InputLocation.AtElement(source, at), $"{indices.Length} indices but {data.Length} values");
        }
        if (indptr[0] != 0 || indptr[rows] != indices.Length)
        {
            throw new InputException(InputLocation.AtElement(source, at + "/indptr"), $"indptr runs from {indptr[0]} to {indptr[rows]}, but there are {indices.Length} entries");
        }
        for (var r = 0; r < rows; r++)
        {
            if (indptr[r + 1] < indptr[r])
            {
                throw new InputException(InputLocation.AtElement(source, at + "/indptr"), $"indptr decreases at entry {r + 1}");
            }
        }
        for (var i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)columns)
            {
                throw new InputException(InputLocation.AtElement(source, at + "/indices"), $"entry {i} points at index {indices[i]}, outside 0–{columns - 1}");
            }
            if (!allowNegative && data[i] < 0)
            {
                throw new InputException(InputLocation.AtElement(source, at + "/data"), $"entry {i} is a negative count ({data[i]})", "counts are never negative: is this a processed matrix?");
            }
            if (float.IsNaN(data[i]))
            {
                throw new InputException(InputLocation.AtElement(source, at + "/data"), $"entry {i} is not a number");
            }
        }
        return new SparseMatrix(rows, columns, indptr, indices, data, kind).SortedRows();
    }
}
