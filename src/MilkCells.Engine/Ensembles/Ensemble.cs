using MilkCells.Core.Random;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Simulation;

namespace MilkCells.Engine.Ensembles;

/// <summary>What an ensemble run should do.</summary>
public sealed record EnsembleOptions
{
    /// <summary>Number of trajectories.</summary>
    public required int Trajectories { get; init; }

    /// <summary>Root seed; trajectory i draws from <c>RandomStream.Derive(Seed, i)</c>.</summary>
    public ulong Seed { get; init; }

    /// <summary>Worker threads (default: all cores). Results do not depend on it.</summary>
    public int? Threads { get; init; }

    /// <summary>Start time.</summary>
    public double StartTime { get; init; }

    /// <summary>End time.</summary>
    public required double EndTime { get; init; }

    /// <summary>Output times, ascending.</summary>
    public required IReadOnlyList<double> RecordTimes { get; init; }

    /// <summary>Interventions for trajectory i (each trajectory gets its own, so they may hold per-trajectory state).</summary>
    public Func<int, IReadOnlyList<Intervention>>? InterventionsFor { get; init; }

    /// <summary>Receives each trajectory's series (row-major, time × species), in trajectory order, one at a time.</summary>
    public Action<int, ReadOnlySpan<double>>? OnTrajectory { get; init; }

    /// <summary>Stops early when cancelled (throws <see cref="OperationCanceledException"/>).</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>Mean and standard deviation of every species at every output time over an ensemble.</summary>
public sealed class EnsembleResult
{
    internal EnsembleResult(IReadOnlyList<string> species, double[] times, double[] mean, double[] sd, int n, long firings, long leaps)
    {
        SpeciesIds = species;
        Times = times;
        Mean = mean;
        StandardDeviation = sd;
        Trajectories = n;
        Firings = firings;
        Leaps = leaps;
    }

    /// <summary>Species (columns).</summary>
    public IReadOnlyList<string> SpeciesIds { get; }

    /// <summary>Output times (rows).</summary>
    public IReadOnlyList<double> Times { get; }

    /// <summary>Means, row-major time × species.</summary>
    public double[] Mean { get; }

    /// <summary>Sample standard deviations (divisor n − 1), row-major time × species.</summary>
    public double[] StandardDeviation { get; }

    /// <summary>Number of trajectories.</summary>
    public int Trajectories { get; }

    /// <summary>Total reaction firings.</summary>
    public long Firings { get; }

    /// <summary>Total tau leaps.</summary>
    public long Leaps { get; }

    /// <summary>Mean of species <paramref name="s"/> at time index <paramref name="k"/>.</summary>
    public double MeanAt(int k, int s) => Mean[k * SpeciesIds.Count + s];

    /// <summary>Standard deviation of species <paramref name="s"/> at time index <paramref name="k"/>.</summary>
    public double SdAt(int k, int s) => StandardDeviation[k * SpeciesIds.Count + s];
}

/// <summary>Runs many independent trajectories on all cores with results independent of the thread count.</summary>
/// <remarks>
/// Trajectory i always uses <c>RandomStream.Derive(seed, i)</c>, so it is the same path whichever thread runs it.
/// Workers take blocks of trajectories; finished blocks are folded into the statistics strictly in trajectory
/// order (Welford's update, Welford 1962, Technometrics 4:419, doi:10.1080/00401706.1962.10490022), so every
/// floating-point operation happens in the same order and the output is byte-identical for any thread count.
/// </remarks>
public static class Ensemble
{
    /// <summary>Compiles a two-reaction built-in network and runs two short trajectories of it with
    /// <paramref name="algorithm"/>, on one thread, and discards the result.</summary>
    /// <remarks>
    /// The first compile of a network spends about 50 ms in the JIT (generic collections and LINQ over the engine's
    /// value types, which ReadyToRun cannot precompile across the framework's version bubble), and the first run
    /// about 10 ms more (the firing loops are compiled fully optimised on first use, never precompiled). Run on a
    /// spare core while the model is being read, this moves that work off the critical path; the caller's own
    /// compile then finds the code ready. It draws from no stream the caller uses, so results do not change.
    /// </remarks>
    public static void WarmUp(Algorithm algorithm)
    {
        var network = CompiledNetwork.Compile(Catalog.StandardModels.BirthDeath(10));
        Run(network, algorithm, new EnsembleOptions { Trajectories = 2, Threads = 1, EndTime = 0.01, RecordTimes = [0, 0.01] });
    }

    /// <summary>Runs the ensemble.</summary>
    public static EnsembleResult Run(CompiledNetwork network, Algorithm algorithm, EnsembleOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Trajectories, 1, nameof(options.Trajectories));
        var n = options.Trajectories;
        var threads = Math.Clamp(options.Threads ?? Environment.ProcessorCount, 1, Math.Max(1, n));
        var times = options.RecordTimes as double[] ?? [.. options.RecordTimes];
        var width = times.Length * network.SpeciesCount;
        var baseOptions = new RunOptions
        {
            StartTime = options.StartTime,
            EndTime = options.EndTime,
            RecordTimes = times,
        };
        // Small blocks keep the threads' finishing times within a few trajectories of each other; the fold order, and so
        // the output, does not depend on the block size.
        var blockSize = Math.Clamp(n / (threads * 64), 1, 16);
        // Trajectories go two at a time where they can (Simulator.RunPairInto), so blocks then hold an even number.
        var pairs = options.InterventionsFor is null && Simulator.CanPair(network, algorithm, baseOptions);
        if (pairs)
        {
            blockSize += blockSize & 1;
        }
        var blocks = (n + blockSize - 1) / blockSize;
        var mean = new double[width];
        var m2 = new double[width];
        var pending = new Dictionary<int, double[]>();
        var pool = new Stack<double[]>();
        var gate = new object();
        var nextBlock = -1;
        var nextToMerge = 0;
        var folded = 0;
        long firings = 0;
        long leaps = 0;
        Exception? failure = null;

        void Fold(double[] buffer, int count)
        {
            for (var i = 0; i < count; i++)
            {
                folded++;
                var row = new ReadOnlySpan<double>(buffer, i * width, width);
                options.OnTrajectory?.Invoke(folded - 1, row);
                for (var x = 0; x < width; x++)
                {
                    var value = row[x];
                    var delta = value - mean[x];
                    mean[x] += delta / folded;
                    m2[x] += delta * (value - mean[x]);
                }
            }
        }

        void Worker()
        {
            try
            {
                var sim = new Simulator(network, algorithm);
                // A second simulator runs every other trajectory of a block alongside the first (Simulator.RunPairInto).
                var partner = pairs ? new Simulator(network, algorithm) : null;
                long localFirings = 0;
                long localLeaps = 0;
                while (true)
                {
                    var b = Interlocked.Increment(ref nextBlock);
                    if (b >= blocks || Volatile.Read(ref failure) is not null)
                    {
                        break;
                    }
                    options.Cancellation.ThrowIfCancellationRequested();
                    double[] buffer;
                    lock (gate)
                    {
                        buffer = pool.Count > 0 ? pool.Pop() : new double[blockSize * width];
                    }
                    var first = b * blockSize;
                    var count = Math.Min(blockSize, n - first);
                    for (var i = 0; i < count; i++)
                    {
                        var trajectory = first + i;
                        var rng = RandomStream.Derive(options.Seed, (ulong)trajectory);
                        if (partner is not null && i + 1 < count)
                        {
                            var rngB = RandomStream.Derive(options.Seed, (ulong)trajectory + 1);
                            sim.RunPairInto(partner, ref rng, ref rngB, baseOptions, times, buffer, i * width, (i + 1) * width);
                            localFirings += sim.LastFirings + partner.LastFirings;
                            localLeaps += sim.LastLeaps + partner.LastLeaps;
                            i++;
                            continue;
                        }
                        var run = options.InterventionsFor is { } f ? baseOptions with { Interventions = f(trajectory) } : baseOptions;
                        sim.RunInto(ref rng, run, times, buffer, i * width);
                        localFirings += sim.LastFirings;
                        localLeaps += sim.LastLeaps;
                    }
                    lock (gate)
                    {
                        pending[b] = buffer;
                        while (pending.Remove(nextToMerge, out var ready))
                        {
                            var start = nextToMerge * blockSize;
                            Fold(ready, Math.Min(blockSize, n - start));
                            pool.Push(ready);
                            nextToMerge++;
                        }
                    }
                }
                Interlocked.Add(ref firings, localFirings);
                Interlocked.Add(ref leaps, localLeaps);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref failure, ex, null);
            }
        }

        var workers = new Thread[threads - 1];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = new Thread(Worker, 16 * 1024 * 1024) { IsBackground = true, Name = $"ensemble-{w + 1}" };
            workers[w].Start();
        }
        Worker();
        foreach (var w in workers)
        {
            w.Join();
        }
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
        var sd = new double[width];
        for (var x = 0; x < width; x++)
        {
            sd[x] = n > 1 ? Math.Sqrt(Math.Max(0, m2[x] / (n - 1))) : 0;
        }
        return new EnsembleResult(network.SpeciesIds, times, mean, sd, n, firings, leaps);
    }
}
