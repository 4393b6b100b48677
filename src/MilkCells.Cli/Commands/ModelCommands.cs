using System.CommandLine;
using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Derivation;
using MilkCells.Model.Scenarios;
using MilkCells.Model.Structure;
using Spectre.Console;

namespace MilkCells.Cli.Commands;

/// <summary><c>milkcells model show|validate|schema</c>: the model's data, sources and scenario checking.</summary>
internal static class ModelCommands
{
    /// <summary>The area's command name.</summary>
    public const string Name = "model";

    /// <summary>The area's one-line description (root help lists it without building the area).</summary>
    public const string Summary = "The milk model: its cell types, stages, parameters with sources, and scenario validation.";

    public static Command Create(CliContext context)
    {
        var command = new Command(Name, Summary);
        command.Subcommands.Add(Show(context));
        command.Subcommands.Add(Validate(context));
        command.Subcommands.Add(Schema(context));
        command.Subcommands.Add(ExportSbml(context));
        return command;
    }

    private static Option<string?> DataOption() => new("--data")
    {
        Description = "Load the model from this folder of data/*.yaml files instead of the built-in copy.",
    };

    private static MilkModel Load(string? data)
    {
        if (data is null)
        {
            return MilkModel.Embedded;
        }
        Core.Files.InputFiles.RequireFolder(data, "model data folder", "--data");
        return MilkModel.LoadFrom(data);
    }

    private static Command Show(CliContext context)
    {
        var profile = CliOptions.Profile();
        var data = DataOption();
        var command = new Command("show", "Print cell types, stages, health states and every parameter with its source.") { profile, data };
        command.SetAction(parsed =>
        {
            var model = Load(parsed.GetValue(data)).Calibrate(parsed.GetValue(profile));
            var console = Console(context.Output);
            Render(console, model);
            return CliApp.Ok;
        });
        return command.WithExamples("milkcells model show", "milkcells model show --profile lay-claims");
    }

    private static Command Validate(CliContext context)
    {
        var scenarioOption = new Option<string?>("--scenario", "-s") { Description = "A built-in scenario name or a scenario file (YAML).", HelpName = "NAME|FILE" };
        var positional = new Argument<string?>("scenario") { Arity = ArgumentArity.ZeroOrOne, Hidden = true };
        var data = DataOption();
        var command = new Command("validate", "Check a scenario against the model; every problem is reported with file, line, key and a hint.") { scenarioOption, positional, data };
        command.SetAction(parsed =>
        {
            var name = parsed.GetValue(scenarioOption) ?? parsed.GetValue(positional)
                ?? throw new InputException(InputLocation.AtElement(null, "--scenario"), "model validate needs a scenario", "milkcells model validate -s mastitis");
            var model = Load(parsed.GetValue(data));
            var scenario = ScenarioLoader.Load(name, model);
            context.Output.WriteLine($"{scenario.Origin}: valid scenario '{scenario.Name}'");
            context.Output.WriteLine($"  lactation days {scenario.StartDay}–{scenario.LastDay} ({scenario.DurationDays:0.##} days), output every {scenario.ResolutionHours:0.##} h");
            context.Output.WriteLine($"  mother: {scenario.Mother.Mode.ToString().ToLowerInvariant()}; feeding: {scenario.Feeding.Mode switch { FeedingMode.OnDemand => "on-demand", var mode => mode.ToString().ToLowerInvariant() }}");
            context.Output.WriteLine($"  {scenario.Events.Length} events, {scenario.Containers.Length} containers, {scenario.ParameterOverrides.Length} parameter settings");
            foreach (var e in scenario.Events)
            {
                context.Output.WriteLine($"    day {scenario.DayAt(e.Hours):0.##}: {e.Label}");
            }
            return CliApp.Ok;
        });
        return command.WithExamples("milkcells model validate -s mastitis", "milkcells model validate -s scenarios/donor-milk.yaml");
    }

    private static Command Schema(CliContext context)
    {
        var output = CliOptions.Out("Where to write the schema: a file, or - for standard output (the default).");
        output.DefaultValueFactory = _ => "-";
        var command = new Command("schema", "Write the JSON Schema of scenario files.") { output };
        command.SetAction(parsed =>
        {
            using var file = FileOutput.Open(context, parsed.GetValue(output)!);
            file.WriteText(w => w.WriteLine(ScenarioLoader.JsonSchema()));
            if (!file.IsStandardOutput)
            {
                context.Error.WriteLine($"wrote {file.Describe}");
            }
            return CliApp.Ok;
        });
        return command.WithExamples("milkcells model schema -o scenario.schema.json", "milkcells model schema");
    }

    private static Command ExportSbml(CliContext context)
    {
        var scenario = CliOptions.Scenario();
        var profile = CliOptions.Profile();
        var seed = CliOptions.Seed("Seed of the run plan whose driver schedule is exported.");
        var output = CliOptions.Out("The SBML file to write (e.g. model.xml), or - for standard output.");
        var positional = new Argument<string?>("out") { Arity = ArgumentArity.ZeroOrOne, Hidden = true };
        var command = new Command("export-sbml", "Write the compiled network of a scenario as SBML Level 3 Version 2, every parameter's source as annotations (for COPASI, GillesPy2).")
        {
            scenario, profile, seed, output, positional,
        };
        command.SetAction(parsed =>
        {
            var path = parsed.GetValue(output) ?? parsed.GetValue(positional)
                ?? throw new InputException(InputLocation.AtElement(null, "--out"), "model export-sbml needs a file to write", "milkcells model export-sbml -s mastitis -o mastitis.xml");
            using var file = FileOutput.Open(context, path);
            var model = MilkModel.Embedded;
            var plan = MilkCells.Model.Planning.RunPlanner.Plan(model.Calibrate(parsed.GetValue(profile)), ScenarioLoader.Load(parsed.GetValue(scenario)!, model), parsed.GetValue(seed));
            var network = MilkCells.Simulation.EngineMapping.ToEngine(plan);
            var xml = MilkCells.Sbml.SbmlExporter.Write(network);
            var errors = MilkCells.Sbml.SbmlExporter.Validate(xml).Where(i => i.IsError).ToArray();
            if (errors.Length > 0)
            {
                throw new InvalidOperationException($"libSBML found {errors.Length} errors in the exported model, first: line {errors[0].Line}: {errors[0].Message}");
            }
            file.WriteText(w => w.Write(xml));
            context.Error.WriteLine($"{file.Describe}: SBML L3V2 of '{plan.Scenario.Name}' ({plan.Network.ProfileMarking}): {network.Species.Count} species, " +
                $"{network.Reactions.Count} reactions, {network.Parameters.Count} parameters with sources, {network.Drivers.Count} drivers " +
                $"({plan.DriverChanges.Length} scheduled changes); libSBML: no errors. Feeds and other interventions are host events, not in the file.");
            return CliApp.Ok;
        });
        return command.WithExamples("milkcells model export-sbml -s mastitis -o mastitis.xml");
    }

    private static IAnsiConsole Console(TextWriter output) => CliContext.PlainConsole(output, 240);

    private static void Render(IAnsiConsole console, CalibratedModel model)
    {
        var m = model.Model;
        console.WriteLine($"MilkCells model {m.Version}; profile '{model.Profile.Id}': {model.Profile.Marking}");
        console.WriteLine();

        var cells = new Table().Title("Cell types (each tracked alive and dead)")
            .AddColumns("id", "name", "class", "origin", "Cell Ontology", "protein markers", "gene markers");
        foreach (var t in m.CellTypes)
        {
            var cl = t.CellOntology is { } term ? $"{term.Id} {term.Label} ({term.Match.ToString().ToLowerInvariant()})" : "—";
            cells.AddRow(Esc(t.Id), Esc(t.Name), t.ClassKey, t.Origin.ToString(), Esc(cl), Esc(string.Join(", ", t.ProteinMarkers)), Esc(string.Join(", ", t.GeneMarkers)));
        }
        console.Write(cells);

        var stages = new Table().Title("Stages").AddColumns("id", "name", "days");
        foreach (var s in m.Stages)
        {
            stages.AddRow(s.Id, Esc(s.Name), s.AfterWeaning ? "after weaning" : $"{s.FirstDay}–{s.LastDay}");
        }
        console.Write(stages);

        var health = new Table().Title("Health states (severity: mild, moderate, severe)").AddColumns("id", "scope", "description");
        foreach (var h in m.HealthStates)
        {
            health.AddRow(h.Id, h.Scope.ToString().ToLowerInvariant(), Esc(h.Description));
        }
        console.Write(health);

        var parameters = new Table().Title("Parameters (values in canonical units)")
            .AddColumns("id", "value", "unit", "confidence", "era", "source");
        foreach (var p in model.Parameters.Values)
        {
            var id = model.IsOverridden(p.Id) ? $"{p.Id} [{model.Profile.Id}]" : p.Id;
            var source = string.Join(", ", p.SourceIds) + (p.Where is null ? "" : $" ({p.Where})");
            parameters.AddRow(Esc(id), Esc(p.Display()), Esc(UnitSpec.CanonicalText(p.Unit)), p.Provenance.Confidence.ToString(),
                p.Provenance.Era.ToString(), Esc(Shorten(source)));
        }
        console.Write(parameters);
        console.WriteLine("Sources (assumption: no source, the parameter's note gives the reasoning):");
        foreach (var s in m.Sources)
        {
            var where = s.Evidence is not null ? $"evidence table {s.Evidence}" : s.Found is not null ? $"read at {s.Found}" : "definition";
            console.WriteLine($"  {s.Id}: {s.Cite()} [{where}]");
        }
        console.WriteLine();

        var derived = DerivedParameters.From(model);
        var derivedTable = new Table().Title("Derived parameters (docs/model.md)").AddColumns("id", "value", "unit", "confidence", "formula");
        foreach (var p in derived.All.Values)
        {
            derivedTable.AddRow(Esc(p.Id), Esc(p.Display()), Esc(UnitSpec.CanonicalText(p.Unit)), p.Provenance.Confidence.ToString(), Esc(p.Note ?? ""));
        }
        console.Write(derivedTable);

        var network = NetworkBuilder.Build(model, derived, []);
        console.WriteLine($"Network (no containers): {network.Species.Length} species, {network.Reactions.Length} reactions, {network.Drivers.Length} drivers, {network.Parameters.Length} constants.");
        console.WriteLine($"Built-in scenarios: {string.Join(", ", ScenarioLoader.BuiltInNames)} (default: {ScenarioLoader.DefaultName}).");
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..157] + "...";

    private static string Esc(string text) => Markup.Escape(text);
}
