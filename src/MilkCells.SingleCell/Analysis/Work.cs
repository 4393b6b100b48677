namespace MilkCells.SingleCell.Analysis;

/// <summary>How much of the machine a step may use, and its cancellation.</summary>
/// <remarks>
/// Every parallel loop in this project splits its work into blocks that depend only on the data size, never on the
/// thread count, and combines the blocks' partial results in block order, so results are byte-identical whatever
/// <see cref="Threads"/> is.
/// </remarks>
/// <param name="Threads">Threads to use (≥ 1); default all cores.</param>
/// <param name="Cancellation">Stops the work between blocks.</param>
public sealed record Work(int Threads, CancellationToken Cancellation = default)
{
    /// <summary>All cores, not cancellable.</summary>
    public static Work Default => new(Environment.ProcessorCount);

    /// <summary>Runs <paramref name="body"/> for each block index in [0, <paramref name="blocks"/>).</summary>
    public void For(int blocks, Action<int> body)
    {
        Cancellation.ThrowIfCancellationRequested();
        if (Threads <= 1 || blocks <= 1)
        {
            for (var b = 0; b < blocks; b++)
            {
                Cancellation.ThrowIfCancellationRequested();
                body(b);
            }
            return;
        }
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Threads, CancellationToken = Cancellation }, body);
    }

    /// <summary>Runs <paramref name="body"/>(start, end) over [0, <paramref name="n"/>) in blocks of <paramref name="blockSize"/>.</summary>
    public void ForRange(int n, int blockSize, Action<int, int> body)
    {
        var blocks = (n + blockSize - 1) / blockSize;
        For(blocks, b => body(b * blockSize, Math.Min(n, (b + 1) * blockSize)));
    }
}
