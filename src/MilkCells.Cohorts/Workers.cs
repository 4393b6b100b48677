namespace MilkCells.Cohorts;

/// <summary>Runs one body on several dedicated threads; the first failure stops the others.</summary>
internal static class Workers
{
    /// <summary>Runs <paramref name="body"/> on <paramref name="threads"/> threads until each returns; returns the first failure, if any.</summary>
    /// <remarks>The body gets a token that fires on <paramref name="cancellation"/> or on another thread's failure; a cancellation it observes is not a failure.</remarks>
    public static Exception? Run(int threads, string name, Action<CancellationToken> body, CancellationToken cancellation)
    {
        Exception? failure = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        void Work()
        {
            try
            {
                body(stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref failure, ex, null);
                stop.Cancel();
            }
        }
        var pool = Enumerable.Range(0, Math.Max(1, threads)).Select(i => new Thread(Work) { IsBackground = true, Name = $"{name}-{i}" }).ToArray();
        foreach (var thread in pool)
        {
            thread.Start();
        }
        foreach (var thread in pool)
        {
            thread.Join();
        }
        return failure;
    }
}
