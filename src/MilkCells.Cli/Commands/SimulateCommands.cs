using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MilkCells.Workflows.Simulate;
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

/// <summary><c>milkcells simulate</c>: one mother–infant pair across lactation, written to a folder and recorded in the run store.</summary>
internal static class SimulateCommands
{
    /// <summary>The area's command name.</summary>
    public const string Name = "simulate";

    /// <summary>The area's one-line description (root help lists it without building the area).</summary>
    public const string Summary = "Simulate one mother–infant pair across lactation and write daily, feed, infant and expressed-milk tables, run.json and report.html.";

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
        var mother = new Option<string?>("--mother") { Description = "fixed: the median mother; sampled: a mother drawn from the population (default: the scenario's).", HelpName = "MOTHER" };
        mother.AcceptOnlyFromAmong("fixed", "sampled");
        var motherId = CliOptions.Whole("--mother-id", "With --mother sampled: mother K of the population, the same mother as cohort mother K with this --seed (default 0).", 0, "3");
        var command = new Command(Name, Summary)
        {
            scenario, seed, days, profile, output, force, store, mother, motherId,
        };
        command.SetAction(parsed => Run(new SimulateRequest(parsed.GetValue(scenario)!, parsed.GetValue(seed), parsed.GetValue(days),
            parsed.GetValue(profile), parsed.GetValue(output), parsed.GetValue(store), parsed.GetValue(force), parsed.GetValue(mother),
            parsed.GetValue(motherId)), context));
        return command.WithExamples(
            "milkcells simulate -s mastitis --days 30 --seed 7 -o mastitis-7",
            "milkcells simulate --days 14 --profile microscopy-era -o microscopy --store runs.db",
            "milkcells simulate --mother sampled --mother-id 3 --seed 1 --days 60 -o mother-3");
    }

    internal static int Run(SimulateRequest request, CliContext context)
    {
        var model = MilkModel.Embedded;
        var outcome = SimulateWorkflow.Run(request, SimulateWorkflow.Load(request, model), (scenario, calibrated, run) => WithProgress(context, scenario, calibrated, run),
            () => "interrupted (Ctrl+C)", context.Cancellation);
        PrintSummary(context, outcome.Result, outcome.Folder, outcome.Files);
        return CliApp.Ok;
    }

    /// <summary>The run store file <c>--store</c> names, or null for the default.</summary>
    internal static string? RunStorePath(string? store) => SimulateWorkflow.RunStorePath(store);

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
        var console = CliContext.PlainConsole(context.Error, 200);
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
}
