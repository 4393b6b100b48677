using System.Diagnostics;
using System.Globalization;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Ensembles;
using MilkCells.Engine.Simulation;

namespace MilkCells.Benchmarks.Engine;

/// <summary>Firings per second as trajectories accumulate in one process: does the speed hold after the JIT has
/// seen 10, 50, 200, 1,000 trajectories?</summary>
/// <remarks>
/// <c>dotnet bench/MilkCells.Benchmarks/bin/Release/net10.0/MilkCells.Benchmarks.dll steady [MODEL] [ALGORITHM]
/// [END] [CHECKPOINTS]</c>, e.g. <c>steady multistate direct 1000 10,50,200,1000</c>: one-thread ensembles of
/// trajectories 1–10, 11–50, 51–200 and 201–1,000 in turn through <see cref="Ensemble.Run"/> (the path of
/// <c>milkcells engine run</c>), each block reported with its firings per second of wall time and of process CPU
/// time. Flat numbers down
/// the column mean the speed does not depend on how long the process has run; the whole-process counterpart is
/// <c>bench/sidebyside.py --steady</c>.
/// </remarks>
public static class SteadySpeed
{
    public static void Run(string[] args)
    {
        var model = args.Length > 0 ? args[0] : "multistate";
        var algorithm = Algorithm.Parse(args.Length > 1 ? args[1] : "direct");
        var end = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
        var checkpoints = (args.Length > 3 ? args[3] : "10,50,200,1000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var (network, _, _) = Workloads.Get(model);
        var compiled = CompiledNetwork.Compile(network);
        var times = RunOptions.EvenlySpaced(0, end, 51);
        Console.WriteLine($"{model}, {algorithm.Name}, t = 0–{end.ToString(CultureInfo.InvariantCulture)}, one thread");
        Console.WriteLine("| trajectories | firings | wall s | M firings/s (wall) | CPU s | M firings/s (CPU) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var done = 0;
        foreach (var upTo in checkpoints)
        {
            var count = upTo - done;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var first = done;
            var result = Ensemble.Run(compiled, algorithm, new EnsembleOptions
            {
                Trajectories = count,
                Seed = (ulong)upTo,
                Threads = 1,
                EndTime = end,
                RecordTimes = times,
            });
            var wall = clock.Elapsed.TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {first + 1}–{upTo} | {result.Firings:N0} | {wall:F2} | {result.Firings / wall / 1e6:F1} | {cpuSeconds:F2} | {result.Firings / cpuSeconds / 1e6:F1} |"));
            done = upTo;
        }
    }
}

/// <summary>Nanoseconds per firing from many short runs, reporting the minimum and the median: on a shared,
/// loaded machine the fastest of many runs of a few hundred microseconds is one the scheduler left alone.</summary>
/// <remarks><c>dotnet …/MilkCells.Benchmarks.dll firing-cost [MODEL] [ALGORITHM] [END] [RUNS] [pairs]</c>, e.g.
/// <c>firing-cost birth-death direct 2 3000 pairs</c> (<c>pairs</c>: two trajectories at a time, as in an ensemble). A direction-finder while developing under load, not a
/// replacement for the whole-process comparison in <c>bench/sidebyside.py</c>.</remarks>
public static class FiringCost
{
    public static void Run(string[] args)
    {
        var model = args.Length > 0 ? args[0] : "birth-death";
        var algorithm = Algorithm.Parse(args.Length > 1 ? args[1] : "direct");
        var end = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        var runs = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3000;
        var pairs = args.Length > 4 && args[4] == "pairs";
        var (network, _, _) = Workloads.Get(model);
        var compiled = CompiledNetwork.Compile(network);
        var sim = new Simulator(compiled, algorithm);
        var partner = new Simulator(compiled, algorithm);
        var options = new RunOptions { EndTime = end, RecordTimes = [end], KeepSeries = false };
        double[] times = [end];
        var perFiring = new double[runs];
        for (var i = 0; i < runs + runs / 10; i++)
        {
            var rng = MilkCells.Core.Random.RandomStream.Derive(7, (ulong)i);
            var rngB = MilkCells.Core.Random.RandomStream.Derive(8, (ulong)i);
            var start = Stopwatch.GetTimestamp();
            if (pairs)
            {
                // Two trajectories advanced together, as an ensemble runs them (Simulator.RunPairInto).
                sim.RunPairInto(partner, ref rng, ref rngB, options, times, null, 0, 0);
            }
            else
            {
                sim.Run(ref rng, options);
            }
            var ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            if (i >= runs / 10)
            {
                perFiring[i - runs / 10] = ns / (sim.LastFirings + (pairs ? partner.LastFirings : 0));
            }
        }
        Array.Sort(perFiring);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{model} {algorithm.Name} t=0–{end}{(pairs ? ", in pairs" : "")}: {sim.LastFirings:N0} firings per run; ns/firing min {perFiring[0]:F2}, 10th pct {perFiring[runs / 10]:F2}, median {perFiring[runs / 2]:F2}"));
    }
}
