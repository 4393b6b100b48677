using System.Security.Cryptography;
using System.Text.Json;
using MilkCells.SingleCell.Data;
using MilkCells.SingleCell.Formats;
using MilkCells.TestSupport;

namespace MilkCells.SingleCell.Tests;

/// <summary>Every matrix in ../shared/scrna reads as h5py, SciPy and anndata read it (reference.json).</summary>
public sealed class ReaderReferenceTests
{
    public static TheoryData<string> Keys()
    {
        var data = new TheoryData<string>();
        var path = Path.Combine(Shared.Root, "scrna", "reference.json");
        if (!File.Exists(path))
        {
            data.Add("(shared data absent)");
            return data;
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            data.Add(p.Name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Reads_as_the_reference_says(string key)
    {
        var referencePath = Shared.Require("scrna/reference.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(referencePath));
        var r = doc.RootElement.GetProperty(key);
        var m = MatrixReader.Read(Path.Combine(Shared.Root, "scrna", key));

        Assert.Equal(r.GetProperty("n_cells").GetInt32(), m.CellCount);
        Assert.Equal(r.GetProperty("n_genes").GetInt32(), m.FeatureCount);
        Assert.Equal(Strings(r, "first_barcodes"), m.Barcodes.Take(3));
        Assert.Equal(Strings(r, "first_genes"), m.Features.Take(3).Select(f => f.Name));
        if (r.TryGetProperty("first_gene_ids", out _))
        {
            Assert.Equal(Strings(r, "first_gene_ids"), m.Features.Take(3).Select(f => f.Id));
        }
        if (r.TryGetProperty("X_present", out var present) && !present.GetBoolean())
        {
            Assert.Null(m.Counts);
            return;
        }
        var x = m.Counts!;
        Assert.Equal(r.GetProperty("last_barcode").GetString(), m.Barcodes[^1]);
        Assert.Equal(r.GetProperty("last_gene").GetString(), m.Features[^1].Name);
        Assert.Equal(r.GetProperty("nnz").GetInt64(), x.NonZeros);
        var total = r.GetProperty("total").GetDouble();
        Assert.Equal(total, x.Total(), Math.Max(1e-9, Math.Abs(total) * 1e-5) + (x.Kind == ValueKind.Float32 ? 0.01 : 0));
        Assert.Equal(r.GetProperty("cell_totals_sha256").GetString(), Sha(x.RowSums()));
        Assert.Equal(r.GetProperty("gene_totals_sha256").GetString(), Sha(x.ColumnSums()));
        if (r.TryGetProperty("feature_types", out _))
        {
            Assert.Equal(Strings(r, "feature_types"), m.FeatureTypeNames.Order(StringComparer.Ordinal));
        }
        if (r.TryGetProperty("obs_bulk_labels_counts", out var bulk))
        {
            var labels = m.CellAnnotation("bulk_labels")!;
            foreach (var p in bulk.EnumerateObject())
            {
                Assert.Equal(p.Value.GetInt32(), labels.Values.Count(v => v == p.Name));
            }
        }
        if (r.TryGetProperty("obs_columns", out _))
        {
            Assert.Equal(Strings(r, "obs_columns"), m.CellAnnotations.Select(c => c.Name));
        }
    }

    private static string[] Strings(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetString()!).ToArray();

    internal static string Sha(double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), values[i]);
        }
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
