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
/// <c>bench/sidebyside.sh --steady</c>.
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
