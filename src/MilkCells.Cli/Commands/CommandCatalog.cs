using System.CommandLine;

namespace MilkCells.Cli.Commands;

/// <summary>Every top-level command, one line per area. Each area keeps its commands in its own file.</summary>
internal static class CommandCatalog
{
    /// <summary>Each area's top-level command name, its one-line description and the function that builds its command tree.</summary>
    public static readonly Area[] Areas =
    [
        new(VersionCommand.Name, VersionCommand.Summary, VersionCommand.Create),
        new(SimulateCommands.Name, SimulateCommands.Summary, SimulateCommands.Create),
        new(CohortCommands.Name, CohortCommands.Summary, CohortCommands.Create),
        new(ReferenceCommands.Name, ReferenceCommands.Summary, ReferenceCommands.Create),
        new(RunsCommands.Name, RunsCommands.Summary, RunsCommands.Create),
        new(FcsCommands.Name, FcsCommands.Summary, FcsCommands.Create),
        new(SampleCommands.Name, SampleCommands.Summary, SampleCommands.Create),
        new(ModelCommands.Name, ModelCommands.Summary, ModelCommands.Create),
        new(EngineCommands.Name, EngineCommands.Summary, EngineCommands.Create),
        new(ScrnaCommands.Name, ScrnaCommands.Summary, ScrnaCommands.Create),
        new(ServeCommands.Name, ServeCommands.Summary, ServeCommands.Create),
    ];

    /// <summary>Every area's command.</summary>
    public static IEnumerable<Command> All(CliContext context) => Areas.Select(a => a.Create(context));

    /// <summary>The commands a command line needs: when its first word names an area, that area's command alone.</summary>
    /// <remarks>Building one area's tree instead of all eleven spares every run the loading of the other areas'
    /// libraries and the JIT of their option types (docs/performance.md, "Start-up"). A first word that names no area
    /// (root help, a misspelt command that gets "did you mean", a root option) needs only the areas' names and
    /// descriptions; a response file (<c>@file</c>) may hold any command line, so it gets every area's tree.</remarks>
    public static IEnumerable<Command> For(IReadOnlyList<string> args, CliContext context)
    {
        if (args is ["--version"])
        {
            return [];
        }
        if (args.Count > 0)
        {
            foreach (var area in Areas)
            {
                if (args[0] == area.Name)
                {
                    return [area.Create(context)];
                }
            }
            if (args[0].StartsWith('@'))
            {
                return All(context);
            }
        }
        return Areas.Select(a => new Command(a.Name, a.Summary));
    }
}

/// <summary>A top-level command: its name, its one-line description and the function that builds its tree.</summary>
/// <remarks>A class rather than a value tuple: collections of reference types share code that ReadyToRun has
/// compiled, where a tuple's would be JIT-compiled at start-up.</remarks>
internal sealed record Area(string Name, string Summary, Func<CliContext, Command> Create);
