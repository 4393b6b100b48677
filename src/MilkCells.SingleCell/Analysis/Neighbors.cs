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
/// products of one cell against eight cells at a time in SIMD registers (cells stored in panels of eight, coordinates
/// interleaved), and the k best kept in a bounded max-heap; the cell itself is always its own first neighbour
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
        work.ForRange(n, 64, (a, b) =>
        {
            var heapD = new float[k];
            var heapI = new int[k];
            var q = new float[dims];
            for (var i = a; i < b; i++)
            {
                for (var d = 0; d < dims; d++)
                {
                    q[d] = scores[i, d];
                }
                var qn = norms[i];
                var size = 0;
                var worst = float.PositiveInfinity;
                for (var p = 0; p < panels; p++)
                {
                    var acc = Vector256<float>.Zero;
                    var baseAt = p * dims * w;
                    for (var d = 0; d < dims; d++)
                    {
                        var col = Vector256.Create<float>(panel.AsSpan(baseAt + d * w, w));
                        acc += Vector256.Create(q[d]) * col;
                    }
                    var nv = Vector256.Create<float>(norms.AsSpan(p * w, w));
                    var dist = nv + Vector256.Create(qn) - Vector256.Create(2f) * acc;
                    if (size == k - 1 && Vector256.GreaterThanAll(dist, Vector256.Create(worst)))
                    {
                        continue;
                    }
                    for (var lane = 0; lane < w; lane++)
                    {
                        var j = p * w + lane;
                        if (j >= n || j == i)
                        {
                            continue;
                        }
                        var dj = Math.Max(0f, dist[lane]);
                        if (size < k - 1)
                        {
                            Push(heapD, heapI, ref size, dj, j);
                            if (size == k - 1)
                            {
                                worst = heapD[0];
                            }
                        }
                        else if (dj < heapD[0] || (dj == heapD[0] && j < heapI[0]))
                        {
                            ReplaceTop(heapD, heapI, size, dj, j);
                            worst = heapD[0];
                        }
                    }
                }
                // sort the others nearest first (ties by index), then put the cell itself in front
                var others = Enumerable.Range(0, size).Select(t => (D: heapD[t], I: heapI[t])).OrderBy(t => t.D).ThenBy(t => t.I).ToArray();
                index[i * k] = i;
                distance[i * k] = 0;
                for (var t = 0; t < others.Length; t++)
                {
                    index[i * k + 1 + t] = others[t].I;
                    distance[i * k + 1 + t] = MathF.Sqrt(others[t].D);
                }
            }
        });
        return new KnnGraph(k, index, distance);
    }

    // max-heap on (distance, index): the root is the worst neighbour kept so far
    private static bool Worse(float d1, int i1, float d2, int i2) => d1 > d2 || (d1 == d2 && i1 > i2);

    private static void Push(float[] hd, int[] hi, ref int size, float d, int i)
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

    private static void ReplaceTop(float[] hd, int[] hi, int size, float d, int i)
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
