using System.Globalization;
using MilkCells.Workflows.Simulate;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Derivation;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using MilkCells.Reports;
using MilkCells.Simulation;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary>
/// Issue 10 (model fidelity 2), the command line and the report: a population mother on her own, every parameter the
/// run used with the profile's overrides marked, each illness window summarised on its own with lactation days, and the
/// median mother drawn against the healthy cohort's bands.
/// </summary>
public sealed class SimulateFidelityTests : IDisposable
{
    private readonly TempDir _dir = new("milkcells-simulate-fidelity");

    public void Dispose() => _dir.Dispose();

    private (int Code, string Output, string Error) Simulate(string outDir, params string[] extra) =>
        CliHarness.Run(["simulate", "--out", outDir, "--store", _dir.File("runs.db"), .. extra]);

    private static string[] Column(string csv, string name)
    {
        var lines = File.ReadAllLines(csv);
        var index = Array.IndexOf(lines[0].Split(','), name);
        Assert.True(index >= 0, $"{csv} has no column {name}");
        return [.. lines.Skip(1).Select(l => l.Split(',')[index])];
    }

    // `simulate --mother sampled --mother-id K` runs cohort mother K of a cohort with the same seed: her plan (feeds per
    // day, which follow her feeding factor and the day's draws) is the one the cohort simulates for mother K.
    [Fact]
    public void A_sampled_mother_K_is_the_cohorts_mother_K()
    {
        var outDir = _dir.File("mother-3");
        var (code, _, error) = Simulate(outDir, "--days", "30", "--seed", "5", "--mother", "sampled", "--mother-id", "3");
        Assert.True(code == 0, error);
        var cohort = MotherSimulation.Run(MilkModel.Embedded.Calibrate(null), ScenarioLoader.Load("healthy", MilkModel.Embedded), 5, 3, 30,
            TestContext.Current.CancellationToken);
        Assert.Equal(cohort.Select(d => d.Feeds.ToString(CultureInfo.InvariantCulture)), Column(Path.Combine(outDir, "daily.csv"), "feeds"));
        var other = MotherSimulation.Run(MilkModel.Embedded.Calibrate(null), ScenarioLoader.Load("healthy", MilkModel.Embedded), 5, 4, 30,
            TestContext.Current.CancellationToken);
        Assert.NotEqual(other.Select(d => d.Feeds.ToString(CultureInfo.InvariantCulture)), Column(Path.Combine(outDir, "daily.csv"), "feeds"));
        var json = File.ReadAllText(Path.Combine(outDir, "run.json"));
        Assert.Contains("\"id\": 3", json);
        Assert.Contains("\"seed\": 5,", json);
    }

    // A mother id with the median mother is a user's mistake: exit 2, one line naming the option, nothing written.
    [Theory]
    [InlineData("--mother-id", "2")]
    [InlineData("--mother", "fixed", "--mother-id", "2")]
    [InlineData("--mother", "sampled", "--mother-id", "-1")]
    public void A_mother_id_without_a_population_mother_is_refused(params string[] args)
    {
        var outDir = _dir.File("refused");
        var (code, _, error) = Simulate(outDir, ["--days", "2", .. args]);
        Assert.Equal(2, code);
        Assert.Contains("--mother-id", error);
        Assert.DoesNotContain("Exception", error);
        Assert.False(Directory.Exists(outDir));
    }

    // Row: every parameter the run used (issue 10: the table listed 13 of the model's parameters). Each of the model's
    // parameters and derived constants is listed once, the profile's replacements and the scenario's settings marked.
    [Fact]
    public void The_report_lists_every_parameter_the_run_used_with_profile_overrides_marked()
    {
        var calibrated = MilkModel.Embedded.Calibrate("lay-claims");
        var scenario = ScenarioLoader.Parse("set.yaml", "name: set\ndurationDays: 2\nparameters:\n  variability.day_log_sd: { production: 0, cells: 0, boost: 0 }\n",
            "test", MilkModel.Embedded);
        var r = MotherSimulation.Simulate(calibrated, scenario, 1, new SimulationOptions { Resolution = SimulationResolution.Daily },
            TestContext.Current.CancellationToken);
        var table = SimulationReport.Parameters(r, calibrated);
        var names = table.Parameters.Select(p => p.Name.Split(" — ")[0]).ToArray();
        foreach (var id in MilkModel.Embedded.Parameters.Keys)
        {
            Assert.Single(names, n => n == id);
        }
        Assert.All(DerivedParameters.From(calibrated).All.Keys, id => Assert.Contains(id, names));
        var overridden = table.Parameters.Where(p => p.Name.Contains("PROFILE OVERRIDE (lay-claims)", StringComparison.Ordinal)).Select(p => p.Name.Split(" — ")[0]);
        Assert.Equal(calibrated.Profile.Overrides.Keys.Order(), overridden.Order());
        Assert.Single(table.Parameters, p => p.Name == "variability.day_log_sd — SET BY THE SCENARIO");
        Assert.Contains(table.Parameters, p => p.Name.StartsWith("mother: production factor", StringComparison.Ordinal));
    }

    // Each illness window is summarised on its own (the mastitis summary folded illness days into "mature"), with
    // lactation days (the donor-milk summary said "0–91" for days 60–151).
    [Fact]
    public void The_summary_splits_each_illness_window_and_counts_lactation_days()
    {
        var mastitis = StageSummary.Of(MotherSimulation.Simulate(MilkModel.Embedded.Calibrate(null), ScenarioLoader.Load("mastitis", MilkModel.Embedded), 1,
            new SimulationOptions { Resolution = SimulationResolution.Daily, Days = 60 }, TestContext.Current.CancellationToken));
        var episode = Assert.Single(mastitis, s => s.Illness.Length > 0);
        Assert.Contains("mastitis", episode.Label);
        Assert.Equal(40, episode.FirstDay);
        Assert.InRange(episode.LastDay, 49, 50);
        Assert.Equal(["colostrum", "transitional", "mature", "mature"], mastitis.Where(s => s.Illness.Length == 0).Select(s => s.Stage));
        Assert.True(episode.LeucocytesPerMl > 10 * mastitis.Last().LeucocytesPerMl);

        var outDir = _dir.File("donor");
        var (code, output, error) = Simulate(outDir, "--scenario", "donor-milk", "--days", "5", "--seed", "1");
        Assert.True(code == 0, error);
        Assert.Contains("60–64", output + error);
        Assert.DoesNotContain("0–4", output + error);
    }

    // The median mother's report draws the healthy cohort's 10–90 % and 2.5–97.5 % bands (the shipped reference set)
    // behind her line, for the default profile.
    [Fact]
    public void The_median_mothers_report_shows_the_cohorts_bands()
    {
        var reference = ShippedReference.Embedded;
        Assert.NotNull(reference);
        Assert.Equal([2.5, 10, 25, 50, 75, 90, 97.5], reference.Percentiles);
        var r = MotherSimulation.Simulate(MilkModel.Embedded.Calibrate(null), ScenarioLoader.Load("healthy", MilkModel.Embedded), 1,
            new SimulationOptions { Resolution = SimulationResolution.Daily, Days = 30 }, TestContext.Current.CancellationToken);
        var report = SimulationReport.Build(r, "test", calibrated: MilkModel.Embedded.Calibrate(null));
        var charts = report.Sections.Single(s => s.Heading == "Against the healthy cohort").Blocks.OfType<LineChart>().ToArray();
        Assert.Contains(charts, c => c.Title.StartsWith("Milk drunk per day", StringComparison.Ordinal));
        foreach (var chart in charts)
        {
            Assert.Equal(["this run"], chart.Series.Select(s => s.Name).ToArray());
            var cohort = Assert.Single(chart.Ranges);
            Assert.Equal([(2.5, 97.5), (10.0, 90.0)], cohort.Bands.Select(b => (b.LowerPercentile, b.UpperPercentile)).ToArray());
            var (low, high) = (cohort.Bands[0].Lower, cohort.Bands[0].Upper);
            Assert.All(Enumerable.Range(0, low.Length), i => Assert.True(low[i] <= cohort.Median[i] && cohort.Median[i] <= high[i] && !double.IsNaN(low[i]), $"{chart.Title}, day {i}"));
        }
        // The median mother's milk lies inside the cohort's 2.5–97.5 % band on most days.
        var milkChart = charts.Single(c => c.Title.StartsWith("Milk drunk per day", StringComparison.Ordinal));
        var (run, band) = (milkChart.Series[0].Values, milkChart.Ranges[0].Bands[0]);
        var inside = Enumerable.Range(0, run.Length).Count(i => run[i] >= band.Lower[i] && run[i] <= band.Upper[i]);
        Assert.True(inside >= 0.9 * run.Length, $"{inside} of {run.Length} days inside the band");
    }
}
