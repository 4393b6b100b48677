using MilkCells.Core.Random;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Catalog;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Model;
using MilkCells.Engine.Simulation;

namespace MilkCells.Engine.Tests;

public class TauAndAutoTests
{
    [Fact]
    public void Tau_leaping_keeps_the_stationary_law_of_immigration_death_within_its_known_bias()
    {
        // Explicit tau-leaping's mean follows Euler's recursion m' = m + τ(α − μm), whose fixed point α/μ is exact;
        // by t = 100 the transient has shrunk by (1 − μτ)^100 < 3e-5 (τ ≤ 1, below), so the mean is unbiased to 0.05.
        // Here eq. 33 of CGP2006 allows τ = (εx)²/(α + μx) = 4.5, and the turnover bound caps it at
        // 0.1·x/(μx) = 1, so the stationary variance α/(μ(1 − μτ/2)) is at most 5.3 % high; the test allows 7 %.
        double alpha = 100, mu = 0.1;
        const int n = 4000;
        var r = Analytic.Run(StandardModels.ImmigrationDeath(alpha, mu), Algorithm.TauLeaping, n, [100, 101]);
        Assert.True(r.Leaps > n * 50, $"expected leaping, got {r.Leaps} leaps");
        var m = alpha / mu;
        Analytic.MeanWithin(r.MeanAt(1, 0), m, m, n, bias: 0.05);
        var variance = Math.Pow(r.SdAt(1, 0), 2);
        Assert.InRange(variance, m - 6 * m * Math.Sqrt(2.0 / n), m * 1.07 + 6 * m * Math.Sqrt(2.0 / n));
    }

    [Fact]
    public void Tau_leaping_never_drives_a_count_negative()
    {
        // A fast bimolecular sink on small, unequal populations: naive Poisson leaps would overshoot.
        var network = new NetworkBuilder("sink")
            .Parameter("k", 1e-6).Parameter("s", 500)
            .Species("A", 100_000).Species("B", 10_000).Species("C", 0)
            .MassAction("bind", "A + B -> C", "k")
            .MassAction("supplyB", "-> B", "s")
            .Build();
        var sim = new Simulator(CompiledNetwork.Compile(network), Algorithm.TauLeaping);
        var min = double.MaxValue;
        long leaps = 0;
        for (var i = 0; i < 50; i++)
        {
            var rng = RandomStream.Derive(8, (ulong)i);
            var result = sim.Run(ref rng, new RunOptions
            {
                EndTime = 20,
                RecordTimes = RunOptions.EvenlySpaced(0, 20, 401),
                KeepSeries = false,
                Observer = (in Observation o) => min = Math.Min(min, Math.Min(o.Species[0], Math.Min(o.Species[1], o.Species[2]))),
            });
            leaps += result.Leaps;
        }
        Assert.True(leaps > 0);
        Assert.True(min >= 0, $"a count went negative ({min})");
    }

    [Fact]
    public void Auto_stays_exact_for_small_systems_and_leaps_for_huge_ones()
    {
        var small = Analytic.Run(StandardModels.BirthDeath(100), Algorithm.Auto, 50, [0, 50]);
        Assert.Equal(0, small.Leaps);

        // 10⁷ cells over 50 time units would take ≈ 8·10⁷ exact firings per trajectory, above the budget of 10⁷.
        double x0 = 1e7, lambda = 0.1, mu = 0.11;
        const int n = 40;
        var big = Analytic.Run(StandardModels.BirthDeath(x0, lambda, mu), Algorithm.Auto, n, [0, 25, 50]);
        Assert.True(big.Leaps > 0);
        Assert.True(big.Firings > 1000 * big.Leaps, $"{big.Firings} firings in {big.Leaps} leaps");
        // The mean follows Euler's recursion (1 + rτ)^(t/τ) with r = λ − μ; τ ≤ 0.1/μ = 0.909 (turnover bound; CGP's
        // εx/|rx| = 3 is looser), so ln(mean/exact) ≥ 50·(ln(1 + rτ)/τ − r) = −0.23 %; allow 0.3 %.
        var (mean, variance) = Analytic.BirthDeath(x0, lambda, mu, 50);
        Analytic.MeanWithin(big.MeanAt(2, 0), mean, variance, n, bias: 0.003 * mean);
    }

    [Fact]
    public void Tau_leaping_is_cheap_at_milk_scale_populations()
    {
        // 10⁸ cells with turnover and three drivers of rate over 365 days: leaps, not firings, bound the work.
        var network = new NetworkBuilder("turnover")
            .Parameter("influx", 2e6).Parameter("death", 0.02)
            .Driver("stage", 1, [(5, 0.5), (14, 0.2)])
            .Species("Cells", 1e8)
            .MassAction("in", "-> Cells", "influx * stage")
            .MassAction("out", "Cells ->", "death")
            .Build();
        var sim = new Simulator(CompiledNetwork.Compile(network), Algorithm.Auto);
        var rng = new RandomStream(12);
        var result = sim.Run(ref rng, new RunOptions { EndTime = 365, RecordTimes = RunOptions.EvenlySpaced(0, 365, 366) });
        Assert.True(result.Firings > 1e8, $"{result.Firings} firings");
        Assert.True(result.Leaps < 100_000, $"{result.Leaps} leaps");
        // At day 365 the mean is influx·0.2/death (the transient from day 14 has decayed by e^{−7}); sd ≈ √mean.
        var stationary = 2e6 * 0.2 / 0.02;
        Assert.InRange(result.FinalAmounts[0], stationary * 0.99, stationary * 1.01);
    }
}

public class TimeDependentRateTests
{
    [Theory]
    [MemberData(nameof(Analytic.AllAlgorithms), MemberType = typeof(Analytic))]
    public void A_sinusoidal_immigration_rate_gives_a_poisson_count_with_the_integrated_mean(string algorithm)
    {
        // ∅ → X at k(1 + sin t): X(t) is Poisson with mean ∫₀ᵗ k(1 + sin s) ds = k(t + 1 − cos t).
        var network = new NetworkBuilder("seasonal").Parameter("k", 20).Species("X", 0)
            .Reaction("arrive", "-> X", "k * (1 + sin(time))").Build();
        const int n = 4000;
        double[] times = [0, 2, 5, 10];
        var r = Analytic.Run(network, Algorithm.Parse(algorithm), n, times);
        for (var k = 1; k < times.Length; k++)
        {
            var m = 20 * (times[k] + 1 - Math.Cos(times[k]));
            Analytic.MeanWithin(r.MeanAt(k, 0), m, m, n, what: $"t={times[k]}");
            Analytic.VarianceWithin(Math.Pow(r.SdAt(k, 0), 2), m, 3 + 1 / m, n, $"t={times[k]}");
        }
    }

    [Fact]
    public void A_hazard_growing_with_time_gives_the_binomial_survivors()
    {
        // X → ∅ at μ·t per individual: survival e^{−μt²/2}, so X(t) ~ Binomial(x0, p) with that p.
        var network = new NetworkBuilder("ageing").Parameter("mu", 0.1).Species("X", 200)
            .Reaction("die", "X ->", "mu * time * X").Build();
        const int n = 4000;
        double[] times = [0, 1, 3, 5];
        var r = Analytic.Run(network, Algorithm.Direct, n, times);
        for (var k = 1; k < times.Length; k++)
        {
            var p = Math.Exp(-0.1 * times[k] * times[k] / 2);
            double mean = 200 * p, variance = 200 * p * (1 - p);
            Analytic.MeanWithin(r.MeanAt(k, 0), mean, variance, n, what: $"t={times[k]}");
            var kurtosis = 3 + (1 - 6 * p * (1 - p)) / variance;
            Analytic.VarianceWithin(Math.Pow(r.SdAt(k, 0), 2), variance, kurtosis, n, $"t={times[k]}");
        }
    }
}
