using BenchmarkDotNet.Running;

if (args is ["fcs-synth", var dir, ..])
{
    // Synthetic FCS files for whole-process timing of `milkcells fcs info --stats` (see README, FCS).
    MilkCells.Benchmarks.Fcs.FcsSynthetic.WriteAll(dir, includeGigabyte: args.Contains("--gigabyte"));
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
