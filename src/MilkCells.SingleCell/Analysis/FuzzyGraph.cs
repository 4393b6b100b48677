namespace MilkCells.SingleCell.Analysis;

/// <summary>A weighted undirected graph in CSR form (both directions stored, no self-loops).</summary>
public sealed record WeightedGraph(int Nodes, int[] Start, int[] Target, double[] Weight)
{
    public ReadOnlySpan<int> Neighbours(int v) => Target.AsSpan(Start[v], Start[v + 1] - Start[v]);

    public ReadOnlySpan<double> Weights(int v) => Weight.AsSpan(Start[v], Start[v + 1] - Start[v]);

    public long Edges => Target.Length / 2;
}

/// <summary>UMAP's fuzzy simplicial set: kNN distances turned into symmetric membership strengths.</summary>
/// <remarks>
/// McInnes, Healy &amp; Melville 2018 (arXiv:1802.03426, §3.1; umap-learn's <c>fuzzy_simplicial_set</c>), the graph
/// scanpy's <c>neighbors</c> stores as connectivities and clusters with Leiden: for each cell, ρ is the distance to its
/// nearest other cell and σ solves Σ_j exp(−max(0, d_j − ρ)/σ) = log2 k by bisection (64 steps, tolerance 1e-5, σ at
/// least 10⁻³ of the mean neighbour distance); the directed weights are then combined by the fuzzy union
/// w_ij + w_ji − w_ij·w_ji.
/// </remarks>
public static class FuzzyGraph
{
    public static WeightedGraph Build(KnnGraph knn)
    {
        var n = knn.Cells;
        var k = knn.K;
        var target = Math.Log2(k);
        var rows = new List<(int I, int J, double W)>(n * k);
        for (var i = 0; i < n; i++)
        {
            var d = knn.Distances(i);
            var idx = knn.Neighbours(i);
            var rho = 0.0;
            for (var t = 1; t < k; t++)
            {
                if (d[t] > 0)
                {
                    rho = d[t];
                    break;
                }
            }
            double lo = 0, hi = double.PositiveInfinity, mid = 1;
            for (var it = 0; it < 64; it++)
            {
                double psum = 0;
                for (var t = 1; t < k; t++)
                {
                    var dd = d[t] - rho;
                    psum += dd > 0 ? Math.Exp(-dd / mid) : 1;
                }
                if (Math.Abs(psum - target) < 1e-5)
                {
                    break;
                }
                if (psum > target)
                {
                    hi = mid;
                    mid = (lo + hi) / 2;
                }
                else
                {
                    lo = mid;
                    mid = double.IsPositiveInfinity(hi) ? mid * 2 : (lo + hi) / 2;
                }
            }
            double meanD = 0;
            for (var t = 0; t < k; t++)
            {
                meanD += d[t];
            }
            meanD /= k;
            if (rho > 0)
            {
                var meanIth = 0.0;
                for (var t = 0; t < k; t++)
                {
                    meanIth += d[t];
                }
                mid = Math.Max(mid, 1e-3 * (meanIth / k));
            }
            else
            {
                mid = Math.Max(mid, 1e-3 * meanD);
            }
            for (var t = 1; t < k; t++)
            {
                var j = idx[t];
                if (j == i)
                {
                    continue;
                }
                var dd = d[t] - rho;
                var w = dd <= 0 || mid == 0 ? 1.0 : Math.Exp(-dd / mid);
                rows.Add((i, j, w));
            }
        }
        // fuzzy union: w_ij + w_ji − w_ij w_ji, over the union of both directions
        var directed = new Dictionary<long, double>(rows.Count);
        foreach (var (i, j, w) in rows)
        {
            directed[(long)i * n + j] = w;
        }
        var sym = new List<(int I, int J, double W)>(rows.Count * 2);
        foreach (var (i, j, w) in rows)
        {
            var back = directed.GetValueOrDefault((long)j * n + i);
            var u = w + back - w * back;
            sym.Add((i, j, u));
            if (back == 0)
            {
                sym.Add((j, i, u));
            }
        }
        return FromEdges(n, sym);
    }

    /// <summary>A CSR graph from directed (i, j, w) entries, each row sorted by target; duplicates keep the first.</summary>
    internal static WeightedGraph FromEdges(int n, List<(int I, int J, double W)> edges)
    {
        edges.Sort((a, b) => a.I != b.I ? a.I.CompareTo(b.I) : a.J.CompareTo(b.J));
        var start = new int[n + 1];
        var target = new List<int>(edges.Count);
        var weight = new List<double>(edges.Count);
        var last = (-1, -1);
        foreach (var (i, j, w) in edges)
        {
            if ((i, j) == last)
            {
                continue;
            }
            last = (i, j);
            target.Add(j);
            weight.Add(w);
            start[i + 1]++;
        }
        for (var v = 0; v < n; v++)
        {
            start[v + 1] += start[v];
        }
        return new WeightedGraph(n, start, [.. target], [.. weight]);
    }
}
