using MilkCells.Cohorts;
using MilkCells.Cohorts.Reference;
using MilkCells.Core.Errors;
using MilkCells.Core.Files;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Samples.Reference;
using MilkCells.Storage.Cohorts;
using MilkCells.Web.Jobs;
using MilkCells.Workflows;

namespace MilkCells.Web.Api;

/// <summary>Body of POST /api/cohorts: <c>milkcells cohort run</c>'s options, followed by <c>reference build</c>.</summary>
public sealed record CohortBody(string? Scenario, int Mothers, int? Days, ulong Seed = 1, int? Threads = null, string? Profile = null);

/// <summary>A reference set the server can show.</summary>
public sealed record ReferenceInfo(string Id, string Title);

/// <summary>A reference set as percentile bands per measure, stage and lactation-day window.</summary>
public sealed record ReferenceBands(string Id, double[] Percentiles, string[] Measures, ReferenceBand[] Rows);

/// <summary>One row of a reference set.</summary>
public sealed record ReferenceBand(string Measure, string Unit, string Stage, int FirstDay, int LastDay, double[] Values);

/// <summary>Cohorts (a cohort run into a SQLite store, then its reference ranges, as one job with progress and ETA) and reference sets.</summary>
internal static class CohortApi
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/api/cohorts", Start).WithSummary("Start a cohort: simulate the mothers into a store under the data folder, then build its reference ranges (a job).");
        app.MapGet("/api/references", (DataFolder data) => TypedResults.Ok(References(data))).WithSummary("The reference sets: the shipped one ('default') and those built here.");
        app.MapGet("/api/references/{id}", (string id, DataFolder data) => TypedResults.Ok(Bands(id, data))).WithSummary("A reference set's percentile bands.");
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Accepted<Accepted> Start(CohortBody body, JobQueue queue, DataFolder data, ServeSettings settings)
    {
        var model = MilkModel.Embedded;
        var calibrated = model.Calibrate(body.Profile);
        var scenario = ScenarioLoader.BuiltIn(ScenarioApi.BuiltIn(body.Scenario ?? ScenarioLoader.DefaultName), model);
        if (body.Mothers is < 1 or > 1_000_000)
        {
            throw new InputException(InputLocation.AtElement(null, "mothers"), $"{body.Mothers} mothers cannot run", "give 1 to 1,000,000");
        }
        var spec = CohortSpec.Create(calibrated, scenario, body.Seed, body.Mothers, body.Days);
        var threads = Math.Clamp(body.Threads ?? settings.Threads, 1, settings.Threads);
        var id = DataFolder.NewId("c");
        var job = queue.Submit("cohort", $"cohort {scenario.Name}: {spec.Mothers} mothers x {spec.Days} days, seed {spec.Seed}", "mothers", (job, cancel) =>
        {
            var storePath = data.PathOf("cohorts", id, ".db");
            using (var store = CohortStore.OpenForWrite("sqlite:" + storePath))
            {
                CohortRunner.Run(spec, store, new CohortRunOptions { Threads = threads, CodeVersion = CodeVersion.Current }, p => job.Report(p.Simulated, p.ToSimulate), cancel);
            }
            cancel.ThrowIfCancellationRequested();
            using var source = CohortStore.OpenForRead("sqlite:" + storePath);
            var set = ReferenceBuilder.Build(source, new ReferenceOptions(), null, cancel);
            var outDir = data.PathOf("references", id);
            using var folder = OutputFolder.Create(outDir, force: false);
            ReferenceFiles.WriteAll(set, folder.WorkPath, outDir);
            folder.Commit();
            return new { reference = id };
        });
        return TypedResults.Accepted($"/api/jobs/{job.Id}", new Accepted(job.Id, $"/api/jobs/{job.Id}/events"));
    }

    private static ReferenceInfo[] References(DataFolder data) =>
    [
        new("default", "shipped with MilkCells (healthy cohort)"),
        .. Directory.EnumerateDirectories(Path.Combine(data.Root, "references")).Select(Path.GetFileName).Where(n => File.Exists(Path.Combine(data.Root, "references", n!, "reference.csv")))
            .OrderDescending(StringComparer.Ordinal).Select(n => new ReferenceInfo(n!, "built here from cohort " + n)),
    ];

    private static ReferenceBands Bands(string id, DataFolder data)
    {
        var table = id == "default" ? ReferenceTable.Default : ReferenceTable.Load(Existing(data.PathOf("references", id), id));
        var percentiles = table.Rows.Length > 0 ? table.Rows[0].Percentiles.ToArray() : [];
        return new ReferenceBands(id, percentiles, [.. table.Measures],
            [.. table.Rows.Select(r => new ReferenceBand(r.Measure, r.Unit, r.Stage, r.FirstDay, r.LastDay, [.. r.Values]))]);
    }

    private static string Existing(string folder, string id) => Directory.Exists(folder) ? folder : throw new NotFoundException($"no reference set '{id}'");
}
