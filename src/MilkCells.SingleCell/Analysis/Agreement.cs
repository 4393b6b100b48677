namespace MilkCells.SingleCell.Analysis;

/// <summary>Agreement between two labellings of the same cells.</summary>
public static class Agreement
{
    /// <summary>The adjusted Rand index of Hubert &amp; Arabie (1985, J Classif 2:193, doi:10.1007/BF01908075): 1 for identical partitions, about 0 for independent ones.</summary>
    public static double AdjustedRandIndex<TA, TB>(IReadOnlyList<TA> a, IReadOnlyList<TB> b) where TA : notnull where TB : notnull
    {
        if (a.Count != b.Count)
        {
            throw new ArgumentException("the labellings cover different numbers of cells");
        }
        var table = new Dictionary<(TA, TB), long>();
        var rows = new Dictionary<TA, long>();
        var cols = new Dictionary<TB, long>();
        for (var i = 0; i < a.Count; i++)
        {
            table[(a[i], b[i])] = table.GetValueOrDefault((a[i], b[i])) + 1;
            rows[a[i]] = rows.GetValueOrDefault(a[i]) + 1;
            cols[b[i]] = cols.GetValueOrDefault(b[i]) + 1;
        }
        static double Pairs(long x) => x * (x - 1) / 2.0;
        var index = table.Values.Sum(Pairs);
        var sumA = rows.Values.Sum(Pairs);
        var sumB = cols.Values.Sum(Pairs);
        var expected = sumA * sumB / Pairs(a.Count);
        var max = (sumA + sumB) / 2;
        return max == expected ? 1 : (index - expected) / (max - expected);
    }

    /// <summary>Counts of (truth, call) pairs, rows and columns in first-seen order unless given.</summary>
    public static (IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, long[,] Counts) Confusion(IReadOnlyList<string> truth, IReadOnlyList<string> call,
        IReadOnlyList<string>? rowOrder = null, IReadOnlyList<string>? columnOrder = null)
    {
        var rows = rowOrder?.ToList() ?? truth.Distinct().ToList();
        var cols = columnOrder?.ToList() ?? call.Distinct().ToList();
        foreach (var t in truth.Distinct().Where(t => !rows.Contains(t)).ToList())
        {
            rows.Add(t);
        }
        foreach (var c in call.Distinct().Where(c => !cols.Contains(c)).ToList())
        {
            cols.Add(c);
        }
        var counts = new long[rows.Count, cols.Count];
        for (var i = 0; i < truth.Count; i++)
        {
            counts[rows.IndexOf(truth[i]), cols.IndexOf(call[i])]++;
        }
        return (rows, cols, counts);
    }
}
