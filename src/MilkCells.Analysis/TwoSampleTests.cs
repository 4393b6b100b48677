using System.Collections.Concurrent;
using MathNet.Numerics.Distributions;

namespace MilkCells.Analysis;

/// <summary>The outcome of a two-sample test.</summary>
/// <param name="Statistic">The test statistic (t for Welch, U of the first sample for Mann–Whitney).</param>
/// <param name="PValue">The two-sided p-value.</param>
public readonly record struct TestResult(double Statistic, double PValue);

/// <summary>A two-sided test of no difference between two independent samples.</summary>
public abstract record TwoSampleTest
{
    /// <summary>Welch's t test (the default).</summary>
    public static readonly TwoSampleTest Welch = new WelchTTest();

    /// <summary>The Mann–Whitney U test.</summary>
    public static readonly TwoSampleTest MannWhitney = new MannWhitneyTest();

    /// <summary>The name the command line uses.</summary>
    public abstract string Name { get; }

    /// <summary>A one-line description with its citation, for reports.</summary>
    public abstract string Description { get; }

    /// <summary>Tests samples <paramref name="a"/> and <paramref name="b"/> (no NaN; at least two values each).</summary>
    public abstract TestResult Test(ReadOnlySpan<double> a, ReadOnlySpan<double> b);

    /// <summary>The test named <paramref name="name"/> (<c>welch</c> or <c>mann-whitney</c>), or null.</summary>
    public static TwoSampleTest? Parse(string name) => name.ToLowerInvariant() switch
    {
        "welch" or "t" => Welch,
        "mann-whitney" or "wilcoxon" or "u" => MannWhitney,
        _ => null,
    };

    private protected static void CheckSizes(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length < 2 || b.Length < 2)
        {
            throw new ArgumentException($"a two-sample test needs at least 2 values per sample (got {a.Length} and {b.Length})");
        }
    }
}

/// <summary>Welch's unequal-variances t test, with Welch–Satterthwaite degrees of freedom.</summary>
/// <remarks>
/// Welch BL (1947). The generalization of 'Student's' problem when several different population variances are
/// involved. Biometrika 34(1–2):28–35, doi:10.1093/biomet/34.1-2.28; Satterthwaite FE (1946), Biometrics Bulletin
/// 2(6):110–114. t = (x̄_b − x̄_a)/√(s²_a/n_a + s²_b/n_b), ν = (s²_a/n_a + s²_b/n_b)² / Σ (s²/n)²/(n − 1),
/// p = 2·P(T_ν ≥ |t|). Both samples constant: p = 1 if the means are equal, else 0.
/// </remarks>
public sealed record WelchTTest : TwoSampleTest
{
    /// <inheritdoc/>
    public override string Name => "welch";

    /// <inheritdoc/>
    public override string Description => "Welch's t test (Welch 1947, Biometrika 34:28–35), two-sided";

    /// <inheritdoc/>
    public override TestResult Test(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        CheckSizes(a, b);
        var (ma, va) = Moments.MeanVariance(a);
        var (mb, vb) = Moments.MeanVariance(b);
        var qa = va / a.Length;
        var qb = vb / b.Length;
        var se2 = qa + qb;
        if (se2 == 0)
        {
            return ma == mb ? new TestResult(0, 1) : new TestResult(mb > ma ? double.PositiveInfinity : double.NegativeInfinity, 0);
        }
        var t = (mb - ma) / Math.Sqrt(se2);
        var df = se2 * se2 / ((qa * qa / (a.Length - 1)) + (qb * qb / (b.Length - 1)));
        return new TestResult(t, Math.Min(1, 2 * StudentT.CDF(0, 1, df, -Math.Abs(t))));
    }
}

/// <summary>The Mann–Whitney U test (Wilcoxon rank-sum), exact for small samples without ties, as R's <c>wilcox.test</c>.</summary>
/// <remarks>
/// Mann HB, Whitney DR (1947). On a test of whether one of two random variables is stochastically larger than the
/// other. Ann Math Stat 18(1):50–60, doi:10.1214/aoms/1177730491. U = R_a − n_a(n_a + 1)/2 with mid-ranks for ties.
/// Both samples under 50 and no ties: the exact null distribution of U by Mann &amp; Whitney's recurrence
/// f(u; m, n) = f(u − n; m − 1, n) + f(u; m, n − 1), p = min(1, 2·min(P(U ≤ u), P(U ≥ u))). Otherwise the normal
/// approximation with the tie-corrected variance (m n/12)((m + n + 1) − Σ(t³ − t)/((m + n)(m + n − 1))) and a
/// continuity correction of ½ (Lehmann 1975, Nonparametrics, §1.4), as R does.
/// </remarks>
public sealed record MannWhitneyTest : TwoSampleTest
{
    /// <summary>Samples smaller than this on both sides (and without ties) get the exact distribution.</summary>
    public const int ExactBelow = 50;

    private static readonly ConcurrentDictionary<(int M, int N), double[]> NullCdfs = new();

    /// <inheritdoc/>
    public override string Name => "mann-whitney";

    /// <inheritdoc/>
    public override string Description => "Mann–Whitney U test (Mann & Whitney 1947, Ann Math Stat 18:50–60), two-sided; exact below 50 per sample without ties";

    /// <inheritdoc/>
    public override TestResult Test(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        CheckSizes(a, b);
        int m = a.Length, n = b.Length;
        var all = new (double Value, bool First)[m + n];
        for (var i = 0; i < m; i++)
        {
            all[i] = (a[i], true);
        }
        for (var i = 0; i < n; i++)
        {
            all[m + i] = (b[i], false);
        }
        Array.Sort(all, (x, y) => x.Value.CompareTo(y.Value));
        double rankSumA = 0, tieTerm = 0;
        for (var i = 0; i < all.Length;)
        {
            var j = i;
            while (j + 1 < all.Length && all[j + 1].Value == all[i].Value)
            {
                j++;
            }
            var midRank = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                rankSumA += all[k].First ? midRank : 0;
            }
            double t = j - i + 1;
            tieTerm += (t * t * t) - t;
            i = j + 1;
        }
        var u = rankSumA - (m * (m + 1) / 2.0);
        if (m < ExactBelow && n < ExactBelow && tieTerm == 0)
        {
            var cdf = NullCdfs.GetOrAdd((m, n), key => NullCdf(key.M, key.N));
            var k = (int)u;
            var lower = cdf[k];
            var upper = 1 - (k > 0 ? cdf[k - 1] : 0);
            return new TestResult(u, Math.Min(1, 2 * Math.Min(lower, upper)));
        }
        var z = u - (m * (double)n / 2);
        var sigma = Math.Sqrt(m * (double)n / 12 * ((m + n + 1) - (tieTerm / ((m + n) * (double)(m + n - 1)))));
        if (sigma == 0)
        {
            return new TestResult(u, 1);
        }
        z = (z - (Math.Sign(z) * 0.5)) / sigma;
        return new TestResult(u, Math.Min(1, 2 * Normal.CDF(0, 1, -Math.Abs(z))));
    }

    /// <summary>P(U ≤ u) for u = 0 … m n under the null hypothesis, by Mann &amp; Whitney's recurrence on counts.</summary>
    internal static double[] NullCdf(int m, int n)
    {
        // counts[j][u]: arrangements of i first-sample and j second-sample values with U = u, for the current i.
        var max = m * n;
        var previous = new double[n + 1][];
        for (var j = 0; j <= n; j++)
        {
            previous[j] = new double[max + 1];
            previous[j][0] = 1; // i = 0: U = 0
        }
        for (var i = 1; i <= m; i++)
        {
            var current = new double[n + 1][];
            current[0] = new double[max + 1];
            current[0][0] = 1;
            for (var j = 1; j <= n; j++)
            {
                var row = new double[max + 1];
                var left = previous[j];
                var down = current[j - 1];
                for (var u = 0; u <= i * j; u++)
                {
                    row[u] = (u >= j ? left[u - j] : 0) + down[u];
                }
                current[j] = row;
            }
            previous = current;
        }
        var counts = previous[n];
        double total = 0;
        foreach (var c in counts)
        {
            total += c;
        }
        var cdf = new double[max + 1];
        double running = 0;
        for (var u = 0; u <= max; u++)
        {
            running += counts[u];
            cdf[u] = running / total;
        }
        return cdf;
    }
}
