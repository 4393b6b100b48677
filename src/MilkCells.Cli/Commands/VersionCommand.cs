using System.CommandLine;

namespace MilkCells.Cli.Commands;

/// <summary><c>milkcells version</c>: the code version, runtime and machine.</summary>
internal static class VersionCommand
{
    /// <summary>The area's command name.</summary>
    public const string Name = "version";

    /// <summary>The area's one-line description (root help lists it without building the area).</summary>
    public const string Summary = "Print the MilkCells version, the .NET runtime and the core count.";

    public static Command Create(CliContext context)
    {
        var command = new Command(Name, Summary);
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
