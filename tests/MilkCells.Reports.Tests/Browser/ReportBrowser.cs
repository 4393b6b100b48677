using System.Text.Json;
using Microsoft.Playwright;
using MilkCells.TestSupport;

namespace MilkCells.Reports.Tests.Browser;

/// <summary>Debian's Chromium driven by Playwright: opens a report from file://, lets nothing reach the network, and
/// reads each chart's facts (chart-facts.js) and screenshots.</summary>
/// <remarks>
/// Playwright's driver ships in its NuGet package (copied to bin/.playwright); no browser is downloaded. Skipped when
/// /usr/bin/chromium is absent (./test.sh installs it); a failure instead under MILKCELLS_REQUIRE_SHARED=1.
/// Screenshots go to bin/…/screenshots/NAME/ (kept after the run) and are attached to the test result.
/// </remarks>
public sealed class ReportBrowser : IAsyncDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ReportBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    /// <summary>Starts Chromium, or skips (fails under MILKCELLS_REQUIRE_SHARED=1) when it is not installed.</summary>
    public static async Task<ReportBrowser> StartAsync()
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
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        return new ReportBrowser(playwright, browser);
    }

    /// <summary>Opens <paramref name="path"/>, waits for its charts, and returns what the page did and drew.</summary>
    /// <param name="path">The report file.</param>
    /// <param name="name">A name for the screenshot folder.</param>
    public async Task<RenderedReport> OpenAsync(string path, string name)
    {
        var url = new Uri(path).AbsoluteUri;
        var page = await _browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 }, DeviceScaleFactor = 1 });
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
        var rendered = int.Parse(await page.EvaluateAsync<string>("document.documentElement.getAttribute('data-charts-rendered')"), System.Globalization.CultureInfo.InvariantCulture);

        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots", name);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, true);
        }
        Directory.CreateDirectory(folder);
        File.Copy(path, Path.Combine(folder, "report.html"));
        var whole = Path.Combine(folder, "page.png");
        await page.ScreenshotAsync(new() { Path = whole, FullPage = true });
        var figures = page.Locator("figure.chart");
        for (var i = 0; i < await figures.CountAsync(); i++)
        {
            var file = Path.Combine(folder, $"chart-{i + 1:00}.png");
            await figures.Nth(i).ScreenshotAsync(new() { Path = file });
            TestContext.Current.AddAttachment($"{name}/chart-{i + 1:00}.png", await File.ReadAllBytesAsync(file), "image/png");
        }
        List<string> pageProblems = [.. problems]; // the page's own; reading pixels back below makes Chromium warn
        var facts = await page.EvaluateAsync<JsonElement>(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Browser", "chart-facts.js")));
        var charts = facts.Deserialize<ChartFacts[]>(Json)!;
        return new RenderedReport(page, url, requests, pageProblems, rendered, charts, folder);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>A report open in the browser, with what it asked for, what went wrong and what each chart drew.</summary>
public sealed record RenderedReport(IPage Page, string Url, List<string> Requests, List<string> Problems, int ChartsRendered,
    ChartFacts[] Charts, string ScreenshotFolder);

/// <summary>A rectangle in canvas pixels.</summary>
public record Box(double Left, double Top, double Right, double Bottom)
{
    /// <summary>Whether the two overlap by more than half a pixel each way.</summary>
    public bool Overlaps(Box other) =>
        Left < other.Right - 0.5 && other.Left < Right - 0.5 && Top < other.Bottom - 0.5 && other.Top < Bottom - 0.5;
}

public sealed record TickBox(string Label, double Value, double Left, double Top, double Right, double Bottom) : Box(Left, Top, Right, Bottom);

public sealed record TextBox(string Text, double Left, double Top, double Right, double Bottom) : Box(Left, Top, Right, Bottom);

public sealed record AxisFacts(string Id, string Type, bool Horizontal, bool Display, double Min, double Max, double Left, double Top, double Right, double Bottom,
    string Title, TickBox[] Ticks);

public sealed record DatasetFacts(string Label, bool Hidden, string Axis, bool Dashed, int Points);

public sealed record Visibility(string Label, int Alone, int Together, double Share);

public sealed record ChartFacts(string Id, string Rendered, string Title, string Type, Box Area, double Width, double Height, AxisFacts[] Axes,
    int Bands, TextBox[] BandLabels, TextBox[] Legend, DatasetFacts[] Datasets, string Coincide, Visibility[] Visibility)
{
    public AxisFacts Axis(string id) => Axes.Single(a => a.Id == id);

    public override string ToString() => $"{Id} '{Title}'";
}
