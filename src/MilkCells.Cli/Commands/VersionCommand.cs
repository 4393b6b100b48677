using System.CommandLine;

namespace MilkCells.Cli.Commands;

/// <summary><c>milkcells version</c>: the code version, runtime and machine.</summary>
internal static class VersionCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("version", "Print the MilkCells version, the .NET runtime and the core count.");
        command.SetAction(_ =>
        {
            context.Output.WriteLine($"milkcells {CodeVersion()}");
            context.Output.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
            return CliApp.Ok;
        });
        return command.WithExamples("milkcells version", "milkcells --version");
    }

    /// <summary>The informational version of the running code (version plus source revision when built from git).</summary>
    public static string CodeVersion() => Workflows.CodeVersion.Current;
}
