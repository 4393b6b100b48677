using System.CommandLine;
using System.Globalization;
using MilkCells.Cli.Cohort;
using MilkCells.Cohorts.Reference;
using MilkCells.Core.Errors;
using MilkCells.Core.Files;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Cli.Commands;

/// <summary><c>milkcells reference build</c>: percentile reference ranges from a cohort store, as CSV and plots.</summary>
internal static class ReferenceCommands
{
    /// <summary>The area's command name.</summary>
    public const string Name = "reference";

    /// <summary>The area's one-line description (root help lists it without building the area).</summary>
    public const string Summary = "Reference ranges of milk cells from simulated cohorts.";

    public static Command Create(CliContext context)
    {
        var reference = new Command(Name, Summary);
        var store = CliOptions.Store("The cohort store (complete: every mother of the run).", required: true);
        var output = CliOptions.Out("Output folder for reference.csv and report.html; created if absent, replaced only if it holds a previous MilkCells output.", required: true);
        var force = CliOptions.Force();
        var windows = new Option<string>("--windows") { Description = "Lactation-day windows FIRST-LAST,…", DefaultValueFactory = _ => DayWindows.DefaultText };
        var build = new Command("build", "Percentiles (2.5, 10, 25, 50, 75, 90, 97.5; Hyndman & Fan type 7) of cells/mL by class and type, % leucocytes, viability and daily intake, per lactation-day window and stage.")
        {
            store, output, windows, force,
        };
        build.SetAction(parsed =>
        {
            var options = new ReferenceOptions { Windows = DayWindows.Parse(parsed.GetValue(windows)!) };
            var outDir = parsed.GetValue(output)!;
            StoreUri.Parse(parsed.GetValue(store)!);
            using var folder = OutputFolder.Create(outDir, parsed.GetValue(force));
            using var source = CohortStore.OpenForRead(parsed.GetValue(store)!);
            var complete = source.CompletedMothers().Count;
            if (complete < source.Metadata!.Mothers)
            {
                throw new InputException(InputLocation.InFile(source.Name), $"the store holds {complete} of the run's {source.Metadata.Mothers} mothers",
                    "finish the run (cohort run … --resume) or merge every shard first");
            }
            var rows = source.CountRows();
            var set = WorkProgress.Run(context, "reading", "mother-days", report =>
                ReferenceBuilder.Build(source, options, new Progress(n => report(n, rows)), context.Cancellation));
            var files = FileSystemErrors.Guard(outDir, "cannot write", () => ReferenceFiles.WriteAll(set, folder.WorkPath, outDir), "--out");
            folder.Commit();
            context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"reference ranges from {source.Name}: {set.RowsRead:N0} mother-days of {source.Metadata.Mothers:N0} mothers, {set.Rows.Length} rows ({set.Rows.Select(r => r.Measure).Distinct().Count()} measures) -> {folder.FullPath} ({string.Join(", ", files)})"));
            if (set.RowsOutside > 0)
            {
                context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{set.RowsOutside:N0} mother-days fall in no window and were left out"));
            }
            return CliApp.Ok;
        });
        reference.Subcommands.Add(build.WithExamples("milkcells reference build --store sqlite:cohort.db -o reference"));
        return reference;
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Progress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
