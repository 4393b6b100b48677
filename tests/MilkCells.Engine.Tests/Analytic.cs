using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Ensembles;
using MilkCells.Engine.Model;
using MilkCells.Engine.Simulation;

namespace MilkCells.Engine.Tests;

/// <summary>Closed-form moments of the catalogue models, and an ensemble helper.</summary>
internal static class Analytic
{
    /// <summary>Linear birth–death from x0: mean x0·e^{rt}, variance x0(λ+μ)/r·e^{rt}(e^{rt} − 1), r = λ − μ
    /// (Bailey 1964, The Elements of Stochastic Processes, §8.6).</summary>
    public static (double Mean, double Variance) BirthDeath(double x0, double lambda, double mu, double t)
    {
        var r = lambda - mu;
        var g = Math.Exp(r * t);
        return (x0 * g, x0 * (lambda + mu) / r * g * (g - 1));
    }

    /// <summary>Kurtosis (fourth standardised moment) of linear birth–death from x0 at t.</summary>
    /// <remarks>
    /// X(t) is a sum of x0 independent single-ancestor populations, each 0 with probability α and otherwise
    /// geometric on 1, 2, … with ratio β, where α = μ(e^{rt}−1)/(λe^{rt}−μ) and β = λ(e^{rt}−1)/(λe^{rt}−μ)
    /// (Bailey 1964, §8.6). Cumulants add, so the kurtosis of the sum is 3 + (κ₁ − 3)/x0.
    /// </remarks>
    public static double BirthDeathKurtosis(double x0, double lambda, double mu, double t)
    {
        var g = Math.Exp((lambda - mu) * t);
        var alpha = mu * (g - 1) / (lambda * g - mu);
        var beta = lambda * (g - 1) / (lambda * g - mu);
        var q = 1 - beta;
        // Raw moments of the geometric on {1, 2, …}, then of the zero-inflated mixture.
        var m1 = 1 / q;
        var m2 = (1 + beta) / (q * q);
        var m3 = (1 + 4 * beta + beta * beta) / (q * q * q);
        var m4 = (1 + 11 * beta + 11 * beta * beta + beta * beta * beta) / (q * q * q * q);
        var w = 1 - alpha;
        double e1 = w * m1, e2 = w * m2, e3 = w * m3, e4 = w * m4;
        var variance = e2 - e1 * e1;
        var central4 = e4 - 4 * e1 * e3 + 6 * e1 * e1 * e2 - 3 * e1 * e1 * e1 * e1;
        var kurtosis1 = central4 / (variance * variance);
        return 3 + (kurtosis1 - 3) / x0;
    }

    /// <summary>Immigration–death from 0: Poisson with mean (α/μ)(1 − e^{−μt}).</summary>
    public static double ImmigrationDeathMean(double alpha, double mu, double t) => alpha / mu * (1 - Math.Exp(-mu * t));

    public static EnsembleResult Run(Network network, Algorithm algorithm, int n, double[] times, ulong seed = 7, int? threads = null,
        Func<int, IReadOnlyList<Intervention>>? interventions = null) =>
        Ensemble.Run(CompiledNetwork.Compile(network), algorithm, new EnsembleOptions
        {
            Trajectories = n,
            Seed = seed,
            Threads = threads,
            EndTime = times[^1],
            RecordTimes = times,
            InterventionsFor = interventions,
        });

    /// <summary>Asserts a sample mean lies within 5 standard errors (false-failure probability ≈ 6e-7) plus a known bias bound.</summary>
    public static void MeanWithin(double sampleMean, double mean, double variance, int n, double bias = 0, string what = "")
    {
        var tolerance = 5 * Math.Sqrt(variance / n) + bias;
        Assert.True(Math.Abs(sampleMean - mean) <= tolerance,
            $"{what}: sample mean {sampleMean} vs {mean} (tolerance {tolerance})");
    }

    /// <summary>Asserts a sample variance lies within 6 of its standard errors, σ²·√((κ−1)/n), given the kurtosis κ.</summary>
    public static void VarianceWithin(double sampleVariance, double variance, double kurtosis, int n, string what = "")
    {
        var tolerance = 6 * variance * Math.Sqrt((kurtosis - 1) / n);
        Assert.True(Math.Abs(sampleVariance - variance) <= tolerance,
            $"{what}: sample variance {sampleVariance} vs {variance} (tolerance {tolerance})");
    }

    public static IEnumerable<TheoryDataRow<string>> ExactAlgorithms() => [new("direct"), new("cr"), new("auto")];

    public static IEnumerable<TheoryDataRow<string>> AllAlgorithms() => [new("direct"), new("cr"), new("auto"), new("tau")];
}
