using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using MilkCells.TestSupport;

namespace MilkCells.Web.Tests.Browser;

/// <summary>The real server on a loopback port and Debian's Chromium driven by Playwright (no browser download).</summary>
public sealed class DashboardServer : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";

    public string Folder { get; } = Directory.CreateTempSubdirectory("milkcells-serve-browser-").FullName;

    public WebApplication App { get; private set; } = null!;

    public string Url { get; private set; } = "";

    public IPlaywright? Playwright { get; private set; }

    public IBrowser? Browser { get; private set; }

    public HttpClient Api { get; } = new();

    public async ValueTask InitializeAsync()
    {
        var settings = new ServeSettings("http://127.0.0.1:0", "sqlite:" + Path.Combine(Folder, "runs.db"), Path.Combine(Folder, "data"), null, ServeSettings.DefaultMaxUpload, 2, 64);
        App = ServeHost.Build(settings.Validate());
        await App.StartAsync();
        Url = App.Urls.First();
        Api.BaseAddress = new Uri(Url);
        var session = await Api.GetFromJsonAsync<JsonElement>("/api/session");
        Api.DefaultRequestHeaders.Add("X-MilkCells-Csrf", session.GetProperty("csrf").GetString());
        if (File.Exists(Chromium))
        {
            Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
            Browser = await Playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            });
        }
    }

    /// <summary>A new page at <paramref name="hash"/>, once the view has loaded; requests beyond the server fail and are recorded.</summary>
    public async Task<(IPage Page, List<string> Problems)> OpenAsync(string hash)
    {
        if (Browser is null)
        {
            const string message = Chromium + " is absent (./test.sh installs Debian's chromium)";
            if (Shared.Required)
            {
                Assert.Fail(message + "; MILKCELLS_REQUIRE_SHARED=1 makes this a failure");
            }
            Assert.Skip(message);
        }
        var page = await Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, DeviceScaleFactor = 1 });
        var problems = new List<string>();
        page.PageError += (_, error) => problems.Add("page error: " + error);
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                problems.Add("console: " + m.Text);
            }
        };
        await page.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith(Url, StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                problems.Add("outside request: " + route.Request.Url);
                await route.AbortAsync();
            }
        });
        page.SetDefaultTimeout(120_000);
        var name = hash.TrimStart('#', '/');
        await page.GotoAsync($"{Url}/#/{name}");
        await page.WaitForSelectorAsync($"html[data-page-ready='{name}']");
        return (page, problems);
    }

    /// <summary>Saves a screenshot under bin/…/screenshots/serve/ and attaches it to the test result.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots", "serve");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, name + ".png");
        await page.ScreenshotAsync(new() { Path = file, FullPage = true });
        TestContext.Current.AddAttachment($"serve/{name}.png", await File.ReadAllBytesAsync(file), "image/png");
    }

    public async Task<long> SimulateAsync(int seed, int days)
    {
        var accepted = await (await Api.PostAsJsonAsync("/api/simulate", new { scenario = "healthy", seed, days })).Content.ReadFromJsonAsync<JsonElement>();
        var job = accepted.GetProperty("job").GetString();
        while (true)
        {
            var view = await Api.GetFromJsonAsync<JsonElement>($"/api/jobs/{job}");
            switch (view.GetProperty("state").GetString())
            {
                case "succeeded":
                    return view.GetProperty("result").GetProperty("runId").GetInt64();
                case "failed" or "cancelled" or "interrupted":
                    throw new InvalidOperationException(view.ToString());
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        Playwright?.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Api.Dispose();
        try
        {
            Directory.Delete(Folder, true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The issue's browser tests: each page used as a person would, with a screenshot of each kept in the test output.</summary>
public sealed class DashboardBrowserTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    [Fact]
    public async Task A_scenario_run_from_the_page_shows_its_charts()
    {
        var (page, problems) = await server.OpenAsync("simulate");
        await page.FillAsync("#days", "20");
        await page.SelectOptionAsync("#scenario", "mastitis");
        await page.WaitForSelectorAsync("#problems .ok");
        await page.ClickAsync("#run");
        await page.WaitForSelectorAsync("html[data-charts='2']");
        var series = await page.EvaluateAsync<int[]>("[...window.milkcells.charts].map(c => c.data.datasets.filter(d => d.data.some(v => v !== null)).length)");
        Assert.All(series, n => Assert.True(n > 0));
        Assert.Contains("succeeded", await page.InnerTextAsync("#status"), StringComparison.Ordinal);
        Assert.True(await page.Locator("#result a[href$='report.html']").CountAsync() == 1);
        await DashboardServer.ScreenshotAsync(page, "simulate");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task A_YAML_typo_shows_its_error_at_its_line()
    {
        var (page, problems) = await server.OpenAsync("simulate");
        await page.WaitForSelectorAsync("#problems .ok");
        var yaml = await page.InputValueAsync("#yaml");
        var lines = yaml.Split('\n');
        var at = Array.FindIndex(lines, l => l.StartsWith("durationDays", StringComparison.Ordinal));
        lines[at] = lines[at].Replace("durationDays", "durationDayz", StringComparison.Ordinal);
        await page.FillAsync("#yaml", string.Join('\n', lines));
        var problem = await page.WaitForSelectorAsync($".problem[data-line='{at + 1}']");
        Assert.Contains($"line {at + 1}", await problem!.InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.IsDisabledAsync("#run"));
        await DashboardServer.ScreenshotAsync(page, "simulate-yaml-error");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Two_runs_open_on_one_chart()
    {
        var a = await server.SimulateAsync(11, 15);
        var b = await server.SimulateAsync(12, 15);
        var (page, problems) = await server.OpenAsync("runs");
        Assert.True(await page.Locator($"tr[data-run='{b}']").CountAsync() == 1, $"run {b} is not in the table: {await page.InnerTextAsync("#main")} {string.Join("; ", problems)}");
        await page.CheckAsync($"tr[data-run='{a}'] input[type=checkbox]");
        await page.CheckAsync($"tr[data-run='{b}'] input[type=checkbox]");
        await page.ClickAsync("#compare");
        await page.WaitForSelectorAsync("html[data-charts='2']");
        var labels = await page.EvaluateAsync<string[]>("[...window.milkcells.charts][0].data.datasets.map(d => d.label)");
        Assert.Equal([$"run {a}", $"run {b}"], labels);
        await page.ClickAsync("th[data-sort='seed']");
        await page.WaitForSelectorAsync("th[data-sort='seed']:has-text('▲')");
        await DashboardServer.ScreenshotAsync(page, "runs-compare");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task An_uploaded_FCS_file_with_its_panel_and_manifest_shows_the_gate_counts_of_fcs_gate()
    {
        var (page, problems) = await server.OpenAsync("samples");
        await page.SetInputFilesAsync("#fcs", Directory.GetFiles(Tubes.Folder, "*.fcs"));
        await page.SetInputFilesAsync("#manifest", Tubes.Manifest);
        await page.SelectOptionAsync("#panel", "milk-basic");
        await page.ClickAsync("#analyze");
        await page.WaitForSelectorAsync("#samples-table");
        var manifest = MilkCells.Samples.Input.CsvTable.ReadFile(Tubes.Manifest);
        var first = manifest.Rows[0];
        var sampleId = manifest.Text(first, "sample_id")!;
        var compared = 0;
        foreach (var (gate, events) in Tubes.GateCounts(Path.Combine(Tubes.Folder, manifest.Text(first, "file")!)))
        {
            var column = MilkCells.Model.Catalogue.Parameter.ToSymbol(gate) + "_events";
            var cell = page.Locator($"#samples-table tr:has(td[data-col='sample_id']:text-is('{sampleId}')) td[data-col='{column}']");
            if (await cell.CountAsync() == 1 && await cell.InnerTextAsync() is { Length: > 0 } text)
            {
                Assert.Equal(events.ToString(System.Globalization.CultureInfo.InvariantCulture), text);
                compared++;
            }
        }
        Assert.True(compared >= 3, $"only {compared} gate counts compared");
        await DashboardServer.ScreenshotAsync(page, "samples");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task A_cohort_starts_shows_progress_and_is_cancelled_and_reference_bands_are_drawn()
    {
        var (page, problems) = await server.OpenAsync("cohorts");
        await page.WaitForSelectorAsync("html[data-charts='1']"); // the shipped reference set's bands
        await DashboardServer.ScreenshotAsync(page, "reference-bands");
        await page.FillAsync("#mothers", "5000");
        await page.FillAsync("#cohort-days", "100");
        await page.ClickAsync("#start");
        await page.WaitForSelectorAsync("#cohort-status [data-state='running']");
        await page.ClickAsync("#cancel-cohort");
        await page.WaitForSelectorAsync("#cohort-status [data-state='cancelled']");
        await DashboardServer.ScreenshotAsync(page, "cohorts");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task The_model_is_searched_for_nestin()
    {
        var (page, problems) = await server.OpenAsync("model");
        await page.FillAsync("#search", "nestin");
        await page.WaitForFunctionAsync("() => { const rows = document.querySelectorAll('#cell-types tr'); return rows.length > 1 && [...rows].slice(1).every(r => /nestin|NES/i.test(r.innerText)); }");
        var links = await page.Locator("#cell-types a[href^='http://purl.obolibrary.org/obo/CL_']").CountAsync();
        Assert.True(links > 0);
        await DashboardServer.ScreenshotAsync(page, "model");
        Assert.Empty(problems);
    }
}
