using System.CommandLine;
using System.Globalization;
using MilkCells.Cli.Commands;
using MilkCells.Cohorts;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Cli.Cohort;

/// <summary>What <c>milkcells cohort run</c> was asked to do, after parsing.</summary>
/// <param name="Scenario">Built-in scenario name or YAML file.</param>
/// <param name="Mothers">N, mothers in the whole run.</param>
/// <param name="Days">Days per mother (null: the scenario's).</param>
/// <param name="Seed">Root seed.</param>
/// <param name="Store">Store URI.</param>
/// <param name="Threads">Simulation threads.</param>
/// <param name="Shard">The shard this process computes.</param>
/// <param name="Resume">Continue a shard the store already holds.</param>
/// <param name="Profile">Calibration profile (null: default).</param>
internal sealed record CohortRunConfig(string Scenario, int Mothers, int? Days, ulong Seed, string Store, int Threads, ShardSpec Shard, bool Resume, string? Profile);

/// <summary><c>milkcells cohort run</c>: simulate N mothers (or one shard of them) into a store, with progress and ETA.</summary>
internal static class CohortRunCommand
{
    public static Command Create(CliContext context)
    {
        var scenario = CliOptions.Scenario("Built-in scenario or YAML file; every mother is drawn from the population.");
        var mothers = CliOptions.RequiredWhole("--mothers", "N: mothers in the whole run (all shards), ids 0 … N−1.", 1, "1000");
        var days = CliOptions.Whole("--days", "Days per mother (default: the scenario's duration).", 1, "365");
        var seed = CliOptions.Seed("Root seed: mother i depends only on it and i.");
        var store = CliOptions.Store("The store to write: a path or sqlite:PATH, duckdb:PATH, parquet:DIR[?rows_per_file=N], or postgres://user:pass@host:port/db[?schema=S] (created when missing; its folder must exist).", required: true);
        var threads = CliOptions.Threads();
        var shard = new Option<string>("--shard") { Description = "Compute only shard i of K (mothers with id mod K = i), counted from 0: a Kubernetes completion index or Slurm array id.", DefaultValueFactory = _ => "0/1" };
        var resume = new Option<bool>("--resume") { Description = "Continue this shard in a store that already holds it, skipping complete mothers." };
        var profile = CliOptions.Profile();
        var command = new Command("run", "Simulate N mother–infant pairs with between-mother and day-to-day variability and stream each one's daily rows into a store.")
        {
            scenario, mothers, days, seed, store, threads, shard, resume, profile,
        };
        command.SetAction(parsed => Run(new CohortRunConfig(parsed.GetValue(scenario)!, parsed.GetValue(mothers), parsed.GetValue(days), parsed.GetValue(seed),
            parsed.GetValue(store)!, parsed.GetValue(threads) ?? Environment.ProcessorCount, ShardSpec.Parse(parsed.GetValue(shard)!), parsed.GetValue(resume), parsed.GetValue(profile)), context));
        return command.WithExamples(
            "milkcells cohort run -s healthy --mothers 20 --days 30 --store sqlite:cohort.db",
            "milkcells cohort run -s healthy --mothers 20 --days 30 --store sqlite:shard0.db --shard 0/2");
    }

    internal static int Run(CohortRunConfig config, CliContext context)
    {
        if (config.Threads < 1)
        {
            throw new Core.Errors.InputException(Core.Errors.InputLocation.AtElement(null, "--threads"), $"{config.Threads} threads cannot run", "give at least 1");
        }
        var model = MilkModel.Embedded;
        var calibrated = model.Calibrate(config.Profile);
        var spec = CohortSpec.Create(calibrated, ScenarioLoader.Load(config.Scenario, model), config.Seed, config.Mothers, config.Days);
        using var store = CohortStore.OpenForWrite(config.Store);
        var options = new CohortRunOptions { Threads = config.Threads, Shard = config.Shard, Resume = config.Resume, CodeVersion = Workflows.CodeVersion.Current };
        if (!calibrated.Profile.IsDefault)
        {
            context.Error.WriteLine($"!! calibration profile '{calibrated.Profile.Id}': {calibrated.Profile.Marking}");
        }
        context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cohort '{spec.Scenario.Name}' ({calibrated.Profile.Id}), seed {spec.Seed}: {spec.Mothers:N0} mothers x {spec.Days} days, shard {config.Shard}, {config.Threads} threads -> {store.Name}"));
        context.Error.Flush();
        CohortRunSummary summary;
        try
        {
            summary = WorkProgress.Run(context, "simulating", "mothers", report =>
                CohortRunner.Run(spec, store, options, p => report(p.Simulated, p.ToSimulate), context.Cancellation));
        }
        catch (OperationCanceledException)
        {
            context.Error.WriteLine("interrupted: every finished mother is committed; run the same command with --resume to continue.");
            return CliApp.Interrupted;
        }
        var seconds = Math.Max(summary.Elapsed.TotalSeconds, 1e-9);
        context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"simulated {summary.Simulated:N0} mothers ({summary.Simulated * spec.Days:N0} mother-days) in {WorkProgress.Duration(summary.Elapsed)}: {summary.Simulated * spec.Days / seconds:N0} mother-days/s; {summary.AlreadyComplete:N0} were already complete"));
        context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{summary.CompleteInStore:N0} of {spec.Mothers:N0} mothers complete in {store.Name} (shards {string.Join(", ", store.Shards)})"));
        return CliApp.Ok;
    }
}
