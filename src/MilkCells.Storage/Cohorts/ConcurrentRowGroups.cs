using System.Collections.Concurrent;
using MilkCells.Core.Errors;
using MilkCells.Storage.Cohorts.Columnar;

namespace MilkCells.Storage.Cohorts;

/// <summary>A store whose rows several cursors can read at once, on different threads.</summary>
internal interface IConcurrentRowSource
{
    /// <summary>Each stored mother's row count, in mother order; null when this store cannot give concurrent cursors.</summary>
    IReadOnlyList<(long Mother, long Rows)>? RowCountsForConcurrentReading();
}

/// <summary>Reads a store's row groups on two threads, each group through a cursor of its own, and hands them over in order.</summary>
/// <remarks>
/// Reading a SQLite store is most of an export's CPU (docs/performance.md, "Cohort exports and columnar stores"), more
/// than encoding, so one reading thread left the encoder waiting. The store's per-mother row counts give where each
/// row group starts: the mother holding its first row, and how many of her rows come before it. Group k is read by
/// worker k mod 2, from a cursor that starts at that mother and skips those rows; the encoder takes the groups in order.
/// The groups are the rows a single cursor would cut at every <c>size</c> rows, so the file's bytes do not change.
/// That is checked as it goes, not assumed: a group's skipped rows and first row must belong to its mother, each group
/// but the last must be followed by the next group's first row, and the last by the end of the rows; a store whose
/// counts disagree with its rows is refused rather than exported wrong. Memory is five row groups at most.
/// </remarks>
internal static class ConcurrentRowGroups
{
    /// <summary>Where row group k starts: its first row is row <see cref="Skip"/> (from 0) of mother <see cref="Mother"/>;
    /// its cursor reads mothers up to <see cref="Through"/> (the next group's first mother; null for the last group).</summary>
    /// <remarks>The upper bound matters to stores that sort a query's rows (DuckDB, a Parquet folder): without it, each
    /// group's query would sort every row after its start, and a 10,000 × 365 export held 1.5–2 GB.</remarks>
    internal readonly record struct GroupStart(long Mother, long Skip, int Rows, bool First, bool Last, long? Through = null);

    /// <summary>The row groups of <paramref name="store"/> when two threads can read them (a store that gives concurrent cursors, at least two groups); null otherwise.</summary>
    public static IReadOnlyList<GroupStart>? Plan(ICohortStore store, int size)
    {
        if (store is not IConcurrentRowSource source || source.RowCountsForConcurrentReading() is not { } counts)
        {
            return null;
        }
        var total = 0L;
        foreach (var (_, rows) in counts)
        {
            total += rows;
        }
        var groups = (int)((total + size - 1) / size);
        if (groups < 2)
        {
            return null;
        }
        var plan = new GroupStart[groups];
        var mother = 0;
        var before = 0L; // rows of the mothers before counts[mother]
        for (var k = 0; k < groups; k++)
        {
            var start = (long)k * size;
            while (before + counts[mother].Rows <= start)
            {
                before += counts[mother].Rows;
                mother++;
            }
            plan[k] = new GroupStart(counts[mother].Mother, start - before, (int)Math.Min(size, total - start), k == 0, k == groups - 1);
        }
        for (var k = 0; k + 1 < groups; k++)
        {
            plan[k] = plan[k] with { Through = plan[k + 1].Mother };
        }
        return plan;
    }

    /// <summary>Reads the planned groups on two threads and passes each to <paramref name="write"/> in order; returns the row count.</summary>
    public static long Read(ICohortStore store, IReadOnlyList<GroupStart> plan, Action<ColumnBatch> write, CancellationToken cancellation)
    {
        const int Workers = 2;
        var schema = store.Schema!;
        var size = plan[0].Rows;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var empty = new BlockingCollection<ColumnBatch>();
        for (var i = 0; i < 2 * Workers + 1; i++)
        {
            empty.Add(new ColumnBatch(schema, size), cancellation);
        }
        var ready = new BlockingCollection<(ColumnBatch Batch, long NextMother, int NextDay)>[Workers];
        var workers = new Task[Workers];
        for (var w = 0; w < Workers; w++)
        {
            ready[w] = new BlockingCollection<(ColumnBatch, long, int)>(1);
            var queue = ready[w];
            var first = w;
            workers[w] = Task.Factory.StartNew(() =>
            {
                try
                {
                    for (var k = first; k < plan.Count; k += Workers)
                    {
                        var batch = empty.Take(stop.Token);
                        var (nextMother, nextDay) = ReadGroup(store, plan[k], batch, stop.Token);
                        queue.Add((batch, nextMother, nextDay), stop.Token);
                    }
                }
                finally
                {
                    queue.CompleteAdding();
                }
            }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        long rows = 0;
        Exception? failure = null;
        try
        {
            (long Mother, int Day)? expected = null;
            for (var k = 0; k < plan.Count; k++)
            {
                if (!ready[k % Workers].TryTake(out var item, Timeout.Infinite, stop.Token))
                {
                    break; // its worker failed; its exception surfaces below
                }
                var (batch, nextMother, nextDay) = item;
                if (expected is { } key && (batch.MotherIds[0], batch.Days[0]) != key)
                {
                    throw Disagrees(store, $"row group {k} starts at mother {batch.MotherIds[0]} day {batch.Days[0]}, not where the previous one ended");
                }
                expected = (nextMother, nextDay);
                write(batch);
                rows += batch.Count;
                batch.Clear();
                empty.Add(batch, stop.Token);
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        // Whatever happened, the readers stop (a failed write must not leave them reading a store about to be closed).
        stop.Cancel();
        try
        {
            Task.WaitAll(workers, CancellationToken.None);
        }
        catch (AggregateException)
        {
        }
        foreach (var queue in ready)
        {
            queue.Dispose();
        }
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
        // A reader's failure surfaces as itself, before the cancellation it caused in the other reader.
        var failed = Array.Find(workers, t => t.IsFaulted && t.Exception!.InnerException is not OperationCanceledException)
            ?? Array.Find(workers, t => t.IsFaulted || t.IsCanceled);
        failed?.GetAwaiter().GetResult();
        return rows;
    }

    /// <summary>Reads one group into <paramref name="batch"/>; returns the key of the row after it (0, 0 after the last group, which must end the rows).</summary>
    private static (long Mother, int Day) ReadGroup(ICohortStore store, GroupStart group, ColumnBatch batch, CancellationToken cancellation)
    {
        using var reader = store.ReadRows(new CohortQuery { FromMother = group.First ? null : group.Mother, ToMother = group.Through });
        for (var i = 0L; i < group.Skip; i++)
        {
            if (!reader.Read() || reader.MotherId != group.Mother)
            {
                throw Disagrees(store, $"mother {group.Mother} holds fewer rows than its count");
            }
        }
        for (var i = 0; i < group.Rows; i++)
        {
            if (!reader.Read())
            {
                throw Disagrees(store, "the rows end before the mothers' counts do");
            }
            if (i == 0 && reader.MotherId != group.Mother)
            {
                throw Disagrees(store, $"mother {group.Mother} holds fewer rows than its count");
            }
            batch.Add(reader);
            if ((i & 0xFFFF) == 0)
            {
                cancellation.ThrowIfCancellationRequested();
            }
        }
        if (group.Last)
        {
            return reader.Read() ? throw Disagrees(store, "rows remain after the mothers' counts end") : (0, 0);
        }
        return reader.Read() ? (reader.MotherId, reader.Day) : throw Disagrees(store, "the rows end before the mothers' counts do");
    }

    private static InputException Disagrees(ICohortStore store, string problem) =>
        new(InputLocation.InFile(store.Name), $"the store's row counts per mother disagree with its rows: {problem}", "the store is damaged; re-run or re-merge it");
}
