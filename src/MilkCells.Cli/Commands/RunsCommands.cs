using System.CommandLine;
using System.Globalization;
using MilkCells.Core.Errors;
using MilkCells.Storage.Runs;

namespace MilkCells.Cli.Commands;

/// <summary><c>milkcells runs …</c>: the run store that <c>simulate</c> records into.</summary>
internal static class RunsCommands
{
    /// <summary>The area's command name.</summary>
    public const string Name = "runs";

    /// <summary>The area's one-line description (root help lists it without building the area).</summary>
    public const string Summary = "Recorded simulate runs (default store: $MILKCELLS_HOME/runs.db, else $XDG_DATA_HOME/milkcells/runs.db, else ~/.local/share/milkcells/runs.db).";

    public static Command Create(CliContext context)
    {
        var runs = new Command(Name, Summary);
        runs.Subcommands.Add(List(context));
        return runs;
    }

    private static Command List(CliContext context)
    {
        var store = CliOptions.Store("The run store, a SQLite file: PATH or sqlite:PATH (default: see 'milkcells runs --help').");
        var limit = CliOptions.Whole("--limit", "Show at most this many runs, newest first.", 1, "10", 50);
        var command = new Command("list", "List recorded runs, newest first, with the reason of each run that did not succeed.");
        command.Options.Add(store);
        command.Options.Add(limit);
        command.SetAction(parsed =>
        {
            var path = SimulateCommands.RunStorePath(parsed.GetValue(store));
            using var runs = RunStore.OpenExisting(path);
            if (runs is null)
            {
                if (path is not null)
                {
                    throw new InputException(InputLocation.InFile(path), "no run store here", "check --store; 'milkcells simulate --store PATH' records runs there");
                }
                context.Output.WriteLine($"no runs recorded yet ({RunStore.DefaultPath()} does not exist)");
                return CliApp.Ok;
            }
            var records = runs.List(parsed.GetValue(limit));
            if (records.Count == 0)
            {
                context.Output.WriteLine($"no runs recorded in {runs.Path}");
                return CliApp.Ok;
            }
            string[] header = ["id", "status", "scenario", "seed", "profile", "started (UTC)", "finished (UTC)", "output"];
            var rows = records.Select(r => new[]
            {
                r.Id.ToString(CultureInfo.InvariantCulture),
                r.Status.ToString().ToLowerInvariant(),
                r.Start.Scenario,
                r.Start.Seed.ToString(CultureInfo.InvariantCulture),
                r.Start.Profile,
                Time(r.Start.StartedAt),
                r.FinishedAt is { } f ? Time(f) : "-",
                r.Start.OutputFolder,
            }).ToList();
            var widths = header.Select((h, i) => rows.Max(r => r[i].Length) is var w && w > h.Length ? w : h.Length).ToArray();
            string Line(string[] cells) => string.Join("  ", cells.Select((cell, i) => i == cells.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd();
            context.Output.WriteLine(Line(header));
            foreach (var (record, row) in records.Zip(rows))
            {
                context.Output.WriteLine(Line(row));
                if (record.Status is RunStatus.Failed or RunStatus.Interrupted)
                {
                    var reason = record.Summary ?? (record.FinishedAt is null ? "its process ended without recording why (killed?)" : "no reason recorded");
                    context.Output.WriteLine($"{new string(' ', widths[0] + 2)}reason: {reason.ReplaceLineEndings(" ")}");
                }
            }
            return CliApp.Ok;
        });
        return command.WithExamples("milkcells runs list --limit 5", "milkcells runs list --store runs.db");
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
