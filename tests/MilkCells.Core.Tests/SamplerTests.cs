using MilkCells.Core.Random;

namespace MilkCells.Core.Tests;

/// <summary>Seeded moment checks of each sampler.</summary>
/// <remarks>
/// Tolerance: with n draws the sample mean has sd σ/√n; a bound of 5 such sd fails by chance with probability
/// about 6e-7 per check. The sample variance of n draws has sd ≈ σ²·√((κ−1)/n) with κ the kurtosis; we bound it
/// at 6 such sd using each distribution's kurtosis (Poisson κ = 3 + 1/λ, binomial κ = 3 + (1−6pq)/(npq),
/// gamma κ = 3 + 6/k). The seeds are fixed, so a pass is deterministic; the bounds say it is not a lucky one.
/// </remarks>
public class SamplerTests
{
    private const int N = 200_000;

    [Theory]
    [InlineData(0.3)]
    [InlineData(4.5)]
    [InlineData(9.99)]
    [InlineData(10.0)]
    [InlineData(37.2)]
    [InlineData(1e4)]
    public void Poisson_has_mean_and_variance_lambda(double lambda)
    {
        var rng = RandomStream.Derive(11, (ulong)(lambda * 1000));
        var (mean, variance) = Moments(N, () => Samplers.Poisson(ref rng, lambda));
        AssertMoments(mean, variance, lambda, lambda, 3 + 1 / lambda);
    }

    /// <summary>The k = 0 shortcut of Poisson's inversion (no exponential) returns what full inversion returns, from the same stream.</summary>
    /// <remarks>
    /// The reference is inversion from 0 as written before the shortcut. Means span 10⁻¹⁴ … 10 log-uniformly, with
    /// extra ones near 1 where the shortcut's threshold crosses 0; each draw compares the two samplers on copies of one
    /// stream, then the streams' next words (the same amount consumed). A second part checks the shortcut's inequality
    /// itself, 1 − m − margin ≤ fl(e^−m), over a dense grid of means, where rare u values near the threshold live.
    /// </remarks>
    [Fact]
    public void Poisson_zero_shortcut_matches_full_inversion_bit_for_bit()
    {
        var rng = RandomStream.Derive(21, 1);
        var means = new RandomStream(22);
        for (var i = 0; i < 400_000; i++)
        {
            var m = i % 10 == 0 ? 1 + (means.NextDouble() - 0.5) * 1e-3 : Math.Pow(10, -14 + 15 * means.NextDouble());
            var copy = rng;
            var k = Samplers.Poisson(ref rng, m);
            Assert.Equal(ReferenceInversion(ref copy, m), k);
            Assert.Equal(copy.NextUInt64(), rng.NextUInt64());
        }
        for (var i = 0; i <= 2_000_000; i++)
        {
            var m = i < 1_000_000 ? i * 1e-6 : Math.Pow(10, -18 + 18.0 * (i - 1_000_000) / 1_000_000);
            Assert.True(1 - m - 1e-15 <= Math.Exp(-m), $"threshold above e^-m at m = {m:R}");
        }
    }

    private static long ReferenceInversion(ref RandomStream rng, double mean)
    {
        var u = rng.NextDouble();
        var p = Math.Exp(-mean);
        long k = 0;
        var cumulative = p;
        while (u > cumulative)
        {
            k++;
            p *= mean / k;
            var next = cumulative + p;
            if (next == cumulative)
            {
                break;
            }
            cumulative = next;
        }
        return k;
    }

    [Theory]
    [InlineData(20, 0.1)]
    [InlineData(1000, 0.003)]
    [InlineData(100, 0.5)]
    [InlineData(5000, 0.3)]
    [InlineData(300, 0.97)]
    public void Binomial_has_mean_np_and_variance_npq(long n, double p)
    {
        var rng = RandomStream.Derive(12, (ulong)n, (ulong)(p * 1000));
        var (mean, variance) = Moments(N, () =>
        {
            var k = Samplers.Binomial(ref rng, n, p);
            Assert.InRange(k, 0, n);
            return k;
        });
        var q = 1 - p;
        AssertMoments(mean, variance, n * p, n * p * q, 3 + (1 - 6 * p * q) / (n * p * q));
    }

    [Theory]
    [InlineData(0.5, 2.0)]
    [InlineData(1.0, 1.0)]
    [InlineData(7.5, 0.2)]
    public void Gamma_has_mean_k_theta_and_variance_k_theta_squared(double shape, double scale)
    {
        var rng = RandomStream.Derive(13, (ulong)(shape * 100));
        var (mean, variance) = Moments(N, () => Samplers.Gamma(ref rng, shape, scale));
        AssertMoments(mean, variance, shape * scale, shape * scale * scale, 3 + 6 / shape);
    }

    [Fact]
    public void Normal_and_exponential_have_their_moments()
    {
        var rng = RandomStream.Derive(14, 0);
        var (m, v) = Moments(N, () => Samplers.Normal(ref rng, 3, 2));
        AssertMoments(m, v, 3, 4, 3);
        var (em, ev) = Moments(N, () => Samplers.Exponential(ref rng, 0.5));
        AssertMoments(em, ev, 2, 4, 9);
    }

    [Fact]
    public void Log_factorial_matches_direct_sum_across_the_table_edge()
    {
        double direct = 0;
        for (var k = 1; k <= 400; k++)
        {
            direct += Math.Log(k);
            Assert.Equal(direct, Samplers.LogFactorial(k), 1e-12 * Math.Max(1, direct));
        }
    }

    private static (double Mean, double Variance) Moments(int n, Func<double> draw)
    {
        double mean = 0, m2 = 0;
        for (var i = 1; i <= n; i++)
        {
            var x = draw();
            var d = x - mean;
            mean += d / i;
            m2 += d * (x - mean);
        }
        return (mean, m2 / (n - 1));
    }

    private static void AssertMoments(double mean, double variance, double expectedMean, double expectedVariance, double kurtosis)
    {
        var meanTolerance = 5 * Math.Sqrt(expectedVariance / N);
        Assert.InRange(mean, expectedMean - meanTolerance, expectedMean + meanTolerance);
        var varianceTolerance = 6 * expectedVariance * Math.Sqrt((kurtosis - 1) / N);
        Assert.InRange(variance, expectedVariance - varianceTolerance, expectedVariance + varianceTolerance);
    }
}
