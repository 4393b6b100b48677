using MilkCells.Core.Random;

namespace MilkCells.SingleCell.Analysis;

/// <summary>A clustering: each node's cluster, numbered 0… by decreasing size (ties by first node).</summary>
/// <param name="Membership">Each node's cluster.</param>
/// <param name="Quality">The modularity-with-resolution value reached (in edge-weight units).</param>
/// <param name="Iterations">Full Leiden iterations run until the partition stopped changing.</param>
public sealed record Clustering(int[] Membership, double Quality, int Iterations)
{
    public int Count => Membership.Length == 0 ? 0 : Membership.Max() + 1;
}

/// <summary>The Leiden algorithm maximising modularity with a resolution parameter.</summary>
/// <remarks>
/// Traag, Waltman &amp; van Eck 2019, "From Louvain to Leiden: guaranteeing well-connected communities", Sci Rep 9:5233,
/// doi:10.1038/s41598-019-41695-z: fast local moving of nodes (a queue of nodes whose neighbourhood changed), refinement
/// of each community by merging well-connected singletons into well-connected sub-communities chosen at random with
/// probability ∝ exp(ΔH/θ), θ = 0.01, and aggregation of the refined partition with the unrefined one as the start.
/// The quality is Reichardt &amp; Bornholdt's configuration-model modularity H = Σ_ij (A_ij − γ k_i k_j / 2m) δ(c_i, c_j), the
/// function scanpy's <c>tl.leiden</c> optimises through leidenalg's RBConfigurationVertexPartition (γ = 1 by default).
/// Iterations repeat until an iteration changes nothing (at most 10). Single-threaded with one seeded stream: the same
/// seed gives the same clusters.
/// </remarks>
public static class Leiden
{
    public const double DefaultResolution = 1.0;
    public const double Theta = 0.01;
    public const int MaxIterations = 10;

    public static Clustering Run(WeightedGraph graph, double resolution, ulong seed, CancellationToken cancellation = default)
    {
        var rng = RandomStream.Derive(seed, RandomStream.Label("leiden"));
        var n = graph.Nodes;
        var strength = new double[n];
        double twoM = 0;
        for (var v = 0; v < n; v++)
        {
            foreach (var w in graph.Weights(v))
            {
                strength[v] += w;
            }
            twoM += strength[v];
        }
        var membership = Enumerable.Range(0, n).ToArray();
        if (twoM <= 0)
        {
            return new Clustering(Renumber(membership), 0, 0);
        }
        var iterations = 0;
        while (iterations < MaxIterations)
        {
            cancellation.ThrowIfCancellationRequested();
            iterations++;
            var before = (int[])membership.Clone();
            membership = OneIteration(graph, strength, twoM, resolution, membership, ref rng, cancellation);
            if (SamePartition(before, membership))
            {
                break;
            }
        }
        var renumbered = Renumber(membership);
        return new Clustering(renumbered, Quality(graph, strength, twoM, resolution, renumbered), iterations);
    }

    /// <summary>One run of the Leiden algorithm from <paramref name="start"/> over all aggregation levels.</summary>
    private static int[] OneIteration(WeightedGraph original, double[] originalStrength, double twoM, double gamma, int[] start, ref RandomStream rng, CancellationToken cancellation)
    {
        var level = new Level(original, originalStrength, NodeSizes(original.Nodes));
        var partition = Compact((int[])start.Clone());
        // node of the current level each original node belongs to
        var nodeOf = Enumerable.Range(0, original.Nodes).ToArray();
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            MoveNodesFast(level, partition, twoM, gamma, ref rng);
            partition = Compact(partition);
            var communities = partition.Max() + 1;
            if (communities == level.Graph.Nodes)
            {
                break;
            }
            var refined = Compact(Refine(level, partition, twoM, gamma, ref rng));
            var aggregateCount = refined.Max() + 1;
            if (aggregateCount == level.Graph.Nodes)
            {
                // refinement merged nothing: aggregate by the partition itself, as leidenalg does, so the next level can move
                refined = partition;
                aggregateCount = communities;
            }
            var next = Aggregate(level, refined, aggregateCount);
            var nextPartition = new int[aggregateCount];
            for (var v = 0; v < level.Graph.Nodes; v++)
            {
                nextPartition[refined[v]] = partition[v];
            }
            for (var o = 0; o < nodeOf.Length; o++)
            {
                nodeOf[o] = refined[nodeOf[o]];
            }
            level = next;
            partition = nextPartition;
        }
        var result = new int[original.Nodes];
        for (var o = 0; o < result.Length; o++)
        {
            result[o] = partition[nodeOf[o]];
        }
        return result;
    }

    private static int[] NodeSizes(int n)
    {
        var s = new int[n];
        Array.Fill(s, 1);
        return s;
    }

    private sealed record Level(WeightedGraph Graph, double[] Strength, int[] Size)
    {
        /// <summary>Self-loop weight of each node (internal edges of an aggregated node).</summary>
        public double[] SelfLoop { get; init; } = new double[Graph.Nodes];
    }

    /// <summary>The fast local moving phase: visit nodes from a queue, move each to the community with the largest gain.</summary>
    private static void MoveNodesFast(Level level, int[] community, double twoM, double gamma, ref RandomStream rng)
    {
        var g = level.Graph;
        var n = g.Nodes;
        var total = new double[n + 1];
        for (var v = 0; v < n; v++)
        {
            total[community[v]] += level.Strength[v];
        }
        var members = new int[n + 1];
        for (var v = 0; v < n; v++)
        {
            members[community[v]]++;
        }
        var emptyCommunities = new Stack<int>(Enumerable.Range(0, n).Where(c => members[c] == 0).Reverse());
        var queue = new Queue<int>(Shuffled(n, ref rng));
        var inQueue = new bool[n];
        Array.Fill(inQueue, true);
        var weightTo = new double[n];
        var touched = new List<int>();
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            inQueue[v] = false;
            var current = community[v];
            var kv = level.Strength[v];
            touched.Clear();
            var nbrs = g.Neighbours(v);
            var ws = g.Weights(v);
            for (var t = 0; t < nbrs.Length; t++)
            {
                var c = community[nbrs[t]];
                if (weightTo[c] == 0)
                {
                    touched.Add(c);
                }
                weightTo[c] += ws[t];
            }
            // remove v from its community
            total[current] -= kv;
            members[current]--;
            var best = current;
            var bestGain = weightTo[current] - gamma * kv * total[current] / twoM;
            foreach (var c in touched)
            {
                if (c == current)
                {
                    continue;
                }
                var gain = weightTo[c] - gamma * kv * total[c] / twoM;
                if (gain > bestGain)
                {
                    best = c;
                    bestGain = gain;
                }
            }
            // an empty community (gain 0) when every neighbouring one loses
            if (bestGain < 0 && members[current] > 0)
            {
                var empty = emptyCommunities.Count > 0 ? emptyCommunities.Peek() : -1;
                if (empty >= 0)
                {
                    best = empty;
                    bestGain = 0;
                }
            }
            foreach (var c in touched)
            {
                weightTo[c] = 0;
            }
            if (best != current && best == (emptyCommunities.Count > 0 ? emptyCommunities.Peek() : -1))
            {
                emptyCommunities.Pop();
            }
            community[v] = best;
            total[best] += kv;
            members[best]++;
            if (members[current] == 0 && current != best)
            {
                emptyCommunities.Push(current);
            }
            if (best != current)
            {
                for (var t = 0; t < nbrs.Length; t++)
                {
                    var u = nbrs[t];
                    if (!inQueue[u] && community[u] != best)
                    {
                        inQueue[u] = true;
                        queue.Enqueue(u);
                    }
                }
            }
        }
    }

    /// <summary>The refinement phase: within each community, merge singletons into well-connected sub-communities.</summary>
    private static int[] Refine(Level level, int[] community, double twoM, double gamma, ref RandomStream rng)
    {
        var g = level.Graph;
        var n = g.Nodes;
        var refined = Enumerable.Range(0, n).ToArray();
        var refinedTotal = (double[])level.Strength.Clone();
        var communityTotal = new double[n];
        for (var v = 0; v < n; v++)
        {
            communityTotal[community[v]] += level.Strength[v];
        }
        // weight from each refined sub-community to the rest of its community: E(S, C − S)
        var externalInC = new double[n];
        for (var v = 0; v < n; v++)
        {
            var nbrs = g.Neighbours(v);
            var ws = g.Weights(v);
            for (var t = 0; t < nbrs.Length; t++)
            {
                if (nbrs[t] != v && community[nbrs[t]] == community[v])
                {
                    externalInC[v] += ws[t];
                }
            }
        }
        var singleton = new bool[n];
        Array.Fill(singleton, true);
        var weightTo = new double[n];
        var touched = new List<int>();
        var candidates = new List<(int C, double Gain)>();
        foreach (var v in Shuffled(n, ref rng))
        {
            if (!singleton[v])
            {
                continue;
            }
            var c = community[v];
            var kv = level.Strength[v];
            // v must be well connected to its community: E(v, C − v) ≥ γ k_v (K_C − k_v) / 2m
            if (externalInC[v] < gamma * kv * (communityTotal[c] - kv) / twoM)
            {
                continue;
            }
            touched.Clear();
            var nbrs = g.Neighbours(v);
            var ws = g.Weights(v);
            for (var t = 0; t < nbrs.Length; t++)
            {
                var u = nbrs[t];
                if (u == v || community[u] != c)
                {
                    continue;
                }
                var r = refined[u];
                if (weightTo[r] == 0)
                {
                    touched.Add(r);
                }
                weightTo[r] += ws[t];
            }
            candidates.Clear();
            candidates.Add((refined[v], 0));
            var maxGain = 0.0;
            foreach (var r in touched)
            {
                if (r == refined[v])
                {
                    continue;
                }
                // the target sub-community must be well connected too: E(T, C − T) ≥ γ K_T (K_C − K_T) / 2m
                if (externalInC[r] < gamma * refinedTotal[r] * (communityTotal[c] - refinedTotal[r]) / twoM)
                {
                    continue;
                }
                var gain = weightTo[r] - gamma * kv * refinedTotal[r] / twoM;
                if (gain >= 0)
                {
                    candidates.Add((r, gain));
                    maxGain = Math.Max(maxGain, gain);
                }
            }
            foreach (var r in touched)
            {
                weightTo[r] = 0;
            }
            if (candidates.Count == 1)
            {
                continue;
            }
            // choose with probability ∝ exp((gain − max)/θ) (shifted for numerical safety)
            double sum = 0;
            foreach (var (_, gain) in candidates)
            {
                sum += Math.Exp((gain - maxGain) / Theta);
            }
            var pick = rng.NextDouble() * sum;
            var chosen = candidates[^1].C;
            foreach (var (r, gain) in candidates)
            {
                pick -= Math.Exp((gain - maxGain) / Theta);
                if (pick < 0)
                {
                    chosen = r;
                    break;
                }
            }
            if (chosen == refined[v])
            {
                continue;
            }
            // move v into sub-community `chosen`; update the sub-community's external weight within C
            var old = refined[v];
            refined[v] = chosen;
            refinedTotal[chosen] += kv;
            refinedTotal[old] -= kv;
            singleton[v] = false;
            // E(chosen ∪ v, C − chosen − v) = E(chosen, C − chosen) + E(v, C − v) − 2 E(v, chosen)
            var toChosen = 0.0;
            for (var t = 0; t < nbrs.Length; t++)
            {
                if (nbrs[t] != v && refined[nbrs[t]] == chosen)
                {
                    toChosen += ws[t];
                }
            }
            externalInC[chosen] = externalInC[chosen] + externalInC[v] - 2 * toChosen;
            // the other members of `chosen` are no longer singletons either
            MarkNonSingleton(refined, chosen, singleton, nbrs);
        }
        return refined;
    }

    private static void MarkNonSingleton(int[] refined, int chosen, bool[] singleton, ReadOnlySpan<int> nbrs)
    {
        foreach (var u in nbrs)
        {
            if (refined[u] == chosen)
            {
                singleton[u] = false;
            }
        }
        // the sub-community's founding node has its own id as label
        if (chosen < singleton.Length)
        {
            singleton[chosen] = false;
        }
    }

    /// <summary>The graph of the refined communities: summed weights between them, internal weight as self-loops.</summary>
    private static Level Aggregate(Level level, int[] refined, int count)
    {
        var g = level.Graph;
        var edges = new Dictionary<long, double>();
        var selfLoop = new double[count];
        var strength = new double[count];
        var size = new int[count];
        for (var v = 0; v < g.Nodes; v++)
        {
            var a = refined[v];
            strength[a] += level.Strength[v];
            size[a] += level.Size[v];
            selfLoop[a] += level.SelfLoop[v];
            var nbrs = g.Neighbours(v);
            var ws = g.Weights(v);
            for (var t = 0; t < nbrs.Length; t++)
            {
                var b = refined[nbrs[t]];
                if (a == b)
                {
                    selfLoop[a] += ws[t];
                }
                else
                {
                    var key = (long)a * count + b;
                    edges[key] = edges.GetValueOrDefault(key) + ws[t];
                }
            }
        }
        var list = edges.Select(e => ((int)(e.Key / count), (int)(e.Key % count), e.Value)).ToList();
        var graph = FuzzyGraph.FromEdges(count, list);
        return new Level(graph, strength, size) { SelfLoop = selfLoop };
    }

    private static int[] Shuffled(int n, ref RandomStream rng)
    {
        var order = Enumerable.Range(0, n).ToArray();
        for (var i = n - 1; i > 0; i--)
        {
            var j = (int)rng.NextBelow((ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Labels 0… in order of first appearance.</summary>
    private static int[] Compact(int[] labels)
    {
        var map = new Dictionary<int, int>();
        var result = new int[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            if (!map.TryGetValue(labels[i], out var m))
            {
                m = map.Count;
                map[labels[i]] = m;
            }
            result[i] = m;
        }
        return result;
    }

    /// <summary>Labels 0… by decreasing cluster size, ties by first member.</summary>
    internal static int[] Renumber(int[] labels)
    {
        var compact = Compact(labels);
        var k = compact.Length == 0 ? 0 : compact.Max() + 1;
        var sizes = new int[k];
        foreach (var c in compact)
        {
            sizes[c]++;
        }
        var order = Enumerable.Range(0, k).OrderByDescending(c => sizes[c]).ThenBy(c => c).ToArray();
        var rank = new int[k];
        for (var r = 0; r < k; r++)
        {
            rank[order[r]] = r;
        }
        return compact.Select(c => rank[c]).ToArray();
    }

    private static bool SamePartition(int[] a, int[] b) => Compact(a).AsSpan().SequenceEqual(Compact(b));

    /// <summary>The quality H = Σ_c (e_c − γ K_c² / 2m), e_c counting each internal edge twice.</summary>
    public static double Quality(WeightedGraph g, double[] strength, double twoM, double gamma, int[] membership)
    {
        var k = membership.Max() + 1;
        var internalWeight = new double[k];
        var total = new double[k];
        for (var v = 0; v < g.Nodes; v++)
        {
            total[membership[v]] += strength[v];
            var nbrs = g.Neighbours(v);
            var ws = g.Weights(v);
            for (var t = 0; t < nbrs.Length; t++)
            {
                if (membership[nbrs[t]] == membership[v])
                {
                    internalWeight[membership[v]] += ws[t];
                }
            }
        }
        double h = 0;
        for (var c = 0; c < k; c++)
        {
            h += internalWeight[c] - gamma * total[c] * total[c] / twoM;
        }
        return h;
    }
}
