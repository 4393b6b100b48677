using MilkCells.Cli;
using MilkCells.Reports.Tests.Browser;
using MilkCells.TestSupport;

namespace MilkCells.Reports.Tests;

/// <summary>
/// Every kind of report drawn in Debian's Chromium from file:// (no network): the sample report with every chart
/// feature, a real <c>simulate</c> report and a real <c>reference build</c> report. Each chart must be readable
/// (<see cref="ReportChecks.AssertReadable"/>); screenshots of every chart go to bin/…/screenshots/ and the test result.
/// </summary>
public sealed class BrowserTests : IDisposable
{
    private readonly TempDir _dir = new("milkcells-report");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_sample_report_draws_every_chart_feature_readably_offline()
    {
        await using var browser = await ReportBrowser.StartAsync();
        var path = _dir.File("report.html");
        ReportHtml.Write(SampleReports.Healthy(SampleReports.LayClaims), path);
        var report = await browser.OpenAsync(path, "sample");

        ReportChecks.AssertReadable(report);
        Assert.Equal(7, report.Charts.Length);
        Assert.True(await report.Page.Locator("p.profile-warning").IsVisibleAsync());
        var cells = report.Charts[0];
        Assert.Equal(["1,000", "10⁴", "10⁵"], cells.Axis("y").Ticks.Select(t => t.Label));
        Assert.Equal(["mastitis (left, moderate)"], cells.BandLabels.Select(l => l.Text));
        // A log axis spanning less than two decades still gets round ticks, not a single one.
        var day = report.Charts[5];
        Assert.True(day.Axis("y").Ticks.Length >= 3);
        Assert.Equal([8, 7], day.Datasets.Where(d => d.Axis == "marks").Select(d => d.Points));
        Assert.Empty(day.BandLabels);
        var marks = day.Axis("marks");
        Assert.True(marks.Horizontal == false && day.Axis("y").Min > 0);
        // Stage labels of narrow early bands take rows instead of overprinting.
        var reference = report.Charts[6];
        Assert.Equal(["colostrum", "transitional", "mature"], reference.BandLabels.Select(l => l.Text));
        Assert.Contains("cohort: 2.5–97.5th percentile", reference.Legend.Select(l => l.Text));
        Assert.Contains("cohort: 10–90th percentile", reference.Legend.Select(l => l.Text));
        Assert.Contains("cohort: 25–75th percentile", reference.Legend.Select(l => l.Text));
        Assert.Contains("cohort: median", reference.Legend.Select(l => l.Text));
        Assert.Equal(7, await report.Page.Locator("figure.chart canvas").CountAsync());
    }

    // Every built-in scenario (scenarios/*.yaml), with what its charts must show: whether an illness episode is shaded,
    // and whether it is an illness of one breast (which alone raises that breast's Na:K).
    [Theory]
    [InlineData("mastitis", true, true)]              // an illness in one breast
    [InlineData("healthy", false, false)]             // a whole year: long series, decimated; each breast summarised per 2 days
    [InlineData("donor-milk", false, false)]          // expressed milk in containers
    [InlineData("abscess", true, true)]
    [InlineData("blocked-duct", true, true)]
    [InlineData("colostrum-week", false, false)]      // the first week: half-hourly samples
    [InlineData("infant-infection", true, false)]
    [InlineData("infectious-mastitis", true, true)]   // four organs' engrafted cells converge: layered lines
    [InlineData("maternal-infection", true, false)]
    [InlineData("preterm", false, false)]
    [InlineData("weaning", false, false)]
    public async Task A_simulate_report_is_readable_every_line_visible_and_feeds_marked_not_labelled(string scenario, bool illness, bool oneBreast)
    {
        var output = _dir.File(scenario);
        Run("simulate", "--scenario", scenario, "--out", output, "--store", _dir.File("runs.db"));
        await using var browser = await ReportBrowser.StartAsync();
        var report = await browser.OpenAsync(Path.Combine(output, "report.html"), "simulate-" + scenario);

        ReportChecks.AssertReadable(report);
        var cells = report.Charts.Single(c => c.Title.StartsWith("Cells per mL of milk drunk", StringComparison.Ordinal));
        Assert.Equal(["epithelial", "leucocytes", "stem/progenitor", "all cells"], cells.Visibility.Select(v => v.Label));
        Assert.True(cells.Datasets.Single(d => d.Label == "all cells").Dashed);
        Assert.Equal(illness, cells.BandLabels.Length > 0); // the illness episode, labelled
        // Healthy breasts make milk of the same Na:K: said to be equal, not left to look hidden; an illness of one
        // breast raises its Na:K alone.
        var naK = report.Charts.Single(c => c.Title == "Na:K of the milk drunk from each breast");
        Assert.Equal(!oneBreast, naK.Coincide.Contains("left and right coincide", StringComparison.Ordinal));
        // Thousands of noisy samples per breast: each breast's median over windows of days, its range shaded and named.
        var breasts = report.Charts.Single(c => c.Title == "Leucocytes per mL in each breast's stored milk");
        var legend = breasts.Legend.Select(l => l.Text).ToArray();
        if (scenario is "extended-lactation" or "infant-infection" or "healthy" || legend.Length > 2)
        {
            Assert.Matches(@"^left: lowest to highest, per (day|\d+ days)$", legend[0]);
            Assert.Equal([legend[0].Replace("left", "right", StringComparison.Ordinal), "left", "right"], legend[1..]);
        }
        else
        {
            Assert.Equal(["left", "right"], legend);
        }
        foreach (var withinFeed in report.Charts.Where(c => c.Axis("x").Title == "hour of the day"))
        {
            Assert.Empty(withinFeed.BandLabels);
            Assert.Equal(2, withinFeed.Datasets.Count(d => d.Axis == "marks" && d.Points > 0));
        }
        // Citations: each row cites by number; each work is listed once.
        var references = await report.Page.Locator("ol.references > li").CountAsync();
        Assert.True(references > 5, $"{references} references");
        var numbered = await report.Page.Locator("table.parameters td a[href^='#ref-']").CountAsync();
        Assert.True(numbered >= references);
        var texts = await report.Page.Locator("ol.references > li").AllTextContentsAsync();
        Assert.Equal(texts.Count, texts.Distinct().Count());
    }

    [Fact]
    public async Task A_reference_report_draws_shaded_percentile_bands_over_lactation_days_with_human_titles()
    {
        var store = "sqlite:" + _dir.File("cohort.db");
        var output = _dir.File("reference");
        Run("cohort", "run", "--scenario", "healthy", "--mothers", "24", "--days", "365", "--seed", "1", "--store", store, "--threads", "2");
        Run("reference", "build", "--store", store, "--out", output);
        await using var browser = await ReportBrowser.StartAsync();
        var report = await browser.OpenAsync(Path.Combine(output, "report.html"), "reference");

        ReportChecks.AssertReadable(report);
        Assert.True(report.Charts.Length >= 9);
        foreach (var chart in report.Charts)
        {
            Assert.Matches(@"^[A-Z][^_]* \([^)]+\)$", chart.Title); // words, then the unit
            var legend = chart.Legend.Select(l => l.Text).ToArray();
            Assert.Equal(["simulated mothers: 2.5–97.5th percentile", "simulated mothers: 10–90th percentile",
                "simulated mothers: 25–75th percentile", "simulated mothers: median"], legend);
            var x = chart.Axis("x");
            Assert.Equal(0, x.Min);
            Assert.Equal(365, x.Max); // lactation days 0–364, each window's value held over its days
            Assert.Equal(["colostrum", "transitional", "mature"], chart.BandLabels.Select(l => l.Text));
            var strip = chart.Axis("bandStrip");
            Assert.True(strip.Bottom - strip.Top < 20, $"{chart}: the label strip is {strip.Bottom - strip.Top} px high for one row of labels");
        }
    }

    private static void Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CliApp.Run(args, output, error);
        Assert.True(code == 0, $"milkcells {string.Join(' ', args)} exited {code}: {error}");
    }
}
