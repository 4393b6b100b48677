using System.CommandLine;

namespace MilkCells.Cli.Commands;

/// <summary>Every top-level command, one line per area. Each area keeps its commands in its own file.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All(CliContext context)
    {
        yield return VersionCommand.Create(context);
        yield return SimulateCommands.Create(context);
        yield return CohortCommands.Create(context);
        yield return ReferenceCommands.Create(context);
        yield return RunsCommands.Create(context);
        yield return FcsCommands.Create(context);
        yield return SampleCommands.Create(context);
        yield return ModelCommands.Create(context);
        yield return EngineCommands.Create(context);
        yield return ScrnaCommands.Create(context);
        yield return ServeCommands.Create(context);
    }
}
