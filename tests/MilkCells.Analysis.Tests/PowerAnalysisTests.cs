using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using MilkCells.Core.Random;

namespace MilkCells.Analysis.Tests;

/// <summary>Simulated power against the analytic power of the t test on normal data.</summary>
/// <remarks>
/// Two normal arms with means 0 and δ and SD σ, n each. With equal n, Welch's statistic equals Student's pooled t,
/// which is noncentral t with 2n − 2 degrees of freedom and noncentrality δ/(σ√(2/n)); Welch rejects when
/// |t| > t(1 − α/2; ν̂) with n − 1 ≤ ν̂ ≤ 2n − 2, so its power lies between P(|T| > t(1 − α/2; n − 1)) and
/// P(|T| > t(1 − α/2; 2n − 2)). The noncentral t probability is integrated over the χ² of the variance:
/// P(T > c) = ∫ f_χ²(v; ν) (1 − Φ(c√(v/ν) − λ)) dv. R = 2,000 replicates per N: the estimate must lie in that bracket
/// widened by 4 binomial SE.
/// </remarks>
public class PowerAnalysisTests
{
    private const int Replicates = 2000;

    private static (double[][] Control, double[][] Treated) Normal(double delta, double sigma, int max, ulong seed)
    {
        var rng = RandomStream.Derive(seed, 3);
        double[] Arm(double mean) => [.. Enumerable.Range(0, max).Select(_ => Samplers.Normal(ref rng, mean, sigma))];
        var control = new double[Replicates][];
        var treated = new double[Replicates][];
        for (var r = 0; r < Replicates; r++)
        {
            control[r] = Arm(0);
            treated[r] = Arm(delta);
        }
        return (control, treated);
    }

    /// <summary>P(|T| &gt; c) for T noncentral t with ν degrees of freedom and noncentrality λ.</summary>
    private static double TwoSidedExceedance(double c, double nu, double lambda)
    {
        var chi = new ChiSquared(nu);
        var top = nu + (40 * Math.Sqrt(2 * nu)) + 40;
        return Integrate.OnClosedInterval(v =>
        {
            var s = c * Math.Sqrt(v / nu);
            return chi.Density(v) * (1 - MathNet.Numerics.Distributions.Normal.CDF(0, 1, s - lambda) + MathNet.Numerics.Distributions.Normal.CDF(0, 1, -s - lambda));
        }, 0, top, 1e-10);
    }

    private static (double Lower, double Upper) WelchBracket(int n, double delta, double sigma, double alpha)
    {
        var lambda = delta / (sigma * Math.Sqrt(2.0 / n));
        double Critical(double df) => StudentT.InvCDF(0, 1, df, 1 - (alpha / 2));
        return (TwoSidedExceedance(Critical(n - 1), (2 * n) - 2, lambda), TwoSidedExceedance(Critical((2 * n) - 2), (2 * n) - 2, lambda));
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(0.0, 1.0)]
    [InlineData(0.8, 2.0)]
    public void Simulated_Welch_power_lies_within_the_analytic_bracket_at_every_N(double delta, double sigma)
    {
        int[] grid = [4, 8, 12, 17, 24, 32];
        var (control, treated) = Normal(delta, sigma, grid.Max(), (ulong)(delta * 10 + sigma));
        var curve = PowerAnalysis.Evaluate(control, treated, grid, TwoSampleTest.Welch, 0.05, 0.8);
        Assert.Equal(grid, curve.Points.Select(p => p.N));
        foreach (var point in curve.Points)
        {
            var (lower, upper) = WelchBracket(point.N, delta, sigma, 0.05);
            var slack = 4 * Math.Sqrt(Math.Max(upper * (1 - upper), lower * (1 - lower)) / Replicates) + 1e-3;
            Assert.InRange(point.Power, lower - slack, upper + slack);
            Assert.Equal(Math.Sqrt(point.Power * (1 - point.Power) / Replicates), point.StandardError, 1e-15);
        }
    }

    [Fact]
    public void The_smallest_N_is_where_the_analytic_power_crosses_the_target()
    {
        // δ/σ = 1, α = 0.05, target 0.8: the first grid N whose bracket lies wholly above the target (less 4 SE) must be
        // reported, provided the N before it lies wholly below (the test checks that this design separates them).
        int[] grid = [5, 10, 15, 20, 25, 30];
        var (control, treated) = Normal(1, 1, grid.Max(), 99);
        var curve = PowerAnalysis.Evaluate(control, treated, grid, TwoSampleTest.Welch, 0.05, 0.8);
        var se = Math.Sqrt(0.8 * 0.2 / Replicates);
        var brackets = grid.Select(n => WelchBracket(n, 1, 1, 0.05)).ToArray();
        var first = Array.FindIndex(brackets, b => b.Lower > 0.8 + (4 * se));
        Assert.True(first > 0 && brackets[first - 1].Upper < 0.8 - (4 * se), "the design must separate the crossing from Monte-Carlo noise");
        Assert.Equal(grid[first], curve.SmallestN);
    }

    [Fact]
    public void The_normal_approximation_N_gives_the_target_power_to_a_z_test()
    {
        foreach (var (delta, sigma, power) in new[] { (1.0, 1.0, 0.8), (0.3, 0.8, 0.9), (2.0, 0.5, 0.5) })
        {
            var n = PowerAnalysis.NormalApproximationN(delta, sigma, 0.05, power);
            var z = delta / (sigma * Math.Sqrt(2 / n));
            Assert.Equal(power, MathNet.Numerics.Distributions.Normal.CDF(0, 1, z - MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.975)), 1e-9);
        }
    }

    [Fact]
    public void Replicates_too_short_for_the_grid_are_refused()
    {
        Assert.Throws<ArgumentException>(() => PowerAnalysis.Evaluate([[1, 2, 3]], [[1, 2, 3]], [4], TwoSampleTest.Welch, 0.05, 0.8));
        Assert.Throws<ArgumentException>(() => PowerAnalysis.Evaluate([[1, 2, 3]], [[1, 2, 3]], [1], TwoSampleTest.Welch, 0.05, 0.8));
    }
}
