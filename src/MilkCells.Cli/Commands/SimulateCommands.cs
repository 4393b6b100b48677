using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MilkCells.Cli.Simulate;
using MilkCells.Core.Errors;
using MilkCells.Core.Files;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Reports;
using MilkCells.Simulation;
using MilkCells.Storage.Cohorts;
using MilkCells.Storage.Runs;
using Spectre.Console;

namespace MilkCells.Cli.Commands;

/// <summary>What <c>milkcells simulate</c> was asked to do, after parsing.</summary>
/// <param name="Scenario">Built-in scenario name or YAML file.</param>
/// <param name="Seed">Root seed.</param>
/// <param name="Days">Run length instead of the scenario's, if given.</param>
/// <param name="Profile">Calibration profile (null: default).</param>
/// <param name="Out">Output folder (null: ./milkcells-out/&lt;scenario&gt;-&lt;seed&gt;/).</param>
/// <param name="Store">Run store (null: the default location).</param>
/// <param name="Force">Write into an output folder that holds other files, deleting nothing.</param>
internal sealed record SimulateConfig(string Scenario, ulong Seed, int? Days, string? Profile, string? Out, string? Store, bool Force = false);

/// <summary><c>milkcells simulate</c>: one mother–infant pair across lactation, written to a folder and recorded in the run store.</summary>
internal static class SimulateCommands
{
    /// <summary>The seed when none is given.</summary>
    public const ulong DefaultSeed = 1;

    public static Command Create(CliContext context)
    {
        var scenario = CliOptions.Scenario();
        var seed = CliOptions.Seed("Root seed: the same seed and inputs give byte-identical files.");
        var days = CliOptions.Whole("--days", "Simulate this many days instead of the scenario's duration.", 1, "30");
        var profile = CliOptions.Profile();
        var output = CliOptions.Out("Output folder (default ./milkcells-out/SCENARIO-SEED/); created if absent, replaced only if it holds a previous MilkCells output.");
        var force = CliOptions.Force();
        var store = CliOptions.Store("Run store, a SQLite file: PATH or sqlite:PATH (default $MILKCELLS_HOME/runs.db, else $XDG_DATA_HOME/milkcells/runs.db, else ~/.local/share/milkcells/runs.db).");
        var command = new Command("simulate", "Simulate one mother–infant pair across lactation and write daily, feed, infant and expressed-milk tables, run.json and report.html.")
        {
            scenario, seed, days, profile, output, force, store,
        };
        command.SetAction(parsed => Run(new SimulateConfig(parsed.GetValue(scenario)!, parsed.GetValue(seed), parsed.GetValue(days),
            parsed.GetValue(profile), parsed.GetValue(output), parsed.GetValue(store), parsed.GetValue(force)), context));
        return command.WithExamples(
            "milkcells simulate -s mastitis --days 30 --seed 7 -o mastitis-7",
            "milkcells simulate --days 14 --profile microscopy-era -o microscopy --store runs.db");
    }

    /// <summary>The default output folder of a run.</summary>
    public static string DefaultOut(Scenario scenario, ulong seed) =>
        Path.Combine("milkcells-out", $"{scenario.Name}-{seed.ToString(CultureInfo.InvariantCulture)}");

    internal static int Run(SimulateConfig config, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        // Everything that can be wrong with the input is checked before anything is written.
        var model = MilkModel.Embedded;
        var calibrated = model.Calibrate(config.Profile);
        var scenario = MotherSimulation.WithDays(ScenarioLoader.Load(config.Scenario, model), config.Days);
        if (scenario.LastDay > model.LastLactationDay)
        {
            throw new InputException(InputLocation.AtElement(scenario.Origin, config.Days is null ? "durationDays" : "--days"),
                $"the run would reach lactation day {scenario.LastDay}, past the end of lactation (day {model.LastLactationDay})",
                $"run at most {model.LastLactationDay - scenario.StartDay + 1} days from day {scenario.StartDay}");
        }
        // The output is checked and reserved before the run starts: a bad place fails now, not after the simulation.
        using var output = OutputFolder.Create(config.Out ?? DefaultOut(scenario, config.Seed), config.Force, createParent: config.Out is null);
        var codeVersion = VersionCommand.CodeVersion();
        using var runs = RunStore.Open(RunStorePath(config.Store));
        var runId = runs.Start(new RunStart(scenario.Origin, scenario.Hash, config.Seed, calibrated.Profile.Id, model.Version, codeVersion, output.FullPath, started));
        try
        {
            var temp = output.WorkPath;
            var options = new SimulationOptions { Algorithm = MotherSimulation.DefaultAlgorithm };
            var result = WithProgress(context, scenario, calibrated, p => MotherSimulation.Simulate(calibrated, scenario, config.Seed,
                options with { Progress = p }, context.Cancellation));
            context.Cancellation.ThrowIfCancellationRequested();
            var files = FileSystemErrors.Guard(output.Path, "cannot write", () =>
            {
                var written = SimulationFiles.WriteAll(result, temp).ToList();
                ReportHtml.Write(SimulationReport.Build(result, codeVersion), Path.Combine(temp, SimulationFiles.ReportHtml));
                written.Add(SimulationFiles.ReportHtml);
                written.Add(SimulationFiles.RunJson);
                SimulationFiles.WriteRunJson(Path.Combine(temp, SimulationFiles.RunJson), result,
                    new SimulationFiles.RunInfo(codeVersion, options.Algorithm, written, started, DateTimeOffset.UtcNow));
                return written;
            }, "--out");
            context.Cancellation.ThrowIfCancellationRequested();
            output.Commit();
            PrintSummary(context, result, output.FullPath, files);
            runs.Finish(runId, RunStatus.Succeeded, DateTimeOffset.UtcNow, SummaryJson(result));
            return CliApp.Ok;
        }
        catch (Exception ex)
        {
            runs.Finish(runId, ex is OperationCanceledException ? RunStatus.Interrupted : RunStatus.Failed, DateTimeOffset.UtcNow,
                ex is OperationCanceledException ? "interrupted (Ctrl+C)" : ex is InputException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}");
            throw;
        }
    }

    /// <summary>The run store file <c>--store</c> names (parsed like every store; the run store is SQLite), or null for the default.</summary>
    internal static string? RunStorePath(string? store)
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

    /// <summary>Runs the simulation with a progress bar on a terminal, or a plain line every 10 % when standard error is redirected (progress always on standard error).</summary>
    private static SimulationResult WithProgress(CliContext context, Scenario scenario, CalibratedModel calibrated, Func<IProgress<SimulationProgress>, SimulationResult> run)
    {
        var label = $"simulating '{scenario.Name}' ({calibrated.Profile.Id})";
        if (context.ProgressConsole() is not { } console)
        {
            var lastDecile = -1;
            context.Error.WriteLine($"{label}: {Math.Ceiling(scenario.DurationDays):0} days");
            return run(new InlineProgress(p =>
            {
                var decile = (int)(10.0 * p.Day / p.Days);
                if (decile > lastDecile && decile > 0)
                {
                    lastDecile = decile;
                    context.Error.WriteLine($"  day {p.Day}/{p.Days}");
                }
            }));
        }
        SimulationResult? result = null;
        console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: Math.Ceiling(scenario.DurationDays));
                result = run(new InlineProgress(p => task.Value = p.Day));
            });
        return result!;
    }

    /// <summary>Reports synchronously on the simulating thread (Progress&lt;T&gt; would post to a thread pool).</summary>
    private sealed class InlineProgress(Action<SimulationProgress> report) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value) => report(value);
    }

    /// <summary>The summary by stage, on standard error (simulate's data are its files).</summary>
    private static void PrintSummary(CliContext context, SimulationResult r, string target, IReadOnlyList<string> files)
    {
        var console = CliContext.PlainConsole(context.Error, 140);
        var net = r.Plan.Network;
        if (net.ProfileId != "default")
        {
            console.WriteLine($"!! calibration profile '{net.ProfileId}': {net.ProfileMarking}");
        }
        var summary = SimulationReport.SummaryTable(r);
        var table = new Table().Border(TableBorder.Simple).Title($"{r.Plan.Scenario.Name}, seed {r.Seed}: by stage (volume-weighted)");
        foreach (var h in summary.Header)
        {
            table.AddColumn(new TableColumn(h).RightAligned());
        }
        foreach (var row in summary.Rows)
        {
            table.AddRow([.. row.Select(Markup.Escape)]);
        }
        console.Write(table);
        console.WriteLine($"{ConsoleNumbers.Count(r.Feeds.Length)} breastfeeds, {ConsoleNumbers.Count(r.Stats.Leaps)} tau leaps, {ConsoleNumbers.One(r.Stats.Firings)} firings -> {target} ({string.Join(", ", files)})");
    }

    private static string SummaryJson(SimulationResult r) => JsonSerializer.Serialize(StageSummary.Of(r.Daily).Select(s => new
    {
        stage = s.Stage,
        first_day = s.FirstDay,
        last_day = s.LastDay,
        milk_ml_per_day = Math.Round(s.MilkMlPerDay, 1),
        feeds_per_day = Math.Round(s.FeedsPerDay, 2),
        cells_per_ml = double.IsNaN(s.CellsPerMl) ? (double?)null : Math.Round(s.CellsPerMl),
        pct_leucocyte = double.IsNaN(s.PctLeucocyte) ? (double?)null : Math.Round(s.PctLeucocyte, 2),
    }));
}
