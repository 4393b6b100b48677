using MilkCells.SingleCell.Data;

namespace MilkCells.SingleCell.Analysis;

/// <summary>Library-size normalisation and log1p.</summary>
/// <remarks>
/// Seurat's <c>LogNormalize</c> (Satija, Farrell, Gennert, Schier &amp; Regev 2015, Nat Biotechnol 33:495,
/// doi:10.1038/nbt.3192; Hao et al. 2021 for Seurat 4): each count is divided by its cell's total, multiplied by a scale
/// factor of 10,000 and transformed with ln(1 + x). scanpy's <c>normalize_total(target_sum=1e4)</c> + <c>log1p</c> is the
/// same transformation.
/// </remarks>
public static class Normalization
{
    /// <summary>Counts per cell after scaling (Seurat's and scanpy's default).</summary>
    public const double DefaultScale = 1e4;

    public static SparseMatrix LogNormalize(SparseMatrix counts, Work work, double scale = DefaultScale)
    {
        var values = new float[counts.Values.Length];
        work.ForRange(counts.Rows, 2048, (a, b) =>
        {
            for (var r = a; r < b; r++)
            {
                var s = counts.RowStart[r];
                var e = counts.RowStart[r + 1];
                double total = 0;
                for (var i = s; i < e; i++)
                {
                    total += counts.Values[i];
                }
                var f = total > 0 ? scale / total : 0;
                for (var i = s; i < e; i++)
                {
                    values[i] = (float)Math.Log(1 + counts.Values[i] * f);
                }
            }
        });
        return new SparseMatrix(counts.Rows, counts.Columns, counts.RowStart, counts.ColumnIndex, values, ValueKind.Float32);
    }
}
