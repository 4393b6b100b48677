using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MilkCells.Cli.Simulate;
using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Reports;
using MilkCells.Simulation;
using MilkCells.Storage.Runs;
using Spectre.Console;

namespace MilkCells.Cli.Commands;

/// <summary>What <c>milkcells simulate</c> was asked to do, after parsing.</summary>
/// <param name="Scenario">Built-in scenario name or YAML file.</param>
/// <param name="Seed">Root seed.</param>
/// <param name="Days">Run length instead of the scenario's, if given.</param>
/// <param name="Profile">Calibration profile (null: default).</param>
/// <param name="Out">Output folder (null: ./milkcells-out/&lt;scenario&gt;-&lt;seed&gt;/).</param>
/// <param name="Store">Run store file (null: the default location).</param>
/// <param name="Mother">"fixed" (the median mother), "sampled" (a population mother), or null: the scenario's.</param>
/// <param name="MotherId">With a sampled mother: which one, as in a cohort with the same seed (null: 0).</param>
internal sealed record SimulateConfig(string Scenario, ulong Seed, int? Days, string? Profile, string? Out, string? Store,
    string? Mother = null, long? MotherId = null);

/// <summary><c>milkcells simulate</c>: one mother–infant pair across lactation, written to a folder and recorded in the run store.</summary>
internal static class SimulateCommands
{
    /// <summary>The seed when none is given.</summary>
    public const ulong DefaultSeed = 1;

    public static Command Create(CliContext context)
    {
        var scenario = new Option<string>("--scenario") { Description = "Built-in scenario (healthy, colostrum-week, mastitis, infant-infection, extended-lactation, donor-milk) or a YAML file.", DefaultValueFactory = _ => ScenarioLoader.DefaultName };
        var seed = new Option<ulong>("--seed") { Description = "Root seed: the same seed and inputs give byte-identical files.", DefaultValueFactory = _ => DefaultSeed };
        var days = new Option<int?>("--days") { Description = "Simulate this many days instead of the scenario's duration." };
        var profile = new Option<string?>("--profile") { Description = "Calibration profile: default, microscopy-era or lay-claims (marked in every output)." };
        var output = new Option<string?>("--out") { Description = "Output folder (default ./milkcells-out/<scenario>-<seed>/)." };
        var store = new Option<string?>("--store") { Description = "Run store file (default $MILKCELLS_HOME/runs.db, else $XDG_DATA_HOME/milkcells/runs.db, else ~/.local/share/milkcells/runs.db)." };
        var mother = new Option<string?>("--mother") { Description = "fixed: the median mother; sampled: a mother drawn from the population (default: the scenario's)." };
        mother.AcceptOnlyFromAmong("fixed", "sampled");
        var motherId = new Option<long?>("--mother-id") { Description = "With --mother sampled: mother K of the population, the same mother as cohort mother K with this --seed (default 0)." };
        var command = new Command("simulate", "Simulate one mother–infant pair across lactation and write daily, feed, infant and expressed-milk tables, run.json and report.html.")
        {
            scenario, seed, days, profile, output, store, mother, motherId,
        };
        command.SetAction(parsed => Run(new SimulateConfig(parsed.GetValue(scenario)!, parsed.GetValue(seed), parsed.GetValue(days),
            parsed.GetValue(profile), parsed.GetValue(output), parsed.GetValue(store), parsed.GetValue(mother), parsed.GetValue(motherId)), context));
        return command;
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
        var scenario = WithMother(MotherSimulation.WithDays(ScenarioLoader.Load(config.Scenario, model), config.Days), config);
        // A population mother is planned from her cohort seed, so she is cohort mother K of a cohort with the same root seed.
        var planSeed = scenario.Mother.Mode == MotherMode.Sampled ? MotherSimulation.MotherSeed(config.Seed, config.MotherId ?? 0) : config.Seed;
        if (scenario.LastDay > model.LastLactationDay)
        {
            throw new InputException(InputLocation.AtElement(scenario.Origin, config.Days is null ? "durationDays" : "--days"),
                $"the run would reach lactation day {scenario.LastDay}, past the end of lactation (day {model.LastLactationDay})",
                $"run at most {model.LastLactationDay - scenario.StartDay + 1} days from day {scenario.StartDay}");
        }
        var target = Path.GetFullPath(config.Out ?? DefaultOut(scenario, config.Seed));
        var parent = Path.GetDirectoryName(target.TrimEnd(Path.DirectorySeparatorChar))!;
        var temp = Path.Combine(parent, $".{Path.GetFileName(target.TrimEnd(Path.DirectorySeparatorChar))}.tmp-{Environment.ProcessId}");
        var codeVersion = VersionCommand.CodeVersion();
        using var runs = RunStore.Open(config.Store);
        var runId = runs.Start(new RunStart(scenario.Origin, scenario.Hash, config.Seed, calibrated.Profile.Id, model.Version, codeVersion, target, started));
        try
        {
            Directory.CreateDirectory(parent);
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, true);
            }
            Directory.CreateDirectory(temp);
            var options = new SimulationOptions { Algorithm = MotherSimulation.DefaultAlgorithm };
            var result = WithProgress(context, scenario, calibrated, p => MotherSimulation.Simulate(calibrated, scenario, planSeed,
                options with { Progress = p }, context.Cancellation));
            context.Cancellation.ThrowIfCancellationRequested();
            var files = SimulationFiles.WriteAll(result, temp).ToList();
            var motherId = scenario.Mother.Mode == MotherMode.Sampled ? config.MotherId ?? 0 : (long?)null;
            ReportHtml.Write(SimulationReport.Build(result, codeVersion, motherId, config.Seed, calibrated), Path.Combine(temp, SimulationFiles.ReportHtml));
            files.Add(SimulationFiles.ReportHtml);
            files.Add(SimulationFiles.RunJson);
            var finished = DateTimeOffset.UtcNow;
            SimulationFiles.WriteRunJson(Path.Combine(temp, SimulationFiles.RunJson), result,
                new SimulationFiles.RunInfo(codeVersion, options.Algorithm.ToString(), files, started, finished) { MotherId = motherId, RootSeed = config.Seed });
            context.Cancellation.ThrowIfCancellationRequested();
            Replace(temp, target);
            PrintSummary(context, result, target, files);
            runs.Finish(runId, RunStatus.Succeeded, DateTimeOffset.UtcNow, SummaryJson(result));
            return CliApp.Ok;
        }
        catch (Exception ex)
        {
            TryDelete(temp);
            runs.Finish(runId, ex is OperationCanceledException ? RunStatus.Interrupted : RunStatus.Failed, DateTimeOffset.UtcNow, ex.Message);
            throw;
        }
    }

    /// <summary>The scenario with the mother the command line asks for.</summary>
    internal static Scenario WithMother(Scenario scenario, SimulateConfig config)
    {
        if (config.MotherId is not null && config.Mother != "sampled" && !(config.Mother is null && scenario.Mother.Mode == MotherMode.Sampled))
        {
            throw new InputException(InputLocation.AtElement("command line", "--mother-id"), "--mother-id picks a population mother, but the mother is fixed",
                "add --mother sampled");
        }
        if (config.MotherId is < 0)
        {
            throw new InputException(InputLocation.AtElement("command line", "--mother-id"), $"{config.MotherId} is not a mother id", "give 0 or more");
        }
        return config.Mother switch
        {
            "sampled" => scenario with { Mother = scenario.Mother with { Mode = MotherMode.Sampled } },
            "fixed" => scenario with { Mother = scenario.Mother with { Mode = MotherMode.Fixed } },
            _ => scenario,
        };
    }

    /// <summary>Moves the finished folder into place (replacing an earlier run's folder of the same name).</summary>
    private static void Replace(string temp, string target)
    {
        if (Directory.Exists(target))
        {
            var old = target.TrimEnd(Path.DirectorySeparatorChar) + $".old-{Environment.ProcessId}";
            Directory.Move(target, old);
            Directory.Move(temp, target);
            Directory.Delete(old, true);
        }
        else
        {
            Directory.Move(temp, target);
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, true);
            }
        }
        catch (IOException)
        {
            // Best effort: the error being reported matters more.
        }
    }

    /// <summary>Runs the simulation with a progress bar on a terminal, or a plain line every 10 % when output is redirected.</summary>
    private static SimulationResult WithProgress(CliContext context, Scenario scenario, CalibratedModel calibrated, Func<IProgress<SimulationProgress>, SimulationResult> run)
    {
        var label = $"simulating '{scenario.Name}' ({calibrated.Profile.Id})";
        var interactive = ReferenceEquals(context.Output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!interactive)
        {
            var lastDecile = -1;
            context.Output.WriteLine($"{label}: {Math.Ceiling(scenario.DurationDays):0} days");
            return run(new InlineProgress(p =>
            {
                var decile = (int)(10.0 * p.Day / p.Days);
                if (decile > lastDecile && decile > 0)
                {
                    lastDecile = decile;
                    context.Output.WriteLine($"  day {p.Day}/{p.Days}");
                }
            }));
        }
        SimulationResult? result = null;
        AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
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

    private static void PrintSummary(CliContext context, SimulationResult r, string target, IReadOnlyList<string> files)
    {
        var console = context.PlainConsole(200);
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
        console.WriteLine($"{r.Feeds.Length} breastfeeds, {r.Stats.Leaps:N0} tau leaps, {r.Stats.Firings:E2} firings -> {target} ({string.Join(", ", files)})");
    }

    private static string SummaryJson(SimulationResult r) => JsonSerializer.Serialize(StageSummary.Of(r).Select(s => new
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
