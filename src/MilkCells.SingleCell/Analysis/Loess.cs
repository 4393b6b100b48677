namespace MilkCells.SingleCell.Analysis;

/// <summary>Local polynomial regression (loess) of degree 2 with tricube weights, fitted directly at every point.</summary>
/// <remarks>
/// Cleveland (1979, JASA 74:829, doi:10.1080/01621459.1979.10481038) and Cleveland &amp; Devlin (1988, JASA 83:596):
/// at each x the q = ⌊span · n⌋ nearest points are weighted by (1 − (d/d_max)³)³ and a weighted quadratic is fitted.
/// R's <c>loess</c> (which Seurat's vst calls with span 0.3) evaluates the same fit at the vertices of a k-d tree and
/// interpolates between them (<c>surface = "interpolate"</c>); fitting at every point is the exact version of that
/// surface (<c>surface = "direct"</c>), differing from it by the interpolation error only. Family gaussian (no robustness
/// iterations), as Seurat uses it.
/// </remarks>
public static class Loess
{
    /// <summary>The fitted values at each x.</summary>
    public static double[] Fit(double[] x, double[] y, double span, Work work)
    {
        var n = x.Length;
        var order = Enumerable.Range(0, n).OrderBy(i => x[i]).ThenBy(i => i).ToArray();
        var xs = order.Select(i => x[i]).ToArray();
        var ys = order.Select(i => y[i]).ToArray();
        var q = Math.Max(3, Math.Min(n, (int)Math.Floor(span * n)));
        var fitted = new double[n];
        work.ForRange(n, 256, (a, b) =>
        {
            var lo = 0;
            for (var k = a; k < b; k++)
            {
                var x0 = xs[k];
                // the q nearest points form a window [lo, lo + q) of the sorted x: slide it while the point past its right
                // end is closer than its left end
                lo = Math.Clamp(lo, Math.Max(0, k - q + 1), Math.Min(k, n - q));
                while (lo + q < n && xs[lo + q] - x0 < x0 - xs[lo])
                {
                    lo++;
                }
                var dmax = Math.Max(x0 - xs[lo], xs[lo + q - 1] - x0);
                dmax = dmax > 0 ? dmax : 1;
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, t0 = 0, t1 = 0, t2 = 0;
                for (var i = lo; i < lo + q; i++)
                {
                    var u = xs[i] - x0;
                    var d = Math.Abs(u) / dmax;
                    var w = 1 - d * d * d;
                    w = w * w * w;
                    if (w <= 0)
                    {
                        continue;
                    }
                    var u2 = u * u;
                    s0 += w;
                    s1 += w * u;
                    s2 += w * u2;
                    s3 += w * u2 * u;
                    s4 += w * u2 * u2;
                    t0 += w * ys[i];
                    t1 += w * u * ys[i];
                    t2 += w * u2 * ys[i];
                }
                fitted[order[k]] = SolveIntercept(s0, s1, s2, s3, s4, t0, t1, t2);
            }
        });
        return fitted;
    }

    /// <summary>The intercept of the weighted quadratic (the fit at u = 0) from the normal equations; falls back to lower degrees when singular.</summary>
    private static double SolveIntercept(double s0, double s1, double s2, double s3, double s4, double t0, double t1, double t2)
    {
        // | s0 s1 s2 | |c0|   |t0|
        // | s1 s2 s3 | |c1| = |t1|
        // | s2 s3 s4 | |c2|   |t2|
        var det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2);
        var scale = Math.Abs(s0 * s2 * s4) + 1e-300;
        if (Math.Abs(det) > 1e-12 * scale)
        {
            return (t0 * (s2 * s4 - s3 * s3) - s1 * (t1 * s4 - s3 * t2) + s2 * (t1 * s3 - s2 * t2)) / det;
        }
        var det2 = s0 * s2 - s1 * s1;
        if (Math.Abs(det2) > 1e-12 * Math.Abs(s0 * s2 + 1e-300))
        {
            return (t0 * s2 - s1 * t1) / det2;
        }
        return s0 > 0 ? t0 / s0 : 0;
    }
}
