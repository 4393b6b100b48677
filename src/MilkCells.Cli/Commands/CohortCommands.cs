using System.CommandLine;
using MilkCells.Cli.Cohort;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Cli.Commands;

/// <summary><c>milkcells cohort …</c>: run a cohort into a store, estimate a study's power, merge shard stores, export a store as canonical CSV.</summary>
internal static class CohortCommands
{
    public static Command Create(CliContext context)
    {
        var cohort = new Command("cohort", "Cohorts of mother–infant pairs in SQLite or PostgreSQL stores (sqlite:PATH, or postgres://user:pass@host:port/db).");
        cohort.Subcommands.Add(CohortRunCommand.Create(context));
        cohort.Subcommands.Add(CohortPowerCommand.Create(context));
        cohort.Subcommands.Add(Merge(context));
        cohort.Subcommands.Add(Export(context));
        return cohort;
    }

    private static Command Merge(CliContext context)
    {
        var into = new Option<string>("--into") { Description = "The store to merge into (created when missing).", Required = true };
        var shards = new Argument<string[]>("SHARD_URI") { Description = "The shard stores to merge.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("merge", "Merge shard stores of one run into one store; mothers already there are skipped, so a merge can be repeated.");
        command.Options.Add(into);
        command.Arguments.Add(shards);
        command.SetAction(parsed =>
        {
            using var target = CohortStore.OpenForWrite(parsed.GetValue(into)!);
            var summary = CohortMerge.Merge(target, parsed.GetValue(shards)!, cancellation: context.Cancellation);
            context.Output.WriteLine($"merged into {target.Name}: {summary.MothersCopied} mothers copied, {summary.MothersSkipped} already present");
            context.Output.WriteLine($"{summary.MothersPresent} of {summary.MothersExpected} mothers complete; shards {string.Join(", ", summary.Shards)}");
            return CliApp.Ok;
        });
        return command;
    }

    private static Command Export(CliContext context)
    {
        var store = new Option<string>("--store") { Description = "The store to export.", Required = true };
        var csv = new Option<string>("--csv") { Description = "The CSV file to write ('-' for standard output).", Required = true };
        var command = new Command("export", "Write every row, sorted by mother then day, as canonical CSV (byte-identical for equal rows).");
        command.Options.Add(store);
        command.Options.Add(csv);
        command.SetAction(parsed =>
        {
            using var source = CohortStore.OpenForRead(parsed.GetValue(store)!);
            var path = parsed.GetValue(csv)!;
            if (path == "-")
            {
                context.Output.Flush();
                using var stdout = Console.OpenStandardOutput();
                CohortCsv.Export(source, stdout, cancellation: context.Cancellation);
                return CliApp.Ok;
            }
            var rows = CohortCsv.ExportToFile(source, path, cancellation: context.Cancellation);
            context.Output.WriteLine($"wrote {rows} rows to {Path.GetFullPath(path)}");
            return CliApp.Ok;
        });
        return command;
    }
}
