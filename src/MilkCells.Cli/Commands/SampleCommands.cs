using System.Collections.Immutable;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MilkCells.Core.Errors;
using MilkCells.Core.Files;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Reports;
using MilkCells.Samples;
using MilkCells.Samples.Cytometer;
using MilkCells.Samples.Inference;
using MilkCells.Samples.Output;
using MilkCells.Samples.Panels;
using MilkCells.Samples.Reference;
using MilkCells.Workflows.Samples;

namespace MilkCells.Cli.Commands;

/// <summary>What <c>sample synthesize</c> was asked to do.</summary>
internal sealed record SynthesizeConfig(string Scenario, ulong Seed, ImmutableArray<int> Days, long? MotherId, int Events, string Panel, string? Breast, string Out, bool Force);

/// <summary><c>milkcells sample analyze | synthesize | panels</c>: reading real milk samples, and synthesizing ones whose truth is known.</summary>
internal static class SampleCommands
{
    /// <summary>The area's command name.</summary>
    public const string Name = "sample";

    /// <summary>The area's one-line description (root help lists it without building the area).</summary>
    public const string Summary = "Read milk samples: gate FCS files or take counts, make counts absolute, place them among healthy mothers, state findings and infer states.";

    public static Command Create(CliContext context)
    {
        var sample = new Command(Name, Summary);
        sample.Subcommands.Add(Analyze(context));
        sample.Subcommands.Add(Synthesize(context));
        sample.Subcommands.Add(Panels(context));
        return sample;
    }

    /// <summary>Where <c>sample analyze</c> writes when no <c>-o</c> is given.</summary>
    internal static readonly string DefaultAnalyzeOut = SampleWorkflow.DefaultOut;

    private static Command Analyze(CliContext context)
    {
        var inputs = new Argument<string[]>("INPUT") { Description = "FCS files, or counts CSVs (one row per sample).", Arity = ArgumentArity.ZeroOrMore };
        var manifest = new Option<string?>("--manifest") { Description = "CSV giving each FCS file's sample_id, mother_id, lactation_day, breast and how to count it (beads_per_test, test_volume_ul, acquired_volume_ul, dilution)." };
        var panel = new Option<string>("--panel") { Description = "Gating panel: milk-basic, milk-leucocytes, or a Gating-ML 2.0 file.", DefaultValueFactory = _ => BuiltInPanels.Default };
        var reference = new Option<string>("--reference") { Description = "Reference set: default (shipped), or a folder written by 'milkcells reference build'.", DefaultValueFactory = _ => "default" };
        var output = CliOptions.Out($"Output folder for samples.csv, findings.json, states.csv and report.html (default {DefaultAnalyzeOut}; '-': samples.csv to standard output only); created if absent, replaced only if it holds a previous MilkCells output.");
        var noStates = new Option<bool>("--no-states") { Description = "Skip state inference." };
        var prior = new Option<string>("--prior") { Description = "State prior: evidence (onset rates over the sampling window) or uniform.", DefaultValueFactory = _ => "evidence" };
        var plots = CliOptions.Whole("--plots", "Draw the gating of this many FCS samples in the report.", 0, "24", 24);
        var threads = CliOptions.Threads();
        var cache = new Option<string?>("--cache") { Description = "Folder caching the simulated state library ('none' to rebuild each time; default $MILKCELLS_HOME/cache, else $XDG_CACHE_HOME/milkcells, else ~/.cache/milkcells)." };
        var force = CliOptions.Force();
        var command = new Command("analyze",
            "Gate FCS files (or read counts), count cells per mL of milk in the model's classes, place each sample among simulated healthy mothers of its lactation day, " +
            "state what the literature associates with its values, and infer each mother's states over her series.")
        {
            inputs, manifest, panel, reference, output, noStates, prior, plots, threads, cache, force,
        };
        command.SetAction(parsed =>
        {
            var priorText = parsed.GetValue(prior)!;
            var kind = priorText switch
            {
                "evidence" => StatePriorKind.Evidence,
                "uniform" => StatePriorKind.Uniform,
                _ => throw new InputException(InputLocation.AtElement(null, "--prior"), $"unknown prior '{priorText}'", "evidence or uniform"),
            };
            return RunAnalyze(new AnalyzeRequest([.. parsed.GetValue(inputs) ?? []], parsed.GetValue(manifest), parsed.GetValue(panel)!, parsed.GetValue(reference)!,
                parsed.GetValue(output), !parsed.GetValue(noStates), kind, parsed.GetValue(plots), parsed.GetValue(threads) ?? Environment.ProcessorCount, parsed.GetValue(force),
                parsed.GetValue(cache)), context);
        });
        return command.WithExamples(
            "milkcells sample analyze --manifest tubes/manifest.csv -o results",
            "milkcells sample analyze --manifest tubes/manifest.csv --panel milk-basic --no-states -o - > samples.csv");
    }

    internal static int RunAnalyze(AnalyzeRequest request, CliContext context)
    {
        var watch = Stopwatch.StartNew();
        if (request.Out == "-")
        {
            FileOutput? stdout = null;
            try
            {
                SampleWorkflow.AnalyzeToCsv(request, () => (stdout = FileOutput.Open(context, "-")).Writer(), context.Cancellation);
                stdout?.Commit();
            }
            finally
            {
                stdout?.Dispose();
            }
            return CliApp.Ok;
        }
        var (result, folder) = SampleWorkflow.AnalyzeToFolder(request, context.Cancellation);
        Summarize(context.Error, result, folder, watch.Elapsed);
        return CliApp.Ok;
    }

    private static void Summarize(TextWriter e, AnalysisResult result, string target, TimeSpan elapsed)
    {
        var flagged = result.Samples.Count(s => s.Placements.Values.Any(p => p.Flag.Length > 0));
        e.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Samples.Length} samples ({result.Samples.Count(s => s.Sample.Fcs is not null)} FCS, panel {result.Options.Panel.Name}), {result.Mothers.Length} mothers; {flagged} samples with a measure outside the reference band"));
        foreach (var m in result.Mothers.Where(m => m.States is not null))
        {
            var st = m.States!;
            e.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  mother {m.MotherId}: most probable {st.Map} ({st.Probability.Max():0.###})"));
        }
        if (result.LibraryBuild is { } built)
        {
            e.WriteLine(string.Create(CultureInfo.InvariantCulture, $"state library {result.LibraryKey} built in {built.TotalSeconds:0.0} s (cached for next time)"));
        }
        e.WriteLine(string.Create(CultureInfo.InvariantCulture, $"-> {target} (samples.csv, findings.json, states.csv, report.html) in {elapsed.TotalSeconds:0.0} s"));
    }

    private static Command Synthesize(CliContext context)
    {
        var scenario = CliOptions.Scenario($"Built-in scenario ({string.Join(", ", ScenarioLoader.BuiltInNames)}) or scenario YAML file whose mother is sampled.");
        var seed = CliOptions.Seed("Root seed: the same seed and inputs give byte-identical files.");
        var days = new Option<string>("--days") { Description = "Lactation days to sample, e.g. 30,31,32 or 30-39.", Required = true };
        var mother = CliOptions.Whole("--mother-id", "Sample cohort mother K (drawn from the population, as 'cohort run' does) instead of the scenario's own mother.", 0, "3");
        var events = CliOptions.Whole("--events", "Expected events per FCS file.", 1, "200000", 200_000);
        var panel = new Option<string>("--panel") { Description = "Panel to stain with: milk-basic or milk-leucocytes (or a panel file listing its stains).", DefaultValueFactory = _ => BuiltInPanels.Default };
        var breast = new Option<string?>("--breast") { Description = "Breast sampled: left or right (default: the breast of the scenario's one-breast illness, else left)." };
        var output = CliOptions.Out("Output folder for the FCS files, manifest.csv, panel.xml and truth.csv; created if absent, replaced only if it holds a previous MilkCells output.", required: true);
        var force = CliOptions.Force();
        var command = new Command("synthesize",
            "A virtual cytometer: sample a simulated mother's milk on the given days into counting tubes and write FCS 3.1 files, the manifest, the panel and truth.csv.")
        {
            scenario, seed, days, mother, events, panel, breast, output, force,
        };
        command.SetAction(parsed => RunSynthesize(new SynthesizeConfig(parsed.GetValue(scenario)!, parsed.GetValue(seed), ParseDays(parsed.GetValue(days)!),
            parsed.GetValue(mother), parsed.GetValue(events), parsed.GetValue(panel)!, parsed.GetValue(breast), parsed.GetValue(output)!, parsed.GetValue(force)), context));
        return command.WithExamples(
            "milkcells sample synthesize -s mastitis --seed 1 --days 36-47 --events 20000 -o tubes",
            "milkcells sample synthesize -s healthy --mother-id 3 --days 30,32,34 --panel milk-leucocytes -o healthy-tubes");
    }

    /// <summary>Parses <c>30,31,35-40</c> into ascending distinct days.</summary>
    internal static ImmutableArray<int> ParseDays(string text)
    {
        var where = InputLocation.AtElement(null, "--days");
        var days = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-', 1);
            if (dash > 0 && int.TryParse(part.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var a)
                && int.TryParse(part.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b >= a)
            {
                days.AddRange(Enumerable.Range(a, b - a + 1));
            }
            else if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var d))
            {
                days.Add(d);
            }
            else
            {
                throw new InputException(where, $"'{part}' is not a lactation day or a range FIRST-LAST", "for example --days 30,31,32 or --days 30-39");
            }
        }
        if (days.Count == 0)
        {
            throw new InputException(where, "no days given", "for example --days 30-39");
        }
        return [.. days.Distinct().OrderBy(d => d)];
    }

    internal static int RunSynthesize(SynthesizeConfig config, CliContext context)
    {
        var model = MilkModel.Embedded;
        var calibration = model.Calibrate(null);
        var scenario = ScenarioLoader.Load(config.Scenario, model);
        var panel = BuiltInPanels.Load(config.Panel, model);
        Breast? breast = config.Breast switch
        {
            null => null,
            "left" => Breast.Left,
            "right" => Breast.Right,
            _ => throw new InputException(InputLocation.AtElement(null, "--breast"), $"'{config.Breast}' is not a breast", "left or right"),
        };
        if (config.MotherId is < 0)
        {
            throw new InputException(InputLocation.AtElement(null, "--mother-id"), "a mother id counts from 0");
        }
        var request = new SynthesisRequest(scenario, config.Seed, config.Days, config.MotherId, config.Events, panel, breast);
        var settings = VirtualCytometerSettings.Default;
        using var folder = OutputFolder.Create(config.Out, config.Force);
        var samples = SampleSynthesizer.Synthesize(request, calibration, settings, context.Cancellation);
        FileSystemErrors.Guard(folder.Path, "cannot write", () => SampleOutputs.WriteSynthesis(samples, panel, model, folder.WorkPath,
            [new("MILKCELLS_SCENARIO", scenario.Name), new("MILKCELLS_SEED", config.Seed.ToString(CultureInfo.InvariantCulture))], context.Cancellation), "--out");
        context.Cancellation.ThrowIfCancellationRequested();
        folder.Commit();
        context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{samples.Length} FCS files ({panel.Name}, {ConsoleNumbers.Count(samples.Sum(s => (long)s.Acquisition.EventCount))} events) of {(config.MotherId is { } id ? $"cohort mother {id}" : $"scenario {scenario.Name}'s mother")}, seed {config.Seed}, days {string.Join(",", config.Days)} -> {folder.FullPath} (manifest.csv, panel.xml, truth.csv)"));
        return CliApp.Ok;
    }

    private static Command Panels(CliContext context)
    {
        var name = new Argument<string?>("PANEL") { Description = "A built-in panel or a Gating-ML file (default: every built-in panel).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("panels", "The built-in gating panels: their stains, gates, the model cell types each gate holds, and sources.")
        {
            name,
        };
        command.SetAction(parsed =>
        {
            var model = MilkModel.Embedded;
            var which = parsed.GetValue(name) is { } one ? [one] : BuiltInPanels.Names.ToArray();
            foreach (var p in which.Select(n => BuiltInPanels.Load(n, model)))
            {
                WritePanel(context.Output, p);
            }
            return CliApp.Ok;
        });
        return command.WithExamples("milkcells sample panels", "milkcells sample panels milk-leucocytes");
    }

    internal static void WritePanel(TextWriter o, Panel p)
    {
        o.WriteLine($"{p.Name}: {p.Title}");
        foreach (var source in p.Sources)
        {
            o.WriteLine($"  source: {source}");
        }
        if (!p.Stains.IsEmpty)
        {
            o.WriteLine("  stains: " + string.Join("; ", p.Stains.Select(s => $"{s.Marker} {s.Fluorochrome} ({s.Channel})")));
        }
        var rows = new List<string[]> { new[] { "gate", "parent", "role", "model cell types", "source" } };
        rows.AddRange(p.Populations.Select(x => new[]
        {
            x.Id, x.ParentId ?? "-", x.Role.ToString().ToLowerInvariant(), x.IsMapped ? string.Join(" ", x.CellTypes) : "(not mapped)", x.Source ?? "",
        }));
        var widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var r in rows)
        {
            o.WriteLine("  " + string.Join("  ", r.Take(4).Select((cell, c) => cell.PadRight(widths[c]))) + "  " + r[4]);
        }
        o.WriteLine();
    }
}
