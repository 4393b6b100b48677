using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MilkCells.Storage.Runs;

namespace MilkCells.Web.Tests;

/// <summary>The JSON API: every endpoint, every error code, the token and CSRF rules, uploads, the bounded queue.</summary>
public sealed class ApiTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        var text = problem.ToString();
        Assert.DoesNotContain("/tmp/", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        return problem;
    }

    private static async Task<string> Simulate(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/simulate", body, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("job").GetString()!;
    }

    [Fact]
    public async Task Session_page_assets_and_the_OpenAPI_document_describe_every_endpoint()
    {
        using var factory = new ServeFactory();
        var client = await factory.ClientAsync();
        var page = await client.GetStringAsync("/", Cancel);
        Assert.Contains("/assets/chart.js", page, StringComparison.Ordinal);
        foreach (var asset in new[] { "app.js", "app.css", "chart.js", "chartjs-plugin-zoom.js", "hammer.js" })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/assets/" + asset, Cancel)).StatusCode);
        }
        await Problem(await client.GetAsync("/assets/..%2F..%2Fappsettings.json", Cancel), HttpStatusCode.NotFound);
        var openapi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Cancel);
        var paths = openapi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var path in new[]
        {
            "/api/session", "/api/scenarios/{name}", "/api/scenario-schema", "/api/scenarios/validate", "/api/simulate", "/api/jobs", "/api/jobs/{id}",
            "/api/jobs/{id}/events", "/api/runs", "/api/runs/{id}", "/api/runs/{id}/daily", "/api/runs/{id}/files/{name}", "/api/cohorts", "/api/references",
            "/api/references/{id}", "/api/uploads", "/api/uploads/{id}", "/api/samples", "/api/samples/{id}", "/api/samples/{id}/files/{name}", "/api/model",
        })
        {
            Assert.Contains(path, paths);
        }
        Assert.StartsWith("{", await client.GetStringAsync("/api/scenario-schema", Cancel), StringComparison.Ordinal);
        await Problem(await client.GetAsync("/api/nothing-here", Cancel), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_simulate_run_from_the_API_is_the_CLI_s_run_listed_downloadable_and_deleted_with_only_its_files()
    {
        using var factory = new ServeFactory();
        var client = await factory.ClientAsync();
        var yaml = await client.GetStringAsync("/api/scenarios/healthy", Cancel);
        var job = await ServeFactory.FinishAsync(client, await Simulate(client, new { yaml, seed = 7, days = 3 }));
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var runId = job.GetProperty("result").GetProperty("runId").GetInt64();

        var page = await client.GetFromJsonAsync<JsonElement>("/api/runs?sort=scenario&desc=false&q=healthy", Cancel);
        Assert.Equal(1, page.GetProperty("matching").GetInt32());
        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}", Cancel);
        var files = detail.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToArray();
        Assert.Contains("report.html", files);
        Assert.Contains("daily.csv", files);
        var daily = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}/daily", Cancel);
        Assert.Equal(3, daily.GetProperty("values").GetProperty("day").GetArrayLength());
        Assert.Contains("<html", await client.GetStringAsync($"/api/runs/{runId}/files/report.html", Cancel), StringComparison.OrdinalIgnoreCase);

        // The same seed through the CLI writes the same daily.csv.
        var cliOut = Path.Combine(factory.Folder, "cli-run");
        var yamlFile = Path.Combine(factory.Folder, "scenario.yaml");
        await File.WriteAllTextAsync(yamlFile, yaml, Cancel);
        Assert.Equal(0, Cli.CliApp.Run(["simulate", "-s", yamlFile, "--seed", "7", "--days", "3", "-o", cliOut, "--store", Path.Combine(factory.Folder, "cli.db")], TextWriter.Null, TextWriter.Null));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(cliOut, "daily.csv"), Cancel), await client.GetStringAsync($"/api/runs/{runId}/files/daily.csv", Cancel));

        foreach (var evil in new[] { "..%2F..%2Fruns.db", "%2Fetc%2Fpasswd", "..%2F..", "run.json.bak" })
        {
            await Problem(await client.GetAsync($"/api/runs/{runId}/files/{evil}", Cancel), HttpStatusCode.NotFound);
        }
        await Problem(await client.GetAsync("/api/runs/999", Cancel), HttpStatusCode.NotFound);
        await Problem(await client.GetAsync("/api/runs?sort=password", Cancel), HttpStatusCode.BadRequest);

        // Delete removes the run's files and record, and nothing it did not write.
        var folder = Directory.GetDirectories(Path.Combine(factory.Settings.Data, "runs")).Single();
        var stranger = Path.Combine(folder, "notes.txt");
        await File.WriteAllTextAsync(stranger, "mine", Cancel);
        var deleted = await (await client.DeleteAsync($"/api/runs/{runId}", Cancel)).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.False(deleted.GetProperty("folderRemoved").GetBoolean());
        Assert.Equal(["notes.txt"], Directory.GetFiles(folder).Select(Path.GetFileName));
        await Problem(await client.GetAsync($"/api/runs/{runId}", Cancel), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Scenario_validation_gives_each_problem_at_its_line_and_bad_requests_are_problem_details()
    {
        using var factory = new ServeFactory();
        var client = await factory.ClientAsync();
        var yaml = await client.GetStringAsync("/api/scenarios/mastitis", Cancel);
        var ok = await (await client.PostAsJsonAsync("/api/scenarios/validate", new { yaml }, Cancel)).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.True(ok.GetProperty("valid").GetBoolean());
        var lines = yaml.Split('\n');
        var at = Array.FindIndex(lines, l => l.StartsWith("durationDays", StringComparison.Ordinal));
        Assert.True(at >= 0, "the mastitis scenario sets durationDays");
        lines[at] = lines[at].Replace("durationDays", "durationDayz", StringComparison.Ordinal);
        var bad = await (await client.PostAsJsonAsync("/api/scenarios/validate", new { yaml = string.Join('\n', lines) }, Cancel)).Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.False(bad.GetProperty("valid").GetBoolean());
        Assert.Contains(bad.GetProperty("problems").EnumerateArray(), p => p.GetProperty("line").GetInt32() == at + 1);

        await Problem(await client.PostAsJsonAsync("/api/simulate", new { scenario = "../../etc/passwd" }, Cancel), HttpStatusCode.BadRequest);
        await Problem(await client.PostAsJsonAsync("/api/simulate", new { scenario = "/etc/passwd" }, Cancel), HttpStatusCode.BadRequest);
        await Problem(await client.PostAsJsonAsync("/api/simulate", new { scenario = "healthy", days = 5000 }, Cancel), HttpStatusCode.BadRequest);
        await Problem(await client.PostAsJsonAsync("/api/simulate", new { scenario = "healthy", profile = "no-such" }, Cancel), HttpStatusCode.BadRequest);
        await Problem(await client.PostAsync("/api/simulate", new StringContent("{not json", Encoding.UTF8, "application/json"), Cancel), HttpStatusCode.BadRequest);
        await Problem(await client.GetAsync("/api/scenarios/..%2Fsecrets", Cancel), HttpStatusCode.BadRequest);
        await Problem(await client.GetAsync("/api/jobs/j999", Cancel), HttpStatusCode.NotFound);
        await Problem(await client.PostAsync("/api/scenarios/validate", new ByteArrayContent(new byte[5 << 20]) { Headers = { ContentType = new("application/json") } }, Cancel),
            HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task State_changing_requests_without_the_CSRF_header_or_from_another_origin_are_refused()
    {
        using var factory = new ServeFactory();
        var plain = await factory.ClientAsync(csrf: false);
        await Problem(await plain.PostAsJsonAsync("/api/simulate", new { scenario = "healthy", days = 1 }, Cancel), HttpStatusCode.Forbidden);
        await Problem(await plain.DeleteAsync("/api/runs/1", Cancel), HttpStatusCode.Forbidden);
        var client = await factory.ClientAsync();
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/simulate") { Content = JsonContent.Create(new { scenario = "healthy", days = 1 }) };
        crossSite.Headers.Add("Origin", "https://evil.example");
        await Problem(await client.SendAsync(crossSite, Cancel), HttpStatusCode.Forbidden);
        Assert.Empty(factory.Queue.All);
    }

    [Fact]
    public async Task Beyond_loopback_a_token_is_generated_and_every_request_without_it_gets_401()
    {
        using var factory = new ServeFactory(s => s with { Urls = "http://0.0.0.0:5080" });
        Assert.NotNull(factory.Settings.Token);
        var anonymous = factory.CreateClient(new() { AllowAutoRedirect = false });
        foreach (var path in new[] { "/", "/api/session", "/api/runs", "/openapi/v1.json", "/assets/app.js" })
        {
            await Problem(await anonymous.GetAsync(path, Cancel), HttpStatusCode.Unauthorized);
        }
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/session") { Headers = { Authorization = new("Bearer", "0123456789abcdef0123") } };
        await Problem(await anonymous.SendAsync(wrong, Cancel), HttpStatusCode.Unauthorized);
        var client = await factory.ClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/runs", Cancel)).StatusCode);
        // The printed address (?token=) sets a cookie the page then carries.
        var opened = await anonymous.GetAsync($"/?token={factory.Settings.Token}", Cancel);
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.Contains(opened.Headers.GetValues("Set-Cookie"), c => c.StartsWith("milkcells-token=", StringComparison.Ordinal) && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        // On loopback no token is needed, and one given is enforced.
        using var loopback = new ServeFactory(s => s with { Token = "a-token-of-sixteen+" });
        await Problem(await loopback.CreateClient().GetAsync("/api/session", Cancel), HttpStatusCode.Unauthorized);
        using var open = new ServeFactory();
        Assert.Null(open.Settings.Token);
        Assert.Equal(HttpStatusCode.OK, (await open.CreateClient().GetAsync("/api/session", Cancel)).StatusCode);
    }

    [Fact]
    public async Task Uploads_are_streamed_under_server_names_size_limited_and_content_checked()
    {
        using var factory = new ServeFactory(s => s with { MaxUpload = 4000 });
        var client = await factory.ClientAsync();
        var fcs = Encoding.ASCII.GetBytes("FCS3.1    ").Concat(new byte[100]).ToArray();
        foreach (var name in new[] { "../../evil.fcs", "/etc/passwd", "..\\..\\win.fcs", "" })
        {
            var response = await client.PostAsync($"/api/uploads?kind=fcs&name={Uri.EscapeDataString(name)}", new ByteArrayContent(fcs), Cancel);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var upload = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
            Assert.DoesNotContain("/", upload.GetProperty("name").GetString()!, StringComparison.Ordinal);
            Assert.DoesNotContain("\\", upload.GetProperty("name").GetString()!, StringComparison.Ordinal);
            Assert.Equal(fcs.Length, upload.GetProperty("bytes").GetInt64());
            var id = upload.GetProperty("id").GetString()!;
            Assert.True(File.Exists(Path.Combine(factory.Settings.Data, "uploads", id + ".fcs")));
            Assert.Equal(id, (await client.GetFromJsonAsync<JsonElement>($"/api/uploads/{id}", Cancel)).GetProperty("id").GetString());
        }
        Assert.False(File.Exists(Path.Combine(factory.Folder, "evil.fcs")));
        Assert.Equal(8, Directory.GetFiles(Path.Combine(factory.Settings.Data, "uploads")).Length); // 4 files and their metadata, nothing else

        var tooBig = await Problem(await client.PostAsync("/api/uploads?kind=fcs&name=big.fcs", new ByteArrayContent(new byte[5000]), Cancel), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("--max-upload", tooBig.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        // Without Content-Length (chunked), the limit holds while streaming and the partial file is removed.
        var chunked = new StreamContent(new MemoryStream(new byte[5000]));
        chunked.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/uploads?kind=csv&name=big.csv") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        await Problem(await client.SendAsync(request, Cancel), HttpStatusCode.RequestEntityTooLarge);

        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0 };
        await Problem(await client.PostAsync("/api/uploads?kind=fcs&name=photo.fcs", new ByteArrayContent(png), Cancel), HttpStatusCode.BadRequest);
        await Problem(await client.PostAsync("/api/uploads?kind=csv&name=photo.csv", new ByteArrayContent(png), Cancel), HttpStatusCode.BadRequest);
        await Problem(await client.PostAsync("/api/uploads?kind=exe&name=x.exe", new ByteArrayContent(fcs), Cancel), HttpStatusCode.BadRequest);
        await Problem(await client.GetAsync("/api/uploads/..%2F..%2Fruns", Cancel), HttpStatusCode.NotFound);
        Assert.Equal(8, Directory.GetFiles(Path.Combine(factory.Settings.Data, "uploads")).Length);
        await Problem(await client.PostAsJsonAsync("/api/samples", new { counts = "u-nothing" }, Cancel), HttpStatusCode.NotFound);
        await Problem(await client.PostAsJsonAsync("/api/samples", new { }, Cancel), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Fifty_concurrent_simulate_requests_all_succeed_with_at_most_threads_running()
    {
        using var factory = new ServeFactory(s => s with { Threads = 2, Queue = 64 });
        var client = await factory.ClientAsync();
        GC.Collect();
        var before = GC.GetTotalMemory(true);
        var jobs = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Simulate(client, new { scenario = "healthy", seed = i, days = 2 })));
        var ends = await Task.WhenAll(jobs.Select(j => ServeFactory.FinishAsync(client, j, 600)));
        Assert.All(ends, e => Assert.Equal("succeeded", e.GetProperty("state").GetString()));
        Assert.InRange(factory.Queue.PeakRunning, 1, 2);
        Assert.Equal(0, factory.Queue.Running);
        var after = GC.GetTotalMemory(true);
        TestContext.Current.SendDiagnosticMessage($"managed heap before {before / 1e6:0.0} MB, after 50 runs {after / 1e6:0.0} MB");
        Assert.True(after - before < 200e6, $"the heap grew by {(after - before) / 1e6:0} MB over 50 finished runs");
        using var store = RunStore.Open(Path.Combine(factory.Folder, "runs.db"));
        Assert.Equal(50, store.List().Count(r => r.Status == RunStatus.Succeeded));
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_Retry_After_and_a_cancelled_run_is_recorded_as_interrupted()
    {
        using var factory = new ServeFactory(s => s with { Threads = 1, Queue = 0 });
        var client = await factory.ClientAsync();
        var first = await Simulate(client, new { scenario = "healthy", days = 360 });
        var refused = await client.PostAsJsonAsync("/api/simulate", new { scenario = "healthy", days = 1 }, Cancel);
        await Problem(refused, HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"/api/jobs/{first}", Cancel)).StatusCode);
        var ended = await ServeFactory.FinishAsync(client, first);
        Assert.Equal("cancelled", ended.GetProperty("state").GetString());
        var runs = await client.GetFromJsonAsync<JsonElement>("/api/runs?status=interrupted", Cancel);
        if (runs.GetProperty("matching").GetInt32() == 1) // cancelled after the run was recorded (it may be cancelled while still queued)
        {
            Assert.Contains("cancelled from the dashboard", runs.GetProperty("runs")[0].GetProperty("reason").GetString()!, StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/simulate", new { scenario = "healthy", days = 1 }, Cancel)).StatusCode);
    }

    [Fact]
    public async Task Progress_streams_as_server_sent_events_and_a_disconnecting_client_leaves_no_watcher()
    {
        using var factory = new ServeFactory();
        var client = await factory.ClientAsync();
        var job = await Simulate(client, new { scenario = "healthy", days = 20 });
        using (var stream = await client.GetStreamAsync($"/api/jobs/{job}/events", Cancel))
        using (var reader = new StreamReader(stream))
        {
            Assert.Equal("event: job", await reader.ReadLineAsync(Cancel));
            Assert.StartsWith("data: {", await reader.ReadLineAsync(Cancel), StringComparison.Ordinal);
        } // the client goes away mid-stream
        var until = DateTime.UtcNow.AddSeconds(30);
        while (factory.Queue.Watchers > 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(50, Cancel);
        }
        Assert.Equal(0, factory.Queue.Watchers);
        Assert.Equal("succeeded", (await ServeFactory.FinishAsync(client, job)).GetProperty("state").GetString());
        // A finished job's stream is one last event.
        var last = await client.GetStringAsync($"/api/jobs/{job}/events", Cancel);
        Assert.Contains("\"state\":\"succeeded\"", last, StringComparison.Ordinal);
        Assert.Contains(await client.GetFromJsonAsync<JsonElement[]>("/api/jobs", Cancel) ?? [], j => j.GetProperty("id").GetString() == job);
    }

    [Fact]
    public async Task Stopping_the_server_cancels_running_jobs_and_records_their_runs_as_interrupted()
    {
        var factory = new ServeFactory(s => s with { Threads = 1 });
        var store = Path.Combine(factory.Folder, "runs.db");
        var client = await factory.ClientAsync();
        var job = await Simulate(client, new { scenario = "healthy", days = 360 });
        var until = DateTime.UtcNow.AddSeconds(60);
        while ((await client.GetFromJsonAsync<JsonElement>($"/api/jobs/{job}", Cancel)).GetProperty("done").GetInt64() == 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(50, Cancel);
        }
        // The queue is taken before stopping: the entry point's RunAsync disposes the host's services once it stops.
        var queue = factory.Queue;
        await factory.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHost>().StopAsync(Cancel);
        using (var runs = RunStore.Open(store))
        {
            var run = runs.List().Single();
            Assert.Equal(RunStatus.Interrupted, run.Status);
            Assert.Contains("server stopped", run.Summary!, StringComparison.Ordinal);
        }
        Assert.Equal("interrupted", queue.Get(job)!.View().State.ToString().ToLowerInvariant());
        factory.Dispose();
    }

    [Fact]
    public async Task The_model_is_searchable_with_markers_ontology_links_and_every_parameter_s_evidence()
    {
        using var factory = new ServeFactory();
        var client = await factory.ClientAsync();
        var all = await client.GetFromJsonAsync<JsonElement>("/api/model", Cancel);
        var parameters = all.GetProperty("parameters").EnumerateArray().ToList();
        Assert.Equal(all.GetProperty("parameterTotal").GetInt32(), parameters.Count);
        Assert.All(parameters, p =>
        {
            Assert.False(string.IsNullOrEmpty(p.GetProperty("unit").GetString()));
            Assert.False(string.IsNullOrEmpty(p.GetProperty("condition").GetString()));
            Assert.False(string.IsNullOrEmpty(p.GetProperty("source").GetString()));
            Assert.False(string.IsNullOrEmpty(p.GetProperty("confidence").GetString()));
        });
        Assert.Contains(parameters, p => p.GetProperty("overrides").GetArrayLength() > 0);
        var nestin = await client.GetFromJsonAsync<JsonElement>("/api/model?q=nestin", Cancel);
        var cells = nestin.GetProperty("cellTypes").EnumerateArray().ToList();
        Assert.NotEmpty(cells);
        Assert.All(cells, c => Assert.Contains(c.GetProperty("proteinMarkers").EnumerateArray().Concat(c.GetProperty("geneMarkers").EnumerateArray()),
            m => m.GetString()!.Contains("nestin", StringComparison.OrdinalIgnoreCase) || m.GetString()!.Contains("NES", StringComparison.Ordinal)));
        Assert.Contains(all.GetProperty("cellTypes").EnumerateArray(), c => c.GetProperty("cellOntologyUrl").GetString()?.StartsWith("http://purl.obolibrary.org/obo/CL_", StringComparison.Ordinal) == true);
        await Problem(await client.GetAsync("/api/model?profile=nope", Cancel), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_cohort_job_builds_a_reference_set_whose_bands_are_browsable_and_can_be_cancelled()
    {
        using var factory = new ServeFactory();
        var client = await factory.ClientAsync();
        var shipped = await client.GetFromJsonAsync<JsonElement>("/api/references/default", Cancel);
        Assert.Equal([2.5, 10, 25, 50, 75, 90, 97.5], shipped.GetProperty("percentiles").EnumerateArray().Select(p => p.GetDouble()));
        var started = await client.PostAsJsonAsync("/api/cohorts", new { scenario = "healthy", mothers = 4, days = 5, seed = 3 }, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var job = await ServeFactory.FinishAsync(client, (await started.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("job").GetString()!);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal(4, job.GetProperty("done").GetInt64());
        var id = job.GetProperty("result").GetProperty("reference").GetString()!;
        var sets = await client.GetFromJsonAsync<JsonElement[]>("/api/references", Cancel);
        Assert.Contains(sets!, s => s.GetProperty("id").GetString() == id);
        var bands = await client.GetFromJsonAsync<JsonElement>($"/api/references/{id}", Cancel);
        Assert.NotEmpty(bands.GetProperty("rows").EnumerateArray());
        await Problem(await client.GetAsync("/api/references/..%2F..%2Fetc", Cancel), HttpStatusCode.NotFound);
        await Problem(await client.PostAsJsonAsync("/api/cohorts", new { scenario = "healthy", mothers = 0 }, Cancel), HttpStatusCode.BadRequest);

        var big = await client.PostAsJsonAsync("/api/cohorts", new { scenario = "healthy", mothers = 5000, days = 100 }, Cancel);
        var bigJob = (await big.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("job").GetString()!;
        await client.DeleteAsync($"/api/jobs/{bigJob}", Cancel);
        Assert.Equal("cancelled", (await ServeFactory.FinishAsync(client, bigJob)).GetProperty("state").GetString());
    }
}

/// <summary>Samples through the API: the analysis <c>sample analyze</c> does, with gate counts equal to <c>fcs gate</c>'s.</summary>
public sealed class SampleApiTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Uploaded_FCS_files_with_their_manifest_are_analysed_with_the_gate_counts_of_fcs_gate()
    {
        using var factory = new ServeFactory();
        var client = await factory.ClientAsync();
        var fcsIds = new List<string>();
        foreach (var file in Directory.GetFiles(Tubes.Folder, "*.fcs"))
        {
            var r = await client.PostAsync($"/api/uploads?kind=fcs&name={Uri.EscapeDataString(Path.GetFileName(file))}", new StreamContent(File.OpenRead(file)), Cancel);
            fcsIds.Add((await r.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetString()!);
        }
        var manifest = await client.PostAsync("/api/uploads?kind=csv&name=manifest.csv", new ByteArrayContent(await File.ReadAllBytesAsync(Tubes.Manifest, Cancel)), Cancel);
        var manifestId = (await manifest.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetString()!;
        var started = await client.PostAsJsonAsync("/api/samples", new { fcs = fcsIds, manifest = manifestId, panel = "milk-basic", states = false }, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var job = await ServeFactory.FinishAsync(client, (await started.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("job").GetString()!);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var analysis = await client.GetFromJsonAsync<JsonElement>($"/api/samples/{job.GetProperty("result").GetProperty("analysis").GetString()}", Cancel);
        var manifestTable = MilkCells.Samples.Input.CsvTable.ReadFile(Tubes.Manifest);
        var compared = 0;
        foreach (var line in manifestTable.Rows.Take(2))
        {
            var file = Path.Combine(Tubes.Folder, manifestTable.Text(line, "file")!);
            var sampleId = manifestTable.Text(line, "sample_id")!;
            var row = analysis.GetProperty("samples").EnumerateArray().Single(s => s.GetProperty("sample_id").GetString() == sampleId);
            foreach (var (gate, events) in Tubes.GateCounts(file))
            {
                var column = MilkCells.Model.Catalogue.Parameter.ToSymbol(gate) + "_events";
                if (row.TryGetProperty(column, out var cell) && cell.GetString() is { Length: > 0 } text)
                {
                    Assert.Equal(events, int.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
                    compared++;
                }
            }
        }
        Assert.True(compared >= 3, $"only {compared} gate counts compared");
        Assert.NotEmpty(analysis.GetProperty("findings").GetProperty("samples").EnumerateArray());

        // A manifest naming a file that was not uploaded is refused.
        var other = await client.PostAsync("/api/uploads?kind=fcs&name=other.fcs", new ByteArrayContent(await File.ReadAllBytesAsync(Tubes.Fcs, Cancel)), Cancel);
        var otherId = (await other.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetString()!;
        var lone = await client.PostAsJsonAsync("/api/samples", new { fcs = new[] { otherId }, manifest = manifestId }, Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, lone.StatusCode);
    }
}
