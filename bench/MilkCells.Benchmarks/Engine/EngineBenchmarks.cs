using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using MilkCells.Core.Random;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Catalog;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Ensembles;
using MilkCells.Engine.Model;
using MilkCells.Engine.Simulation;
using MilkCells.Sbml;

namespace MilkCells.Benchmarks.Engine;

/// <summary>The benchmark workloads: a model, an end time and a number of trajectories per operation.</summary>
public static class Workloads
{
    /// <summary>../shared/models/multistate.sbml.xml, found from the working directory upwards.</summary>
    public static string MultistatePath()
    {
        var dir = new DirectoryInfo(Environment.CurrentDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "models", "multistate.sbml.xml");
            if (File.Exists(candidate))
            {
                return candidate;
            }
            dir = dir.Parent;
        }
        throw new FileNotFoundException("multistate.sbml.xml not found: run from inside the repository, with ../shared beside it");
    }

    /// <summary>DSMTS 00001 with X0 = 10,000 (λ = 0.1, μ = 0.11, t = 0–50): ≈ 82,600 firings per trajectory.</summary>
    public static (Network Network, double End, int Trajectories) Get(string model) => model switch
    {
        "birth-death" => (StandardModels.BirthDeath(10_000), 50, 10),
        "multistate" => (SbmlImporter.ReadFile(MultistatePath()), 1e4, 1),
        "ring-1200" => (StandardModels.ReactionDiffusionRing(300), 20, 1),
        _ => throw new ArgumentException(model),
    };

    /// <summary>Runs the workload's trajectories (seeds 0…n−1) on one simulator; returns the firings.</summary>
    public static long Run(Simulator sim, double end, int trajectories)
    {
        long firings = 0;
        var options = new RunOptions { EndTime = end, RecordTimes = RunOptions.EvenlySpaced(0, end, 51) };
        for (var i = 0; i < trajectories; i++)
        {
            var rng = RandomStream.Derive(1, (ulong)i);
            firings += sim.Run(ref rng, options).Firings;
        }
        return firings;
    }
}

/// <summary>Reaction firings per second of one core for each exact method on the three benchmark networks.</summary>
[Config(typeof(FiringsConfig))]
public class ExactFiringBenchmarks
{
    private Simulator _sim = null!;
    private double _end;
    private int _trajectories;

    [Params("direct", "cr")]
    public string Algorithm { get; set; } = "direct";

    [Params("birth-death", "multistate", "ring-1200")]
    public string Model { get; set; } = "birth-death";

    [GlobalSetup]
    public void Setup()
    {
        var (network, end, n) = Workloads.Get(Model);
        _sim = new Simulator(CompiledNetwork.Compile(network), MilkCells.Engine.Algorithms.Algorithm.Parse(Algorithm));
        (_end, _trajectories) = (end, n);
    }

    [Benchmark]
    public long Simulate() => Workloads.Run(_sim, _end, _trajectories);
}

/// <summary>An ensemble of 400 birth–death trajectories on 1 and 2 threads (scaling from one core to two).</summary>
public class EnsembleScalingBenchmarks
{
    private CompiledNetwork _network = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup() => _network = CompiledNetwork.Compile(StandardModels.BirthDeath(10_000));

    [Benchmark]
    public long Ensemble400() => Ensemble.Run(_network, Algorithm.Direct, new EnsembleOptions
    {
        Trajectories = 400,
        Seed = 1,
        Threads = Threads,
        EndTime = 50,
        RecordTimes = RunOptions.EvenlySpaced(0, 50, 51),
    }).Firings;
}

/// <summary>A year of a milk-scale network (10⁵–10⁸ cells, drivers, 120 reactions) with auto: the cost per simulated year.</summary>
public class TauLeapingBenchmarks
{
    private Simulator _sim = null!;
    private RunOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        // 40 cell types in two breasts and an infant pool: shedding (driven by stage), death and transfer.
        var b = new NetworkBuilder("milk-scale").Driver("stage", 1, [(5, 0.5), (14, 0.2), (180, 0.1)]);
        for (var i = 0; i < 40; i++)
        {
            var id = i.ToString(CultureInfo.InvariantCulture);
            b.Parameter("shed" + id, 1e4 * (1 + i % 7)).Parameter("die" + id, 0.05 + 0.01 * (i % 5))
                .Species("L" + id, 1e5 * (1 + i % 3)).Species("R" + id, 1e5).Species("I" + id, 0)
                .MassAction("shedL" + id, "-> L" + id, $"shed{id} * stage")
                .MassAction("dieL" + id, $"L{id} ->", "die" + id)
                .MassAction("moveL" + id, $"L{id} -> I{id}", "0.01");
        }
        _sim = new Simulator(CompiledNetwork.Compile(b.Build()), Algorithm.Auto);
        _options = new RunOptions { EndTime = 365 * 24, RecordTimes = RunOptions.EvenlySpaced(0, 365 * 24, 366), KeepSeries = false };
    }

    [Benchmark]
    public long Year()
    {
        var rng = new RandomStream(3);
        return _sim.Run(ref rng, _options).Leaps;
    }
}

/// <summary>Adds "M firings/s": firings per operation (re-run once, deterministically) over the mean time.</summary>
public sealed class FiringsConfig : ManualConfig
{
    public FiringsConfig() => AddColumn(new FiringsPerSecondColumn());

    private sealed class FiringsPerSecondColumn : IColumn
    {
        private readonly Dictionary<string, long> _firings = [];

        public string Id => nameof(FiringsPerSecondColumn);

        public string ColumnName => "M firings/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Reaction firings per second of one core (firings per operation / mean time)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } stats)
            {
                return "-";
            }
            var algorithm = (string)benchmarkCase.Parameters["Algorithm"];
            var model = (string)benchmarkCase.Parameters["Model"];
            var key = algorithm + "/" + model;
            if (!_firings.TryGetValue(key, out var firings))
            {
                var (network, end, n) = Workloads.Get(model);
                firings = Workloads.Run(new Simulator(CompiledNetwork.Compile(network), Algorithm.Parse(algorithm)), end, n);
                _firings[key] = firings;
            }
            return (firings / (stats.Mean * 1e-9) / 1e6).ToString("F1", CultureInfo.InvariantCulture);
        }

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
