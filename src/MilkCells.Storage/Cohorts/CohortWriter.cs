using System.Collections.Concurrent;

namespace MilkCells.Storage.Cohorts;

/// <summary>Feeds a store from many threads: finished mothers queue up and one background thread commits them in batches.</summary>
/// <remarks>
/// Design: each commit takes every mother waiting (up to <c>mothersPerTransaction</c>), so a busy run commits large
/// transactions and a slow one commits each mother as soon as it is done; either way a mother is written whole or
/// not at all. The queue is bounded, so memory stays flat however many mothers a run has. Buffers come back through
/// <see cref="Rent"/> once written.
/// </remarks>
public sealed class CohortWriter : IDisposable
{
    private readonly ICohortStore _store;
    private readonly ConcurrentBag<MotherRows> _free = [];
    private readonly int _perTransaction;
    private readonly int _capacity;
    private readonly Task _pump;
    // The queue: a plain queue under a monitor. Waits on it block without spinning. A Task.Wait or a channel's wait
    // would spin first, and the writer waits once per mother. On 2 cores that spinning took CPU from the simulation
    // threads (docs/performance.md, "Cohorts").
    private readonly Queue<MotherRows> _items = new();
    private readonly object _gate = new();
    private bool _closed; // no more mothers: completed, disposed or failed
    private long _written;

    /// <summary>A writer into <paramref name="store"/> (on which <see cref="ICohortStore.StartRun"/> has been called).</summary>
    public CohortWriter(ICohortStore store, int mothersPerTransaction = 64, int queueCapacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mothersPerTransaction, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCapacity, 1);
        _store = store;
        _perTransaction = mothersPerTransaction;
        _capacity = queueCapacity;
        _pump = Task.Factory.StartNew(Pump, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Mothers committed so far.</summary>
    public long MothersWritten => Interlocked.Read(ref _written);

    /// <summary>An empty buffer for <paramref name="motherId"/>, recycled from written mothers when one is free.</summary>
    public MotherRows Rent(long motherId)
    {
        if (_free.TryTake(out var rows))
        {
            rows.Reset(motherId);
            return rows;
        }
        return new MotherRows(_store.Schema ?? throw new InvalidOperationException("StartRun must be called before rows are written"), motherId);
    }

    /// <summary>Queues a finished mother (the writer owns the buffer from now on); waits while the queue is full.</summary>
    /// <exception cref="Exception">The background writer's failure, rethrown.</exception>
    public void Add(MotherRows rows, CancellationToken cancellation = default)
    {
        lock (_gate)
        {
            while (_items.Count >= _capacity && !_closed)
            {
                cancellation.ThrowIfCancellationRequested();
                Monitor.Wait(_gate, CancellationPoll); // woken when the writer takes mothers
            }
            if (!_closed)
            {
                _items.Enqueue(rows);
                Monitor.PulseAll(_gate);
                return;
            }
        }
        // Closed: the writer failed (rethrow its error), or the caller already completed or disposed it.
        ((IAsyncResult)_pump).AsyncWaitHandle.WaitOne();
        _pump.GetAwaiter().GetResult();
        throw new InvalidOperationException("the cohort writer no longer accepts mothers: it was completed or disposed");
    }

    /// <summary>Commits everything queued, waits for it and flushes the store (<see cref="ICohortStore.Flush"/>); rethrows a failure of the background writer.</summary>
    public void Complete()
    {
        Close();
        ((IAsyncResult)_pump).AsyncWaitHandle.WaitOne();
        _pump.GetAwaiter().GetResult();
        _store.Flush();
    }

    /// <summary>A commit waits this long at most for <see cref="MinBatch"/> mothers to gather.</summary>
    private static readonly TimeSpan MaxGather = TimeSpan.FromMilliseconds(200);

    /// <summary>How often a thread waiting for room in the queue looks at its cancellation token.</summary>
    private static readonly TimeSpan CancellationPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>Mothers a commit waits for (within <see cref="MaxGather"/>) when they arrive one by one.</summary>
    private int MinBatch => Math.Min(_perTransaction, 8);

    private void Close()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Moves queued mothers into the batch, up to a transaction's worth, and wakes threads waiting for room. Call under the lock.</summary>
    private void Take(List<MotherRows> batch)
    {
        var took = false;
        while (batch.Count < _perTransaction && _items.TryDequeue(out var rows))
        {
            batch.Add(rows);
            took = true;
        }
        if (took)
        {
            Monitor.PulseAll(_gate);
        }
    }

    private void Pump()
    {
        var batch = new List<MotherRows>(_perTransaction);
        try
        {
            while (true)
            {
                lock (_gate)
                {
                    while (_items.Count == 0 && !_closed)
                    {
                        Monitor.Wait(_gate);
                    }
                    if (_items.Count == 0)
                    {
                        return; // closed and drained
                    }
                    Take(batch);
                    // When the simulation is slower than the store, mothers arrive one at a time; a commit then waits briefly
                    // for a few more, so that each commit's fixed cost (the WAL frames of the pages it touched, the page
                    // cache's sweep) is shared.
                    var gather = System.Diagnostics.Stopwatch.StartNew();
                    while (batch.Count < MinBatch && !_closed)
                    {
                        var left = MaxGather - gather.Elapsed;
                        if (left <= TimeSpan.Zero)
                        {
                            break;
                        }
                        Monitor.Wait(_gate, left);
                        Take(batch);
                    }
                    Take(batch); // what arrived with the close
                }
                _store.WriteMothers(batch);
                Interlocked.Add(ref _written, batch.Count);
                foreach (var rows in batch)
                {
                    _free.Add(rows);
                }
                batch.Clear();
            }
        }
        catch
        {
            Close();
            throw;
        }
    }

    /// <summary>Stops accepting mothers and waits for queued ones; does not rethrow (call <see cref="Complete"/> for that).</summary>
    public void Dispose()
    {
        Close();
        ((IAsyncResult)_pump).AsyncWaitHandle.WaitOne();
    }
}
