using System.Runtime.Intrinsics;
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

/// <summary>Scaled genes held sparse: Z = S − 1cᵀ, where S keeps the sparsity of the log-normalised matrix.</summary>
/// <param name="S">Cells × genes: min(x/σ, 10 + μ/σ) at each non-zero x.</param>
/// <param name="Offset">c = μ/σ per gene (0 for a constant gene).</param>
public sealed record ScaledMatrix(SparseMatrix S, float[] Offset)
{
    public int Rows => S.Rows;

    public int Columns => S.Columns;
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
/// standard deviation (n − 1) and clipped at 10 — held implicitly as Z = S − 1cᵀ with S as sparse as the data (the
/// clip becomes min(x/σ, 10 + μ/σ) on the non-zeros, zeros never clip), so products cost the non-zeros, not n × genes. PCA by randomised subspace iteration (Halko, Martinsson &amp; Tropp 2011,
/// SIAM Review 53:217, doi:10.1137/090771806, Algorithm 4.4): a Gaussian test matrix of k + 10 columns, q = 4 power
/// iterations with re-orthonormalisation after every product, then the small SVD of QᵀA through the eigen-decomposition
/// of its Gram matrix. Products run in 32-bit floats with fused multiply–adds in SIMD registers (as scikit-learn's
/// randomized_svd does on float32 input); Gram matrices and the small eigenproblem in doubles. Orthonormalisation is CholeskyQR2 (Fukaya, Nakatsukasa, Yanagisawa &amp; Yamamoto 2014), falling
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

    /// <summary>The chosen genes scaled, as a sparse matrix S and column offsets c with Z = S − 1cᵀ (see remarks).</summary>
    public static ScaledMatrix Scale(SparseMatrix logNormalized, int[] genes, Work work)
    {
        // columns in the matrix's own order keep every row sorted (the loadings follow this order)
        genes = genes.Order().ToArray();
        var map = new int[logNormalized.Columns];
        Array.Fill(map, -1);
        for (var k = 0; k < genes.Length; k++)
        {
            map[genes[k]] = k;
        }
        var n = logNormalized.Rows;
        var h = genes.Length;
        var sub = logNormalized.Select(Enumerable.Range(0, n).ToArray(), map, h);
        var sums = new double[h];
        for (var i = 0; i < sub.Values.Length; i++)
        {
            sums[sub.ColumnIndex[i]] += sub.Values[i];
        }
        var mu = sums.Select(x => x / n).ToArray();
        var sq = new double[h];
        var nz = new int[h];
        for (var i = 0; i < sub.Values.Length; i++)
        {
            var k = sub.ColumnIndex[i];
            var d = sub.Values[i] - mu[k];
            sq[k] += d * d;
            nz[k]++;
        }
        var sigma = new double[h];
        for (var k = 0; k < h; k++)
        {
            sigma[k] = n > 1 ? Math.Sqrt((sq[k] + (n - nz[k]) * mu[k] * mu[k]) / (n - 1)) : 0;
        }
        var offset = new float[h];
        for (var k = 0; k < h; k++)
        {
            offset[k] = sigma[k] > 0 ? (float)(mu[k] / sigma[k]) : 0;
        }
        // S_ij = min(x_ij / σ_j, 10 + μ_j / σ_j), so that S_ij − μ_j/σ_j = min(10, (x_ij − μ_j)/σ_j); zeros stay −μ_j/σ_j
        var values = new float[sub.Values.Length];
        work.ForRange(n, Block, (a, b) =>
        {
            for (var i = sub.RowStart[a]; i < sub.RowStart[b]; i++)
            {
                var k = sub.ColumnIndex[i];
                values[i] = sigma[k] > 0 ? (float)Math.Min(sub.Values[i] / sigma[k], ScaleClip + mu[k] / sigma[k]) : 0;
            }
        });
        return new ScaledMatrix(new SparseMatrix(n, h, sub.RowStart, sub.ColumnIndex, values, ValueKind.Float32), offset);
    }

    /// <summary>The first <paramref name="components"/> principal components of the (already centred) matrix <paramref name="a"/>.</summary>
    public static PcaResult Run(ScaledMatrix a, int components, ulong seed, Work work)
    {
        var n = a.Rows;
        var p = a.Columns;
        var k = Math.Max(1, Math.Min(components, Math.Min(n, p) - 1));
        // k + oversampling columns, rounded up to whole SIMD registers of 8 floats (and at most min(n, p))
        var l = Math.Min((k + Oversampling + 7) / 8 * 8, Math.Min(n, p));
        var rng = RandomStream.Derive(seed, RandomStream.Label("pca"));
        var omega = new float[p * l];
        for (var i = 0; i < omega.Length; i++)
        {
            omega[i] = (float)Samplers.StandardNormal(ref rng);
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
                    s += (double)zt[r * l + i] * zt[r * l + j];
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
        // total variance of the scaled columns: Σ_j Σ_i (Z_ij − mean_j)², Z = S − 1cᵀ
        var colSum = new double[p];
        var colSq = new double[p];
        var colNz = new int[p];
        for (var i = 0; i < a.S.Values.Length; i++)
        {
            var j = a.S.ColumnIndex[i];
            double z = a.S.Values[i] - a.Offset[j];
            colSum[j] += z;
            colSq[j] += z * z;
            colNz[j]++;
        }
        double total = 0;
        for (var j = 0; j < p; j++)
        {
            var zeros = n - colNz[j];
            var sum = colSum[j] - (double)zeros * a.Offset[j];
            var sumSq = colSq[j] + (double)zeros * a.Offset[j] * a.Offset[j];
            total += (sumSq - sum * sum / n) / Math.Max(1, n - 1);
        }
        return new PcaResult(scores, loadings, variance, variance.Select(v => total > 0 ? v / total : 0).ToArray());
    }

    /// <summary>Z (n × p) times B (p × l, row-major): n × l, with Z = S − 1cᵀ.</summary>
    /// <remarks>Each output row's l values stay in SIMD registers while the row's non-zeros are swept (a sparse GEMM micro-kernel).</remarks>
    internal static float[] Times(ScaledMatrix a, float[] b, int l, Work work)
    {
        var n = a.Rows;
        var p = a.Columns;
        var s = a.S;
        // r = cᵀ B, subtracted from every row
        var r = new float[l];
        for (var j = 0; j < p; j++)
        {
            for (var c = 0; c < l; c++)
            {
                r[c] += a.Offset[j] * b[j * l + c];
            }
        }
        var y = new float[n * l];
        var vectors = Vector256.IsHardwareAccelerated && l == 64 ? 8 : 0;
        work.ForRange(n, 256, (start, end) =>
        {
            for (var i = start; i < end; i++)
            {
                var yi = y.AsSpan(i * l, l);
                var lo = s.RowStart[i];
                var hi = s.RowStart[i + 1];
                if (vectors == 8)
                {
                    Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                    for (var t = lo; t < hi; t++)
                    {
                        var v = Vector256.Create(s.Values[t]);
                        var bj = b.AsSpan(s.ColumnIndex[t] * 64, 64);
                        a0 = Vector256.FusedMultiplyAdd(v, Vector256.Create<float>(bj[..8]), a0);
                        a1 = Vector256.FusedMultiplyAdd(v, Vector256.Create<float>(bj.Slice(8, 8)), a1);
                        a2 = Vector256.FusedMultiplyAdd(v, Vector256.Create<float>(bj.Slice(16, 8)), a2);
                        a3 = Vector256.FusedMultiplyAdd(v, Vector256.Create<float>(bj.Slice(24, 8)), a3);
                        a4 = Vector256.FusedMultiplyAdd(v, Vector256.Create<float>(bj.Slice(32, 8)), a4);
                        a5 = Vector256.FusedMultiplyAdd(v, Vector256.Create<float>(bj.Slice(40, 8)), a5);
                        a6 = Vector256.FusedMultiplyAdd(v, Vector256.Create<float>(bj.Slice(48, 8)), a6);
                        a7 = Vector256.FusedMultiplyAdd(v, Vector256.Create<float>(bj.Slice(56, 8)), a7);
                    }
                    var rr = r.AsSpan();
                    (a0 - Vector256.Create<float>(rr[..8])).CopyTo(yi[..8]);
                    (a1 - Vector256.Create<float>(rr.Slice(8, 8))).CopyTo(yi.Slice(8, 8));
                    (a2 - Vector256.Create<float>(rr.Slice(16, 8))).CopyTo(yi.Slice(16, 8));
                    (a3 - Vector256.Create<float>(rr.Slice(24, 8))).CopyTo(yi.Slice(24, 8));
                    (a4 - Vector256.Create<float>(rr.Slice(32, 8))).CopyTo(yi.Slice(32, 8));
                    (a5 - Vector256.Create<float>(rr.Slice(40, 8))).CopyTo(yi.Slice(40, 8));
                    (a6 - Vector256.Create<float>(rr.Slice(48, 8))).CopyTo(yi.Slice(48, 8));
                    (a7 - Vector256.Create<float>(rr.Slice(56, 8))).CopyTo(yi.Slice(56, 8));
                }
                else
                {
                    for (var t = lo; t < hi; t++)
                    {
                        var v = s.Values[t];
                        var bj = b.AsSpan(s.ColumnIndex[t] * l, l);
                        for (var c = 0; c < l; c++)
                        {
                            yi[c] = MathF.FusedMultiplyAdd(v, bj[c], yi[c]);
                        }
                    }
                    for (var c = 0; c < l; c++)
                    {
                        yi[c] -= r[c];
                    }
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
                (new System.Numerics.Vector<double>(y[i..]) + va * new System.Numerics.Vector<double>(x[i..])).CopyTo(y[i..]);
            }
        }
        for (; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    /// <summary>Zᵀ (p × n) times Q (n × l): p × l, with Z = S − 1cᵀ; summed over fixed row blocks in order.</summary>
    internal static float[] TransposeTimes(ScaledMatrix a, float[] q, int l, Work work)
    {
        var n = a.Rows;
        var p = a.Columns;
        var s = a.S;
        var blocks = (n + Block - 1) / Block;
        var partial = new float[blocks][];
        var vectors = Vector256.IsHardwareAccelerated && l % 8 == 0 ? l / 8 : 0;
        work.For(blocks, b =>
        {
            var z = new float[p * l];
            var qv = new Vector256<float>[Math.Max(vectors, 1)];
            for (var i = b * Block; i < Math.Min(n, (b + 1) * Block); i++)
            {
                var qi = q.AsSpan(i * l, l);
                var lo = s.RowStart[i];
                var hi = s.RowStart[i + 1];
                if (vectors > 0)
                {
                    for (var c = 0; c < vectors; c++)
                    {
                        qv[c] = Vector256.Create<float>(qi.Slice(c * 8, 8));
                    }
                    for (var t = lo; t < hi; t++)
                    {
                        var v = Vector256.Create(s.Values[t]);
                        var zj = z.AsSpan(s.ColumnIndex[t] * l, l);
                        for (var c = 0; c < vectors; c++)
                        {
                            var slot = zj.Slice(c * 8, 8);
                            Vector256.FusedMultiplyAdd(v, qv[c], Vector256.Create<float>(slot)).CopyTo(slot);
                        }
                    }
                }
                else
                {
                    for (var t = lo; t < hi; t++)
                    {
                        var v = s.Values[t];
                        var zj = z.AsSpan(s.ColumnIndex[t] * l, l);
                        for (var c = 0; c < l; c++)
                        {
                            zj[c] = MathF.FusedMultiplyAdd(v, qi[c], zj[c]);
                        }
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
        // − c (1ᵀQ)
        var qsum = new double[l];
        for (var i = 0; i < n; i++)
        {
            for (var c = 0; c < l; c++)
            {
                qsum[c] += q[i * l + c];
            }
        }
        for (var j = 0; j < p; j++)
        {
            for (var c = 0; c < l; c++)
            {
                result[j * l + c] -= (float)(a.Offset[j] * qsum[c]);
            }
        }
        return result;
    }

    /// <summary>An orthonormal basis of the columns of Y (m × l, row-major): CholeskyQR2, or Householder QR when Y is (nearly) rank-deficient.</summary>
    internal static float[] Orthonormalize(float[] y, int m, int l, Work work)
    {
        var once = CholeskyQr(y, m, l, work);
        var twice = once is null ? null : CholeskyQr(once, m, l, work);
        if (twice is not null)
        {
            return twice;
        }
        var matrix = Matrix<double>.Build.Dense(m, l, (i, j) => y[i * l + j]);
        var qr = matrix.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin);
        var result = new float[m * l];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < l; j++)
            {
                result[i * l + j] = (float)qr.Q[i, j];
            }
        }
        return result;
    }

    private static float[]? CholeskyQr(float[] y, int m, int l, Work work)
    {
        var blocks = (m + Block - 1) / Block;
        var partial = new double[blocks][];
        work.For(blocks, b =>
        {
            var g = new double[l * l];
            var yd = new double[l];
            for (var i = b * Block; i < Math.Min(m, (b + 1) * Block); i++)
            {
                var yi = y.AsSpan(i * l, l);
                for (var r = 0; r < l; r++)
                {
                    yd[r] = yi[r];
                }
                for (var r = 0; r < l; r++)
                {
                    Axpy(yd[r], yd.AsSpan(0, r + 1), g.AsSpan(r * l, r + 1));
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
        var q = new float[m * l];
        work.ForRange(m, Block, (s, e) =>
        {
            var qd = new double[l];
            for (var i = s; i < e; i++)
            {
                var yi = y.AsSpan(i * l, l);
                for (var c = 0; c < l; c++)
                {
                    var v = (double)yi[c];
                    for (var t = 0; t < c; t++)
                    {
                        v -= lower[c * l + t] * qd[t];
                    }
                    qd[c] = v / lower[c * l + c];
                    q[i * l + c] = (float)qd[c];
                }
            }
        });
        return q;
    }
}
