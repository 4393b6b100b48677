using System.Collections.Immutable;
using MilkCells.SingleCell.Data;

namespace MilkCells.SingleCell.Analysis;

/// <summary>Per-cell quality metrics and the thresholds applied.</summary>
/// <param name="TotalCounts">UMIs (or values) per cell.</param>
/// <param name="GenesDetected">Genes with a non-zero value per cell.</param>
/// <param name="PctMito">Percentage of a cell's counts from mitochondrial genes (names starting MT-), NaN without any.</param>
/// <param name="Keep">Whether each cell passed.</param>
/// <param name="Thresholds">The thresholds, as (metric, direction, value, rule) rows for the outputs.</param>
/// <param name="MitoGenes">How many mitochondrial genes were found.</param>
public sealed record QcResult(double[] TotalCounts, int[] GenesDetected, double[] PctMito, bool[] Keep, ImmutableArray<QcThreshold> Thresholds, int MitoGenes)
{
    public int Kept => Keep.Count(k => k);
}

/// <summary>One QC threshold: cells with <see cref="Metric"/> beyond <see cref="Value"/> in <see cref="Direction"/> are removed.</summary>
public sealed record QcThreshold(string Metric, string Direction, double Value, string Rule, int Removed);

/// <summary>Cell quality control by median absolute deviations.</summary>
/// <remarks>
/// Outliers are flagged as scater's <c>isOutlier</c> does (McCarthy, Campbell, Lun &amp; Wills 2017, Bioinformatics
/// 33:1179, doi:10.1093/bioinformatics/btw777; the rule in Lun, McCarthy &amp; Marioni 2016, F1000Research 5:2122): a cell
/// is removed when log10 total counts or log10 genes detected fall more than <c>nmads</c> scaled MADs below the median,
/// or its mitochondrial percentage lies more than <c>nmads</c> MADs above the median (damaged cells lose cytoplasmic RNA;
/// Ilicic et al. 2016, Genome Biol 17:29). Adaptive thresholds fit any depth and chemistry, where fixed cut-offs
/// (200 genes, 5 % mitochondrial) discard whole small panels. Cells with no counts are always removed. Nothing is
/// removed from a matrix that does not hold counts.
/// </remarks>
public static class QualityControl
{
    /// <summary>Scaled MADs from the median beyond which a cell is an outlier.</summary>
    public const double DefaultMads = 3;

    /// <summary>Whether a gene name is mitochondrial (human MT-, mouse mt-).</summary>
    public static bool IsMitochondrial(string name) => name.StartsWith("MT-", StringComparison.OrdinalIgnoreCase);

    public static QcResult Run(SparseMatrix x, IReadOnlyList<string> geneNames, bool counts, double nmads = DefaultMads)
    {
        var n = x.Rows;
        var totals = new double[n];
        var genes = new int[n];
        var mito = new double[n];
        var isMito = geneNames.Select(IsMitochondrial).ToArray();
        var mitoGenes = isMito.Count(m => m);
        for (var i = 0; i < n; i++)
        {
            var idx = x.RowIndices(i);
            var val = x.RowValues(i);
            double t = 0, m = 0;
            var g = 0;
            for (var k = 0; k < idx.Length; k++)
            {
                t += val[k];
                if (val[k] != 0)
                {
                    g++;
                }
                if (isMito[idx[k]])
                {
                    m += val[k];
                }
            }
            totals[i] = t;
            genes[i] = g;
            mito[i] = mitoGenes == 0 || t <= 0 ? double.NaN : 100 * m / t;
        }
        var keep = new bool[n];
        var thresholds = ImmutableArray.CreateBuilder<QcThreshold>();
        if (!counts)
        {
            Array.Fill(keep, true);
            thresholds.Add(new QcThreshold("all", "none", double.NaN, "the matrix holds processed values, not counts: no cell removed", 0));
            return new QcResult(totals, genes, mito, keep, thresholds.ToImmutable(), mitoGenes);
        }
        for (var i = 0; i < n; i++)
        {
            keep[i] = totals[i] > 0;
        }
        var empty = keep.Count(k => !k);
        thresholds.Add(new QcThreshold("total_counts", "<=", 0, "no counts", empty));
        var logTotals = totals.Select(t => t > 0 ? Math.Log10(t) : double.NaN).ToArray();
        var logGenes = genes.Select(g => g > 0 ? Math.Log10(g) : double.NaN).ToArray();
        Lower("total_counts", logTotals, totals, keep, nmads, thresholds);
        Lower("genes_detected", logGenes, genes.Select(g => (double)g).ToArray(), keep, nmads, thresholds);
        if (mitoGenes > 0)
        {
            var (med, mad) = MedianMad(mito.Where((v, i) => totals[i] > 0 && !double.IsNaN(v)));
            var limit = med + nmads * mad;
            var removed = 0;
            for (var i = 0; i < n; i++)
            {
                if (keep[i] && mito[i] > limit)
                {
                    keep[i] = false;
                    removed++;
                }
            }
            thresholds.Add(new QcThreshold("pct_mito", ">", limit, $"median {med:0.###} + {nmads} × MAD {mad:0.###}", removed));
        }
        return new QcResult(totals, genes, mito, keep, thresholds.ToImmutable(), mitoGenes);
    }

    private static void Lower(string metric, double[] logValues, double[] values, bool[] keep, double nmads, ImmutableArray<QcThreshold>.Builder thresholds)
    {
        var (med, mad) = MedianMad(logValues.Where((v, i) => keep[i] && !double.IsNaN(v)));
        var limit = Math.Pow(10, med - nmads * mad);
        var removed = 0;
        for (var i = 0; i < keep.Length; i++)
        {
            if (keep[i] && values[i] < limit)
            {
                keep[i] = false;
                removed++;
            }
        }
        thresholds.Add(new QcThreshold(metric, "<", limit, $"10^(median {med:0.###} − {nmads} × MAD {mad:0.###}) of log10 {metric}", removed));
    }

    /// <summary>The median and the MAD scaled by 1.4826 (consistent with the standard deviation of a normal).</summary>
    public static (double Median, double Mad) MedianMad(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0)
        {
            return (double.NaN, double.NaN);
        }
        var med = Median(v);
        var mad = 1.4826 * Median(v.Select(x => Math.Abs(x - med)).ToArray());
        return (med, mad);
    }

    /// <summary>The median (the mean of the two middle values for an even count).</summary>
    public static double Median(double[] v)
    {
        var s = (double[])v.Clone();
        Array.Sort(s);
        var n = s.Length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }
}
