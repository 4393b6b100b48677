using System.Collections.Concurrent;
using System.Diagnostics;

namespace MilkCells.Web.Jobs;

/// <summary>Where a job is.</summary>
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Interrupted,
}

/// <summary>A job as the API shows it.</summary>
/// <param name="Id">Job id.</param>
/// <param name="Kind">simulate, cohort or samples.</param>
/// <param name="Title">What it does.</param>
/// <param name="State">Where it is.</param>
/// <param name="Done">Work done (days, mothers, samples).</param>
/// <param name="Total">Work in all (0: not known yet).</param>
/// <param name="Unit">What Done counts.</param>
/// <param name="ElapsedSeconds">Seconds since it started running.</param>
/// <param name="EtaSeconds">Seconds left at the rate so far, once known.</param>
/// <param name="Error">Why it failed, if it did.</param>
/// <param name="Result">Where its result is (a run id, a reference set, an analysis), once it succeeded.</param>
public sealed record JobView(string Id, string Kind, string Title, JobState State, long Done, long Total, string Unit, double ElapsedSeconds, double? EtaSeconds,
    string? Error, object? Result);

/// <summary>One unit of background work: progress, state, a way to cancel, and a signal on every change.</summary>
public sealed class Job
{
    private readonly Stopwatch _clock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _done;
    private long _total;

    internal Job(string id, string kind, string title, string unit, CancellationToken stopping)
    {
        Id = id;
        Kind = kind;
        Title = title;
        Unit = unit;
        Cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        ServerStopping = stopping;
    }

    public string Id { get; }
    public string Kind { get; }
    public string Title { get; }
    public string Unit { get; }
    public JobState State { get; private set; } = JobState.Queued;
    public string? Error { get; private set; }
    public object? Result { get; private set; }
    internal CancellationTokenSource Cancellation { get; }
    internal CancellationToken ServerStopping { get; }
    internal Task Completion { get; set; } = Task.CompletedTask;

    /// <summary>Whether the job has ended.</summary>
    public bool IsFinished => State is JobState.Succeeded or JobState.Failed or JobState.Cancelled or JobState.Interrupted;

    /// <summary>Why a cancelled run stopped, as recorded in the run store.</summary>
    public string CancelReason => ServerStopping.IsCancellationRequested ? "interrupted: the server stopped (Ctrl+C)" : "interrupted: cancelled from the dashboard";

    /// <summary>Completes when the job next changes.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Records progress (any thread).</summary>
    public void Report(long done, long total)
    {
        Interlocked.Exchange(ref _done, done);
        Interlocked.Exchange(ref _total, total);
        Notify();
    }

    /// <summary>Asks the job to stop; it ends as cancelled.</summary>
    public void Cancel() => Cancellation.Cancel();

    public JobView View()
    {
        var (done, total) = (Interlocked.Read(ref _done), Interlocked.Read(ref _total));
        var elapsed = _clock.Elapsed.TotalSeconds;
        double? eta = State == JobState.Running && done > 0 && total > 0 ? (total - done) * elapsed / done : null;
        return new JobView(Id, Kind, Title, State, done, total, Unit, Math.Round(elapsed, 2), eta is null ? null : Math.Round(eta.Value, 1), Error, Result);
    }

    internal void Start()
    {
        _clock.Start();
        State = JobState.Running;
        Notify();
    }

    internal void End(JobState state, object? result, string? error)
    {
        _clock.Stop();
        (Result, Error, State) = (result, error, state);
        Notify();
    }

    private void Notify() => Interlocked.Exchange(ref _changed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>The queue is full: the request should be repeated later.</summary>
public sealed class QueueFullException(int retryAfterSeconds) : Exception("the job queue is full")
{
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>Bounded background work: at most <c>Threads</c> jobs run at once, at most <c>Queue</c> more wait, the rest are refused.</summary>
/// <remarks>
/// Jobs belong to the server, not to the request that started them: a client that disconnects leaves its job to
/// finish (or to be cancelled by DELETE), bounded by the queue, and its event stream ends with the connection.
/// Stopping the server cancels every job and waits for each to record how it ended (a simulate run as interrupted).
/// Finished jobs are kept for browsing, the newest 500. The queue lives as long as the server (nothing to dispose:
/// a job ending after the host is disposed still releases its slot).
/// </remarks>
public sealed class JobQueue : IHostedService
{
    private const int KeepFinished = 500;
    private readonly ConcurrentDictionary<string, Job> _jobs = new();
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly int _capacity;
    private readonly ILogger<JobQueue> _log;
    private int _admitted;
    private int _running;
    private int _peak;
    private long _next;

    public JobQueue(ServeSettings settings, ILogger<JobQueue> log)
    {
        Threads = settings.Threads;
        _slots = new SemaphoreSlim(settings.Threads, settings.Threads);
        _capacity = settings.Threads + settings.Queue;
        _log = log;
    }

    /// <summary>Jobs that may run at once.</summary>
    public int Threads { get; }

    /// <summary>Jobs running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>The most jobs ever seen running at once.</summary>
    public int PeakRunning => Volatile.Read(ref _peak);

    /// <summary>Event streams open now.</summary>
    public int Watchers => Volatile.Read(ref _watchers);

    private int _watchers;

    internal IDisposable Watch()
    {
        Interlocked.Increment(ref _watchers);
        return new Unwatch(this);
    }

    private sealed class Unwatch(JobQueue queue) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref queue._watchers);
            }
        }
    }

    public Job? Get(string id) => _jobs.GetValueOrDefault(id);

    public IEnumerable<Job> All => _jobs.Values.OrderByDescending(j => j.Id.Length).ThenByDescending(j => j.Id, StringComparer.Ordinal);

    /// <summary>Queues <paramref name="work"/>; it runs when a slot is free, on its own thread.</summary>
    /// <exception cref="QueueFullException">Threads + Queue jobs are already running or waiting.</exception>
    public Job Submit(string kind, string title, string unit, Func<Job, CancellationToken, object?> work)
    {
        if (Interlocked.Increment(ref _admitted) > _capacity)
        {
            Interlocked.Decrement(ref _admitted);
            throw new QueueFullException(5);
        }
        var job = new Job($"j{Interlocked.Increment(ref _next)}", kind, title, unit, _stopping.Token);
        _jobs[job.Id] = job;
        Prune();
        job.Completion = Task.Run(async () =>
        {
            try
            {
                await _slots.WaitAsync(job.Cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                job.End(job.ServerStopping.IsCancellationRequested ? JobState.Interrupted : JobState.Cancelled, null, null);
                Interlocked.Decrement(ref _admitted);
                return;
            }
            try
            {
                var now = Interlocked.Increment(ref _running);
                int peak;
                while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
                {
                }
                job.Start();
                await Task.Factory.StartNew(() => Execute(job, work), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
                _slots.Release();
                Interlocked.Decrement(ref _admitted);
            }
        });
        return job;
    }

    private void Execute(Job job, Func<Job, CancellationToken, object?> work)
    {
        try
        {
            var result = work(job, job.Cancellation.Token);
            job.Cancellation.Token.ThrowIfCancellationRequested();
            job.End(JobState.Succeeded, result, null);
        }
        catch (OperationCanceledException)
        {
            job.End(job.ServerStopping.IsCancellationRequested ? JobState.Interrupted : JobState.Cancelled, null, null);
        }
        catch (Exception ex)
        {
            if (ex is not Core.Errors.InputException)
            {
                _log.LogError(ex, "job {Id} ({Kind}) failed", job.Id, job.Kind);
            }
            job.End(JobState.Failed, null, ex is Core.Errors.InputException ? ex.Message : "an internal error stopped the job (see the server's log)");
        }
    }

    private void Prune()
    {
        var finished = _jobs.Values.Where(j => j.IsFinished).ToList();
        foreach (var old in finished.OrderBy(j => long.Parse(j.Id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)).Take(Math.Max(0, finished.Count - KeepFinished)))
        {
            _jobs.TryRemove(old.Id, out _);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Cancels every job and waits for each to record how it ended.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        var pending = _jobs.Values.Select(j => j.Completion).ToArray();
        await Task.WhenAll(pending).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
