using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;
using MilkCells.Cli.Commands;
using MilkCells.Core.Errors;
using MilkCells.Core.Files;
using MilkCells.Model.Yaml;
using Spectre.Console;

namespace MilkCells.Cli;

/// <summary>Builds the command tree and runs it, mapping every failure to one clear line and an exit code.</summary>
/// <remarks>
/// Exit codes: 0 success; 1 a defect in MilkCells (the message asks for a report); 2 anything the user can fix — a bad
/// option, a missing or malformed file, a file where a folder is wanted, an unwritable or full destination; 130
/// interrupted. Errors are one line, <c>error: PLACE: PROBLEM (hint: …)</c>; no stack trace unless MILKCELLS_DEBUG=1.
/// The vocabulary and conventions are in docs/cli.md.
/// </remarks>
public static class CliApp
{
    public const int Ok = 0;
    public const int InternalError = 1;
    public const int BadInput = 2;
    public const int Interrupted = 130;

    /// <summary>The root command with every area's subcommands, and help that ends with each command's examples.</summary>
    public static RootCommand BuildRoot(CliContext context) => BuildRoot(context, CommandCatalog.All(context));

    /// <summary>The root command with the given area commands (<see cref="CommandCatalog.For"/>: only those a command line needs).</summary>
    public static RootCommand BuildRoot(CliContext context, IEnumerable<Command> commands)
    {
        var root = new RootCommand("MilkCells: model, simulate, measure and interpret the living cells of human milk.");
        foreach (var command in commands)
        {
            root.Subcommands.Add(command);
        }
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            help.Action = new HelpWithExamples((HelpAction)help.Action!);
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
            EngineCommands.WarmUpEarly(args);
            var context = new CliContext(output, error, cancellation.Token);
            var root = BuildRoot(context, CommandCatalog.For(args, context));
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0 && parsed.Action is not HelpWithExamples)
            {
                error.WriteLine($"error: {ParseErrors.Describe(parsed)}");
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
            output.Flush();
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
            case var io when FileSystemErrors.IsFileSystemFault(io):
                // A file-system fault no edge mapped (a path .NET names in its message): still the user's to fix.
                error.WriteLine($"error: {io.Message.TrimEnd('.')} (hint: check the path, its permissions and the free space)");
                if (debug)
                {
                    error.WriteLine(io);
                }
                return BadInput;
            case var other:
                error.WriteLine($"internal error: {other.GetType().Name}: {other.Message}");
                error.WriteLine(debug ? other.ToString() : "This is a defect in MilkCells; please report it with the command you ran (MILKCELLS_DEBUG=1 shows details).");
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

    /// <summary>The default help, then the command's examples (every command has at least one; a test runs them).</summary>
    private sealed class HelpWithExamples(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var code = inner.Invoke(parseResult);
            var examples = CliExamples.Of(parseResult.CommandResult.Command);
            if (examples.Count > 0)
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                foreach (var example in examples)
                {
                    output.WriteLine($"  {example}");
                }
                output.WriteLine();
            }
            return code;
        }
    }
}

/// <summary>Each command's examples, shown at the end of its help and run by a test.</summary>
internal static class CliExamples
{
    private static readonly ConditionalWeakTable<Command, List<string>> Table = [];

    /// <summary>Adds examples (full command lines starting with <c>milkcells</c>) to <paramref name="command"/>.</summary>
    public static T WithExamples<T>(this T command, params string[] examples) where T : Command
    {
        Table.GetOrCreateValue(command).AddRange(examples);
        return command;
    }

    /// <summary>The examples of <paramref name="command"/>.</summary>
    public static IReadOnlyList<string> Of(Command command) => Table.TryGetValue(command, out var list) ? list : [];
}

/// <summary>Turns System.CommandLine's parse errors into one line in the command's own terms.</summary>
internal static class ParseErrors
{
    public static string Describe(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        var path = CommandPath(parsed);
        var unmatched = parsed.UnmatchedTokens;
        if (unmatched.Count > 0)
        {
            var token = unmatched[0];
            if (token.StartsWith('-') && token.Length > 1 && !double.TryParse(token, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                var name = token.Split('=', 2)[0];
                var known = command.Options.Concat(AncestorRecursiveOptions(parsed)).Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Distinct();
                var suggestion = Spelling.Suggest(name, known);
                return $"{Prefix(path)}unknown option '{name}' (hint: {(suggestion is null ? $"see 'milkcells {path} --help'".Replace("milkcells  ", "milkcells ") : $"did you mean '{suggestion}'?")})";
            }
            if (command.Subcommands.Count > 0 && command.Arguments.Count == 0)
            {
                var suggestion = Spelling.Suggest(token, command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
                var group = path.Length == 0 ? "milkcells" : $"milkcells {path}";
                return $"'{token}' is not a {group} command (hint: {(suggestion is null ? $"one of: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}" : $"did you mean '{suggestion}'?")})";
            }
            return $"{Prefix(path)}unexpected argument '{token}' (hint: see 'milkcells {path} --help')";
        }
        if (command.Subcommands.Count > 0 && command.Action is null)
        {
            var group = path.Length == 0 ? "milkcells" : $"milkcells {path}";
            return $"{group} needs a command: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))} (hint: {group} --help)";
        }
        foreach (var option in command.Options.Where(o => o.Required))
        {
            if (parsed.GetResult(option) is not { Tokens.Count: > 0 } && parsed.Errors.Any(e => e.Message.Contains($"'{option.Name}'", StringComparison.Ordinal)))
            {
                return $"{Prefix(path)}{option.Name} is required (hint: {Example(command) ?? $"milkcells {path} --help"})";
            }
        }
        foreach (var argument in command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0 && !a.Hidden))
        {
            if (parsed.GetResult(argument) is not { Tokens.Count: > 0 })
            {
                return $"{Prefix(path)}{argument.Name} is required (hint: {Example(command) ?? $"milkcells {path} --help"})";
            }
        }
        // Our own parsers' messages are already in the option's terms ("--days: 'abc' is not a whole number (hint: …)").
        var first = parsed.Errors[0].Message;
        return first.StartsWith("--", StringComparison.Ordinal) ? first : $"{Prefix(path)}{first.TrimEnd('.')}";
    }

    private static string Prefix(string path) => path.Length == 0 ? "" : path + ": ";

    private static string? Example(Command command) => CliExamples.Of(command) is { Count: > 0 } examples ? examples[0] : null;

    private static IEnumerable<Option> AncestorRecursiveOptions(ParseResult parsed)
    {
        for (var r = parsed.CommandResult.Parent as System.CommandLine.Parsing.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            foreach (var o in r.Command.Options.Where(o => o.Recursive))
            {
                yield return o;
            }
        }
    }

    /// <summary>The command's path below the root, e.g. <c>fcs gate</c>.</summary>
    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var r = parsed.CommandResult; r is not null && r.Parent is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(r.Command.Name);
        }
        names.Reverse();
        return string.Join(' ', names);
    }
}

/// <summary>What every command handler is given: where to write, and a token that fires on Ctrl+C.</summary>
/// <param name="Output">Standard output: data only (the <c>-o -</c> stream, or the printout that is the command's product).</param>
/// <param name="Error">Standard error: progress, summaries, warnings and errors — everything meant for a person.</param>
/// <param name="Cancellation">Fires on Ctrl+C.</param>
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

    /// <summary>A console for live progress on standard error when it is a terminal, else null (then progress is plain lines).</summary>
    internal IAnsiConsole? ProgressConsole()
    {
        if (!ReferenceEquals(Error, Console.Error) || Console.IsErrorRedirected)
        {
            return null;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Profile.Capabilities.Interactive ? console : null;
    }
}
