using MilkCells.Core.Random;

namespace MilkCells.Analysis.Tests;

public class TwoSampleTestTests
{
    [Fact]
    public void Welch_matches_the_closed_form_of_Students_t_with_two_degrees_of_freedom()
    {
        // a = {−1, 1}, b = a + d: both variances 2, so t = d/√2 and ν = (1 + 1)²/(1 + 1) = 2, where
        // F(t) = 1/2 + t/(2√(2 + t²)) and the two-sided p is 1 − |t|/√(2 + t²).
        foreach (var d in new[] { 0.5, 3.0, -7.0 })
        {
            var r = TwoSampleTest.Welch.Test([-1, 1], [-1 + d, 1 + d]);
            var t = d / Math.Sqrt(2);
            Assert.Equal(t, r.Statistic, 1e-12);
            Assert.Equal(1 - (Math.Abs(t) / Math.Sqrt(2 + (t * t))), r.PValue, 1e-10);
        }
    }

    [Fact]
    public void Welch_on_constant_samples_is_certain()
    {
        Assert.Equal(1, TwoSampleTest.Welch.Test([2, 2], [2, 2, 2]).PValue);
        Assert.Equal(0, TwoSampleTest.Welch.Test([2, 2], [3, 3]).PValue);
        Assert.Throws<ArgumentException>(() => TwoSampleTest.Welch.Test([1], [1, 2]));
    }

    [Fact]
    public void Mann_Whitney_exact_null_distribution_is_the_count_of_every_split()
    {
        // Enumerate all C(m + n, m) ways to give m of the ranks 1 … m + n to the first sample; U = Σranks − m(m+1)/2.
        foreach (var (m, n) in new[] { (1, 1), (3, 3), (4, 5), (6, 2) })
        {
            var counts = new long[(m * n) + 1];
            long total = 0;
            for (var mask = 0; mask < 1 << (m + n); mask++)
            {
                if (System.Numerics.BitOperations.PopCount((uint)mask) != m)
                {
                    continue;
                }
                var rankSum = Enumerable.Range(0, m + n).Where(i => (mask & (1 << i)) != 0).Sum(i => i + 1);
                counts[rankSum - (m * (m + 1) / 2)]++;
                total++;
            }
            var cdf = MannWhitneyTest.NullCdf(m, n);
            long running = 0;
            for (var u = 0; u <= m * n; u++)
            {
                running += counts[u];
                Assert.Equal((double)running / total, cdf[u], 1e-14);
            }
        }
    }

    [Fact]
    public void Mann_Whitney_of_fully_separated_samples_has_the_smallest_exact_p()
    {
        // U = 0 has probability 1/C(m+n, m); two-sided p doubles it.
        foreach (var (m, n) in new[] { (3, 3), (5, 4), (8, 8) })
        {
            var a = Enumerable.Range(0, m).Select(i => (double)i).ToArray();
            var b = Enumerable.Range(100, n).Select(i => (double)i).ToArray();
            var r = TwoSampleTest.MannWhitney.Test(a, b);
            Assert.Equal(0, r.Statistic);
            Assert.Equal(2 / Binomial(m + n, m), r.PValue, 1e-12);
            Assert.Equal(r.PValue, TwoSampleTest.MannWhitney.Test(b, a).PValue, 1e-12); // symmetric
        }
    }

    [Fact]
    public void Mann_Whitney_with_ties_uses_mid_ranks_and_the_normal_approximation()
    {
        // a = {1, 2, 2}, b = {2, 3, 3}: mid-ranks 1, 3, 3 | 3, 5.5, 5.5, U_a = 7 − 6 = 1; ties (3 of 2, 2 of 3) give
        // Σ(t³ − t) = 24 + 6 = 30, σ² = (9/12)(7 − 30/30) = 4.5; z = (1 − 4.5 + 0.5)/√4.5.
        var r = TwoSampleTest.MannWhitney.Test([1, 2, 2], [2, 3, 3]);
        Assert.Equal(1, r.Statistic);
        var z = (1 - 4.5 + 0.5) / Math.Sqrt(4.5);
        Assert.Equal(2 * MathNet.Numerics.Distributions.Normal.CDF(0, 1, z), r.PValue, 1e-12);
    }

    // Under the null hypothesis the rejection rate is the test's size, known here without simulation. Welch, equal n
    // and equal normal variances: the statistic is Student's pooled t, exactly t(2n − 2), and Welch rejects when
    // |t| > t(1 − α/2; ν̂) with n − 1 ≤ ν̂ ≤ 2n − 2, so P(|T(2n−2)| > t(1 − α/2; n − 1)) ≤ size ≤ α. Exact
    // Mann–Whitney: size = Σ_u P(U = u)·[p(u) < α] from the null distribution (checked above by enumeration).
    // R = 4,000 replicates: the binomial SE is at most √(0.05·0.95/4000) = 0.0034, so the rate must lie within 4 SE.
    [Fact]
    public void Under_the_null_hypothesis_Welch_rejects_at_its_size()
    {
        const int n = 12;
        var lower = 2 * MathNet.Numerics.Distributions.StudentT.CDF(0, 1, (2 * n) - 2, -MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, n - 1, 0.975));
        AssertRate(TwoSampleTest.Welch, n, lower, 0.05);
    }

    [Fact]
    public void Under_the_null_hypothesis_exact_Mann_Whitney_rejects_at_its_attainable_size()
    {
        const int n = 12;
        var cdf = MannWhitneyTest.NullCdf(n, n);
        double size = 0;
        for (var u = 0; u < cdf.Length; u++)
        {
            var pu = cdf[u] - (u > 0 ? cdf[u - 1] : 0);
            var p = Math.Min(1, 2 * Math.Min(cdf[u], 1 - (u > 0 ? cdf[u - 1] : 0)));
            size += p < 0.05 ? pu : 0;
        }
        AssertRate(TwoSampleTest.MannWhitney, n, size, size);
    }

    private static void AssertRate(TwoSampleTest test, int n, double lower, double upper)
    {
        const int replicates = 4000;
        var rng = RandomStream.Derive(11, RandomStream.Label(test.Name));
        var rejections = 0;
        var a = new double[n];
        var b = new double[n];
        for (var r = 0; r < replicates; r++)
        {
            for (var i = 0; i < n; i++)
            {
                a[i] = Samplers.Normal(ref rng, 3, 2);
                b[i] = Samplers.Normal(ref rng, 3, 2);
            }
            rejections += test.Test(a, b).PValue < 0.05 ? 1 : 0;
        }
        var se = Math.Sqrt(0.05 * 0.95 / replicates);
        Assert.InRange((double)rejections / replicates, lower - (4 * se), upper + (4 * se));
    }

    [Fact]
    public void Tests_are_parsed_by_name()
    {
        Assert.Same(TwoSampleTest.Welch, TwoSampleTest.Parse("Welch"));
        Assert.Same(TwoSampleTest.MannWhitney, TwoSampleTest.Parse("mann-whitney"));
        Assert.Null(TwoSampleTest.Parse("anova"));
    }

    private static double Binomial(int n, int k) => Enumerable.Range(1, k).Aggregate(1.0, (acc, i) => acc * (n - k + i) / i);
}
