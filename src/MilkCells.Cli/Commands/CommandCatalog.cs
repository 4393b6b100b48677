using System.CommandLine;

namespace MilkCells.Cli.Commands;

/// <summary>Every top-level command, one line per area. Each area keeps its commands in its own file.</summary>
internal static class CommandCatalog
{
    /// <summary>Each area's top-level command name and the function that builds its command tree.</summary>
    public static readonly IReadOnlyList<(string Name, Func<CliContext, Command> Create)> Areas =
    [
        ("version", VersionCommand.Create),
        ("simulate", SimulateCommands.Create),
        ("cohort", CohortCommands.Create),
        ("reference", ReferenceCommands.Create),
        ("runs", RunsCommands.Create),
        ("fcs", FcsCommands.Create),
        ("sample", SampleCommands.Create),
        ("model", ModelCommands.Create),
        ("engine", EngineCommands.Create),
        ("scrna", ScrnaCommands.Create),
        ("serve", ServeCommands.Create),
    ];

    /// <summary>Every area's command.</summary>
    public static IEnumerable<Command> All(CliContext context) => Areas.Select(a => a.Create(context));

    /// <summary>The commands a command line needs: when its first word names an area, that area's command alone.</summary>
    /// <remarks>Building one area's tree instead of all eleven spares every run the loading of the other areas'
    /// libraries and the JIT of their option types (docs/performance.md, "Start-up"). A first word that names no area
    /// (root help, a misspelt command that gets "did you mean") builds them all.</remarks>
    public static IEnumerable<Command> For(IReadOnlyList<string> args, CliContext context)
    {
        if (args is ["--version"])
        {
            return [];
        }
        foreach (var (name, create) in Areas)
        {
            if (args.Count > 0 && args[0] == name)
            {
                return [create(context)];
            }
        }
        return All(context);
    }
}
