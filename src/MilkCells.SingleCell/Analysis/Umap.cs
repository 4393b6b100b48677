using MilkCells.Core.Random;

namespace MilkCells.SingleCell.Analysis;

/// <summary>UMAP's 2-D layout of the fuzzy graph.</summary>
/// <remarks>
/// McInnes, Healy &amp; Melville 2018 (arXiv:1802.03426, §3.2 and Appendix C; umap-learn's
/// <c>optimize_layout_euclidean</c>): stochastic gradient descent on the fuzzy cross-entropy, each edge sampled once every
/// w_max/w epochs with five negative samples per positive one, the low-dimensional similarity 1/(1 + a·d^{2b}) with a and
/// b fitted to min_dist = 0.5 and spread = 1 (scanpy's defaults) by Levenberg–Marquardt least squares, gradients clipped
/// at ±4, learning rate falling linearly from 1 to 0; 500 epochs below 10,000 cells, 200 above; edges below
/// w_max/epochs dropped. Initialised from the first two principal components scaled into [0, 10] (umap-learn's
/// <c>init="pca"</c>; its default spectral initialisation needs an eigensolver the PCA already stands in for).
/// <para>
/// Determinism: umap-learn updates both ends of an edge in place from several threads at once (Hogwild), so its
/// layouts differ run to run. Here each epoch moves every cell from the positions at the start of the epoch
/// (double-buffered), a cell's own moves applied in sequence, its negative samples drawn from a stream derived from the
/// seed, the epoch and the cell: any thread count gives the same layout. The attraction of an edge reaches both
/// endpoints because the graph stores both directions.
/// </para>
/// </remarks>
public static class Umap
{
    public const double MinDist = 0.5;
    public const double Spread = 1.0;
    public const int NegativeSampleRate = 5;

    /// <summary>The epochs umap-learn uses for a graph of <paramref name="n"/> nodes.</summary>
    public static int DefaultEpochs(int n) => n <= 10_000 ? 500 : 200;

    public static DenseMatrix Layout(WeightedGraph graph, DenseMatrix pcaScores, int epochs, ulong seed, Work work)
    {
        var n = graph.Nodes;
        var (a, b) = FitAB(MinDist, Spread);
        float fa = (float)a, fb = (float)b;
        var y = new float[n * 2];
        // initial positions: PC1 and PC2 scaled into [0, 10]
        for (var d = 0; d < 2; d++)
        {
            var col = d < pcaScores.Columns ? d : 0;
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            for (var i = 0; i < n; i++)
            {
                lo = Math.Min(lo, pcaScores[i, col]);
                hi = Math.Max(hi, pcaScores[i, col]);
            }
            var range = hi > lo ? hi - lo : 1;
            for (var i = 0; i < n; i++)
            {
                y[i * 2 + d] = 10 * (pcaScores[i, col] - lo) / range;
            }
        }
        var wMax = 0.0;
        foreach (var w in graph.Weight)
        {
            wMax = Math.Max(wMax, w);
        }
        var epochsPerSample = new double[graph.Weight.Length];
        for (var e = 0; e < epochsPerSample.Length; e++)
        {
            var w = graph.Weight[e];
            epochsPerSample[e] = w < wMax / epochs ? -1 : wMax / w;
        }
        var nextSample = (double[])epochsPerSample.Clone();
        var nextNegative = epochsPerSample.Select(x => x / NegativeSampleRate).ToArray();
        var next = new float[n * 2];
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            var alpha = (float)(1.0 - (double)epoch / epochs);
            var current = y;
            var ep = epoch;
            work.ForRange(n, 1024, (s, t) =>
            {
                for (var i = s; i < t; i++)
                {
                    var rng = RandomStream.Derive(seed, RandomStream.Label("umap"), (ulong)ep, (ulong)i);
                    var yi0 = current[i * 2];
                    var yi1 = current[i * 2 + 1];
                    for (var e = graph.Start[i]; e < graph.Start[i + 1]; e++)
                    {
                        var eps = epochsPerSample[e];
                        if (eps <= 0 || nextSample[e] > ep)
                        {
                            continue;
                        }
                        var j = graph.Target[e];
                        var d0 = yi0 - current[j * 2];
                        var d1 = yi1 - current[j * 2 + 1];
                        var dist2 = d0 * d0 + d1 * d1;
                        if (dist2 > 0)
                        {
                            var pb = MathF.Exp(fb * MathF.Log(dist2));
                            var coeff = -2f * fa * fb * (pb / dist2) / (fa * pb + 1f);
                            yi0 += Clip(coeff * d0) * alpha;
                            yi1 += Clip(coeff * d1) * alpha;
                        }
                        nextSample[e] += eps;
                        var epsNeg = eps / NegativeSampleRate;
                        var negatives = (int)((ep - nextNegative[e]) / epsNeg);
                        for (var p = 0; p < negatives; p++)
                        {
                            var k = (int)rng.NextBelow((ulong)n);
                            if (k == i)
                            {
                                continue;
                            }
                            var n0 = yi0 - current[k * 2];
                            var n1 = yi1 - current[k * 2 + 1];
                            var nd2 = n0 * n0 + n1 * n1;
                            if (nd2 > 0)
                            {
                                var pb = MathF.Exp(fb * MathF.Log(nd2));
                                var coeff = 2f * fb / ((0.001f + nd2) * (fa * pb + 1f));
                                yi0 += Clip(coeff * n0) * alpha;
                                yi1 += Clip(coeff * n1) * alpha;
                            }
                            else
                            {
                                yi0 += 4 * alpha;
                                yi1 += 4 * alpha;
                            }
                        }
                        nextNegative[e] += negatives * epsNeg;
                    }
                    next[i * 2] = yi0;
                    next[i * 2 + 1] = yi1;
                }
            });
            (y, next) = (next, y);
        }
        var result = new DenseMatrix(n, 2);
        y.CopyTo(result.Data, 0);
        return result;
    }

    private static float Clip(float v) => v > 4 ? 4 : v < -4 ? -4 : v;

    /// <summary>The a and b of 1/(1 + a·x^{2b}) that best fit 1 for x &lt; min_dist and exp(−(x − min_dist)/spread) beyond, on 300 points in [0, 3·spread].</summary>
    /// <remarks>umap-learn's <c>find_ab_params</c> uses SciPy's <c>curve_fit</c> (Levenberg–Marquardt) on the same grid.</remarks>
    public static (double A, double B) FitAB(double minDist, double spread)
    {
        const int m = 300;
        var xs = new double[m];
        var ys = new double[m];
        for (var i = 0; i < m; i++)
        {
            xs[i] = 3 * spread * i / (m - 1);
            ys[i] = xs[i] < minDist ? 1 : Math.Exp(-(xs[i] - minDist) / spread);
        }
        double a = 1, b = 1, lambda = 1e-3;
        var cost = Cost(a, b);
        for (var it = 0; it < 500; it++)
        {
            // Jacobian of r_i = f(x_i) − y_i with f = 1/(1 + a x^{2b})
            double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
            for (var i = 1; i < m; i++)
            {
                var x2b = Math.Pow(xs[i], 2 * b);
                var f = 1 / (1 + a * x2b);
                var r = f - ys[i];
                var dfa = -x2b * f * f;
                var dfb = -a * x2b * 2 * Math.Log(xs[i]) * f * f;
                jaa += dfa * dfa;
                jab += dfa * dfb;
                jbb += dfb * dfb;
                ga += dfa * r;
                gb += dfb * r;
            }
            var improved = false;
            while (lambda < 1e10)
            {
                var m11 = jaa * (1 + lambda);
                var m22 = jbb * (1 + lambda);
                var det = m11 * m22 - jab * jab;
                var da = -(m22 * ga - jab * gb) / det;
                var db = -(m11 * gb - jab * ga) / det;
                var trial = Cost(a + da, b + db);
                if (trial < cost)
                {
                    var done = Math.Abs(cost - trial) < 1e-15 * (1 + cost);
                    a += da;
                    b += db;
                    cost = trial;
                    lambda = Math.Max(lambda / 10, 1e-12);
                    improved = true;
                    if (done)
                    {
                        return (a, b);
                    }
                    break;
                }
                lambda *= 10;
            }
            if (!improved)
            {
                break;
            }
        }
        return (a, b);

        double Cost(double aa, double bb)
        {
            double s = 0;
            for (var i = 0; i < m; i++)
            {
                var f = 1 / (1 + aa * Math.Pow(xs[i], 2 * bb));
                s += (f - ys[i]) * (f - ys[i]);
            }
            return s;
        }
    }
}
