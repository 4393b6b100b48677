using MilkCells.Core.Random;

namespace MilkCells.Core.Tests;

/// <summary>The ziggurat exponential against the exact exponential law.</summary>
public class ZigguratExponentialTests
{
    private const int N = 400_000;

    [Fact]
    public void Distribution_passes_kolmogorov_smirnov_against_one_minus_exp()
    {
        // Tolerance: P(√n·D > x) ≈ 2·exp(−2x²) (Kolmogorov's limit), so x = 2.7 fails by chance with p ≈ 1e-6.
        var rng = RandomStream.Derive(21, 0);
        var draws = new double[N];
        for (var i = 0; i < N; i++)
        {
            draws[i] = ZigguratExponential.Next(ref rng);
            Assert.True(draws[i] >= 0 && double.IsFinite(draws[i]));
        }
        Array.Sort(draws);
        double d = 0;
        for (var i = 0; i < N; i++)
        {
            var f = 1 - Math.Exp(-draws[i]);
            d = Math.Max(d, Math.Max((i + 1.0) / N - f, f - (double)i / N));
        }
        Assert.True(Math.Sqrt(N) * d < 2.7, $"√n·D = {Math.Sqrt(N) * d}");
    }

    [Fact]
    public void Tail_beyond_the_base_layer_has_the_exponential_mass()
    {
        // P(X > r) = e^{−r} for the base-layer edge r = 7.697…; the count is binomial, bounded at 5 sd.
        const double r = 7.69711747013104972;
        var rng = RandomStream.Derive(22, 0);
        var count = 0;
        var sum = 0.0;
        for (var i = 0; i < N; i++)
        {
            var x = ZigguratExponential.Next(ref rng);
            sum += x;
            if (x > r)
            {
                count++;
            }
        }
        var p = Math.Exp(-r);
        Assert.InRange(count, N * p - 5 * Math.Sqrt(N * p), N * p + 5 * Math.Sqrt(N * p));
        // Mean 1, sd 1: 5 standard errors.
        Assert.InRange(sum / N, 1 - 5 / Math.Sqrt(N), 1 + 5 / Math.Sqrt(N));
    }

    [Fact]
    public void Rate_scales_the_variate()
    {
        var a = RandomStream.Derive(23, 0);
        var b = RandomStream.Derive(23, 0);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(ZigguratExponential.Next(ref a) / 4.0, ZigguratExponential.Next(ref b, 4.0));
        }
    }
}
