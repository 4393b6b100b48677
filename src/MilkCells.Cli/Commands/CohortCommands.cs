using System.CommandLine;
using System.Globalization;
using MilkCells.Cli.Cohort;
using MilkCells.Core.Errors;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Cli.Commands;

/// <summary><c>milkcells cohort …</c>: run a cohort into a store, estimate a study's power, merge shard stores, export a store as canonical CSV, Parquet or Arrow.</summary>
internal static class CohortCommands
{
    /// <summary>The area's command name.</summary>
    public const string Name = "cohort";

    /// <summary>The area's one-line description (root help lists it without building the area).</summary>
    public const string Summary = "Cohorts of mother–infant pairs in stores: a path or sqlite:PATH, duckdb:PATH, parquet:DIR (Hive-partitioned Parquet files) or postgres://user:pass@host:port/db.";

    public static Command Create(CliContext context)
    {
        var cohort = new Command(Name, Summary);
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
        var store = CliOptions.Store("The store to export: a path or sqlite:PATH, duckdb:PATH, parquet:DIR or postgres://….", required: true);
        var output = CliOptions.Out("The file to write: .csv, .parquet or .arrow (- for standard output, CSV unless --format says otherwise).");
        var format = new Option<string?>("--format") { Description = "csv, parquet or arrow (default: from the file's extension).", HelpName = "FORMAT" };
        var csv = CliOptions.HiddenAlias("--csv");
        var command = new Command("export", "Write every row, sorted by mother then day, as canonical CSV, Parquet (typed, zstd, the run as metadata) or Arrow IPC; the same cohort gives the same bytes from any store.");
        command.Options.Add(store);
        command.Options.Add(output);
        command.Options.Add(format);
        command.Options.Add(csv);
        command.SetAction(parsed =>
        {
            var path = FcsCommands.OutPath(parsed, output, csv, "milkcells cohort export --store sqlite:cohort.db -o cohort.parquet");
            var kind = parsed.GetValue(csv) is not null && parsed.GetValue(output) is null
                ? ExportFormat.Csv
                : CohortExport.FormatOf(path, parsed.GetValue(format));
            StoreUri.Parse(parsed.GetValue(store)!);
            using var file = FileOutput.Open(context, path);
            using var source = CohortStore.OpenForRead(parsed.GetValue(store)!);
            var rows = CohortExport.Export(source, file.Stream, kind, context.Cancellation);
            file.Commit();
            if (!file.IsStandardOutput)
            {
                context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"wrote {ConsoleNumbers.Count(rows)} rows to {file.Describe} ({kind.ToString().ToLowerInvariant()}, {new FileInfo(file.Describe).Length / 1e6:0.0} MB)"));
            }
            return CliApp.Ok;
        });
        return command.WithExamples("milkcells cohort export --store sqlite:cohort.db -o cohort.csv", "milkcells cohort export --store sqlite:cohort.db -o cohort.parquet", "milkcells cohort export --store sqlite:cohort.db -o - | head -3");
    }
}
