using System.Collections.Immutable;
using MathNet.Numerics.Distributions;

namespace MilkCells.Analysis;

/// <summary>The estimated power at one sample size.</summary>
/// <param name="N">Subjects per arm.</param>
/// <param name="Rejections">Replicates whose test rejected at α.</param>
/// <param name="Replicates">Replicates.</param>
public sealed record PowerPoint(int N, int Rejections, int Replicates)
{
    /// <summary>The estimated power: the share of replicates that rejected.</summary>
    public double Power => (double)Rejections / Replicates;

    /// <summary>The Monte-Carlo standard error of <see cref="Power"/>, √(p(1 − p)/R).</summary>
    public double StandardError => Math.Sqrt(Power * (1 - Power) / Replicates);
}

/// <summary>Power against sample size, and the smallest size that reaches the target.</summary>
/// <param name="Points">Power at each sample size, in grid order.</param>
/// <param name="Test">The test applied.</param>
/// <param name="Alpha">The two-sided significance level.</param>
/// <param name="Target">The power wanted.</param>
public sealed record PowerCurve(ImmutableArray<PowerPoint> Points, TwoSampleTest Test, double Alpha, double Target)
{
    /// <summary>The smallest N per arm whose estimated power reaches the target, or null when none in the grid does.</summary>
    public int? SmallestN => Points.Where(p => p.Power >= Target).Select(p => (int?)p.N).FirstOrDefault();
}

/// <summary>Power of a two-sample comparison estimated by simulation, over a grid of sample sizes.</summary>
/// <remarks>
/// Design: every replicate r supplies N_max values per arm, drawn independently; the power at N is the share of
/// replicates whose test on the first N values of each arm rejects at α (a nested design: the curve over N is
/// estimated from the same replicates, so it is smooth, and each point is still an unbiased binomial estimate with
/// standard error √(p(1 − p)/R)). Simulation-based power follows Arnold BF et al. (2011), BMC Med Res Methodol 11:94,
/// doi:10.1186/1471-2288-11-94.
/// </remarks>
public static class PowerAnalysis
{
    /// <summary>Applies <paramref name="test"/> to each replicate at each N of <paramref name="grid"/>.</summary>
    /// <param name="control">Per replicate, the control arm's values (at least max(grid) each).</param>
    /// <param name="treated">Per replicate, the treated arm's values.</param>
    /// <param name="grid">Subjects per arm to evaluate (each ≥ 2).</param>
    /// <param name="test">The test.</param>
    /// <param name="alpha">Two-sided significance level.</param>
    /// <param name="target">The power wanted.</param>
    public static PowerCurve Evaluate(IReadOnlyList<double[]> control, IReadOnlyList<double[]> treated, IReadOnlyList<int> grid,
        TwoSampleTest test, double alpha, double target)
    {
        if (control.Count != treated.Count || control.Count == 0)
        {
            throw new ArgumentException("both arms need the same number of replicates, at least one");
        }
        var max = grid.Max();
        if (grid.Any(n => n < 2) || control.Concat(treated).Any(r => r.Length < max))
        {
            throw new ArgumentException($"every N must be at least 2 and every replicate must hold {max} values per arm");
        }
        var points = grid.Select(n =>
        {
            var rejections = 0;
            for (var r = 0; r < control.Count; r++)
            {
                if (test.Test(control[r].AsSpan(0, n), treated[r].AsSpan(0, n)).PValue < alpha)
                {
                    rejections++;
                }
            }
            return new PowerPoint(n, rejections, control.Count);
        });
        return new PowerCurve([.. points], test, alpha, target);
    }

    /// <summary>Subjects per arm a two-sided z test needs to detect a mean difference <paramref name="delta"/> with SD <paramref name="sigma"/>.</summary>
    /// <remarks>n = 2 (z₁₋α/₂ + z_power)² σ²/δ² (e.g. Chow, Shao &amp; Wang 2008, Sample Size Calculations in Clinical Research, §3.2): a cross-check for the simulated curve, not a replacement.</remarks>
    public static double NormalApproximationN(double delta, double sigma, double alpha, double power)
    {
        var z = Normal.InvCDF(0, 1, 1 - (alpha / 2)) + Normal.InvCDF(0, 1, power);
        return 2 * z * z * sigma * sigma / (delta * delta);
    }
}
