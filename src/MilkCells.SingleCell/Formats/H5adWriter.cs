using System.Collections.Immutable;
using MilkCells.SingleCell.Analysis;
using MilkCells.SingleCell.Data;
using PureHDF;

namespace MilkCells.SingleCell.Formats;

/// <summary>A column of an .h5ad dataframe (obs or var): categorical text, numbers, integers or booleans.</summary>
public abstract record FrameColumn(string Name);

/// <summary>A categorical column: codes into categories (anndata's <c>categorical</c> encoding).</summary>
public sealed record CategoricalColumn(string Name, ImmutableArray<string> Values, ImmutableArray<string>? Categories = null) : FrameColumn(Name);

/// <summary>A float64 column.</summary>
public sealed record NumberColumn(string Name, double[] Values) : FrameColumn(Name);

/// <summary>An int64 column.</summary>
public sealed record IntegerColumn(string Name, long[] Values) : FrameColumn(Name);

/// <summary>A boolean column.</summary>
public sealed record BoolColumn(string Name, bool[] Values) : FrameColumn(Name);

/// <summary>What goes into an .h5ad file.</summary>
/// <param name="X">The matrix, cells × genes (written as a CSR group).</param>
/// <param name="ObsNames">Cell names.</param>
/// <param name="VarNames">Gene names (made unique by the caller if needed).</param>
/// <param name="Obs">Cell columns.</param>
/// <param name="Var">Gene columns.</param>
/// <param name="Obsm">Per-cell embeddings (X_pca, X_umap).</param>
/// <param name="Uns">Unstructured text entries (parameters, versions).</param>
public sealed record H5adContent(SparseMatrix X, ImmutableArray<string> ObsNames, ImmutableArray<string> VarNames,
    ImmutableArray<FrameColumn> Obs, ImmutableArray<FrameColumn> Var, ImmutableArray<(string Name, DenseMatrix Matrix)> Obsm,
    ImmutableArray<(string Name, string Value)> Uns);

/// <summary>h5py's boolean: an 8-bit enumeration with members FALSE = 0 and TRUE = 1 (what h5py reads as numpy bool).</summary>
#pragma warning disable CA1707, CA1069
internal enum HdfBool : byte
{
    FALSE = 0,
    TRUE = 1,
}
#pragma warning restore CA1707, CA1069

/// <summary>Writes AnnData .h5ad files (the encoding of anndata ≥ 0.8: encoding-type attributes) through PureHDF.</summary>
/// <remarks>
/// anndata's on-disk format (anndata.readthedocs.io, "On-disk format", encoding versions of anndata 0.8): the root
/// group is <c>anndata</c> 0.1.0; X a <c>csr_matrix</c> 0.1.0 group (data, indices, indptr, a <c>shape</c> attribute);
/// obs and var <c>dataframe</c> 0.2.0 groups with <c>_index</c> and <c>column-order</c> attributes, string columns as
/// <c>categorical</c> 0.2.0 groups (codes, categories, <c>ordered</c>), numbers as <c>array</c> 0.2.0; obsm, layers,
/// obsp, varm, varp and uns <c>dict</c> 0.1.0 groups; text as <c>string-array</c> 0.2.0 (variable-length UTF-8) or
/// <c>string</c> 0.2.0 scalars. Debian's python3-anndata 0.8 reads the files back (a test checks it).
/// </remarks>
public static class H5adWriter
{
    public static void Write(H5adContent content, string path)
    {
        var file = new H5File();
        Attributes(file, "anndata", "0.1.0");
        var x = content.X;
        var xGroup = new H5Group
        {
            ["data"] = x.Values,
            ["indices"] = x.ColumnIndex,
            ["indptr"] = x.RowStart.Select(v => (long)v).ToArray(),
        };
        Attributes(xGroup, "csr_matrix", "0.1.0");
        xGroup.Attributes["shape"] = new long[] { x.Rows, x.Columns };
        file["X"] = xGroup;
        file["obs"] = Frame(content.ObsNames, content.Obs);
        file["var"] = Frame(content.VarNames, content.Var);
        var obsm = Dict();
        foreach (var (name, m) in content.Obsm)
        {
            var ds = new H5Dataset(m.Data, fileDims: [(ulong)m.Rows, (ulong)m.Columns]);
            Attributes(ds, "array", "0.2.0");
            obsm[name] = ds;
        }
        file["obsm"] = obsm;
        var uns = Dict();
        foreach (var (name, value) in content.Uns)
        {
            var ds = new H5Dataset(value, fileDims: []);
            Attributes(ds, "string", "0.2.0");
            uns[name] = ds;
        }
        file["uns"] = uns;
        file["layers"] = Dict();
        file["obsp"] = Dict();
        file["varm"] = Dict();
        file["varp"] = Dict();
        file.Write(path);
    }

    private static H5Group Dict()
    {
        var g = new H5Group();
        Attributes(g, "dict", "0.1.0");
        return g;
    }

    private static void Attributes(H5Object o, string type, string version)
    {
        o.Attributes["encoding-type"] = type;
        o.Attributes["encoding-version"] = version;
    }

    private static H5Group Frame(ImmutableArray<string> index, ImmutableArray<FrameColumn> columns)
    {
        var g = new H5Group();
        Attributes(g, "dataframe", "0.2.0");
        g.Attributes["_index"] = "_index";
        g.Attributes["column-order"] = columns.Select(c => c.Name).ToArray();
        g["_index"] = StringArray([.. index]);
        foreach (var column in columns)
        {
            switch (column)
            {
                case CategoricalColumn cat:
                    var categories = cat.Categories?.ToArray() ?? cat.Values.Distinct().Order(StringComparer.Ordinal).ToArray();
                    var code = categories.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
                    var cg = new H5Group
                    {
                        ["codes"] = categories.Length < 128 ? cat.Values.Select(v => (sbyte)code[v]).ToArray() : (object)cat.Values.Select(v => code[v]).ToArray(),
                        ["categories"] = StringArray(categories),
                    };
                    Attributes(cg, "categorical", "0.2.0");
                    cg.Attributes["ordered"] = HdfBool.FALSE;
                    g[column.Name] = cg;
                    break;
                case NumberColumn num:
                    g[column.Name] = Array(num.Values);
                    break;
                case IntegerColumn integer:
                    g[column.Name] = Array(integer.Values);
                    break;
                case BoolColumn b:
                    g[column.Name] = Array(b.Values.Select(v => v ? HdfBool.TRUE : HdfBool.FALSE).ToArray());
                    break;
            }
        }
        return g;
    }

    private static H5Dataset Array(object values)
    {
        var ds = new H5Dataset(values);
        Attributes(ds, "array", "0.2.0");
        return ds;
    }

    private static H5Dataset StringArray(string[] values)
    {
        var ds = new H5Dataset(values);
        Attributes(ds, "string-array", "0.2.0");
        return ds;
    }
}
