using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Simulation;
using MilkCells.Web.Jobs;
using MilkCells.Workflows.Simulate;

namespace MilkCells.Web.Api;

/// <summary>A scenario problem at its place in the YAML text.</summary>
public sealed record ScenarioProblem(int? Line, int? Column, string? Key, string Message, string? Hint);

/// <summary>The outcome of validating a scenario text with the loader <c>simulate</c> uses.</summary>
public sealed record ScenarioCheck(bool Valid, string? Name, int? FirstDay, int? LastDay, ScenarioProblem[] Problems);

/// <summary>Body of POST /api/scenarios/validate.</summary>
public sealed record ScenarioText(string Yaml);

/// <summary>Body of POST /api/simulate: a built-in scenario or YAML text, and the options <c>milkcells simulate</c> takes.</summary>
public sealed record SimulateBody(string? Scenario, string? Yaml, ulong Seed = 1, int? Days = null, string? Profile = null, string? Mother = null, int? MotherId = null);

/// <summary>A job as accepted.</summary>
public sealed record Accepted(string Job, string Events);

/// <summary>Scenarios (built-in text, schema, validation as you type) and simulate runs as jobs.</summary>
internal static class ScenarioApi
{
    /// <summary>The file name an editor's text is parsed as (errors name it, never a server path).</summary>
    public const string EditorFile = "scenario.yaml";

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/scenarios/{name}", (string name) => TypedResults.Text(ScenarioLoader.BuiltInText(BuiltIn(name)), "application/yaml; charset=utf-8"))
            .WithSummary("The YAML text of a built-in scenario.");
        app.MapGet("/api/scenario-schema", () => TypedResults.Text(ScenarioLoader.JsonSchema(), "application/schema+json")).WithSummary("The JSON Schema of scenario files.");
        app.MapPost("/api/scenarios/validate", (ScenarioText body) => TypedResults.Ok(Check(body.Yaml)))
            .WithSummary("Validate scenario YAML with the loader simulate uses; every problem at its line.");
        app.MapPost("/api/simulate", Simulate).WithSummary("Start a simulate run (a job); its files and run-store record are those of 'milkcells simulate'.");
    }

    /// <summary>A built-in scenario name, checked (a client never names a server file).</summary>
    public static string BuiltIn(string name) => ScenarioLoader.BuiltInNames.Contains(name)
        ? name
        : throw new InputException(InputLocation.AtElement(null, "scenario"), $"'{(name.Length > 40 ? name[..40] : name)}' is not a built-in scenario",
            "one of " + string.Join(", ", ScenarioLoader.BuiltInNames) + ", or send the YAML text");

    public static ScenarioCheck Check(string yaml)
    {
        try
        {
            var s = ScenarioLoader.Parse(EditorFile, yaml, "editor", MilkModel.Embedded);
            return new ScenarioCheck(true, s.Name, s.StartDay, s.LastDay, []);
        }
        catch (InputException ex)
        {
            var all = ex is InputProblemsException many ? many.Problems : [ex];
            return new ScenarioCheck(false, null, null, null,
                [.. all.Select(p => new ScenarioProblem(p.Location.Line, p.Location.Column, p.Location.Element, p.Problem, p.Hint))]);
        }
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Accepted<Accepted> Simulate(SimulateBody body, JobQueue queue, DataFolder data, ServeSettings settings)
    {
        var model = MilkModel.Embedded;
        Scenario loaded;
        if (body.Yaml is { } yaml)
        {
            var parsed = ScenarioLoader.Parse(EditorFile, yaml, "editor", model);
            loaded = parsed with { Origin = $"editor:{parsed.Name}" }; // what the run store records as the scenario
        }
        else
        {
            loaded = ScenarioLoader.BuiltIn(BuiltIn(body.Scenario ?? ScenarioLoader.DefaultName), model);
        }
        var folder = Path.Combine(data.Root, "runs", DataFolder.NewId($"{loaded.Name}-{body.Seed}-"));
        var request = new SimulateRequest(loaded.Name, body.Seed, body.Days, body.Profile, folder, settings.Store, Mother: body.Mother, MotherId: body.MotherId);
        model.Calibrate(request.Profile); // a bad profile is a 400 now, not a failed job
        SimulateWorkflow.Prepare(request, loaded, model);
        var job = queue.Submit("simulate", $"simulate {loaded.Name}, seed {body.Seed}", "days", (job, cancel) =>
        {
            var outcome = SimulateWorkflow.Run(request, loaded, (scenario, _, run) => run(new InlineProgress(p => job.Report(p.Day, p.Days))),
                () => job.CancelReason, cancel);
            return new { runId = outcome.RunId };
        });
        return TypedResults.Accepted($"/api/jobs/{job.Id}", new Accepted(job.Id, $"/api/jobs/{job.Id}/events"));
    }

    /// <summary>Reports synchronously on the simulating thread.</summary>
    private sealed class InlineProgress(Action<SimulationProgress> report) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value) => report(value);
    }
}
