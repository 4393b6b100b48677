using MilkCells.Analysis;
using MilkCells.Cohorts.Power;
using MilkCells.Cohorts.Reference;
using MilkCells.Core.Errors;
using MilkCells.Model.Scenarios;
using MilkCells.Simulation;

namespace MilkCells.Cohorts.Tests;

public class CohortPowerTests
{
    private static PowerDesign Design(PowerEffect effect, int days = 3, int replicates = 10, string outcome = "cells_per_ml_leucocyte", int[]? grid = null) =>
        new(Cohorts.Model.Calibrate(null), ScenarioLoader.Load("healthy", Cohorts.Model), effect, outcome, new DayWindow(1, days - 1), days,
            [.. grid ?? [2, 3]], replicates, 0.05, 0.8, TwoSampleTest.Welch, 17);

    [Fact]
    public void The_power_curve_does_not_depend_on_the_thread_count()
    {
        var design = Design(new RelativeEffect(1.5));
        var one = CohortPower.Run(design, threads: 1, cancellation: TestContext.Current.CancellationToken);
        var two = CohortPower.Run(design, threads: 2, cancellation: TestContext.Current.CancellationToken);
        Assert.Equal(one.Curve.Points, two.Curve.Points);
        Assert.Equal(one.LogRatio, two.LogRatio);
        Assert.Equal(2 * 10 * 3, one.MothersSimulated);
    }

    [Fact]
    public void An_effect_far_beyond_the_spread_between_mothers_is_always_detected()
    {
        // × e³⁰ shifts each treated mother's mean ln by 30, some 40 between-mother SDs (log-SD ≤ 0.8, data/variability.yaml):
        // with 3 mothers per arm Welch's t is near 30/√(2·0.8²/3) ≈ 46, far above t(0.975; ν ≥ 2) = 4.3.
        var result = CohortPower.Run(Design(new RelativeEffect(Math.Exp(30)), grid: [3, 4]), threads: 2, cancellation: TestContext.Current.CancellationToken);
        Assert.All(result.Curve.Points, p => Assert.Equal(1.0, p.Power));
        Assert.Equal(3, result.Curve.SmallestN);
        Assert.InRange(result.LogRatio, 30 - (4 * result.LogSd), 30 + (4 * result.LogSd));
    }

    [Fact]
    public void A_mothers_value_is_her_mean_log_outcome_over_the_window()
    {
        var rows = MotherSimulation.Run(Cohorts.Model.Calibrate(null), ScenarioLoader.Load("healthy", Cohorts.Model), 3, 1, 5, TestContext.Current.CancellationToken);
        var column = CohortPower.ColumnIndex("milk_ml", Cohorts.Model);
        var expected = rows.Where(r => r.Day is >= 2 and <= 4).Average(r => Math.Log(r.MilkMl));
        Assert.Equal(expected, CohortPower.Summary(rows, column, "milk_ml", new DayWindow(2, 4), 1, 0), 1e-12);
    }

    [Fact]
    public void The_default_window_of_an_illness_effect_is_exactly_the_days_the_illness_is_active()
    {
        var effect = PowerEffect.Parse("scenario:infant-infection", Cohorts.Model);
        var window = PowerDesign.DefaultWindow(effect, null, ScenarioLoader.Load("healthy", Cohorts.Model));
        var treated = ((ScenarioEffect)effect).Treated;
        var rows = MotherSimulation.Run(Cohorts.Model.Calibrate(null), treated, 1, 0, window.Last + 2, TestContext.Current.CancellationToken);
        var ill = rows.Where(r => r.Events.Any(e => e.Contains("infant-infection", StringComparison.Ordinal))).Select(r => r.Day).ToArray();
        Assert.Equal(Enumerable.Range(window.First, window.Last - window.First + 1), ill);
    }

    [Fact]
    public void Bad_designs_are_refused_with_the_option_named()
    {
        Assert.Contains("not an effect", Assert.Throws<InputException>(() => PowerEffect.Parse("double", Cohorts.Model)).Message);
        Assert.Contains("not a positive number", Assert.Throws<InputException>(() => PowerEffect.Parse("relative:-2", Cohorts.Model)).Message);
        Assert.Contains("cells_per_ml_total", Assert.Throws<InputException>(() => CohortPower.Run(Design(new RelativeEffect(2), outcome: "cells"), 1, cancellation: TestContext.Current.CancellationToken)).Message);
        Assert.Contains("--replicates", Assert.Throws<InputException>(() => CohortPower.Run(Design(new RelativeEffect(2), replicates: 3), 1, cancellation: TestContext.Current.CancellationToken)).Message);
        Assert.Contains("--window", Assert.Throws<InputException>(() => CohortPower.Run(Design(new RelativeEffect(2)) with { Days = 2 }, 1, cancellation: TestContext.Current.CancellationToken)).Message);
    }
}
