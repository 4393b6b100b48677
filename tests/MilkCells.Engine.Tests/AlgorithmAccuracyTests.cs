using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Catalog;
using MilkCells.Engine.Model;

namespace MilkCells.Engine.Tests;

/// <summary>Each algorithm against closed-form moments.</summary>
/// <remarks>
/// Tolerances (see <see cref="Analytic"/>): means within 5 standard errors, variances within 6 standard errors of the
/// sample variance, σ²·√((κ−1)/n) with the exact kurtosis κ. Seeds are fixed, so each test is deterministic; the
/// bounds make a chance failure of a correct simulator improbable (&lt; 1e-6 per check), while a wrong rate, a lost
/// firing or a biased selection shifts the moments by many standard errors at these n.
/// </remarks>
public class AlgorithmAccuracyTests
{
    private const int N = 4000;

    [Theory]
    [MemberData(nameof(Analytic.ExactAlgorithms), MemberType = typeof(Analytic))]
    public void Birth_death_matches_its_closed_form_moments(string algorithm)
    {
        double x0 = 100, lambda = 0.1, mu = 0.11;
        double[] times = [0, 10, 25, 50];
        var r = Analytic.Run(StandardModels.BirthDeath(x0, lambda, mu), Algorithm.Parse(algorithm), N, times);
        for (var k = 1; k < times.Length; k++)
        {
            var (mean, variance) = Analytic.BirthDeath(x0, lambda, mu, times[k]);
            var kurtosis = Analytic.BirthDeathKurtosis(x0, lambda, mu, times[k]);
            Analytic.MeanWithin(r.MeanAt(k, 0), mean, variance, N, what: $"t={times[k]}");
            Analytic.VarianceWithin(Math.Pow(r.SdAt(k, 0), 2), variance, kurtosis, N, $"t={times[k]}");
        }
        Assert.Equal(x0, r.MeanAt(0, 0));
        Assert.Equal(0, r.SdAt(0, 0));
    }

    [Theory]
    [MemberData(nameof(Analytic.ExactAlgorithms), MemberType = typeof(Analytic))]
    public void Immigration_death_is_poisson_with_the_closed_form_mean(string algorithm)
    {
        double alpha = 10, mu = 0.1;
        double[] times = [0, 5, 20, 60];
        var r = Analytic.Run(StandardModels.ImmigrationDeath(alpha, mu), Algorithm.Parse(algorithm), N, times);
        for (var k = 1; k < times.Length; k++)
        {
            var m = Analytic.ImmigrationDeathMean(alpha, mu, times[k]);
            Analytic.MeanWithin(r.MeanAt(k, 0), m, m, N, what: $"t={times[k]}");
            Analytic.VarianceWithin(Math.Pow(r.SdAt(k, 0), 2), m, 3 + 1 / m, N, $"t={times[k]}");
        }
    }

    [Theory]
    [MemberData(nameof(Analytic.ExactAlgorithms), MemberType = typeof(Analytic))]
    public void A_1200_reaction_ring_keeps_the_product_poisson_law(string algorithm)
    {
        // Monomolecular network from empty: the joint law is a product of Poissons (Jahnke & Huisinga 2007,
        // J Math Biol 54:1, doi:10.1007/s00285-006-0034-x), each site with the immigration–death mean, so the total
        // over 300 sites is Poisson with 300 times that mean.
        const int sites = 300, n = 300;
        double alpha = 1, mu = 0.1;
        double[] times = [0, 4, 8];
        var network = StandardModels.ReactionDiffusionRing(sites, alpha, mu, hop: 2);
        var totals = new double[times.Length * n];
        var r = Ensembles.Ensemble.Run(Compilation.CompiledNetwork.Compile(network), Algorithm.Parse(algorithm), new Ensembles.EnsembleOptions
        {
            Trajectories = n,
            Seed = 3,
            EndTime = times[^1],
            RecordTimes = times,
            OnTrajectory = (i, series) =>
            {
                for (var k = 0; k < times.Length; k++)
                {
                    double sum = 0;
                    for (var s = 0; s < sites; s++)
                    {
                        sum += series[k * sites + s];
                    }
                    totals[k * n + i] = sum;
                }
            },
        });
        for (var k = 1; k < times.Length; k++)
        {
            var m = sites * Analytic.ImmigrationDeathMean(alpha, mu, times[k]);
            var sample = totals.AsSpan(k * n, n).ToArray();
            var mean = sample.Average();
            var variance = sample.Sum(x => (x - mean) * (x - mean)) / (n - 1);
            Analytic.MeanWithin(mean, m, m, n, what: $"total at t={times[k]}");
            Analytic.VarianceWithin(variance, m, 3 + 1 / m, n, $"total at t={times[k]}");
            // And every site on average (sites are exchangeable): the mean of site means is the total mean / sites.
            Assert.Equal(mean / sites, Enumerable.Range(0, sites).Average(s => r.MeanAt(k, s)), 9);
        }
    }
}

public class SelectionTests
{
    [Theory]
    [MemberData(nameof(Analytic.ExactAlgorithms), MemberType = typeof(Analytic))]
    public void Reactions_are_chosen_in_proportion_to_propensities_spanning_eleven_orders_of_magnitude(string algorithm)
    {
        // Independent constant-rate arrivals ∅ → Aᵢ at cᵢ = 10^(i−5), i = 0…10: each count is Poisson(cᵢ·T), whatever
        // the others do. Composition–rejection files them in 11 groups 3–4 binary exponents apart.
        var b = new NetworkBuilder("spread");
        for (var i = 0; i <= 10; i++)
        {
            b.Species($"A{i}", 0).MassAction($"r{i}", $"-> A{i}", Math.Pow(10, i - 5).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }
        const int n = 400;
        const double T = 2;
        var r = Analytic.Run(b.Build(), Algorithm.Parse(algorithm), n, [0, T]);
        for (var i = 0; i <= 10; i++)
        {
            var m = Math.Pow(10, i - 5) * T;
            Analytic.MeanWithin(r.MeanAt(1, i), m, m, n, bias: 5.0 / n, what: $"A{i}");
        }
    }
}
