using BenchmarkDotNet.Running;

if (args is ["fcs-synth", var dir, ..])
{
    // Synthetic FCS files for whole-process timing of `milkcells fcs info --stats` (see README, FCS).
    MilkCells.Benchmarks.Fcs.FcsSynthetic.WriteAll(dir, includeGigabyte: args.Contains("--gigabyte"));
    return;
}
if (args is ["samples-files", var folder, var count, var events, ..])
{
    // Inputs for whole-process timing of `milkcells sample analyze` (docs/sample.md, Speed).
    MilkCells.Benchmarks.Samples.SampleSpeed.WriteFiles(folder, int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), int.Parse(events, System.Globalization.CultureInfo.InvariantCulture));
    return;
}
if (args is ["samples-calibration", ..])
{
    // The state inference's calibration on held-out simulated mothers (docs/sample.md, States).
    var mothers = args.SkipWhile(a => a != "--mothers").Skip(1).Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault(500);
    MilkCells.Benchmarks.Samples.SampleSpeed.Calibration(mothers, Environment.ProcessorCount);
    return;
}
if (args is ["samples-infer", ..])
{
    // One mother's state inference, wall and CPU per call, and the library's build time (docs/sample.md, Speed).
    MilkCells.Benchmarks.Samples.SampleSpeed.Inference(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 300);
    return;
}
if (args is ["steady", ..])
{
    // Firings/s as trajectories accumulate in one process (see Engine/SteadySpeed.cs).
    MilkCells.Benchmarks.Engine.SteadySpeed.Run(args[1..]);
    return;
}
if (args is ["export-phases", ..])
{
    // Where a Parquet export's CPU goes: reading the store vs encoding (docs/performance.md, Cohort exports).
    MilkCells.Benchmarks.Storage.ExportPhases.Run(args[1..]);
    return;
}
if (args is ["firing-cost", ..])
{
    MilkCells.Benchmarks.Engine.FiringCost.Run(args[1..]);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
