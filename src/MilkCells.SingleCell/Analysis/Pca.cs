using MathNet.Numerics.LinearAlgebra;
using MilkCells.Core.Random;
using MilkCells.SingleCell.Data;

namespace MilkCells.SingleCell.Analysis;

/// <summary>A dense row-major matrix of 32-bit floats (cells × genes after scaling, cells × components after PCA).</summary>
public sealed class DenseMatrix(int rows, int columns)
{
    public int Rows { get; } = rows;

    public int Columns { get; } = columns;

    public float[] Data { get; } = new float[(long)rows * columns];

    public Span<float> Row(int r) => Data.AsSpan(r * Columns, Columns);

    public float this[int r, int c]
    {
        get => Data[r * Columns + c];
        set => Data[r * Columns + c] = value;
    }
}

/// <summary>The principal components: cell scores, gene loadings and the variance each explains.</summary>
/// <param name="Scores">Cells × components.</param>
/// <param name="Loadings">Genes × components (unit vectors).</param>
/// <param name="Variance">The variance of each component's scores.</param>
/// <param name="VarianceRatio">Each component's share of the total variance of the scaled genes.</param>
public sealed record PcaResult(DenseMatrix Scores, DenseMatrix Loadings, double[] Variance, double[] VarianceRatio);

/// <summary>Scaling of the highly variable genes and PCA by randomised SVD.</summary>
/// <remarks>
/// Scaling as Seurat's <c>ScaleData</c> and scanpy's <c>scale(max_value=10)</c>: each gene centred, divided by its
/// standard deviation (n − 1) and clipped at 10. PCA by randomised subspace iteration (Halko, Martinsson &amp; Tropp 2011,
/// SIAM Review 53:217, doi:10.1137/090771806, Algorithm 4.4): a Gaussian test matrix of k + 10 columns, q = 4 power
/// iterations with re-orthonormalisation after every product, then the small SVD of QᵀA through the eigen-decomposition
/// of its Gram matrix. Orthonormalisation is CholeskyQR2 (Fukaya, Nakatsukasa, Yanagisawa &amp; Yamamoto 2014), falling
/// back to Householder QR for rank-deficient inputs. Products run over fixed blocks of rows whose partial sums are added
/// in block order, so the result does not depend on the thread count. Signs are fixed so that each component's largest
/// loading is positive.
/// </remarks>
public static class Pca
{
    public const int DefaultComponents = 50;
    public const double ScaleClip = 10;
    public const int Oversampling = 10;
    public const int PowerIterations = 4;
    private const int Block = 2048;

    /// <summary>The scaled matrix of the chosen genes (cells × genes).</summary>
    public static DenseMatrix Scale(SparseMatrix logNormalized, int[] genes, Work work, out double[] mean, out double[] sd)
    {
        var map = new int[logNormalized.Columns];
        Array.Fill(map, -1);
        for (var k = 0; k < genes.Length; k++)
        {
            map[genes[k]] = k;
        }
        var n = logNormalized.Rows;
        var h = genes.Length;
        var sums = new double[h];
        var sq = new double[h];
        for (var i = 0; i < logNormalized.Values.Length; i++)
        {
            var k = map[logNormalized.ColumnIndex[i]];
            if (k >= 0)
            {
                double v = logNormalized.Values[i];
                sums[k] += v;
            }
        }
        var mu = sums.Select(s => s / n).ToArray();
        var nz = new int[h];
        for (var i = 0; i < logNormalized.Values.Length; i++)
        {
            var k = map[logNormalized.ColumnIndex[i]];
            if (k >= 0)
            {
                var d = logNormalized.Values[i] - mu[k];
                sq[k] += d * d;
                nz[k]++;
            }
        }
        var sigma = new double[h];
        for (var k = 0; k < h; k++)
        {
            sigma[k] = n > 1 ? Math.Sqrt((sq[k] + (n - nz[k]) * mu[k] * mu[k]) / (n - 1)) : 0;
        }
        var z = new DenseMatrix(n, h);
        work.ForRange(n, Block, (a, b) =>
        {
            for (var r = a; r < b; r++)
            {
                var row = z.Row(r);
                for (var k = 0; k < h; k++)
                {
                    row[k] = sigma[k] > 0 ? (float)Math.Min(ScaleClip, -mu[k] / sigma[k]) : 0;
                }
                var idx = logNormalized.RowIndices(r);
                var val = logNormalized.RowValues(r);
                for (var i = 0; i < idx.Length; i++)
                {
                    var k = map[idx[i]];
                    if (k >= 0 && sigma[k] > 0)
                    {
                        row[k] = (float)Math.Min(ScaleClip, (val[i] - mu[k]) / sigma[k]);
                    }
                }
            }
        });
        mean = mu;
        sd = sigma;
        return z;
    }

    /// <summary>The first <paramref name="components"/> principal components of the (already centred) matrix <paramref name="a"/>.</summary>
    public static PcaResult Run(DenseMatrix a, int components, ulong seed, Work work)
    {
        var n = a.Rows;
        var p = a.Columns;
        var k = Math.Max(1, Math.Min(components, Math.Min(n, p) - 1));
        var l = Math.Min(k + Oversampling, Math.Min(n, p));
        var rng = RandomStream.Derive(seed, RandomStream.Label("pca"));
        var omega = new double[p * l];
        for (var i = 0; i < omega.Length; i++)
        {
            omega[i] = Samplers.StandardNormal(ref rng);
        }
        var q = Orthonormalize(Times(a, omega, l, work), n, l, work);
        for (var it = 0; it < PowerIterations; it++)
        {
            var w = Orthonormalize(TransposeTimes(a, q, l, work), p, l, work);
            q = Orthonormalize(Times(a, w, l, work), n, l, work);
        }
        var zt = TransposeTimes(a, q, l, work); // p × l: Aᵀ Q = Bᵀ
        var gram = Matrix<double>.Build.Dense(l, l);
        for (var i = 0; i < l; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                double s = 0;
                for (var r = 0; r < p; r++)
                {
                    s += zt[r * l + i] * zt[r * l + j];
                }
                gram[i, j] = s;
                gram[j, i] = s;
            }
        }
        var evd = gram.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, l).OrderByDescending(i => evd.EigenValues[i].Real).ToArray();
        var scores = new DenseMatrix(n, k);
        var loadings = new DenseMatrix(p, k);
        var variance = new double[k];
        for (var c = 0; c < k; c++)
        {
            var e = order[c];
            var s = Math.Sqrt(Math.Max(0, evd.EigenValues[e].Real));
            var u = evd.EigenVectors.Column(e);
            // loadings V = Bᵀ u / s; scores = Q u s
            var v = new double[p];
            for (var r = 0; r < p; r++)
            {
                double t = 0;
                for (var j = 0; j < l; j++)
                {
                    t += zt[r * l + j] * u[j];
                }
                v[r] = s > 0 ? t / s : 0;
            }
            var big = 0;
            for (var r = 1; r < p; r++)
            {
                if (Math.Abs(v[r]) > Math.Abs(v[big]))
                {
                    big = r;
                }
            }
            var sign = v[big] < 0 ? -1.0 : 1.0;
            for (var r = 0; r < p; r++)
            {
                loadings[r, c] = (float)(sign * v[r]);
            }
            for (var i = 0; i < n; i++)
            {
                double t = 0;
                for (var j = 0; j < l; j++)
                {
                    t += q[i * l + j] * u[j];
                }
                scores[i, c] = (float)(sign * t * s);
            }
            variance[c] = s * s / Math.Max(1, n - 1);
        }
        double total = 0;
        for (var j = 0; j < p; j++)
        {
            double ss = 0;
            double mu = 0;
            for (var i = 0; i < n; i++)
            {
                mu += a[i, j];
            }
            mu /= n;
            for (var i = 0; i < n; i++)
            {
                var d = a[i, j] - mu;
                ss += d * d;
            }
            total += ss / Math.Max(1, n - 1);
        }
        return new PcaResult(scores, loadings, variance, variance.Select(v => total > 0 ? v / total : 0).ToArray());
    }

    /// <summary>A (n × p, float) times B (p × l, row-major doubles): n × l.</summary>
    internal static double[] Times(DenseMatrix a, double[] b, int l, Work work)
    {
        var n = a.Rows;
        var p = a.Columns;
        var y = new double[n * l];
        work.ForRange(n, 256, (s, e) =>
        {
            for (var i = s; i < e; i++)
            {
                var row = a.Row(i);
                var yi = y.AsSpan(i * l, l);
                for (var j = 0; j < p; j++)
                {
                    var v = (double)row[j];
                    if (v == 0)
                    {
                        continue;
                    }
                    Axpy(v, b.AsSpan(j * l, l), yi);
                }
            }
        });
        return y;
    }

    /// <summary>y += a·x, in SIMD registers.</summary>
    internal static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        var i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var w = System.Numerics.Vector<double>.Count;
            var va = new System.Numerics.Vector<double>(a);
            for (; i <= x.Length - w; i += w)
            {
                var vy = new System.Numerics.Vector<double>(y[i..]) + va * new System.Numerics.Vector<double>(x[i..]);
                vy.CopyTo(y[i..]);
            }
        }
        for (; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    /// <summary>Aᵀ (p × n) times Q (n × l): p × l, summed over fixed row blocks in order.</summary>
    internal static double[] TransposeTimes(DenseMatrix a, double[] q, int l, Work work)
    {
        var n = a.Rows;
        var p = a.Columns;
        var blocks = (n + Block - 1) / Block;
        var partial = new double[blocks][];
        work.For(blocks, b =>
        {
            var z = new double[p * l];
            for (var i = b * Block; i < Math.Min(n, (b + 1) * Block); i++)
            {
                var row = a.Row(i);
                var qi = q.AsSpan(i * l, l);
                for (var j = 0; j < p; j++)
                {
                    var v = (double)row[j];
                    if (v != 0)
                    {
                        Axpy(v, qi, z.AsSpan(j * l, l));
                    }
                }
            }
            partial[b] = z;
        });
        var result = partial[0];
        for (var b = 1; b < blocks; b++)
        {
            var pb = partial[b];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] += pb[i];
            }
        }
        return result;
    }

    /// <summary>An orthonormal basis of the columns of Y (m × l, row-major): CholeskyQR2, or Householder QR when Y is (nearly) rank-deficient.</summary>
    internal static double[] Orthonormalize(double[] y, int m, int l, Work work)
    {
        var once = CholeskyQr(y, m, l, work);
        var twice = once is null ? null : CholeskyQr(once, m, l, work);
        if (twice is not null)
        {
            return twice;
        }
        var matrix = Matrix<double>.Build.Dense(m, l, (i, j) => y[i * l + j]);
        var qr = matrix.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin);
        var result = new double[m * l];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < l; j++)
            {
                result[i * l + j] = qr.Q[i, j];
            }
        }
        return result;
    }

    private static double[]? CholeskyQr(double[] y, int m, int l, Work work)
    {
        var blocks = (m + Block - 1) / Block;
        var partial = new double[blocks][];
        work.For(blocks, b =>
        {
            var g = new double[l * l];
            for (var i = b * Block; i < Math.Min(m, (b + 1) * Block); i++)
            {
                var yi = y.AsSpan(i * l, l);
                for (var r = 0; r < l; r++)
                {
                    var v = yi[r];
                    var gr = g.AsSpan(r * l, l);
                    for (var c = 0; c <= r; c++)
                    {
                        gr[c] += v * yi[c];
                    }
                }
            }
            partial[b] = g;
        });
        var gram = partial[0];
        for (var b = 1; b < blocks; b++)
        {
            for (var i = 0; i < gram.Length; i++)
            {
                gram[i] += partial[b][i];
            }
        }
        // Cholesky G = Rᵀ R (lower triangle L = Rᵀ stored in place)
        var maxDiag = 0.0;
        for (var r = 0; r < l; r++)
        {
            maxDiag = Math.Max(maxDiag, gram[r * l + r]);
        }
        var lower = new double[l * l];
        for (var r = 0; r < l; r++)
        {
            for (var c = 0; c <= r; c++)
            {
                var s = gram[r * l + c];
                for (var t = 0; t < c; t++)
                {
                    s -= lower[r * l + t] * lower[c * l + t];
                }
                if (r == c)
                {
                    if (s <= 1e-10 * maxDiag)
                    {
                        return null;
                    }
                    lower[r * l + r] = Math.Sqrt(s);
                }
                else
                {
                    lower[r * l + c] = s / lower[c * l + c];
                }
            }
        }
        // Q = Y R⁻¹: each row solves xᵀ R = yᵀ, i.e. L x = y (forward substitution)
        var q = new double[m * l];
        work.ForRange(m, Block, (s, e) =>
        {
            for (var i = s; i < e; i++)
            {
                var yi = y.AsSpan(i * l, l);
                var qi = q.AsSpan(i * l, l);
                for (var c = 0; c < l; c++)
                {
                    var v = yi[c];
                    for (var t = 0; t < c; t++)
                    {
                        v -= lower[c * l + t] * qi[t];
                    }
                    qi[c] = v / lower[c * l + c];
                }
            }
        });
        return q;
    }
}
