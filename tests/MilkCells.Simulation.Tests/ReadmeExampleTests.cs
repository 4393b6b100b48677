using System.Collections.Immutable;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;

namespace MilkCells.Simulation.Tests;

/// <summary>The README's Simulate example ("In code"), as code that must keep compiling and doing what the README says.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void The_readme_simulate_example_runs_a_cohort_mother_and_one_run_at_each_resolution()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var model = MilkModel.Embedded;
        var calibrated = model.Calibrate(null);
        var scenario = ScenarioLoader.Load("healthy", model);
        ImmutableArray<DailyRow> rows = MotherSimulation.Run(calibrated, scenario, rootSeed: 42, motherId: 7, days: 365, cancellation);
        var prepared = MotherSimulation.Prepare(calibrated, scenario, days: 365);
        var again = prepared.Run(rootSeed: 42, motherId: 7, cancellation);
        var columns = DailyTable.Columns(model);
        DailyValue[] values = DailyTable.Values(rows[0]);
        SimulationResult one = MotherSimulation.Simulate(calibrated, scenario, seed: 1, cancellation: cancellation);
        SimulationResult fast = MotherSimulation.Simulate(calibrated, scenario, seed: 1, new SimulationOptions { Resolution = SimulationResolution.Daily }, cancellation);

        Assert.Equal(365, rows.Length);
        Assert.Equal(rows.Select(DailyTable.Values).SelectMany(v => v), again.Select(DailyTable.Values).SelectMany(v => v));
        Assert.Equal("day", columns[0].Name);
        Assert.Equal(columns.Length, values.Length);
        Assert.NotEmpty(one.Feeds);
        Assert.Empty(fast.Feeds);
        Assert.Equal(one.Daily.Select(d => d.Feeds), fast.Daily.Select(d => d.Feeds)); // the same plan
        Assert.Equal(730, fast.BreastDays.Length);
    }
}
