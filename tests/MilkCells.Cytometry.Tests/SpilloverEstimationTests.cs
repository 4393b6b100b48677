using MilkCells.Core.Errors;
using MilkCells.Cytometry.Compensation;
using MilkCells.TestSupport;

namespace MilkCells.Cytometry.Tests;

/// <summary>Spillover from single-stain controls against flowCore's reference matrices (shared/fcs/compensation/flowcore-compdata).</summary>
public class SpilloverEstimationTests
{
    private const string Dir = "fcs/compensation/flowcore-compdata";
    private static readonly string[] Channels = ["FL1-H", "FL2-H", "FL3-H", "FL4-H"];

    private static EventMatrix Control(string file) => CytometrySample.Read(Path.Combine(Shared.Require(Dir), file + ".fcs")).Events;

    /// <summary>The controls in file order (flowCore's data folder order), each optionally assigned a channel.</summary>
    private static List<SingleStainControl> Controls(Func<string, string?> channel) =>
        new[] { "060909.002", "060909.003", "060909.004", "060909.005" }.Select(f => new SingleStainControl(Control(f), channel(f), f)).ToList();

    /// <summary>comp_match: which control stains which channel (and which is unstained).</summary>
    private static Dictionary<string, string> MatchFile() =>
        File.ReadLines(Path.Combine(Shared.Require(Dir), "comp_match")).Skip(1).Where(l => l.Contains(','))
            .Select(l => l.Split(',')).ToDictionary(p => p[0].Trim(), p => p[1].Trim());

    private static void AssertMatches(SpilloverMatrix expected, SpilloverMatrix actual)
    {
        Assert.Equal(expected.Detectors, actual.Detectors);
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                // flowCore's own test tolerance for these references is 3e-8 (relative).
                Assert.True(Math.Abs(actual[i, j] - expected[i, j]) <= 3e-8 * Math.Abs(expected[i, j]), $"[{i},{j}]: {actual[i, j]:R} vs {expected[i, j]:R}");
            }
        }
    }

    [Fact]
    public void Medians_matched_by_brightest_channel_reproduce_compref1()
    {
        var matrix = SpilloverEstimation.FromControls(Control("060909.001"), Controls(_ => null), Channels);
        AssertMatches(SpilloverFile.Read(Path.Combine(Shared.Require(Dir), "compref1")), matrix);
    }

    [Fact]
    public void Medians_matched_by_the_match_file_reproduce_compref1()
    {
        var match = MatchFile();
        Assert.Equal("unstained", match["060909.001"]);
        var matrix = SpilloverEstimation.FromControls(Control("060909.001"), Controls(f => match[f]), Channels);
        AssertMatches(SpilloverFile.Read(Path.Combine(Shared.Require(Dir), "compref1")), matrix);
    }

    [Fact]
    public void Controls_assigned_in_file_order_reproduce_flowcores_ordered_result_compref2()
    {
        var matrix = SpilloverEstimation.FromControls(Control("060909.001"), Controls(f => Channels[int.Parse(f[^1..]) - 2]), Channels);
        AssertMatches(SpilloverFile.Read(Path.Combine(Shared.Require(Dir), "compref2")), matrix);
    }

    [Theory]
    [InlineData("compref3")]
    [InlineData("compref4")]
    public void Density_modes_matched_by_the_match_file_reproduce_flowcores_mode_results(string reference)
    {
        var match = MatchFile();
        var matrix = SpilloverEstimation.FromControls(Control("060909.001"), Controls(f => match[f]), Channels, ControlStatistic.Mode);
        AssertMatches(SpilloverFile.Read(Path.Combine(Shared.Require(Dir), reference)), matrix);
    }

    [Fact]
    public void Two_controls_claiming_one_channel_is_an_input_error()
    {
        var controls = Controls(_ => "FL1-H");
        var ex = Assert.Throws<InputException>(() => SpilloverEstimation.FromControls(Control("060909.001"), controls, Channels));
        Assert.Contains("both match channel 'FL1-H'", ex.Message);
    }
}
