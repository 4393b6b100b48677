using System.CommandLine;
using System.Globalization;
using MilkCells.Cli.Cohort;
using MilkCells.Core.Errors;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Cli.Commands;

/// <summary><c>milkcells cohort …</c>: run a cohort into a store, estimate a study's power, merge shard stores, export a store as canonical CSV.</summary>
internal static class CohortCommands
{
    public static Command Create(CliContext context)
    {
        var cohort = new Command("cohort", "Cohorts of mother–infant pairs in stores: sqlite:PATH (or a path), duckdb:PATH, parquet:DIR (Hive-partitioned Parquet files) or postgres://user:pass@host:port/db.");
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
        var store = new Option<string>("--store") { Description = "The store to export: sqlite:PATH, duckdb:PATH, parquet:DIR or postgres://….", Required = true };
        var output = new Option<string?>("--out", "-o") { Description = "The file to write: .csv, .parquet or .arrow ('-' for standard output, CSV unless --format says otherwise)." };
        var format = new Option<string?>("--format") { Description = "csv, parquet or arrow (default: from the file's extension)." };
        var csv = new Option<string?>("--csv") { Description = "The CSV file to write (older spelling of -o FILE.csv).", Hidden = true };
        var command = new Command("export", "Write every row, sorted by mother then day, as canonical CSV, Parquet (typed, zstd, the run as metadata) or Arrow IPC; the same cohort gives the same bytes from any store.");
        command.Options.Add(store);
        command.Options.Add(output);
        command.Options.Add(format);
        command.Options.Add(csv);
        command.SetAction(parsed =>
        {
            var path = parsed.GetValue(output) ?? parsed.GetValue(csv)
                ?? throw new InputException(InputLocation.AtElement(null, "--out"), "no output file given", "milkcells cohort export --store sqlite:cohort.db -o cohort.parquet");
            var kind = parsed.GetValue(csv) is not null && parsed.GetValue(output) is null
                ? ExportFormat.Csv
                : CohortExport.FormatOf(path, parsed.GetValue(format));
            using var source = CohortStore.OpenForRead(parsed.GetValue(store)!);
            if (path == "-")
            {
                context.Output.Flush();
                using var stdout = Console.OpenStandardOutput();
                CohortExport.Export(source, stdout, kind, context.Cancellation);
                return CliApp.Ok;
            }
            var rows = CohortExport.ExportToFile(source, path, kind, context.Cancellation);
            var full = Path.GetFullPath(path);
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {rows} rows to {full} ({kind.ToString().ToLowerInvariant()}, {new FileInfo(full).Length / 1e6:0.0} MB)"));
            return CliApp.Ok;
        });
        return command;
    }
}
