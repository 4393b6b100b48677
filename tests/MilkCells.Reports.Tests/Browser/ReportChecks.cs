using System.Text.RegularExpressions;

namespace MilkCells.Reports.Tests.Browser;

/// <summary>What every chart of every report must satisfy once drawn in Chromium.</summary>
public static partial class ReportChecks
{
    /// <summary>A line is readable when at least this share of its pixels is not covered by later lines.</summary>
    public const double MinimumVisibleShare = 0.25;

    /// <summary>Asserts the page stayed offline and without errors, and every chart is readable: round, plainly written
    /// log ticks; no tick, band label or legend entry overlapping another; band labels above the plot; human titles;
    /// every line visible; lines said to coincide drawn one dashed over the other.</summary>
    public static void AssertReadable(RenderedReport report)
    {
        Assert.Equal([report.Url], report.Requests);
        Assert.Empty(report.Problems);
        Assert.True(report.Charts.Length > 0, "the report has no chart");
        Assert.Equal(report.Charts.Length, report.ChartsRendered);
        foreach (var chart in report.Charts)
        {
            Assert.True(chart.Rendered == "true", $"{chart} was not drawn (see {report.ScreenshotFolder})");
            Assert.False(chart.Title.Contains('_', StringComparison.Ordinal), $"{chart}: a column name, not a title");
            foreach (var axis in chart.Axes.Where(a => a.Display))
            {
                AssertDisjoint(axis.Ticks, $"{chart}, axis {axis.Id}: tick labels");
                if (axis.Type == "logarithmic")
                {
                    Assert.True(axis.Ticks.Length >= 3, $"{chart}, log axis {axis.Id}: {axis.Ticks.Length} tick label(s) ({string.Join(" ", axis.Ticks.Select(t => t.Label))})");
                    foreach (var tick in axis.Ticks)
                    {
                        Assert.Matches(ReadableNumber(), tick.Label);
                        var mantissa = tick.Value / Math.Pow(10, Math.Floor(Math.Log10(tick.Value) + 1e-9));
                        Assert.True(Math.Abs(mantissa - Math.Round(mantissa)) < 1e-6, $"{chart}: log tick {tick.Value} is not a round value");
                    }
                }
            }
            Assert.Equal(chart.Bands, chart.BandLabels.Length);
            AssertDisjoint(chart.BandLabels, $"{chart}: band labels");
            AssertDisjoint(chart.Legend, $"{chart}: legend entries");
            foreach (var label in chart.BandLabels)
            {
                Assert.True(label.Left >= -0.5 && label.Right <= chart.Width + 0.5, $"{chart}: band label '{label.Text}' runs off the chart");
                Assert.True(label.Bottom <= chart.Area.Top + 0.5, $"{chart}: band label '{label.Text}' lies over the plot");
                Assert.DoesNotContain(chart.Legend, l => l.Overlaps(label));
            }
            foreach (Match pair in CoincidingPair().Matches(chart.Coincide))
            {
                Assert.Contains(chart.Datasets, d => d.Label == pair.Groups["top"].Value && d.Dashed);
                Assert.Contains(chart.Datasets, d => d.Label == pair.Groups["under"].Value);
            }
            foreach (var line in chart.Visibility)
            {
                Assert.True(line.Share >= MinimumVisibleShare,
                    $"{chart}: only {line.Share:P0} of line '{line.Label}' shows ({line.Together} of {line.Alone} pixels): another line hides it");
            }
        }
    }

    private static void AssertDisjoint(IReadOnlyList<Box> boxes, string what)
    {
        for (var i = 0; i < boxes.Count; i++)
        {
            for (var j = i + 1; j < boxes.Count; j++)
            {
                Assert.False(boxes[i].Overlaps(boxes[j]), $"{what} overlap: {boxes[i]} and {boxes[j]}");
            }
        }
    }

    /// <summary>The note under a chart whose lines coincide: "left and right coincide: left is drawn dashed over a wider right."</summary>
    [GeneratedRegex(@"(?<top>[^.:]+?) and (?<under>[^.:]+?) coincide: \k<top> is drawn dashed over a wider \k<under>\.")]
    public static partial Regex CoincidingPair();

    /// <summary>100, 1,000, 0.5, 10⁴, 2×10⁴, 10⁻⁴: never 1e4, 1.0E+04 or 10000.</summary>
    [GeneratedRegex(@"^(−?(\d{1,3}(,\d{3})*|0)(\.\d+)?|(\d(\.\d+)?×)?10⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)$")]
    public static partial Regex ReadableNumber();
}
