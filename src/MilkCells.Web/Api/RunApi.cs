using System.Globalization;
using System.Text.Json;
using MilkCells.Core.Files;
using MilkCells.Samples.Input;
using MilkCells.Storage.Runs;
using MilkCells.Workflows.Simulate;

namespace MilkCells.Web.Api;

/// <summary>A run as the runs table shows it.</summary>
public sealed record RunRow(long Id, string Scenario, ulong Seed, string Profile, string Status, string? Reason, DateTimeOffset Started, DateTimeOffset? Finished,
    double? Seconds);

/// <summary>One page of the runs table.</summary>
public sealed record RunPage(int Total, int Matching, int Offset, RunRow[] Runs);

/// <summary>A run with the files it wrote.</summary>
public sealed record RunDetail(RunRow Run, string ModelVersion, string CodeVersion, string[] Files, bool FilesPresent, JsonElement? Summary);

/// <summary>A run's daily table as columns, for charts.</summary>
public sealed record RunDaily(long Id, string[] Columns, Dictionary<string, double?[]> Values);

/// <summary>What deleting a run removed.</summary>
public sealed record RunDeleted(long Id, string[] FilesDeleted, bool FolderRemoved);

/// <summary>The run store: a sortable, filterable table; a run's files and daily data; deleting exactly what a run wrote.</summary>
internal static class RunApi
{
    // The query names of the run store's orders.
    private static readonly string[] Sorts = [.. Enum.GetNames<RunSort>().Select(n => n.ToLowerInvariant())];

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/runs", List).WithSummary("Runs: ?q= filters scenario/profile/status/reason, ?status=, ?sort=id|scenario|seed|profile|status|started|finished, ?desc=true, ?offset=, ?limit= (at most 500).");
        app.MapGet("/api/runs/{id:long}", (long id, ServeSettings s) => TypedResults.Ok(Detail(Get(s, id)))).WithSummary("One run, with the files it wrote.");
        app.MapGet("/api/runs/{id:long}/daily", (long id, ServeSettings s) => TypedResults.Ok(Daily(Get(s, id)))).WithSummary("A run's daily.csv as columns, for charts.");
        app.MapGet("/api/runs/{id:long}/files/{name}", (long id, string name, ServeSettings s) =>
        {
            var run = Get(s, id);
            var files = Files(run);
            if (!files.Contains(name, StringComparer.Ordinal))
            {
                throw new NotFoundException($"run {id} wrote no file '{(name.Length > 40 ? name[..40] : name)}'");
            }
            var path = Path.Combine(run.Start.OutputFolder, name);
            var type = name.EndsWith(".html", StringComparison.Ordinal) ? "text/html; charset=utf-8" : name.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "text/csv; charset=utf-8";
            return File.Exists(path) ? Results.File(path, type, name.EndsWith(".html", StringComparison.Ordinal) ? null : name) : throw new NotFoundException($"run {id}'s {name} is gone from its folder");
        }).WithSummary("A file the run wrote (report.html, run.json, the CSV tables), by its name in run.json.");
        app.MapDelete("/api/runs/{id:long}", (long id, ServeSettings s) => TypedResults.Ok(Delete(s, id)))
            .WithSummary("Delete a run: the files its run.json lists and its marker, its folder if then empty, and its record; nothing else.");
    }

    private static RunStore Open(ServeSettings s) => RunStore.Open(SimulateWorkflow.RunStorePath(s.Store));

    private static RunRecord Get(ServeSettings s, long id)
    {
        using var store = Open(s);
        return store.Get(id) ?? throw new NotFoundException($"no run {id}");
    }

    private static RunPage List(ServeSettings s, string? q, string? status, string? sort, bool? desc, int? offset, int? limit)
    {
        var key = sort ?? "id";
        if (!Sorts.Contains(key))
        {
            throw new Core.Errors.InputException(Core.Errors.InputLocation.AtElement(null, "sort"), $"cannot sort by '{(key.Length > 20 ? key[..20] : key)}'", "one of " + string.Join(", ", Sorts));
        }
        RunStatus? shown = null;
        using var store = Open(s);
        if (status is { Length: > 0 })
        {
            shown = Enum.GetValues<RunStatus>().Where(v => v.ToString().Equals(status, StringComparison.OrdinalIgnoreCase)).Cast<RunStatus?>().FirstOrDefault();
            if (shown is null)
            {
                // A status no run can have matches none.
                return new RunPage(store.Query(new RunQuery(null, null, RunSort.Id, true, 0, 0)).Total, 0, 0, []);
            }
        }
        var order = Enum.Parse<RunSort>(key, ignoreCase: true);
        var page = store.Query(new RunQuery(q, shown, order, desc ?? key == "id", offset ?? 0, Math.Clamp(limit ?? 100, 1, 500)));
        return new RunPage(page.Total, page.Matching, page.Offset, [.. page.Runs.Select(Row)]);
    }

    private static RunRow Row(RunRecord r) => new(r.Id, r.Start.Scenario, r.Start.Seed, r.Start.Profile, r.Status.ToString().ToLowerInvariant(),
        r.Status is RunStatus.Failed or RunStatus.Interrupted ? r.Summary ?? (r.FinishedAt is null ? "its process ended without recording why (killed?)" : "no reason recorded") : null,
        r.Start.StartedAt, r.FinishedAt, r.FinishedAt is { } f ? Math.Round((f - r.Start.StartedAt).TotalSeconds, 2) : null);

    /// <summary>The files a run wrote, as its run.json lists them (none if it has no run.json).</summary>
    internal static string[] Files(RunRecord run)
    {
        var json = Path.Combine(run.Start.OutputFolder, SimulationFiles.RunJson);
        if (!File.Exists(json))
        {
            return [];
        }
        using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
        return doc.RootElement.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array
            ? [.. files.EnumerateArray().Select(f => f.GetString()!).Where(f => f.Length > 0 && Path.GetFileName(f) == f)]
            : [];
    }

    private static RunDetail Detail(RunRecord run)
    {
        var files = Files(run);
        JsonElement? summary = null;
        if (run.Status == RunStatus.Succeeded && run.Summary is { } text)
        {
            try
            {
                summary = JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
            }
        }
        return new RunDetail(Row(run), run.Start.ModelVersion, run.Start.CodeVersion, files, files.Length > 0, summary);
    }

    private static RunDaily Daily(RunRecord run)
    {
        var path = Path.Combine(run.Start.OutputFolder, SimulationFiles.Daily);
        if (!Files(run).Contains(SimulationFiles.Daily) || !File.Exists(path))
        {
            throw new NotFoundException($"run {run.Id} has no daily table");
        }
        var table = CsvTable.ReadFile(path);
        var numeric = table.Header.Where(c => table.Rows.All(r => r.Values[table.IndexOf(c)] is var v && (v.Length == 0 || double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))).ToArray();
        var values = numeric.ToDictionary(c => c, c =>
        {
            var i = table.IndexOf(c);
            return table.Rows.Select(r => double.TryParse(r.Values[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) ? x : (double?)null).ToArray();
        });
        return new RunDaily(run.Id, numeric, values);
    }

    private static RunDeleted Delete(ServeSettings s, long id)
    {
        using var store = Open(s);
        var run = store.Get(id) ?? throw new NotFoundException($"no run {id}");
        if (run.Status == RunStatus.Running)
        {
            throw new Core.Errors.InputException(Core.Errors.InputLocation.AtElement(null, "id"), $"run {id} is still running", "cancel its job first");
        }
        var folder = run.Start.OutputFolder;
        var deleted = new List<string>();
        foreach (var name in Files(run).Append(OutputFolder.MarkerName))
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path))
            {
                File.Delete(path);
                deleted.Add(name);
            }
        }
        var removed = Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any();
        if (removed)
        {
            Directory.Delete(folder);
        }
        store.Delete(id);
        return new RunDeleted(id, [.. deleted], removed);
    }
}
