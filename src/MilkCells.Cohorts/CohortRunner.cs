using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Simulation;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Cohorts;

/// <summary>What a cohort is: everything that decides its rows (model and profile, scenario, root seed, N, days).</summary>
/// <remarks>
/// Mother <c>i</c> (0 ≤ i &lt; N) is <see cref="PreparedSimulation.Run"/> with the root seed and id i, whatever thread,
/// shard or host computes her, at the simulation's cohort resolution (<see cref="MotherSimulation.CohortResolution"/>).
/// The scenario is prepared once (plan constants, compiled network) and shared by every thread.
/// </remarks>
public sealed record CohortSpec
{
    private readonly PreparedSimulation _prepared;

    private CohortSpec(CalibratedModel calibration, Scenario scenario, ulong seed, int mothers, int days)
    {
        Calibration = calibration;
        Scenario = scenario;
        Seed = seed;
        Mothers = mothers;
        Days = days;
        Schema = CohortColumns.Schema(calibration.Model);
        _prepared = MotherSimulation.Prepare(calibration, scenario, days);
    }

    /// <summary>The calibrated model (its profile is recorded with the run).</summary>
    public CalibratedModel Calibration { get; }

    /// <summary>The scenario each mother lives through (her values are drawn from the population whatever its mother mode).</summary>
    public Scenario Scenario { get; }

    /// <summary>The root seed.</summary>
    public ulong Seed { get; }

    /// <summary>N: the mothers of the whole run, ids 0 … N − 1.</summary>
    public int Mothers { get; }

    /// <summary>Days simulated per mother.</summary>
    public int Days { get; }

    /// <summary>The store's columns.</summary>
    public CohortSchema Schema { get; }

    /// <summary>A checked cohort; <paramref name="days"/> null keeps the scenario's duration.</summary>
    /// <exception cref="InputException">N below 1, or days outside lactation.</exception>
    public static CohortSpec Create(CalibratedModel calibration, Scenario scenario, ulong seed, int mothers, int? days)
    {
        if (mothers < 1)
        {
            throw new InputException(InputLocation.AtElement(null, "--mothers"), $"{mothers} mothers is not a cohort", "give at least 1 mother");
        }
        var shaped = MotherSimulation.WithDays(scenario, days);
        var model = calibration.Model;
        if (shaped.LastDay > model.LastLactationDay)
        {
            throw new InputException(InputLocation.AtElement(shaped.Origin, days is null ? "durationDays" : "--days"),
                $"the run would reach lactation day {shaped.LastDay}, past the end of lactation (day {model.LastLactationDay})",
                $"run at most {model.LastLactationDay - shaped.StartDay + 1} days from day {shaped.StartDay}");
        }
        return new CohortSpec(calibration, shaped, seed, mothers, (int)Math.Ceiling(shaped.DurationDays));
    }

    /// <summary>The run metadata a store records (and checks on resume and merge).</summary>
    public RunMetadata Metadata(string codeVersion) =>
        new(Scenario.Name, Scenario.Hash, Seed, Mothers, Days, Calibration.Profile.Id, Calibration.Model.Version, codeVersion);

    /// <summary>The daily rows of mother <paramref name="motherId"/>.</summary>
    public ImmutableArray<DailyRow> Mother(long motherId, CancellationToken cancellation) => _prepared.Run(Seed, motherId, cancellation);
}

/// <summary>How a process runs its part of a cohort.</summary>
public sealed record CohortRunOptions
{
    /// <summary>Simulation threads.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>The part of the run this process computes: mothers with id mod K = i.</summary>
    public ShardSpec Shard { get; init; } = ShardSpec.Whole;

    /// <summary>Whether to continue this shard in a store that already holds it, skipping its complete mothers.</summary>
    public bool Resume { get; init; }

    /// <summary>The code version recorded with the run.</summary>
    public required string CodeVersion { get; init; }

    /// <summary>At most this many mothers per transaction (each mother is always whole).</summary>
    public int MothersPerTransaction { get; init; } = 64;
}

/// <summary>How far a cohort run has got.</summary>
/// <param name="Simulated">Mothers simulated by this process so far.</param>
/// <param name="Committed">Of those, mothers committed to the store.</param>
/// <param name="ToSimulate">Mothers this process has to simulate.</param>
/// <param name="Elapsed">Time since the simulation started.</param>
public readonly record struct CohortProgress(long Simulated, long Committed, long ToSimulate, TimeSpan Elapsed);

/// <summary>What a cohort run did.</summary>
/// <param name="Shard">The shard run.</param>
/// <param name="InShard">Mothers in the shard.</param>
/// <param name="AlreadyComplete">Mothers of the shard the store held before (skipped on resume).</param>
/// <param name="Simulated">Mothers simulated and committed by this run.</param>
/// <param name="CompleteInStore">Complete mothers in the store afterwards (all shards).</param>
/// <param name="Elapsed">Wall time of the simulation.</param>
public sealed record CohortRunSummary(ShardSpec Shard, long InShard, long AlreadyComplete, long Simulated, long CompleteInStore, TimeSpan Elapsed);

/// <summary>Runs (a shard of) a cohort into a store: T threads simulate mothers and one writer commits each mother whole.</summary>
/// <remarks>
/// Design: threads take mother ids from a shared counter over the shard's ids (no list of N), simulate, and hand the
/// rows to a <see cref="CohortWriter"/> whose bounded queue holds simulation threads back when the store is slow; so
/// memory is flat in N. Each mother depends only on (root seed, id), and a store exports sorted by mother then day,
/// so any thread count and any shard split give the same bytes. Interrupted or killed, the store keeps only complete
/// mothers; <see cref="CohortRunOptions.Resume"/> skips them.
/// </remarks>
public static class CohortRunner
{
    /// <summary>Runs the shard <paramref name="options"/> names into <paramref name="store"/>; returns when every mother is committed.</summary>
    /// <exception cref="OperationCanceledException">Cancelled; every mother finished before then is committed.</exception>
    public static CohortRunSummary Run(CohortSpec spec, ICohortStore store, CohortRunOptions options, Action<CohortProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1);
        var shard = options.Shard;
        store.StartRun(spec.Metadata(options.CodeVersion), spec.Schema, shard, options.Resume);
        var done = store.CompletedMothers();
        long inShard = shard.Index < spec.Mothers ? ((spec.Mothers - 1 - shard.Index) / shard.Count) + 1 : 0;
        long already = done.Count(id => id >= 0 && id < spec.Mothers && shard.Contains(id));
        var toSimulate = inShard - already;
        var clock = Stopwatch.StartNew();
        long next = -1, simulated = 0;
        using var writer = new CohortWriter(store, options.MothersPerTransaction, queueCapacity: Math.Max(16, 4 * options.Threads));
        var failure = Workers.Run((int)Math.Clamp(toSimulate, 1, options.Threads), "cohort", stop =>
        {
            while (!stop.IsCancellationRequested)
            {
                var id = shard.Index + (Interlocked.Increment(ref next) * shard.Count);
                if (id >= spec.Mothers)
                {
                    return;
                }
                if (done.Contains(id))
                {
                    continue;
                }
                var rows = spec.Mother(id, stop);
                writer.Add(CohortColumns.Fill(writer.Rent(id), rows), stop);
                progress?.Invoke(new CohortProgress(Interlocked.Increment(ref simulated), writer.MothersWritten, toSimulate, clock.Elapsed));
            }
        }, cancellation);
        try
        {
            writer.Complete(); // commits every mother simulated before a failure or cancellation
        }
        catch (Exception ex)
        {
            failure ??= ex;
        }
        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
        cancellation.ThrowIfCancellationRequested();
        progress?.Invoke(new CohortProgress(simulated, writer.MothersWritten, toSimulate, clock.Elapsed));
        return new CohortRunSummary(shard, inShard, already, writer.MothersWritten, store.CompletedMothers().Count, clock.Elapsed);
    }
}
