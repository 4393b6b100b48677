using System.CommandLine;
using MilkCells.Cli.Cohort;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Cli.Commands;

/// <summary><c>milkcells cohort …</c>: run a cohort into a store, estimate a study's power, merge shard stores, export a store as canonical CSV.</summary>
internal static class CohortCommands
{
    public static Command Create(CliContext context)
    {
        var cohort = new Command("cohort", "Cohorts of mother–infant pairs in SQLite or PostgreSQL stores (a path or sqlite:PATH, or postgres://user:pass@host:port/db).");
        cohort.Subcommands.Add(CohortRunCommand.Create(context));
        cohort.Subcommands.Add(CohortPowerCommand.Create(context));
        cohort.Subcommands.Add(Merge(context));
        cohort.Subcommands.Add(Export(context));
        return cohort;
    }

    private static Command Merge(CliContext context)
    {
        var store = CliOptions.Store("The store to merge into (created when missing; its folder must exist).");
        var into = CliOptions.HiddenAlias("--into");
        var shards = new Argument<string[]>("SHARD_STORE") { Description = "The shard stores to merge.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("merge", "Merge shard stores of one run into one store; mothers already there are skipped, so a merge can be repeated.");
        command.Options.Add(store);
        command.Options.Add(into);
        command.Arguments.Add(shards);
        command.SetAction(parsed =>
        {
            var target = parsed.GetValue(store) ?? parsed.GetValue(into)
                ?? throw new Core.Errors.InputException(Core.Errors.InputLocation.AtElement(null, "--store"), "cohort merge needs the store to merge into",
                    "milkcells cohort merge --store sqlite:merged.db sqlite:shard0.db sqlite:shard1.db");
            var sources = parsed.GetValue(shards)!;
            foreach (var shard in sources)
            {
                // Every shard is opened (and so checked) before the target is created.
                using var check = CohortStore.OpenForRead(shard);
            }
            using var merged = CohortStore.OpenForWrite(target);
            var summary = CohortMerge.Merge(merged, sources, cancellation: context.Cancellation);
            context.Error.WriteLine($"merged into {merged.Name}: {summary.MothersCopied} mothers copied, {summary.MothersSkipped} already present");
            context.Error.WriteLine($"{summary.MothersPresent} of {summary.MothersExpected} mothers complete; shards {string.Join(", ", summary.Shards)}");
            return CliApp.Ok;
        });
        return command.WithExamples("milkcells cohort merge --store sqlite:merged.db sqlite:shard0.db sqlite:shard1.db");
    }

    private static Command Export(CliContext context)
    {
        var store = CliOptions.Store("The store to export.", required: true);
        var output = CliOptions.Out("The CSV file to write (- for standard output).");
        var csv = CliOptions.HiddenAlias("--csv");
        var command = new Command("export", "Write every row, sorted by mother then day, as canonical CSV (byte-identical for equal rows).");
        command.Options.Add(store);
        command.Options.Add(output);
        command.Options.Add(csv);
        command.SetAction(parsed =>
        {
            var path = FcsCommands.OutPath(parsed, output, csv, "milkcells cohort export --store sqlite:cohort.db -o cohort.csv");
            StoreUri.Parse(parsed.GetValue(store)!);
            using var file = FileOutput.Open(context, path);
            using var source = CohortStore.OpenForRead(parsed.GetValue(store)!);
            var rows = CohortCsv.Export(source, file.Stream, cancellation: context.Cancellation);
            file.Commit();
            if (!file.IsStandardOutput)
            {
                context.Error.WriteLine($"wrote {ConsoleNumbers.Count(rows)} rows to {file.Describe}");
            }
            return CliApp.Ok;
        });
        return command.WithExamples("milkcells cohort export --store sqlite:cohort.db -o cohort.csv", "milkcells cohort export --store sqlite:cohort.db -o - | head -3");
    }
}
