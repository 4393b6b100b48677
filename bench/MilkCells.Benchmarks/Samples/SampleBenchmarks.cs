using System.Collections.Immutable;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Samples;
using MilkCells.Samples.Analysis;
using MilkCells.Samples.Cytometer;
using MilkCells.Samples.Inference;
using MilkCells.Samples.Input;
using MilkCells.Samples.Output;
using MilkCells.Samples.Panels;

namespace MilkCells.Benchmarks.Samples;

/// <summary>
/// Reading a milk sample (docs/sample.md, Speed): gating and counting one 1,000,000-event milk-basic file, and one
/// mother's state inference once the library is built. Whole-process figures come from <see cref="SampleSpeed"/>.
/// </summary>
[MemoryDiagnoser]
public class SampleBenchmarks
{
    private string _dir = "";
    private string _file = "";
    private SampleInfo _info = null!;
    private CountingInfo _counting = null!;
    private Panel _panel = null!;
    private StateLibrary _library = null!;
    private StateObservation[] _mother = [];

    [GlobalSetup]
    public void Setup()
    {
        var model = MilkModel.Embedded;
        var calibration = model.Calibrate(null);
        _panel = BuiltInPanels.Load("milk-basic", model);
        _dir = Directory.CreateTempSubdirectory("milkcells-sample-bench").FullName;
        var samples = SampleSynthesizer.Synthesize(new SynthesisRequest(ScenarioLoader.Load("mastitis", model), 1, [41], null, 1_000_000, _panel, null),
            calibration, VirtualCytometerSettings.Default, CancellationToken.None);
        SampleOutputs.WriteSynthesis(samples, _panel, model, _dir, []);
        var row = Manifest.Read(Path.Combine(_dir, "manifest.csv"))[0];
        (_file, _info, _counting) = (row.File, row.Info, row.Counting);
        _library = Library(calibration, out _);
        _mother = Mother(_library);
    }

    /// <summary>The library, cached across runs (keyed by model, priors and options, so a stale one is never used): its build takes minutes under load.</summary>
    internal static StateLibrary Library(CalibratedModel calibration, out TimeSpan? built) =>
        StateLibrary.LoadOrBuild(calibration, StatePriors.Default, new StateLibraryOptions(), 364, Path.Combine(Path.GetTempPath(), "milkcells-bench-cache"), out built);

    /// <summary>14 daily samples of a mother from alternating breasts with bacteria and Na:K, leucocytes, bacteria and Na:K rising from day 8 (as an infectious mastitis would).</summary>
    internal static StateObservation[] Mother(StateLibrary library) =>
        [.. Enumerable.Range(0, 14).Select(k => new StateObservation(60 + k, k % 2 == 0 ? "left" : "right",
            library.MeanL[60 + k] + (k >= 8 ? 7 : 0), library.MeanN[60 + k] + (k >= 8 ? 1 : 0), 1e-3, 1e-5,
            library.MeanB[60 + k] + (k >= 8 ? 1.5 : 0), library.MeanR[60 + k] + (k >= 8 ? 1 : 0)))];

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, true);

    /// <summary>Reads, compensates, transforms and gates 1,000,000 events and counts them in the model's classes.</summary>
    [Benchmark]
    public AnalyzedSample AnalyzeMillionEvents() => FcsSampleAnalyzer.Analyze(_file, _info, _counting, _panel, MilkModel.Embedded);

    /// <summary>One mother's state posterior from 14 samples with cells, bacteria and Na:K, evidence prior.</summary>
    [Benchmark]
    public StatePosterior InferMother() => StateInference.Infer(_library, _mother, StatePriors.Default, StatePriorKind.Evidence);
}

/// <summary>
/// Inputs for whole-process timing and the calibration run (docs/sample.md): <c>samples-files DIR N EVENTS</c> writes a
/// manifest of N files of EVENTS events (50 synthesized tubes, hard-linked under N names); <c>samples-calibration
/// [--mothers M]</c> prints the state inference's calibration on M held-out mothers per state, with the samples' bacteria
/// and Na:K and with their cells only (the same mothers and counts).
/// </summary>
public static class SampleSpeed
{
    public static void WriteFiles(string dir, int files, int events)
    {
        var model = MilkModel.Embedded;
        var calibration = model.Calibrate(null);
        var panel = BuiltInPanels.Load("milk-basic", model);
        var tubes = Path.GetFullPath(Path.Combine(dir, "tubes"));
        Directory.CreateDirectory(tubes);
        var samples = new List<SynthesizedSample>();
        for (var m = 0; m < 5; m++)
        {
            samples.AddRange(SampleSynthesizer.Synthesize(new SynthesisRequest(ScenarioLoader.Load("healthy", model), 1, [.. Enumerable.Range(30, 10)], m, events, panel, null),
                calibration, VirtualCytometerSettings.Default, CancellationToken.None));
        }
        SampleOutputs.WriteSynthesis(samples, panel, model, tubes, []);
        var manifest = File.ReadAllLines(Path.Combine(tubes, "manifest.csv"));
        using var w = new StreamWriter(Path.Combine(dir, "manifest.csv"));
        w.Write(manifest[0] + "\n");
        for (var i = 0; i < files; i++)
        {
            var source = manifest[1 + i % samples.Count].Split(',');
            var name = $"f{i:D5}.fcs";
            var link = Path.Combine(dir, name);
            if (!File.Exists(link))
            {
                File.CreateSymbolicLink(link, Path.Combine(tubes, source[0]));
            }
            source[0] = name;
            source[1] = $"s{i:D5}";
            source[2] = $"m{i / 10:D4}";
            source[3] = (30 + i % 10).ToString(CultureInfo.InvariantCulture);
            w.Write(string.Join(',', source) + "\n");
        }
    }

    /// <summary>
    /// <c>samples-infer [N]</c>: the state library's build time (or its load from the benchmark's cache), then N inferences
    /// of <see cref="SampleBenchmarks.InferMother"/>'s mother after 30 to warm up: wall and CPU per inference.
    /// </summary>
    public static void Inference(int count)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var library = SampleBenchmarks.Library(MilkModel.Embedded.Calibrate(null), out var built);
        Console.WriteLine(built is { } b ? $"library {library.Key}: built in {b.TotalSeconds:0.0} s" : $"library {library.Key}: loaded from cache in {watch.Elapsed.TotalSeconds:0.0} s");
        var mother = SampleBenchmarks.Mother(library);
        for (var i = 0; i < 30; i++)
        {
            StateInference.Infer(library, mother, StatePriors.Default, StatePriorKind.Evidence);
        }
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var times = new double[count];
        watch.Restart();
        for (var i = 0; i < count; i++)
        {
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            StateInference.Infer(library, mother, StatePriors.Default, StatePriorKind.Evidence);
            times[i] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        var wall = watch.Elapsed.TotalMilliseconds / count;
        process.Refresh();
        Array.Sort(times);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} inferences (14 samples, evidence prior): {wall:0.00} ms wall, {(process.TotalProcessorTime - cpu).TotalMilliseconds / count:0.00} ms CPU each; median {times[count / 2]:0.00} ms, fastest {times[0]:0.00} ms"));
    }

    public static void Calibration(int mothersPerState, int threads)
    {
        var model = MilkModel.Embedded;
        var calibration = model.Calibrate(null);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var library = StateLibrary.LoadOrBuild(calibration, StatePriors.Default, new StateLibraryOptions { Threads = threads }, 364, null, out var built);
        Console.WriteLine($"library {library.Key}: built in {built?.TotalSeconds:0.0} s ({library.Templates.Length} templates, {library.Mothers} baseline mothers)");
        var design = new CalibrationDesign(MothersPerState: mothersPerState);
        watch.Restart();
        var mothers = ImmutableArray.Create(StatePosterior.Healthy).AddRange(library.States)
            .SelectMany(s => StateCalibration.Simulate(calibration, library, StatePriors.Default, design, s, threads, CancellationToken.None)).ToList();
        Console.WriteLine($"{mothers.Count} held-out mothers simulated in {watch.Elapsed.TotalSeconds:0.0} s; design: days {design.FirstDay}-{design.FirstDay + design.Samples - 1}, one sample a day from alternating breasts, {design.CellEvents} cell events a sample");
        var cellsOnly = mothers.Select(m => m with { Observations = [.. m.Observations.Select(o => o.WithoutChemistry())] }).ToList();
        foreach (var (what, set) in new[] { ("cells, bacteria and Na:K", mothers), ("cells only", cellsOnly) })
        {
            Report(what, library, set, threads);
        }
    }

    private static void Report(string what, StateLibrary library, List<HeldOutMother> mothers, int threads)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var report = StateCalibration.Evaluate(library, StatePriors.Default, mothers, threads, CancellationToken.None);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: evaluated (every prefix until the true state passes 0.9) in {watch.Elapsed.TotalSeconds:0.0} s, {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.0} s CPU"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"accuracy {report.Accuracy:0.000}; top-label ECE {report.TopLabelEce:0.000}; class-wise ECE {report.ClasswiseEce:0.000}; per-day class-wise ECE {report.DailyClasswiseEce:0.000}"));
        Console.WriteLine("state                AUC    samples to P>0.9 (median)  share reaching it   most probable state (rows: truth)");
        for (var i = 0; i < report.States.Length; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{report.States[i],-20} {report.Auc[i]:0.000}  {report.SamplesNeeded[i].Median,10}                 {report.SamplesNeeded[i].Reached,6:0.00}              {string.Join(" ", report.Confusion[i].Select(c => c.ToString(CultureInfo.InvariantCulture).PadLeft(4)))}"));
        }
    }
}
