using MathNet.Numerics;
using MilkCells.SingleCell.Data;

namespace MilkCells.SingleCell.Analysis;

/// <summary>One gene's test for one cluster against all other cells.</summary>
/// <param name="Gene">The gene's column.</param>
/// <param name="Z">The rank-sum statistic as a z-score (positive: higher in the cluster).</param>
/// <param name="PValue">Two-sided p value.</param>
/// <param name="PAdjusted">Benjamini–Hochberg adjusted p over all genes tested for the cluster.</param>
/// <param name="Log2FoldChange">log2 of the ratio of mean expression (expm1 of log-normalised values).</param>
/// <param name="PctIn">Share of the cluster's cells expressing the gene.</param>
/// <param name="PctOut">Share of the other cells expressing it.</param>
public sealed record MarkerStat(int Gene, double Z, double PValue, double PAdjusted, double Log2FoldChange, double PctIn, double PctOut);

/// <summary>Marker genes of each cluster: Wilcoxon rank-sum tests, one cluster against the rest.</summary>
/// <remarks>
/// Wilcoxon (1945) / Mann &amp; Whitney (1947) rank-sum test with the normal approximation and tie correction, as
/// scanpy's <c>rank_genes_groups(method="wilcoxon")</c> computes it (Wolf, Angerer &amp; Theis 2018, Genome Biol 19:15):
/// z = (R − n₁(N + 1)/2) / √(n₁n₂/12 · (N + 1 − Σ(t³ − t)/(N(N − 1)))), no continuity correction; two-sided p from the
/// normal; p adjusted by Benjamini &amp; Hochberg (1995, JRSS B 57:289) over the genes tested for a cluster; log2 fold
/// change of mean expm1 values with a 10⁻⁹ pseudo-count (scanpy's). Seurat's <c>FindAllMarkers</c> default is the same
/// test. Zeros are one tie group, so each gene is ranked by sorting its non-zero values only.
/// </remarks>
public static class Markers
{
    public static MarkerStat[][] RankGenes(SparseMatrix logNormalized, int[] cluster, int clusters, Work work)
    {
        var n = logNormalized.Rows;
        var g = logNormalized.Columns;
        var byGene = logNormalized.Transpose();
        var size = new int[clusters];
        foreach (var c in cluster)
        {
            size[c]++;
        }
        var z = new double[clusters, g];
        var lfc = new double[clusters, g];
        var pctIn = new double[clusters, g];
        var pctOut = new double[clusters, g];
        work.ForRange(g, 64, (a, b) =>
        {
            var rankSum = new double[clusters];
            var expSum = new double[clusters];
            var expressed = new int[clusters];
            var keys = Array.Empty<float>();
            var cells = Array.Empty<int>();
            for (var j = a; j < b; j++)
            {
                Array.Clear(rankSum);
                Array.Clear(expSum);
                Array.Clear(expressed);
                var s = byGene.RowStart[j];
                var e = byGene.RowStart[j + 1];
                if (keys.Length < e - s)
                {
                    keys = new float[e - s];
                    cells = new int[e - s];
                }
                var nnz = 0;
                for (var i = s; i < e; i++)
                {
                    if (byGene.Values[i] != 0)
                    {
                        keys[nnz] = byGene.Values[i];
                        cells[nnz] = byGene.ColumnIndex[i];
                        nnz++;
                    }
                }
                var zeros = n - nnz;
                double tieSum = (double)zeros * zeros * zeros - zeros;
                var zeroRank = (zeros + 1) / 2.0;
                // sort by value, cells in increasing order within ties (stable result whatever the sort)
                Array.Sort(keys, cells, 0, nnz);
                var k = 0;
                while (k < nnz)
                {
                    var t = k;
                    while (t + 1 < nnz && keys[t + 1] == keys[k])
                    {
                        t++;
                    }
                    var ties = t - k + 1;
                    var rank = zeros + (k + 1 + t + 1) / 2.0;
                    tieSum += (double)ties * ties * ties - ties;
                    var expm1 = Math.Exp(keys[k]) - 1;
                    for (var u = k; u <= t; u++)
                    {
                        var c = cluster[cells[u]];
                        rankSum[c] += rank;
                        expSum[c] += expm1;
                        expressed[c]++;
                    }
                    k = t + 1;
                }
                double totalExp = 0;
                var totalExpressed = 0;
                for (var c = 0; c < clusters; c++)
                {
                    totalExp += expSum[c];
                    totalExpressed += expressed[c];
                }
                var tieFactor = n > 1 ? tieSum / ((double)n * (n - 1)) : 0;
                for (var c = 0; c < clusters; c++)
                {
                    var n1 = (double)size[c];
                    var n2 = (double)(n - size[c]);
                    var r = rankSum[c] + (size[c] - expressed[c]) * zeroRank;
                    var mean = n1 * (n + 1) / 2.0;
                    var variance = n1 * n2 / 12.0 * (n + 1 - tieFactor);
                    z[c, j] = variance > 0 ? (r - mean) / Math.Sqrt(variance) : 0;
                    var meanIn = n1 > 0 ? expSum[c] / n1 : 0;
                    var meanOut = n2 > 0 ? (totalExp - expSum[c]) / n2 : 0;
                    lfc[c, j] = Math.Log2((meanIn + 1e-9) / (meanOut + 1e-9));
                    pctIn[c, j] = n1 > 0 ? expressed[c] / n1 : 0;
                    pctOut[c, j] = n2 > 0 ? (totalExpressed - expressed[c]) / n2 : 0;
                }
            }
        });
        var result = new MarkerStat[clusters][];
        for (var c = 0; c < clusters; c++)
        {
            var p = new double[g];
            for (var j = 0; j < g; j++)
            {
                p[j] = SpecialFunctions.Erfc(Math.Abs(z[c, j]) / Math.Sqrt(2));
            }
            var adjusted = BenjaminiHochberg(p);
            result[c] = Enumerable.Range(0, g).Select(j => new MarkerStat(j, z[c, j], p[j], adjusted[j], lfc[c, j], pctIn[c, j], pctOut[c, j]))
                .OrderByDescending(m => m.Z).ThenBy(m => m.Gene).ToArray();
        }
        return result;
    }

    /// <summary>Benjamini–Hochberg adjusted p values (R's <c>p.adjust(method = "BH")</c>).</summary>
    public static double[] BenjaminiHochberg(double[] p)
    {
        var m = p.Length;
        var order = Enumerable.Range(0, m).OrderByDescending(i => p[i]).ThenBy(i => i).ToArray();
        var adjusted = new double[m];
        var running = 1.0;
        for (var r = 0; r < m; r++)
        {
            var i = order[r];
            var rank = m - r;
            running = Math.Min(running, p[i] * m / rank);
            adjusted[i] = Math.Min(1, running);
        }
        return adjusted;
    }
}
