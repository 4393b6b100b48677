using System.CommandLine;
using MilkCells.Cli.Commands;
using MilkCells.Core.Errors;
using Spectre.Console;

namespace MilkCells.Cli;

/// <summary>Builds the command tree and runs it, mapping every failure to a clear message and an exit code.</summary>
/// <remarks>
/// Exit codes: 0 success; 1 internal error (a bug: the message asks for a report); 2 bad input or usage
/// (a file, a scenario, an option); 130 interrupted. No stack trace is printed unless MILKCELLS_DEBUG=1.
/// </remarks>
public static class CliApp
{
    public const int Ok = 0;
    public const int InternalError = 1;
    public const int BadInput = 2;
    public const int Interrupted = 130;

    /// <summary>The root command with every area's subcommands.</summary>
    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("MilkCells: model, simulate, measure and interpret the living cells of human milk.");
        foreach (var command in CommandCatalog.All(context))
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given streams; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var context = new CliContext(output, error, cancellation.Token);
            var root = BuildRoot(context);
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var problem in parsed.Errors)
                {
                    error.WriteLine($"error: {problem.Message}");
                }
                error.WriteLine("Run 'milkcells --help' (or the command with --help) for usage.");
                return BadInput;
            }
            return parsed.Invoke(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                Output = output,
                Error = error,
            });
        }
        catch (Exception ex)
        {
            return Report(ex, error);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Writes one clear message for <paramref name="ex"/> and returns the exit code it maps to.</summary>
    public static int Report(Exception ex, TextWriter error)
    {
        var debug = Environment.GetEnvironmentVariable("MILKCELLS_DEBUG") == "1";
        switch (Unwrap(ex))
        {
            case InputException input:
                error.WriteLine($"error: {input.Message}");
                if (debug)
                {
                    error.WriteLine(input);
                }
                return BadInput;
            case OperationCanceledException:
                error.WriteLine("interrupted: nothing half-written was kept.");
                return Interrupted;
            case var other:
                error.WriteLine($"internal error: {other.GetType().Name}: {other.Message}");
                error.WriteLine(debug ? other.ToString() : "This is a bug in MilkCells; please report it with the command you ran (MILKCELLS_DEBUG=1 shows details).");
                return InternalError;
        }
    }

    private static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } agg)
        {
            ex = agg.InnerExceptions[0];
        }
        return ex is System.Reflection.TargetInvocationException { InnerException: { } inner } ? Unwrap(inner) : ex;
    }
}

/// <summary>What every command handler is given: where to write, and a token that fires on Ctrl+C.</summary>
public sealed record CliContext(TextWriter Output, TextWriter Error, CancellationToken Cancellation)
{
    /// <summary>A Spectre console over <see cref="Output"/> for tables: no colour, no ANSI, fixed width (stable text).</summary>
    internal IAnsiConsole PlainConsole(int width) => PlainConsole(Output, width);

    /// <summary>A Spectre console over <paramref name="output"/> for tables: no colour, no ANSI, fixed width.</summary>
    internal static IAnsiConsole PlainConsole(TextWriter output, int width)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        return console;
    }
}
