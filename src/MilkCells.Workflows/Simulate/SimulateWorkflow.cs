using System.Globalization;
using System.Text.Json;
using MilkCells.Core.Errors;
using MilkCells.Core.Files;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Reports;
using MilkCells.Simulation;
using MilkCells.Storage.Cohorts;
using MilkCells.Storage.Runs;

namespace MilkCells.Workflows.Simulate;

/// <summary>What a simulate run was asked to do, after parsing (by the command line or the web dashboard).</summary>
/// <param name="Scenario">Built-in scenario name or YAML file (ignored when the caller passes a parsed scenario).</param>
/// <param name="Seed">Root seed.</param>
/// <param name="Days">Run length instead of the scenario's, if given.</param>
/// <param name="Profile">Calibration profile (null: default).</param>
/// <param name="Out">Output folder (null: ./milkcells-out/&lt;scenario&gt;-&lt;seed&gt;/).</param>
/// <param name="Store">Run store (null: the default location).</param>
/// <param name="Force">Write into an output folder that holds other files, deleting nothing.</param>
/// <param name="Mother">"fixed" (the median mother), "sampled" (a population mother), or null: the scenario's.</param>
/// <param name="MotherId">With a sampled mother: which one, as in a cohort with the same seed (null: 0).</param>
public sealed record SimulateRequest(string Scenario, ulong Seed, int? Days, string? Profile, string? Out, string? Store, bool Force = false,
    string? Mother = null, int? MotherId = null);

/// <summary>A finished simulate run: its run-store id, result, folder and the files written there.</summary>
public sealed record SimulateOutcome(long RunId, SimulationResult Result, string Folder, IReadOnlyList<string> Files);

/// <summary>Runs the simulation of one prepared scenario, reporting progress the way its caller shows it.</summary>
/// <param name="scenario">The scenario to run.</param>
/// <param name="calibrated">The calibrated model.</param>
/// <param name="run">Runs the simulation with the given progress sink; the caller calls it exactly once.</param>
public delegate SimulationResult SimulationHost(Scenario scenario, CalibratedModel calibrated, Func<IProgress<SimulationProgress>, SimulationResult> run);

/// <summary>
/// A simulate run end to end: check every input and reserve the output folder, record the run as started, simulate,
/// write the tables, report.html and run.json, commit the folder, and record the run as finished (or failed, or
/// interrupted, with its reason). <c>milkcells simulate</c> and <c>milkcells serve</c> both call it.
/// </summary>
public static class SimulateWorkflow
{
    /// <summary>The default output folder of a run.</summary>
    public static string DefaultOut(Scenario scenario, ulong seed) =>
        Path.Combine("milkcells-out", $"{scenario.Name}-{seed.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Loads the scenario the request names (built-in or file).</summary>
    public static Scenario Load(SimulateRequest request, MilkModel model) => ScenarioLoader.Load(request.Scenario, model);

    /// <summary>The scenario with the request's days and mother, checked against the model's lactation.</summary>
    public static Scenario Prepare(SimulateRequest request, Scenario loaded, MilkModel model)
    {
        var scenario = WithMother(MotherSimulation.WithDays(loaded, request.Days), request);
        if (scenario.LastDay > model.LastLactationDay)
        {
            throw new InputException(InputLocation.AtElement(scenario.Origin, request.Days is null ? "durationDays" : "--days"),
                $"the run would reach lactation day {scenario.LastDay}, past the end of lactation (day {model.LastLactationDay})",
                $"run at most {model.LastLactationDay - scenario.StartDay + 1} days from day {scenario.StartDay}");
        }
        return scenario;
    }

    /// <summary>Runs <paramref name="loaded"/> as <paramref name="request"/> asks.</summary>
    /// <param name="request">The request.</param>
    /// <param name="loaded">The scenario as loaded (built-in, file, or text from an editor).</param>
    /// <param name="host">Shows progress and calls the simulation.</param>
    /// <param name="interruptedReason">The reason recorded when <paramref name="cancellation"/> stops the run.</param>
    /// <param name="cancellation">Stops the run; the run is recorded as interrupted.</param>
    /// <param name="onStarted">Called with the run-store id once the run is recorded as started.</param>
    public static SimulateOutcome Run(SimulateRequest request, Scenario loaded, SimulationHost host, Func<string> interruptedReason, CancellationToken cancellation,
        Action<long>? onStarted = null)
    {
        var started = DateTimeOffset.UtcNow;
        // Everything that can be wrong with the input is checked before anything is written.
        var model = MilkModel.Embedded;
        var calibrated = model.Calibrate(request.Profile);
        var scenario = Prepare(request, loaded, model);
        // A population mother is planned from her cohort seed, so she is cohort mother K of a cohort with the same root seed.
        var planSeed = scenario.Mother.Mode == MotherMode.Sampled ? MotherSimulation.MotherSeed(request.Seed, request.MotherId ?? 0) : request.Seed;
        // The output is checked and reserved before the run starts: a bad place fails now, not after the simulation.
        using var output = OutputFolder.Create(request.Out ?? DefaultOut(scenario, request.Seed), request.Force, createParent: request.Out is null);
        var codeVersion = CodeVersion.Current;
        using var runs = RunStore.Open(RunStorePath(request.Store));
        var runId = runs.Start(new RunStart(scenario.Origin, scenario.Hash, request.Seed, calibrated.Profile.Id, model.Version, codeVersion, output.FullPath, started));
        onStarted?.Invoke(runId);
        try
        {
            var temp = output.WorkPath;
            var options = new SimulationOptions { Algorithm = MotherSimulation.DefaultAlgorithm };
            var result = host(scenario, calibrated, p => MotherSimulation.Simulate(calibrated, scenario, planSeed, options with { Progress = p }, cancellation));
            cancellation.ThrowIfCancellationRequested();
            var motherId = scenario.Mother.Mode == MotherMode.Sampled ? request.MotherId ?? 0 : (long?)null;
            var files = FileSystemErrors.Guard(output.Path, "cannot write", () =>
            {
                var written = SimulationFiles.WriteAll(result, temp).ToList();
                ReportHtml.Write(SimulationReport.Build(result, codeVersion, motherId, request.Seed, calibrated), Path.Combine(temp, SimulationFiles.ReportHtml));
                written.Add(SimulationFiles.ReportHtml);
                written.Add(SimulationFiles.RunJson);
                SimulationFiles.WriteRunJson(Path.Combine(temp, SimulationFiles.RunJson), result,
                    new SimulationFiles.RunInfo(codeVersion, options.Algorithm, written, started, DateTimeOffset.UtcNow) { MotherId = motherId, RootSeed = request.Seed });
                return written;
            }, "--out");
            cancellation.ThrowIfCancellationRequested();
            output.Commit();
            runs.Finish(runId, RunStatus.Succeeded, DateTimeOffset.UtcNow, SummaryJson(result));
            return new SimulateOutcome(runId, result, output.FullPath, files);
        }
        catch (Exception ex)
        {
            runs.Finish(runId, ex is OperationCanceledException ? RunStatus.Interrupted : RunStatus.Failed, DateTimeOffset.UtcNow,
                ex is OperationCanceledException ? interruptedReason() : ex is InputException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}");
            throw;
        }
    }

    /// <summary>The scenario with the mother the request asks for.</summary>
    public static Scenario WithMother(Scenario scenario, SimulateRequest request)
    {
        if (request.MotherId is not null && request.Mother != "sampled" && !(request.Mother is null && scenario.Mother.Mode == MotherMode.Sampled))
        {
            throw new InputException(InputLocation.AtElement(null, "--mother-id"), "--mother-id picks a population mother, but the mother is fixed",
                "add --mother sampled");
        }
        return request.Mother switch
        {
            "sampled" => scenario with { Mother = scenario.Mother with { Mode = MotherMode.Sampled } },
            "fixed" => scenario with { Mother = scenario.Mother with { Mode = MotherMode.Fixed } },
            _ => scenario,
        };
    }

    /// <summary>The run store file <c>--store</c> names (parsed like every store; the run store is SQLite), or null for the default.</summary>
    public static string? RunStorePath(string? store)
    {
        if (store is null)
        {
            return null;
        }
        var uri = StoreUri.Parse(store);
        return uri.Kind == StoreKind.Sqlite
            ? uri.Path
            : throw new InputException(InputLocation.AtElement(null, "--store"), $"the run store is a SQLite file, not {uri.Kind.ToString().ToLowerInvariant()}", "--store runs.db or --store sqlite:runs.db");
    }

    /// <summary>The run's summary by stage, as recorded in the run store.</summary>
    public static string SummaryJson(SimulationResult r) => JsonSerializer.Serialize(StageSummary.Of(r).Select(s => new
    {
        stage = s.Stage,
        illness = s.Illness,
        first_day = s.FirstDay,
        last_day = s.LastDay,
        milk_ml_per_day = Math.Round(s.MilkMlPerDay, 1),
        feeds_per_day = Math.Round(s.FeedsPerDay, 2),
        cells_per_ml = double.IsNaN(s.CellsPerMl) ? (double?)null : Math.Round(s.CellsPerMl),
        pct_leucocyte = double.IsNaN(s.PctLeucocyte) ? (double?)null : Math.Round(s.PctLeucocyte, 2),
    }));
}
