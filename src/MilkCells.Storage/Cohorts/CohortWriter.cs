using System.Collections.Concurrent;
using System.Threading.Channels;

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
    private readonly Channel<MotherRows> _queue;
    private readonly ConcurrentBag<MotherRows> _free = [];
    private readonly int _perTransaction;
    private readonly Task _pump;
    private long _written;
    private bool _completed;

    /// <summary>A writer into <paramref name="store"/> (on which <see cref="ICohortStore.StartRun"/> has been called).</summary>
    public CohortWriter(ICohortStore store, int mothersPerTransaction = 64, int queueCapacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mothersPerTransaction, 1);
        _store = store;
        _perTransaction = mothersPerTransaction;
        _queue = Channel.CreateBounded<MotherRows>(new BoundedChannelOptions(queueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
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
        if (_pump.IsFaulted)
        {
            _pump.GetAwaiter().GetResult();
        }
        try
        {
            _queue.Writer.WriteAsync(rows, cancellation).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException) when (_pump.IsFaulted)
        {
            _pump.GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Commits everything queued, waits for it and flushes the store (<see cref="ICohortStore.Flush"/>); rethrows a failure of the background writer.</summary>
    public void Complete()
    {
        if (!_completed)
        {
            _completed = true;
            _queue.Writer.TryComplete();
        }
        _pump.GetAwaiter().GetResult();
        _store.Flush();
    }

    /// <summary>A commit waits this long at most for <see cref="MinBatch"/> mothers to gather.</summary>
    private static readonly TimeSpan MaxGather = TimeSpan.FromMilliseconds(200);

    /// <summary>Mothers a commit waits for (within <see cref="MaxGather"/>) when they arrive one by one.</summary>
    private int MinBatch => Math.Min(_perTransaction, 8);

    private void Pump()
    {
        var batch = new List<MotherRows>(_perTransaction);
        var reader = _queue.Reader;
        void Take()
        {
            while (batch.Count < _perTransaction && reader.TryRead(out var rows))
            {
                batch.Add(rows);
            }
        }
        try
        {
            // When the simulation is slower than the store, mothers arrive one at a time; a commit then waits briefly for a
            // few more, so that each commit's fixed cost (the WAL frames of the pages it touched, the page cache's sweep)
            // is shared. A wait that is still pending when the gathering time ends is kept for the next round.
            Task<bool>? waiting = null;
            while ((waiting ?? reader.WaitToReadAsync().AsTask()).GetAwaiter().GetResult())
            {
                waiting = null;
                Take();
                var gather = System.Diagnostics.Stopwatch.StartNew();
                while (batch.Count < MinBatch)
                {
                    waiting = reader.WaitToReadAsync().AsTask();
                    var left = MaxGather - gather.Elapsed;
                    if (left <= TimeSpan.Zero || !waiting.Wait(left))
                    {
                        break;
                    }
                    var more = waiting.GetAwaiter().GetResult();
                    waiting = null;
                    if (!more)
                    {
                        break;
                    }
                    Take();
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
            _queue.Writer.TryComplete();
            throw;
        }
    }

    /// <summary>Stops accepting mothers and waits for queued ones; does not rethrow (call <see cref="Complete"/> for that).</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        try
        {
            _pump.Wait();
        }
        catch (AggregateException)
        {
        }
    }
}
