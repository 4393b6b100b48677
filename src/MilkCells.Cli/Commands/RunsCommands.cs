using System.CommandLine;
using System.Globalization;
using MilkCells.Storage.Runs;

namespace MilkCells.Cli.Commands;

/// <summary><c>milkcells runs …</c>: the run store that <c>simulate</c> records into.</summary>
internal static class RunsCommands
{
    public static Command Create(CliContext context)
    {
        var runs = new Command("runs", $"Recorded simulate runs (default store: $MILKCELLS_HOME/runs.db, else $XDG_DATA_HOME/milkcells/runs.db, else ~/.local/share/milkcells/runs.db).");
        runs.Subcommands.Add(List(context));
        return runs;
    }

    private static Command List(CliContext context)
    {
        var store = new Option<string?>("--store") { Description = "The run store file (default: see 'milkcells runs --help')." };
        var limit = new Option<int>("--limit") { Description = "Show at most this many runs, newest first.", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "List recorded runs, newest first.");
        command.Options.Add(store);
        command.Options.Add(limit);
        command.SetAction(parsed =>
        {
            using var runs = RunStore.Open(parsed.GetValue(store));
            var records = runs.List(Math.Max(1, parsed.GetValue(limit)));
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
            foreach (var line in rows.Prepend(header))
            {
                context.Output.WriteLine(string.Join("  ", line.Select((cell, i) => i == line.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
            }
            return CliApp.Ok;
        });
        return command;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
