using BenchmarkDotNet.Attributes;
using MilkCells.Cytometry;
using MilkCells.Cytometry.Compensation;
using MilkCells.Cytometry.Gating;
using MilkCells.Cytometry.Transforms;

namespace MilkCells.Benchmarks.Cytometry;

/// <summary>Finds ../shared beside the repository (or MILKCELLS_SHARED), as the tests do.</summary>
internal static class SharedData
{
    public static string Path(string relative)
    {
        if (Environment.GetEnvironmentVariable("MILKCELLS_SHARED") is { Length: > 0 } overridden)
        {
            return System.IO.Path.Combine(overridden, relative);
        }
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "MilkCells.slnx")))
        {
            dir = dir.Parent;
        }
        return System.IO.Path.Combine(dir?.FullName ?? ".", "..", "shared", relative);
    }

    /// <summary>data1.fcs's events repeated to at least <paramref name="events"/> events.</summary>
    public static EventMatrix Data1(int events)
    {
        var data = CytometrySample.Read(Path("conformance/gatingml/data1.fcs")).Events;
        var copies = (events + data.EventCount - 1) / data.EventCount;
        return new EventMatrix(data.Names, Enumerable.Range(0, data.ChannelCount)
            .Select(c => Enumerable.Repeat(data.Column(c).ToArray(), copies).SelectMany(x => x).Take(events).ToArray()).ToList());
    }
}

/// <summary>Scale transforms: values per second over a million compensated-like values (negatives included).</summary>
[MemoryDiagnoser]
public class TransformBenchmarks
{
    private const int N = 1_000_000;
    private readonly double[] _values = new double[N];
    private readonly double[] _scales = new double[N];
    private readonly double[] _output = new double[N];
    private readonly LogicleTransform _logicle = new(262144, 0.5, 4.5, 0);
    private readonly HyperlogTransform _hyperlog = new(262144, 0.5, 4.5, 0);
    private readonly AsinhTransform _asinh = new(262144, 4.5, 0);
    private readonly FlowJoBiexTransform _biex = new();

    [GlobalSetup]
    public void Setup()
    {
        // Log-normal positives with a Gaussian spread around zero, like compensated fluorescence.
        var rng = new Random(42);
        for (var i = 0; i < N; i++)
        {
            _values[i] = i % 3 == 0 ? rng.NextDouble() * 400 - 200 : Math.Exp(rng.NextDouble() * 11);
            _scales[i] = rng.NextDouble();
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Logicle() => _logicle.Apply(_values, _output);

    [Benchmark(OperationsPerInvoke = N)]
    public double[] LogicleColumnParallel() => _logicle.ApplyColumn(_values);

    [Benchmark(OperationsPerInvoke = N)]
    public void LogicleInverse() => _logicle.Inverse(_scales, _output);

    [Benchmark(OperationsPerInvoke = N)]
    public void Hyperlog() => _hyperlog.Apply(_values, _output);

    [Benchmark(OperationsPerInvoke = N)]
    public void Asinh() => _asinh.Apply(_values, _output);

    [Benchmark(OperationsPerInvoke = N)]
    public void FlowJoBiex() => _biex.Apply(_values, _output);
}

/// <summary>Compensation of a million 14-channel events with FlowKit's example spillover matrix.</summary>
[MemoryDiagnoser]
public class CompensationBenchmarks
{
    private const int N = 1_000_000;
    private Compensator _compensator = null!;
    private EventMatrix _events = null!;

    [GlobalSetup]
    public void Setup()
    {
        var spill = SpilloverFile.Read(SharedData.Path("fcs/compensation/flowkit/comp_complete_example.csv"));
        _compensator = new Compensator(spill);
        var rng = new Random(42);
        _events = new EventMatrix(spill.Detectors, spill.Detectors.Select(_ => Enumerable.Range(0, N).Select(_ => rng.NextDouble() * 1e5).ToArray()).ToList());
    }

    [Benchmark(OperationsPerInvoke = N)]
    public double[][] Compensate14Channels() => _compensator.CompensateColumns(_events);
}

/// <summary>Gating: every gate of the compliance suite's all-gates file (49 populations) on a million events.</summary>
[MemoryDiagnoser]
public class GatingBenchmarks
{
    private GatingDocument _allGates = null!;
    private GatingDocument _rectangle = null!;
    private GatingDocument _polygon = null!;
    private GatingDocument _logicleRectangle = null!;
    private EventMatrix _events = null!;

    [Params(1_000_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        GatingDocument Gml(string file) => GatingMLReader.ReadFile(SharedData.Path($"conformance/gatingml/gml/{file}"));
        _allGates = Gml("gml_all_gates.xml");
        _rectangle = Gml("gml_rect1_gate.xml");
        _polygon = Gml("gml_poly1_gate.xml");
        _logicleRectangle = Gml("gml_matrix_transform_logicle_rect1_gate.xml");
        _events = SharedData.Data1(Events);
    }

    [Benchmark]
    public GatingResult AllGates() => GateEvaluator.Evaluate(_allGates, _events);

    [Benchmark]
    public GatingResult Rectangle() => GateEvaluator.Evaluate(_rectangle, _events);

    [Benchmark]
    public GatingResult Polygon() => GateEvaluator.Evaluate(_polygon, _events);

    [Benchmark]
    public GatingResult CompensatedLogicleRectangle() => GateEvaluator.Evaluate(_logicleRectangle, _events);
}
