using MilkCells.Engine.Algorithms;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;

namespace MilkCells.Simulation.Tests;

/// <summary>The daily (cohort) resolution reproduces the feed resolution's daily outputs for the same mothers.</summary>
/// <remarks>
/// Both resolutions plan the same mother, feeds and day effects for a seed; the daily one replaces the breasts'
/// within-feed dynamics by their exact feed-cycle means (MilkCells.Model.Tests.DailyResolutionTests checks those to
/// 1e-9), so the two differ only by (a) the feed resolution's tau-leap error and (b) intrinsic noise. Bounds used below:
/// <list type="bullet">
/// <item>Leap error. MotherSimulationTests bounds the default leap size (ε = 0.15) against ε = 0.03 at 3 % of daily
/// concentrations and intake. Explicit tau-leaping has weak order 1 (Rathinam, Petzold, Cao &amp; Gillespie 2005,
/// Multiscale Model Simul 4:867, doi:10.1137/040603206): its bias is c·ε, so 0.12·c ≤ 0.03 gives c ≤ 0.25, a bias of
/// at most 3.75 % at ε = 0.15 and 0.75 % at ε = 0.03. On viability (dead share 8 %) a relative error r moves the
/// viable fraction by at most 0.08·r.</item>
/// <item>Noise. Cells swallowed per day (≥ 10⁵ per class at these counts) are Poisson in both resolutions: relative
/// sd ≤ 0.3 %. Milk drunk is Poisson in quanta (q = 0.1 mL) at daily resolution and at most that at feed resolution
/// (fullness feedback makes synthesis sub-Poisson), so log(V_daily / V_feed) has sd ≤ √(2q/V).</item>
/// </list>
/// Means are compared with those bounds plus three standard errors of the paired differences.
/// </remarks>
public sealed class ResolutionTests
{
    private const ulong RootSeed = 20_261_122;

    private static readonly Func<DailyRow, double>[] LogConcentrations =
    [
        r => Math.Log(r.CellsPerMlTotal), r => Math.Log(r.CellsPerMlEpithelial), r => Math.Log(r.CellsPerMlLeucocyte), r => Math.Log(r.CellsPerMlStem),
    ];

    private static readonly string[] ClassNames = ["total", "epithelial", "leucocyte", "stem"];

    private static (DailyRow Feed, DailyRow Daily)[] Pairs(int mothers, int days, TauLeaping feedAlgorithm)
    {
        var model = MilkModel.Embedded.Calibrate(null);
        var scenario = ScenarioLoader.Load("healthy", MilkModel.Embedded);
        var sampled = scenario with { Mother = scenario.Mother with { Mode = MotherMode.Sampled } };
        var daily = MotherSimulation.Prepare(model, scenario, days, SimulationResolution.Daily);
        return [.. Enumerable.Range(0, mothers).AsParallel().AsOrdered().SelectMany(m =>
        {
            var feed = MotherSimulation.Simulate(model, sampled, MotherSimulation.MotherSeed(RootSeed, m),
                new SimulationOptions { Days = days, Detail = false, Algorithm = feedAlgorithm }).Daily;
            return feed.Zip(daily.Run(RootSeed, m, CancellationToken.None)).Where(p => p.First.Day > 0); // day 0 starts from the plan's deterministic state
        })];
    }

    private static (double Mean, double StandardError) MeanOf(IReadOnlyCollection<double> x)
    {
        var mean = x.Average();
        var sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Count - 1));
        return (mean, sd / Math.Sqrt(x.Count));
    }

    private static double Sd(IReadOnlyCollection<double> x)
    {
        var mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Count - 1));
    }

    // Same mothers and days against the feed resolution at ε = 0.03 (leap bias ≤ 0.75 %, see the class remarks).
    [Fact]
    public void Mother_by_mother_and_day_by_day_the_daily_resolution_matches_a_fine_feed_resolution()
    {
        var pairs = Pairs(mothers: 6, days: 20, new TauLeaping(Epsilon: 0.03));
        Assert.Equal(6 * 19, pairs.Length);
        Assert.All(pairs, p => Assert.Equal((p.Feed.Day, p.Feed.Stage, p.Feed.Feeds), (p.Daily.Day, p.Daily.Stage, p.Daily.Feeds)));
        for (var c = 0; c < LogConcentrations.Length; c++)
        {
            var f = LogConcentrations[c];
            var (mean, se) = MeanOf([.. pairs.Select(p => f(p.Daily) - f(p.Feed))]);
            Assert.True(Math.Abs(mean) <= 0.0075 + 3 * se, $"{ClassNames[c]} cells/mL: mean log ratio {mean:F4} (se {se:F4})");
        }
        var (viable, viableSe) = MeanOf([.. pairs.Select(p => p.Daily.ViableFraction - p.Feed.ViableFraction)]);
        Assert.True(Math.Abs(viable) <= 0.08 * 0.0075 + 3 * viableSe, $"viable fraction: mean difference {viable:F5}");
        // Intake: standardised by the Poisson bound, z = log ratio / √(2q/V) has mean² + var ≤ 1 + (bias/√(2q/V))²;
        // with a 0.75 % bias at V ≥ 300 mL (√(2q/V) ≤ 2.6 %) that is ≤ 1.08, and its sampling error at n = 114 is ≈ 0.13.
        var q = MilkModel.Embedded.Calibrate(null).Value(ModelParameters.VolumeQuantum);
        var z = pairs.Where(p => p.Feed.MilkMl >= 300).Select(p => Math.Log(p.Daily.MilkMl / p.Feed.MilkMl) / Math.Sqrt(2 * q / p.Feed.MilkMl)).ToArray();
        Assert.True(z.Length >= 90, $"{z.Length} days with ≥ 300 mL");
        var rms = Math.Sqrt(z.Average(x => x * x));
        Assert.True(rms <= Math.Sqrt(1.08) + 3 * 0.13, $"intake: rms standardised log ratio {rms:F3}");
    }

    // Across 12 mothers × 60 days (colostrum, transitional, mature) against the default feed resolution: per stage,
    // the means of log cells/mL by class, % leucocytes, viability and intake agree within the default leap bias
    // (3.75 %; 0.08 × 3.75 % = 0.003 on viability) plus three paired standard errors, and their spreads between
    // mother-days agree within the same fraction: the spread comes from the plan (mother and day effects, feed
    // timing; identical in both), intrinsic noise adds ≤ (1.3 %)² to variances ≥ 0.2² on the log scale (< 0.3 %),
    // and a bias of at most 3.75 % can stretch a spread by at most that. Feeds are the plan's: equal day by day.
    [Fact]
    public void Across_mothers_and_stages_the_daily_resolution_reproduces_the_feed_resolutions_distributions()
    {
        const double leap = 0.0375;
        var pairs = Pairs(mothers: 12, days: 60, MotherSimulation.DefaultAlgorithm);
        Assert.All(pairs, p => Assert.Equal(p.Feed.Feeds, p.Daily.Feeds));
        var stages = pairs.Select(p => p.Feed.Stage).Distinct().ToArray();
        Assert.Equal(["colostrum", "transitional", "mature"], stages);
        foreach (var stage in stages)
        {
            var inStage = pairs.Where(p => p.Feed.Stage == stage).ToArray();
            void Compare(string what, Func<DailyRow, double> f, double meanBound, double spreadBound)
            {
                var (feed, daily) = (inStage.Select(p => f(p.Feed)).ToArray(), inStage.Select(p => f(p.Daily)).ToArray());
                var (diff, se) = MeanOf([.. inStage.Select(p => f(p.Daily) - f(p.Feed))]);
                Assert.True(Math.Abs(diff) <= meanBound + 3 * se, $"{stage} {what}: means {feed.Average():G5} vs {daily.Average():G5}");
                var (sf, sd) = (Sd(feed), Sd(daily));
                Assert.True(Math.Abs(sd - sf) <= spreadBound, $"{stage} {what}: spreads {sf:G4} vs {sd:G4}");
            }
            for (var c = 0; c < LogConcentrations.Length; c++)
            {
                var f = LogConcentrations[c];
                var spread = Sd([.. inStage.Select(p => f(p.Feed))]);
                Compare($"log {ClassNames[c]} cells/mL", f, leap, leap * spread);
            }
            var pct = inStage.Average(p => p.Feed.PctLeucocyte);
            Compare("% leucocytes", r => r.PctLeucocyte, 2 * leap * pct, 2 * leap * Sd([.. inStage.Select(p => p.Feed.PctLeucocyte)])); // a ratio of two biased counts
            Compare("viable fraction", r => r.ViableFraction, 0.08 * leap, 0.08 * leap);
            var intake = inStage.Average(p => p.Feed.MilkMl);
            Compare("intake, mL", r => r.MilkMl, leap * intake, leap * Sd([.. inStage.Select(p => p.Feed.MilkMl)]));
        }
    }

    [Fact]
    public void Per_breast_daily_rows_add_up_to_the_daily_rows_at_both_resolutions()
    {
        foreach (var resolution in new[] { SimulationResolution.Feed, SimulationResolution.Daily })
        {
            var r = Runs.Simulate("mastitis", days: 45, options: new SimulationOptions { Resolution = resolution });
            Assert.Equal(resolution, r.Resolution);
            Assert.Equal(2 * r.Daily.Length, r.BreastDays.Length);
            foreach (var d in r.Daily)
            {
                var both = r.BreastDays.Where(b => b.Day == d.Day).ToArray();
                Assert.Equal([Breast.Left, Breast.Right], both.Select(b => b.Breast));
                Assert.Equal(d.MilkMl, both.Sum(b => b.MilkMl), 1e-6 * d.MilkMl);
                Assert.Equal(d.IngestedTotal, both.Sum(b => b.Counts.Sum()));
            }
        }
    }

    [Fact]
    public void The_daily_resolution_takes_one_leap_a_day_and_keeps_only_daily_outputs()
    {
        var r = Runs.Simulate("donor-milk", options: new SimulationOptions { Resolution = SimulationResolution.Daily });
        Assert.Equal(r.Daily.Length, r.Stats.Leaps);
        Assert.Empty(r.Feeds);
        Assert.Empty(r.Infant);
        Assert.Empty(r.Expressed);
        Assert.Contains(r.Daily, d => d.FormulaMl > 0 || d.Events.Any(e => e.StartsWith("pump", StringComparison.Ordinal)));
        // Pumping takes milk the infant then does not drink: the pumping days' intake falls below the days around them.
        var pumped = r.Daily.Where(d => d.Events.Any(e => e.StartsWith("pump", StringComparison.Ordinal))).Select(d => d.Day).ToArray();
        Assert.NotEmpty(pumped);
        var feedResolution = Runs.Simulate("donor-milk", options: new SimulationOptions { Detail = false });
        foreach (var d in pumped)
        {
            Assert.InRange(r.Daily[d].MilkMl / feedResolution.Daily[d].MilkMl, 0.9625, 1.0375); // within the leap bias (class remarks)
        }
    }

    [Fact]
    public void A_cohort_mother_is_the_same_through_the_cache_a_prepared_simulation_and_any_thread()
    {
        var model = MilkModel.Embedded.Calibrate(null);
        var scenario = ScenarioLoader.Load("healthy", MilkModel.Embedded);
        var prepared = MotherSimulation.Prepare(model, scenario, 40);
        var direct = Enumerable.Range(0, 6).Select(m => prepared.Run(5, m, CancellationToken.None)).ToArray();
        var cached = Enumerable.Range(0, 6).AsParallel().Select(m => (m, Rows: MotherSimulation.Run(model, scenario, 5, m, 40, CancellationToken.None)))
            .ToDictionary(x => x.m, x => x.Rows);
        for (var m = 0; m < 6; m++)
        {
            Assert.Equal(direct[m].Select(DailyTable.Values), cached[m].Select(DailyTable.Values), new SequenceComparer());
        }
        var feed = MotherSimulation.Run(model, scenario, 5, 0, 40, CancellationToken.None, resolution: SimulationResolution.Feed);
        Assert.Equal(direct[0].Select(d => d.Feeds), feed.Select(d => d.Feeds));
        Assert.NotEqual(direct[0].Select(d => d.IngestedTotal), feed.Select(d => d.IngestedTotal));
    }

    private sealed class SequenceComparer : IEqualityComparer<DailyValue[]>
    {
        public bool Equals(DailyValue[]? x, DailyValue[]? y) => x is not null && y is not null && x.SequenceEqual(y);

        public int GetHashCode(DailyValue[] obj) => obj.Length;
    }
}
