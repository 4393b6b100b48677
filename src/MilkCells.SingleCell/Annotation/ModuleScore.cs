using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.Core.Random;
using MilkCells.SingleCell.Analysis;
using MilkCells.SingleCell.Data;

namespace MilkCells.SingleCell.Annotation;

/// <summary>A marker set resolved against a matrix: the genes found, those missing, and the control genes drawn.</summary>
public sealed record ResolvedSet(MarkerSet Set, ImmutableArray<int> Genes, ImmutableArray<string> Missing, ImmutableArray<ImmutableArray<int>> Controls)
{
    /// <summary>Each marker gene's weight: 1 over the number of scored sets naming it.</summary>
    public ImmutableArray<double> Weights { get; init; } = [];

    /// <summary>Negative marker genes found, and their controls.</summary>
    public ImmutableArray<int> NegativeGenes { get; init; } = [];

    public ImmutableArray<ImmutableArray<int>> NegativeControls { get; init; } = [];
}

/// <summary>Per-cell and per-cluster calls.</summary>
/// <param name="Sets">The sets scored (those with at least one gene in the matrix).</param>
/// <param name="Skipped">Sets with no gene in the matrix, not scored.</param>
/// <param name="Scores">Cells × sets module scores.</param>
/// <param name="Smoothed">Cells × sets scores averaged over each cell's neighbourhood.</param>
/// <param name="CellCall">Each cell's set index, or −1 for unassigned.</param>
/// <param name="CellScore">Each cell's best smoothed score.</param>
/// <param name="CellConfidence">Share of the cell's neighbours whose own best set agrees with its call.</param>
/// <param name="ClusterCall">Each cluster's set index, or −1.</param>
/// <param name="ClusterScore">Each cluster's best mean score.</param>
/// <param name="ClusterConfidence">Share of the cluster's cells called as the cluster.</param>
/// <param name="MinScore">The threshold below which a cell or cluster is unassigned.</param>
public sealed record AnnotationResult(
    ImmutableArray<ResolvedSet> Sets, ImmutableArray<ResolvedSet> Skipped, DenseMatrix Scores, DenseMatrix Smoothed,
    int[] CellCall, float[] CellScore, float[] CellConfidence, int[] ClusterCall, double[] ClusterScore, double[] ClusterConfidence, double MinScore)
{
    public const string Unassigned = "unassigned";

    public string CellType(int cell) => CellCall[cell] < 0 ? Unassigned : Sets[CellCall[cell]].Set.Id;

    public string ClusterType(int cluster) => ClusterCall[cluster] < 0 ? Unassigned : Sets[ClusterCall[cluster]].Set.Id;
}

/// <summary>Annotation by module scores of marker sets.</summary>
/// <remarks>
/// Module score of Tirosh et al. 2016 (Science 352:189, doi:10.1126/science.aad0501) with Seurat's <c>AddModuleScore</c>
/// controls: genes are split into 24 bins of equal size by mean log-normalised expression and for each marker gene 100
/// control genes are drawn from its bin, so each marker contributes its expression minus its controls' mean and a set
/// scores about 0 where it is not expressed whatever the cell's depth. Markers are weighted by specificity and the sum
/// normalised by √(Σ weights), as ScType does (Ianevski, Giri &amp; Aittokallio 2022, Nat Commun 13:1246,
/// doi:10.1038/s41467-022-28803-w): a gene named by k of the scored sets weighs 1/k. Seurat's plain mean ties a type
/// whose markers are a subset of another's (the model's CD49f+ basal stem cells and myoepithelial cells share ITGA6,
/// KRT5, KRT14, TP63); the weighted sum calls a cell that also expresses ACTA2 and MME myoepithelial. Each cell's scores are
/// then averaged over its k nearest neighbours (itself included) — the neighbourhood smoothing MAGIC (van Dijk et al.
/// 2018, Cell 174:716) and kNN-smoothing use against dropouts — and the cell is called as the set with the highest
/// smoothed score, or "unassigned" when that score is below the threshold. A set may name negative markers (genes
/// its type does not express, as ScType uses them: Ianevski, Giri &amp; Aittokallio 2022, Nat Commun 13:1246,
/// doi:10.1038/s41467-022-28803-w): their module score, where positive, is subtracted — so cytotoxic T cells expressing
/// NKG7 and GNLY are not called NK cells when they also express CD3. Confidence is the share of its neighbours
/// whose own unsmoothed best set is the same. A cluster is called from its cells' mean scores.
/// </remarks>
public static class ModuleScore
{
    public const int Bins = 24;
    public const int ControlsPerGene = 100;

    /// <summary>Default threshold: a set's markers must exceed matched controls by 0.1 (natural-log units of normalised expression).</summary>
    public const double DefaultMinScore = 0.1;

    /// <summary>Resolves marker genes against the matrix's gene names (case-insensitive); user files naming unknown genes fail with the closest names.</summary>
    public static (ImmutableArray<ResolvedSet> Scored, ImmutableArray<ResolvedSet> Skipped) Resolve(MarkerCatalogue catalogue, IReadOnlyList<string> geneNames,
        double[] geneMeans, ulong seed, bool strict)
    {
        var byName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var j = 0; j < geneNames.Count; j++)
        {
            byName.TryAdd(geneNames[j], j);
        }
        var g = geneNames.Count;
        var order = Enumerable.Range(0, g).OrderBy(j => geneMeans[j]).ThenBy(j => j).ToArray();
        var bin = new int[g];
        for (var r = 0; r < g; r++)
        {
            bin[order[r]] = (int)((long)r * Bins / g);
        }
        var binMembers = Enumerable.Range(0, Bins).Select(b => order.Where(j => bin[j] == b).ToArray()).ToArray();
        var scored = ImmutableArray.CreateBuilder<ResolvedSet>();
        var skipped = ImmutableArray.CreateBuilder<ResolvedSet>();
        var problems = new List<InputException>();
        foreach (var set in catalogue.Sets)
        {
            var found = set.Genes.Where(byName.ContainsKey).Select(x => byName[x]).Distinct().ToImmutableArray();
            var missing = set.Genes.Where(x => !byName.ContainsKey(x)).ToImmutableArray();
            if (found.Length == 0)
            {
                if (strict)
                {
                    problems.Add(new InputException(InputLocation.AtElement(catalogue.Origin, set.Id),
                        $"none of its marker genes is in the matrix: {string.Join("; ", missing.Select(m => $"{m} (closest: {string.Join(", ", Closest(m, geneNames))})"))}",
                        "check the symbols against the matrix's gene names ('milkcells scrna info' lists the first ones)"));
                }
                skipped.Add(new ResolvedSet(set, found, missing, []));
                continue;
            }
            var rng = RandomStream.Derive(seed, RandomStream.Label("module-score"), RandomStream.Label(set.Id));
            var negative = set.NegativeGenes.Where(byName.ContainsKey).Select(x => byName[x]).Distinct().ToImmutableArray();
            scored.Add(new ResolvedSet(set, found, missing, Controls(found, ref rng))
            {
                NegativeGenes = negative,
                NegativeControls = Controls(negative, ref rng),
            });
        }
        ImmutableArray<ImmutableArray<int>> Controls(ImmutableArray<int> genes, ref RandomStream rng)
        {
            var all = ImmutableArray.CreateBuilder<ImmutableArray<int>>();
            foreach (var gene in genes)
            {
                var pool = binMembers[bin[gene]].Where(j => j != gene).ToArray();
                var take = Math.Min(ControlsPerGene, pool.Length);
                // partial Fisher–Yates: `take` genes without replacement
                for (var i = 0; i < take; i++)
                {
                    var j = i + (int)rng.NextBelow((ulong)(pool.Length - i));
                    (pool[i], pool[j]) = (pool[j], pool[i]);
                }
                all.Add([.. pool.Take(take).Order()]);
            }
            return all.ToImmutable();
        }
        if (problems.Count > 0)
        {
            throw problems.Count == 1 ? problems[0] : new InputProblemsException(problems);
        }
        // specificity weights: a marker named by several scored sets counts 1/k in each
        var naming = scored.SelectMany(r => r.Genes).GroupBy(x => x).ToDictionary(x => x.Key, x => x.Count());
        for (var i = 0; i < scored.Count; i++)
        {
            scored[i] = scored[i] with { Weights = [.. scored[i].Genes.Select(x => 1.0 / naming[x])] };
        }
        if (scored.Count == 0 && strict)
        {
            throw new InputException(InputLocation.InFile(catalogue.Origin), "no marker gene of any cell type is in the matrix",
                "are the matrix's features gene symbols? ('milkcells scrna info' lists them)");
        }
        return (scored.ToImmutable(), skipped.ToImmutable());
    }

    /// <summary>Up to three gene names closest to <paramref name="name"/> by edit distance (case-insensitive).</summary>
    public static IReadOnlyList<string> Closest(string name, IReadOnlyList<string> names) =>
        names.Distinct().Select(n => (N: n, D: EditDistance(name.ToUpperInvariant(), n.ToUpperInvariant()))).OrderBy(t => t.D).ThenBy(t => t.N, StringComparer.Ordinal)
            .Take(3).Select(t => t.N).ToList();

    private static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    /// <summary>Scores, smooths and calls every cell and cluster.</summary>
    public static AnnotationResult Annotate(SparseMatrix logNormalized, ImmutableArray<ResolvedSet> sets, ImmutableArray<ResolvedSet> skipped,
        KnnGraph knn, int[] cluster, int clusters, double minScore, Work work)
    {
        var n = logNormalized.Rows;
        var s = sets.Length;
        if (s == 0)
        {
            var none = new int[n];
            Array.Fill(none, -1);
            var noCluster = new int[clusters];
            Array.Fill(noCluster, -1);
            return new AnnotationResult(sets, skipped, new DenseMatrix(n, 0), new DenseMatrix(n, 0), none, new float[n], new float[n], noCluster,
                Enumerable.Repeat(double.NaN, clusters).ToArray(), Enumerable.Repeat(double.NaN, clusters).ToArray(), minScore);
        }
        var coefficients = new List<(int Set, float Coefficient)>[logNormalized.Columns];
        void Add(int slot, ImmutableArray<int> genes, ImmutableArray<ImmutableArray<int>> controls, IReadOnlyList<double> weights)
        {
            var norm = Math.Sqrt(weights.Sum());
            for (var k = 0; k < genes.Length; k++)
            {
                var w = weights[k] / norm;
                (coefficients[genes[k]] ??= []).Add((slot, (float)w));
                foreach (var c in controls[k])
                {
                    (coefficients[c] ??= []).Add((slot, (float)(-w / controls[k].Length)));
                }
            }
        }
        for (var t = 0; t < s; t++)
        {
            Add(t, sets[t].Genes, sets[t].Controls, sets[t].Weights);
            if (sets[t].NegativeGenes.Length > 0)
            {
                Add(s + t, sets[t].NegativeGenes, sets[t].NegativeControls, [.. sets[t].NegativeGenes.Select(_ => 1.0)]);
            }
        }
        // one coefficient per (gene, slot): sum duplicates so the per-cell loop stays short
        var lookup = coefficients.Select(c => c is null ? [] : c.GroupBy(x => x.Set).Select(x => (Set: x.Key, Coefficient: x.Sum(y => y.Coefficient))).ToArray()).ToArray();
        var scores = new DenseMatrix(n, s);
        work.ForRange(n, 1024, (a, b) =>
        {
            var acc = new float[2 * s];
            for (var i = a; i < b; i++)
            {
                Array.Clear(acc);
                var idx = logNormalized.RowIndices(i);
                var val = logNormalized.RowValues(i);
                for (var k = 0; k < idx.Length; k++)
                {
                    foreach (var (set, coefficient) in lookup[idx[k]])
                    {
                        acc[set] += coefficient * val[k];
                    }
                }
                var row = scores.Row(i);
                for (var t = 0; t < s; t++)
                {
                    row[t] = acc[t] - Math.Max(0, acc[s + t]);
                }
            }
        });
        var best = new int[n];
        for (var i = 0; i < n; i++)
        {
            best[i] = ArgMax(scores.Row(i));
        }
        var smoothed = new DenseMatrix(n, s);
        var call = new int[n];
        var callScore = new float[n];
        var confidence = new float[n];
        work.ForRange(n, 1024, (a, b) =>
        {
            for (var i = a; i < b; i++)
            {
                var row = smoothed.Row(i);
                var nbrs = knn.Neighbours(i);
                foreach (var j in nbrs)
                {
                    var other = scores.Row(j);
                    for (var t = 0; t < s; t++)
                    {
                        row[t] += other[t];
                    }
                }
                for (var t = 0; t < s; t++)
                {
                    row[t] /= nbrs.Length;
                }
                var top = ArgMax(row);
                callScore[i] = row[top];
                call[i] = row[top] >= minScore ? top : -1;
                var agree = 0;
                foreach (var j in nbrs)
                {
                    agree += best[j] == top ? 1 : 0;
                }
                confidence[i] = (float)agree / nbrs.Length;
            }
        });
        var clusterCall = new int[clusters];
        var clusterScore = new double[clusters];
        var clusterConfidence = new double[clusters];
        for (var c = 0; c < clusters; c++)
        {
            var mean = new double[s];
            var members = 0;
            for (var i = 0; i < n; i++)
            {
                if (cluster[i] != c)
                {
                    continue;
                }
                members++;
                var row = scores.Row(i);
                for (var t = 0; t < s; t++)
                {
                    mean[t] += row[t];
                }
            }
            var top = 0;
            for (var t = 1; t < s; t++)
            {
                if (mean[t] > mean[top])
                {
                    top = t;
                }
            }
            clusterScore[c] = members > 0 ? mean[top] / members : double.NaN;
            clusterCall[c] = members > 0 && clusterScore[c] >= minScore ? top : -1;
            var agreeing = 0;
            for (var i = 0; i < n; i++)
            {
                if (cluster[i] == c && call[i] == clusterCall[c])
                {
                    agreeing++;
                }
            }
            clusterConfidence[c] = members > 0 ? (double)agreeing / members : double.NaN;
        }
        return new AnnotationResult(sets, skipped, scores, smoothed, call, callScore, confidence, clusterCall, clusterScore, clusterConfidence, minScore);
    }

    private static int ArgMax(ReadOnlySpan<float> v)
    {
        var top = 0;
        for (var t = 1; t < v.Length; t++)
        {
            if (v[t] > v[top])
            {
                top = t;
            }
        }
        return top;
    }
}
