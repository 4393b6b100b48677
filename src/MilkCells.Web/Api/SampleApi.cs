using System.Collections.Immutable;
using System.Text.Json;
using MilkCells.Core.Errors;
using MilkCells.Samples;
using MilkCells.Samples.Inference;
using MilkCells.Samples.Input;
using MilkCells.Web.Jobs;
using MilkCells.Workflows.Samples;

namespace MilkCells.Web.Api;

/// <summary>Body of POST /api/samples: uploaded FCS files with a manifest (and a panel), or a counts CSV.</summary>
public sealed record SampleBody(string[]? Fcs, string? Manifest, string? Counts, string? Panel, bool States = true, string? Prior = null);

/// <summary>An analysis as <c>sample analyze</c> writes it: findings.json as is, samples.csv and states.csv as rows (column → cell).</summary>
public sealed record AnalysisView(string Id, JsonElement Findings, string[] SampleColumns, Dictionary<string, string>[] Samples, Dictionary<string, string>[] States);

/// <summary>Sample analysis of uploads, as <c>sample analyze</c> does it, into a folder under the data folder.</summary>
internal static class SampleApi
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/api/samples", Start).WithSummary("Analyse uploaded FCS files (with a manifest upload) or a counts CSV upload (a job).");
        app.MapGet("/api/samples/{id}", (string id, DataFolder data) => TypedResults.Ok(View(id, data))).WithSummary("An analysis: gate counts, percentiles, findings, state probabilities.");
        app.MapGet("/api/samples/{id}/files/{name}", (string id, string name, DataFolder data) =>
        {
            if (!SampleWorkflow.Files.Contains(name))
            {
                throw new NotFoundException($"an analysis has no file '{(name.Length > 40 ? name[..40] : name)}'");
            }
            var path = Path.Combine(data.PathOf("samples", id), name);
            return File.Exists(path)
                ? Results.File(path, name.EndsWith(".html", StringComparison.Ordinal) ? "text/html; charset=utf-8" : name.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "text/csv; charset=utf-8")
                : throw new NotFoundException($"no analysis '{id}'");
        }).WithSummary("A file of an analysis: samples.csv, findings.json, states.csv, report.html.");
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Accepted<Accepted> Start(SampleBody body, JobQueue queue, DataFolder data, ServeSettings settings)
    {
        var prior = body.Prior switch
        {
            null or "evidence" => StatePriorKind.Evidence,
            "uniform" => StatePriorKind.Uniform,
            _ => throw new InputException(InputLocation.AtElement(null, "prior"), "unknown prior", "evidence or uniform"),
        };
        ImmutableArray<SampleInput>? inputs = null;
        var files = ImmutableArray<string>.Empty;
        if (body.Counts is { } counts)
        {
            var upload = Need(data, counts, "csv", "counts");
            files = [data.UploadPath(upload)];
        }
        else if (body.Fcs is { Length: > 0 } fcs)
        {
            var uploads = fcs.Select(id => Need(data, id, "fcs", "fcs")).ToArray();
            if (body.Manifest is { } manifestId)
            {
                var manifest = Need(data, manifestId, "csv", "manifest");
                var byName = uploads.GroupBy(u => u.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => data.UploadPath(g.Last()), StringComparer.Ordinal);
                var rows = Manifest.Read(data.UploadPath(manifest), file => byName.TryGetValue(UploadApi.Label(file, "fcs"), out var p) ? p
                    : throw new InputException(InputLocation.AtElement(manifest.Name, "file"), $"the manifest names '{UploadApi.Label(file, "fcs")}', which was not uploaded", "upload every FCS file the manifest lists"));
                inputs = [.. rows.Select(r => new SampleInput(r.File, r))];
            }
            else
            {
                files = [.. uploads.Select(data.UploadPath)];
            }
        }
        else
        {
            throw new InputException(InputLocation.AtElement(null, "fcs"), "nothing to analyse", "upload FCS files (and a manifest) or a counts CSV");
        }
        var id = DataFolder.NewId("s");
        var request = new AnalyzeRequest(files, null, body.Panel ?? Samples.Panels.BuiltInPanels.Default, "default", data.PathOf("samples", id), body.States, prior, 24,
            settings.Threads, false, null);
        if (request.Panel is var panel && !Samples.Panels.BuiltInPanels.Names.Contains(panel))
        {
            throw new InputException(InputLocation.AtElement(null, "panel"), $"'{(panel.Length > 40 ? panel[..40] : panel)}' is not a built-in panel", string.Join(", ", Samples.Panels.BuiltInPanels.Names));
        }
        var job = queue.Submit("samples", $"analyse {(inputs?.Length ?? files.Length)} input(s), panel {request.Panel}", "steps", (job, cancel) =>
        {
            job.Report(0, 1);
            SampleWorkflow.AnalyzeToFolder(request, cancel, inputs);
            job.Report(1, 1);
            return new { analysis = id };
        });
        return TypedResults.Accepted($"/api/jobs/{job.Id}", new Accepted(job.Id, $"/api/jobs/{job.Id}/events"));
    }

    private static Upload Need(DataFolder data, string id, string kind, string field)
    {
        var upload = data.GetUpload(id);
        return upload.Kind == kind ? upload : throw new InputException(InputLocation.AtElement(null, field), $"upload '{id}' is {upload.Kind}, not {kind}");
    }

    /// <summary>The analysis from the files <c>sample analyze</c>'s code wrote: findings.json, samples.csv (gate counts, values), states.csv.</summary>
    private static AnalysisView View(string id, DataFolder data)
    {
        var folder = data.PathOf("samples", id);
        var findings = Path.Combine(folder, "findings.json");
        if (!File.Exists(findings))
        {
            throw new NotFoundException($"no analysis '{id}'");
        }
        using var doc = JsonDocument.Parse(File.ReadAllBytes(findings));
        var samples = CsvTable.ReadFile(Path.Combine(folder, "samples.csv"));
        var states = CsvTable.ReadFile(Path.Combine(folder, "states.csv"));
        return new AnalysisView(id, doc.RootElement.Clone(), [.. samples.Header], Rows(samples), Rows(states));
    }

    private static Dictionary<string, string>[] Rows(CsvTable table) =>
        [.. table.Rows.Select(r => table.Header.Select((h, i) => (h, i)).ToDictionary(x => x.h, x => x.i < r.Values.Length ? r.Values[x.i] : "", StringComparer.Ordinal))];
}
