using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.SingleCell.Data;
using PureHDF;
using PureHDF.VOL.Native;

namespace MilkCells.SingleCell.Formats;

/// <summary>Reads AnnData .h5ad files of every encoding: 0.5-era (compound obs/var, h5sparse X), 0.7 (dataframe groups,
/// categories by object reference) and 0.8+ (encoding-type attributes, categorical groups, string arrays).</summary>
/// <remarks>
/// Layout: anndata's on-disk format specification (anndata.readthedocs.io, "On-disk format"). X is a dense 2-D dataset
/// or a group encoding a CSR/CSC matrix (<c>encoding-type</c> csr_matrix/csc_matrix with a <c>shape</c> attribute, or in
/// the 0.5/0.6 era the <c>h5sparse_format</c>/<c>h5sparse_shape</c> attributes). X may be absent: a file then still has
/// its cells and genes but no values. Cell names come from obs's index (<c>_index</c> attribute, or the compound field
/// <c>index</c>); categorical obs columns are read from codes and categories in whichever of the three encodings the
/// file uses (codes −1 mean missing).
/// </remarks>
internal static class H5adReader
{
    /// <summary>Whether the file looks like an .h5ad (obs and var at the root).</summary>
    public static bool Recognises(NativeFile file) => file.LinkExists("obs") && file.LinkExists("var");

    public static CellMatrix Read(NativeFile file, string source)
    {
        var (barcodes, obsColumns) = Hdf5.Guard(source, "/obs", () => DataFrame(file, "obs", source));
        var (geneNames, _) = Hdf5.Guard(source, "/var", () => DataFrame(file, "var", source));
        var version = Hdf5.StringAttribute(file, "encoding-version");
        var notes = ImmutableArray.CreateBuilder<string>();
        SparseMatrix? x = null;
        if (file.LinkExists("X"))
        {
            x = Hdf5.Guard(source, "/X", () => Matrix(file.Get("X"), "/X", source, barcodes.Length, geneNames.Length));
        }
        else
        {
            notes.Add("the file has no X matrix (anndata writes none when X is None): cells and genes only");
        }
        var features = geneNames.Select(n => new Feature(n, n)).ToImmutableArray();
        CellMatrix? raw = null;
        var rawX = file.LinkExists("raw") && file.Get("raw") is IH5Group rg && rg.LinkExists("X") ? (rg.Get("X"), "/raw/X", "raw/var") :
            file.LinkExists("raw.X") ? (file.Get("raw.X"), "/raw.X", "raw.var") : default;
        if (rawX.Item1 is not null)
        {
            var (rawGenes, _) = Hdf5.Guard(source, "/" + rawX.Item3, () => DataFrame(file, rawX.Item3, source));
            var rawMatrix = Hdf5.Guard(source, rawX.Item2, () => Matrix(rawX.Item1, rawX.Item2, source, barcodes.Length, rawGenes.Length));
            raw = new CellMatrix(rawMatrix, [.. barcodes], [.. rawGenes.Select(n => new Feature(n, n))], "AnnData raw", source);
        }
        var era = version is not null ? $"anndata {version} encoding" : file.Get("obs") is IH5Dataset ? "anndata 0.5-era encoding (compound obs/var)" : "anndata 0.7-era encoding";
        return new CellMatrix(x, [.. barcodes], features, $"AnnData .h5ad ({era}; X {(x is null ? "absent" : file.Get("X") is IH5Dataset ? "dense" : "sparse")})", source)
        {
            CellAnnotations = obsColumns,
            Raw = raw,
            Notes = notes.ToImmutable(),
        };
    }

    /// <summary>X (or raw/X, or a layer): a dense dataset or a sparse group.</summary>
    private static SparseMatrix Matrix(IH5Object o, string at, string source, int cells, int genes)
    {
        if (o is IH5Dataset dense)
        {
            var dims = dense.Space.Dimensions;
            if (dims.Length != 2 || (long)dims[0] != cells || (long)dims[1] != genes)
            {
                throw new InputException(InputLocation.AtElement(source, at), $"X is {string.Join(" × ", dims)} but obs has {cells} cells and var {genes} genes");
            }
            var values = Hdf5.Floats(dense);
            var start = new int[cells + 1];
            var idx = new List<int>();
            var val = new List<float>();
            for (var r = 0; r < cells; r++)
            {
                for (var c = 0; c < genes; c++)
                {
                    var v = values[(long)r * genes + c];
                    if (v != 0)
                    {
                        idx.Add(c);
                        val.Add(v);
                    }
                }
                start[r + 1] = idx.Count;
            }
            return new SparseMatrix(cells, genes, start, [.. idx], [.. val], Hdf5.KindOf(dense));
        }
        var g = (IH5Group)o;
        var encoding = Hdf5.StringAttribute(g, "encoding-type") ?? Hdf5.StringAttribute(g, "h5sparse_format") switch
        {
            "csr" => "csr_matrix",
            "csc" => "csc_matrix",
            var other => other,
        };
        var shape = Hdf5.NumberAttribute(g, "shape") ?? Hdf5.NumberAttribute(g, "h5sparse_shape");
        if (encoding is not ("csr_matrix" or "csc_matrix") || shape is not { Length: 2 })
        {
            throw new InputException(InputLocation.AtElement(source, at), $"a matrix group with encoding '{encoding ?? "none"}'", "anndata writes X as a dense array or a csr_matrix/csc_matrix group");
        }
        if ((long)shape[0] != cells || (long)shape[1] != genes)
        {
            throw new InputException(InputLocation.AtElement(source, at), $"the matrix is {shape[0]} × {shape[1]} but obs has {cells} cells and var {genes} genes",
                "the barcodes or features do not match the matrix");
        }
        var dataSet = g.Dataset("data");
        var data = Hdf5.Floats(dataSet);
        var indices = Hdf5.Int32s(g.Dataset("indices"), source, at + "/indices");
        var indptr = Hdf5.Int32s(g.Dataset("indptr"), source, at + "/indptr");
        return encoding == "csr_matrix"
            ? SparseChecks.Csr(source, at, cells, genes, indptr, indices, data, Hdf5.KindOf(dataSet), allowNegative: true)
            : SparseChecks.Csr(source, at, genes, cells, indptr, indices, data, Hdf5.KindOf(dataSet), allowNegative: true).Transpose();
    }

    /// <summary>A dataframe's index and columns (obs or var), in any of the three encodings.</summary>
    private static (string[] Index, ImmutableArray<AnnotationColumn> Columns) DataFrame(NativeFile file, string name, string source)
    {
        var o = file.Get(name);
        if (o is IH5Dataset compound)
        {
            return CompoundFrame(file, compound, name, source);
        }
        var g = (IH5Group)o;
        var indexName = Hdf5.StringAttribute(g, "_index") ?? "_index";
        var index = Hdf5.DatasetOrNull(g, indexName) is { } ix ? Hdf5.Strings(ix)
            : throw new InputException(InputLocation.AtElement(source, "/" + name), $"no index dataset '{indexName}'", "anndata stores cell and gene names in the dataframe's _index");
        var order = Hdf5.StringArrayAttribute(g, "column-order");
        var columns = ImmutableArray.CreateBuilder<AnnotationColumn>();
        foreach (var column in order)
        {
            if (!g.LinkExists(column))
            {
                continue;
            }
            var c = g.Get(column);
            if (c is IH5Group cat && Hdf5.StringAttribute(cat, "encoding-type") == "categorical")
            {
                var categories = Hdf5.Strings(cat.Dataset("categories"));
                columns.Add(Categorical(column, Hdf5.Integers(cat.Dataset("codes")), categories));
            }
            else if (c is IH5Dataset d)
            {
                if (d.AttributeExists("categories"))
                {
                    var reference = d.Attribute("categories").Read<NativeObjectReference1>();
                    var categories = Hdf5.Strings((IH5Dataset)file.Get(reference));
                    columns.Add(Categorical(column, Hdf5.Integers(d), categories));
                }
                else
                {
                    columns.Add(new AnnotationColumn(column, [.. Hdf5.Strings(d)], []));
                }
            }
        }
        return (index, columns.ToImmutable());
    }

    private static AnnotationColumn Categorical(string name, long[] codes, string[] categories) =>
        new(name, [.. codes.Select(k => k >= 0 && k < categories.Length ? categories[k] : "")], [.. categories]);

    /// <summary>The 0.5-era dataframe: one compound dataset; categorical codes with their categories in <c>uns/&lt;column&gt;_categories</c>.</summary>
    private static (string[] Index, ImmutableArray<AnnotationColumn> Columns) CompoundFrame(NativeFile file, IH5Dataset d, string name, string source)
    {
        var rows = d.Read<Dictionary<string, object>[]>();
        var members = d.Type.Compound.Members;
        var indexMember = members.FirstOrDefault(m => m.Name == "index")
            ?? throw new InputException(InputLocation.AtElement(source, "/" + name), "the compound dataframe has no 'index' field");
        var index = rows.Select(r => Text(r[indexMember.Name])).ToArray();
        var columns = ImmutableArray.CreateBuilder<AnnotationColumn>();
        foreach (var m in members)
        {
            if (m.Name == "index")
            {
                continue;
            }
            var values = rows.Select(r => r[m.Name]).ToArray();
            if (Hdf5.DatasetOrNull(file, $"uns/{m.Name}_categories") is { } cats && m.Type.Class == H5DataTypeClass.FixedPoint)
            {
                columns.Add(Categorical(m.Name, values.Select(v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(), Hdf5.Strings(cats)));
            }
            else
            {
                columns.Add(new AnnotationColumn(m.Name, [.. values.Select(Text)], []));
            }
        }
        return (index, columns.ToImmutable());
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s.TrimEnd('\0'),
        byte[] b => Hdf5.FixedString(b),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
