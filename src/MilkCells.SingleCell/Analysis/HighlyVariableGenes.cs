using MilkCells.SingleCell.Data;

namespace MilkCells.SingleCell.Analysis;

/// <summary>Which highly-variable-gene method was used.</summary>
public enum HvgMethod
{
    /// <summary>Seurat v3 variance-stabilising transformation of counts (Stuart et al. 2019).</summary>
    Vst,

    /// <summary>Binned normalised dispersion of log-normalised values (Satija et al. 2015; scanpy flavor "seurat").</summary>
    Dispersion,
}

/// <summary>The genes chosen and each gene's statistics.</summary>
/// <param name="Method">The method.</param>
/// <param name="Selected">The chosen genes' column indices, most variable first.</param>
/// <param name="Mean">Each gene's mean (of counts for vst, of expm1 values for dispersion).</param>
/// <param name="Variance">Each gene's variance, on the same scale.</param>
/// <param name="Score">The ranking score: standardised variance (vst) or normalised dispersion (dispersion); NaN for genes not ranked.</param>
public sealed record HvgResult(HvgMethod Method, int[] Selected, double[] Mean, double[] Variance, double[] Score);

/// <summary>Highly variable genes.</summary>
/// <remarks>
/// <b>vst</b> (Stuart, Butler, Hoffman et al. 2019, Cell 177:1888, doi:10.1016/j.cell.2019.05.031; Seurat's default
/// <c>FindVariableFeatures(selection.method = "vst")</c>): on counts, fit log10 variance against log10 mean by loess
/// (span 0.3); standardise each gene by its mean and the fitted standard deviation, clip at √N, and rank genes by the
/// variance of the standardised values. Used whenever the matrix holds counts.
/// <para>
/// <b>dispersion</b> (Satija et al. 2015, Nat Biotechnol 33:495; Zheng et al. 2017, Nat Commun 8:14049; scanpy's
/// <c>highly_variable_genes(flavor="seurat")</c>): on log-normalised values, the dispersion var/mean of expm1 values is
/// log-transformed and z-scored within 20 equal-width bins of log1p mean. Used when the input holds processed values (no
/// counts to fit a mean–variance relation to).
/// </para>
/// </remarks>
public static class HighlyVariableGenes
{
    /// <summary>Genes kept (Seurat's and scanpy's default).</summary>
    public const int DefaultCount = 2000;

    /// <summary>The loess span of vst (Seurat's default).</summary>
    public const double VstSpan = 0.3;

    public static HvgResult Vst(SparseMatrix counts, int nTop, Work work)
    {
        var n = counts.Rows;
        var g = counts.Columns;
        var (mean, variance) = ColumnMeanVariance(counts, v => v);
        var ranked = Enumerable.Range(0, g).Where(j => variance[j] > 0).ToArray();
        var fitted = Loess.Fit(ranked.Select(j => Math.Log10(mean[j])).ToArray(), ranked.Select(j => Math.Log10(variance[j])).ToArray(), VstSpan, work);
        var sd = new double[g];
        for (var k = 0; k < ranked.Length; k++)
        {
            sd[ranked[k]] = Math.Sqrt(Math.Pow(10, fitted[k]));
        }
        var clip = Math.Sqrt(n);
        var sumSq = new double[g];
        var nonZero = new int[g];
        for (var i = 0; i < counts.Values.Length; i++)
        {
            var j = counts.ColumnIndex[i];
            if (sd[j] <= 0)
            {
                continue;
            }
            var z = Math.Min(clip, (counts.Values[i] - mean[j]) / sd[j]);
            sumSq[j] += z * z;
            nonZero[j]++;
        }
        var score = new double[g];
        Array.Fill(score, double.NaN);
        foreach (var j in ranked)
        {
            var zeroZ = Math.Min(clip, -mean[j] / sd[j]);
            score[j] = (sumSq[j] + (n - nonZero[j]) * zeroZ * zeroZ) / (n - 1);
        }
        return new HvgResult(HvgMethod.Vst, Top(score, nTop), mean, variance, score);
    }

    public static HvgResult Dispersion(SparseMatrix logNormalized, int nTop)
    {
        var g = logNormalized.Columns;
        var (mean, variance) = ColumnMeanVariance(logNormalized, v => Math.Exp(v) - 1);
        var logDisp = new double[g];
        var logMean = new double[g];
        for (var j = 0; j < g; j++)
        {
            var m = mean[j] == 0 ? 1e-12 : mean[j];
            var d = variance[j] / m;
            logDisp[j] = d == 0 ? double.NaN : Math.Log(d);
            logMean[j] = Math.Log(1 + mean[j]);
        }
        var valid = Enumerable.Range(0, g).Where(j => !double.IsNaN(logDisp[j])).ToArray();
        var score = new double[g];
        Array.Fill(score, double.NaN);
        if (valid.Length > 0)
        {
            var lo = valid.Min(j => logMean[j]);
            var hi = valid.Max(j => logMean[j]);
            const int bins = 20;
            var width = (hi - lo) / bins;
            var bin = valid.ToDictionary(j => j, j => width > 0 ? Math.Min(bins - 1, (int)((logMean[j] - lo) / width)) : 0);
            foreach (var group in valid.GroupBy(j => bin[j]))
            {
                var members = group.ToArray();
                var mu = members.Average(j => logDisp[j]);
                var sd = members.Length > 1 ? Math.Sqrt(members.Sum(j => (logDisp[j] - mu) * (logDisp[j] - mu)) / (members.Length - 1)) : double.NaN;
                foreach (var j in members)
                {
                    // a bin of one gene has no spread: scanpy sets its normalised dispersion to 1
                    score[j] = members.Length == 1 || sd == 0 || double.IsNaN(sd) ? 1 : (logDisp[j] - mu) / sd;
                }
            }
        }
        return new HvgResult(HvgMethod.Dispersion, Top(score, nTop), mean, variance, score);
    }

    private static int[] Top(double[] score, int nTop) =>
        Enumerable.Range(0, score.Length).Where(j => !double.IsNaN(score[j])).OrderByDescending(j => score[j]).ThenBy(j => j).Take(nTop).ToArray();

    /// <summary>Each column's mean and sample variance (n − 1) of f(value), zeros included.</summary>
    internal static (double[] Mean, double[] Variance) ColumnMeanVariance(SparseMatrix x, Func<double, double> f)
    {
        var g = x.Columns;
        var n = x.Rows;
        var sum = new double[g];
        for (var i = 0; i < x.Values.Length; i++)
        {
            sum[x.ColumnIndex[i]] += f(x.Values[i]);
        }
        var mean = sum.Select(s => s / n).ToArray();
        var ss = new double[g];
        var nz = new int[g];
        for (var i = 0; i < x.Values.Length; i++)
        {
            var j = x.ColumnIndex[i];
            var d = f(x.Values[i]) - mean[j];
            ss[j] += d * d;
            nz[j]++;
        }
        var variance = new double[g];
        for (var j = 0; j < g; j++)
        {
            variance[j] = n > 1 ? (ss[j] + (n - nz[j]) * mean[j] * mean[j]) / (n - 1) : 0;
        }
        return (mean, variance);
    }
}
