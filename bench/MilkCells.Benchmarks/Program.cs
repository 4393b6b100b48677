using BenchmarkDotNet.Running;

if (args is ["fcs-synth", var dir, ..])
{
    // Synthetic FCS files for whole-process timing of `milkcells fcs info --stats` (see README, FCS).
    MilkCells.Benchmarks.Fcs.FcsSynthetic.WriteAll(dir, includeGigabyte: args.Contains("--gigabyte"));
    return;
}
if (args is ["steady", ..])
{
    // Firings/s as trajectories accumulate in one process (see Engine/SteadySpeed.cs).
    MilkCells.Benchmarks.Engine.SteadySpeed.Run(args[1..]);
    return;
}
if (args is ["firing-cost", ..])
{
    MilkCells.Benchmarks.Engine.FiringCost.Run(args[1..]);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
