using Microsoft.Playwright;
using MilkCells.TestSupport;

namespace MilkCells.Reports.Tests;

/// <summary>Opens a sample report from file:// in Debian's Chromium and checks that it draws every chart offline.</summary>
/// <remarks>
/// Playwright's driver ships in its NuGet package (copied to bin/.playwright); no browser is downloaded. The test is
/// skipped when /usr/bin/chromium is absent (./test.sh installs it), and fails instead under MILKCELLS_REQUIRE_SHARED=1.
/// </remarks>
public sealed class BrowserTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly TempDir _dir = new("milkcells-report");

    [Fact]
    public async Task A_report_from_file_renders_every_chart_with_no_network_request_and_no_console_error()
    {
        if (!File.Exists(Chromium))
        {
            const string message = Chromium + " is absent (./test.sh installs Debian's chromium)";
            if (Shared.Required)
            {
                Assert.Fail(message + "; MILKCELLS_REQUIRE_SHARED=1 makes this a failure");
            }
            Assert.Skip(message);
        }
        var path = _dir.File("report.html");
        ReportHtml.Write(SampleReports.Healthy(SampleReports.LayClaims), path);
        var url = new Uri(path).AbsoluteUri;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var requests = new List<string>();
        var problems = new List<string>();
        page.Request += (_, request) => requests.Add(request.Url);
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Add($"console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Add("page error: " + error);
        await page.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url == url)
            {
                await route.ContinueAsync();
            }
            else
            {
                await route.AbortAsync(); // recorded by the Request handler above, and failed here
            }
        });

        await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.Load });
        await page.WaitForFunctionAsync("document.documentElement.hasAttribute('data-charts-rendered')");
        await page.ScreenshotAsync(new() { Path = _dir.File("report.png"), FullPage = true });

        Assert.Equal([url], requests);
        Assert.Empty(problems);
        Assert.Equal("5", await page.EvaluateAsync<string>("document.documentElement.getAttribute('data-charts-rendered')"));
        var states = await page.EvaluateAsync<string[]>("[...document.querySelectorAll('figure.chart')].map(f => f.getAttribute('data-rendered'))");
        Assert.Equal(["true", "true", "true", "true", "true"], states);
        // Every canvas has a size and a good share of painted pixels (axes, lines, areas, bars).
        var painted = await page.EvaluateAsync<int[]>("""
            [...document.querySelectorAll('figure.chart canvas')].map(c => {
              if (c.width === 0 || c.height === 0) return 0;
              const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              let n = 0;
              for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
              return n;
            })
            """);
        Assert.Equal(5, painted.Length);
        Assert.All(painted, n => Assert.True(n > 5000, $"a chart painted only {n} pixels"));
        Assert.True(await page.Locator("p.profile-warning").IsVisibleAsync());
        if (Environment.GetEnvironmentVariable("MILKCELLS_KEEP_REPORT") is { Length: > 0 } keep)
        {
            File.Copy(_dir.File("report.png"), keep, overwrite: true);
        }
    }

    public void Dispose() => _dir.Dispose();
}
