using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using MilkCells.Storage.Runs;

namespace MilkCells.Web.Tests;

/// <summary><c>milkcells serve</c> as a process: it prints its address, serves, and Ctrl+C (SIGINT) or SIGTERM (kill, systemd, docker stop) stops it cleanly with its running run recorded as interrupted.</summary>
public sealed class ServeCommandTests
{
    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task Milkcells_serve_prints_its_address_serves_and_stops_cleanly_on_a_signal(string signal)
    {
        var cancel = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("milkcells-serve-cmd-").FullName;
        var cli = Path.Combine(AppContext.BaseDirectory, "milkcells.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { cli, "serve", "--urls", "http://127.0.0.1:0", "--data", Path.Combine(folder, "data"), "--store", Path.Combine(folder, "runs.db"), "--threads", "1" })
        {
            start.ArgumentList.Add(a);
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        try
        {
            var first = await process.StandardError.ReadLineAsync(cancel);
            Assert.StartsWith("milkcells serve: http://127.0.0.1:", first, StringComparison.Ordinal);
            var url = first!["milkcells serve: ".Length..];
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            Assert.Contains("MilkCells", await client.GetStringAsync("/", cancel), StringComparison.Ordinal);
            TestContext.Current.SendDiagnosticMessage($"process start to first page: {clock.ElapsedMilliseconds} ms (load {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
            var session = await client.GetFromJsonAsync<JsonElement>("/api/session", cancel);
            client.DefaultRequestHeaders.Add("X-MilkCells-Csrf", session.GetProperty("csrf").GetString());
            var accepted = await (await client.PostAsJsonAsync("/api/simulate", new { scenario = "healthy", days = 360 }, cancel)).Content.ReadFromJsonAsync<JsonElement>(cancel);
            var job = accepted.GetProperty("job").GetString();
            while ((await client.GetFromJsonAsync<JsonElement>($"/api/jobs/{job}", cancel)).GetProperty("done").GetInt64() == 0)
            {
                await Task.Delay(50, cancel);
            }
            using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(cancel);
            }
            await process.WaitForExitAsync(cancel).WaitAsync(TimeSpan.FromSeconds(60), cancel);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("milkcells serve: stopped", await process.StandardError.ReadToEndAsync(cancel), StringComparison.Ordinal);
            using var runs = RunStore.Open(Path.Combine(folder, "runs.db"));
            var run = runs.List().Single();
            Assert.Equal(RunStatus.Interrupted, run.Status);
            Assert.Contains("server stopped", run.Summary!, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            Directory.Delete(folder, true);
        }
    }
}
