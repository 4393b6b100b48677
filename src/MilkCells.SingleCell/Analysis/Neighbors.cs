using System.Numerics;
using System.Runtime.Intrinsics;

namespace MilkCells.SingleCell.Analysis;

/// <summary>Each cell's k nearest cells (itself first) and their Euclidean distances.</summary>
/// <param name="K">Neighbours per cell, the cell itself included.</param>
/// <param name="Index">Cells × K neighbour indices, nearest first.</param>
/// <param name="Distance">Cells × K Euclidean distances.</param>
public sealed record KnnGraph(int K, int[] Index, float[] Distance)
{
    public int Cells => Index.Length / K;

    public ReadOnlySpan<int> Neighbours(int cell) => Index.AsSpan(cell * K, K);

    public ReadOnlySpan<float> Distances(int cell) => Distance.AsSpan(cell * K, K);
}

/// <summary>Exact k-nearest neighbours in PCA space by blocked brute force.</summary>
/// <remarks>
/// Exact search (recall 1 by construction), as scanpy's <c>neighbors(method="umap")</c> does below 4,096 cells and
/// Seurat's <c>FindNeighbors(nn.method = "annoy")</c> approximates. Squared distances are |x|² + |y|² − 2x·y with the dot
/// products of four query cells against eight cells at a time in SIMD registers (cells stored in panels of eight,
/// coordinates interleaved; blocks of 64 queries swept over blocks of 256 panels that stay in cache, as a GEMM is
/// blocked), and the k best kept in a bounded max-heap per query; the cell itself is always its own first neighbour
/// (scanpy counts it among n_neighbors). Ties are broken by the lower index. Each query cell is independent, so any
/// thread count gives the same graph.
/// </remarks>
public static class Neighbors
{
    public const int DefaultK = 15;
    public const int DefaultDimensions = 30;

    public static KnnGraph Exact(DenseMatrix scores, int dims, int k, Work work)
    {
        var n = scores.Rows;
        dims = Math.Min(dims, scores.Columns);
        k = Math.Min(k, n);
        if (k < 2)
        {
            throw new ArgumentException("a neighbour graph needs at least two cells and k ≥ 2");
        }
        const int w = 8;
        var panels = (n + w - 1) / w;
        var panel = new float[panels * dims * w];
        var norms = new float[panels * w];
        for (var i = 0; i < n; i++)
        {
            var p = i / w;
            var lane = i % w;
            double s = 0;
            for (var d = 0; d < dims; d++)
            {
                var v = scores[i, d];
                panel[(p * dims + d) * w + lane] = v;
                s += (double)v * v;
            }
            norms[i] = (float)s;
        }
        for (var i = n; i < panels * w; i++)
        {
            norms[i] = float.PositiveInfinity; // padding lanes never qualify
        }
        var index = new int[n * k];
        var distance = new float[n * k];
        const int queryBlock = 64;
        const int panelBlock = 256;
        work.ForRange(n, queryBlock, (a, b) =>
        {
            var count = b - a;
            var heapD = new float[count * (k - 1)];
            var heapI = new int[count * (k - 1)];
            var size = new int[count];
            var worst = new float[count];
            Array.Fill(worst, float.PositiveInfinity);
            var q = new float[4 * dims];
            for (var pb = 0; pb < panels; pb += panelBlock)
            {
                var pe = Math.Min(panels, pb + panelBlock);
                for (var q0 = a; q0 < b; q0 += 4)
                {
                    var nq = Math.Min(4, b - q0);
                    Array.Clear(q);
                    for (var t = 0; t < nq; t++)
                    {
                        for (var d = 0; d < dims; d++)
                        {
                            q[t * dims + d] = scores[q0 + t, d];
                        }
                    }
                    var qn0 = Vector256.Create(norms[q0]);
                    var qn1 = Vector256.Create(nq > 1 ? norms[q0 + 1] : 0f);
                    var qn2 = Vector256.Create(nq > 2 ? norms[q0 + 2] : 0f);
                    var qn3 = Vector256.Create(nq > 3 ? norms[q0 + 3] : 0f);
                    for (var p = pb; p < pe; p++)
                    {
                        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
                        var baseAt = p * dims * w;
                        for (var d = 0; d < dims; d++)
                        {
                            var col = Vector256.Create<float>(panel.AsSpan(baseAt + d * w, w));
                            acc0 = Vector256.FusedMultiplyAdd(Vector256.Create(q[d]), col, acc0);
                            acc1 = Vector256.FusedMultiplyAdd(Vector256.Create(q[dims + d]), col, acc1);
                            acc2 = Vector256.FusedMultiplyAdd(Vector256.Create(q[2 * dims + d]), col, acc2);
                            acc3 = Vector256.FusedMultiplyAdd(Vector256.Create(q[3 * dims + d]), col, acc3);
                        }
                        var nv = Vector256.Create<float>(norms.AsSpan(p * w, w));
                        var two = Vector256.Create(2f);
                        Offer(q0 - a, p, nv + qn0 - two * acc0);
                        if (nq > 1)
                        {
                            Offer(q0 + 1 - a, p, nv + qn1 - two * acc1);
                        }
                        if (nq > 2)
                        {
                            Offer(q0 + 2 - a, p, nv + qn2 - two * acc2);
                        }
                        if (nq > 3)
                        {
                            Offer(q0 + 3 - a, p, nv + qn3 - two * acc3);
                        }
                    }
                }
            }
            for (var t = 0; t < count; t++)
            {
                var i = a + t;
                // the others nearest first (ties by index), then the cell itself in front
                var others = Enumerable.Range(0, size[t]).Select(x => (D: heapD[t * (k - 1) + x], I: heapI[t * (k - 1) + x])).OrderBy(x => x.D).ThenBy(x => x.I).ToArray();
                index[i * k] = i;
                distance[i * k] = 0;
                for (var x = 0; x < others.Length; x++)
                {
                    index[i * k + 1 + x] = others[x].I;
                    distance[i * k + 1 + x] = MathF.Sqrt(others[x].D);
                }
            }

            void Offer(int t, int p, Vector256<float> dist)
            {
                if (size[t] == k - 1 && Vector256.GreaterThanAll(dist, Vector256.Create(worst[t])))
                {
                    return;
                }
                var hd = heapD.AsSpan(t * (k - 1), k - 1);
                var hi = heapI.AsSpan(t * (k - 1), k - 1);
                var self = a + t;
                for (var lane = 0; lane < w; lane++)
                {
                    var j = p * w + lane;
                    if (j >= n || j == self)
                    {
                        continue;
                    }
                    var dj = Math.Max(0f, dist[lane]);
                    if (size[t] < k - 1)
                    {
                        Push(hd, hi, ref size[t], dj, j);
                        if (size[t] == k - 1)
                        {
                            worst[t] = hd[0];
                        }
                    }
                    else if (dj < hd[0] || (dj == hd[0] && j < hi[0]))
                    {
                        ReplaceTop(hd, hi, size[t], dj, j);
                        worst[t] = hd[0];
                    }
                }
            }
        });
        return new KnnGraph(k, index, distance);
    }

    // max-heap on (distance, index): the root is the worst neighbour kept so far
    private static bool Worse(float d1, int i1, float d2, int i2) => d1 > d2 || (d1 == d2 && i1 > i2);

    private static void Push(Span<float> hd, Span<int> hi, ref int size, float d, int i)
    {
        var c = size++;
        hd[c] = d;
        hi[c] = i;
        while (c > 0)
        {
            var parent = (c - 1) / 2;
            if (!Worse(hd[c], hi[c], hd[parent], hi[parent]))
            {
                break;
            }
            (hd[c], hd[parent]) = (hd[parent], hd[c]);
            (hi[c], hi[parent]) = (hi[parent], hi[c]);
            c = parent;
        }
    }

    private static void ReplaceTop(Span<float> hd, Span<int> hi, int size, float d, int i)
    {
        hd[0] = d;
        hi[0] = i;
        var c = 0;
        while (true)
        {
            var l = 2 * c + 1;
            var r = l + 1;
            var m = c;
            if (l < size && Worse(hd[l], hi[l], hd[m], hi[m]))
            {
                m = l;
            }
            if (r < size && Worse(hd[r], hi[r], hd[m], hi[m]))
            {
                m = r;
            }
            if (m == c)
            {
                return;
            }
            (hd[c], hd[m]) = (hd[m], hd[c]);
            (hi[c], hi[m]) = (hi[m], hi[c]);
            c = m;
        }
    }
}
