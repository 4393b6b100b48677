using MilkCells.Core.Random;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Catalog;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Ensembles;
using MilkCells.Engine.Model;
using MilkCells.Engine.Simulation;

namespace MilkCells.Engine.Tests;

/// <summary>Two trajectories advanced together (<see cref="Simulator.RunPairInto"/>) are each bit for bit the
/// trajectory that runs alone, and an ensemble's output does not depend on whether its trajectories were paired.</summary>
public class PairedTrajectoryTests
{
    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var network in new[] { "birth-death", "dimerisation", "extinction", "immigration" })
        {
            foreach (var algorithm in new[] { "direct", "auto", "auto-switching" })
            {
                cases.Add(network, algorithm);
            }
        }
        return cases;
    }

    /// <summary>The algorithms paired: direct, auto, and auto with a budget so small that trajectories leap, then
    /// fire exactly, in chunks of 256 firings.</summary>
    private static Algorithm AlgorithmFor(string name) =>
        name == "auto-switching" ? new AutoAlgorithm(ExactBudget: 3000, CheckEvery: 256) : Algorithm.Parse(name);

    private static Network Get(string name) => name switch
    {
        "birth-death" => StandardModels.BirthDeath(1000),
        "dimerisation" => StandardModels.Dimerisation(300),
        // Dies out within the run in most trajectories, at different times in the two of a pair.
        "extinction" => new NetworkBuilder("extinction").Parameter("mu", 1.5).Species("X", 4).MassAction("death", "X ->", "mu").Build(),
        "immigration" => StandardModels.ImmigrationDeath(5, 0.5, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_paired_trajectory_is_the_trajectory_run_alone(string name, string algorithmName)
    {
        var compiled = CompiledNetwork.Compile(Get(name));
        var algorithm = AlgorithmFor(algorithmName);
        var options = new RunOptions { EndTime = 20, RecordTimes = [0, 0.5, 0.5, 3, 7.25, 19.999, 20] };
        Assert.True(Simulator.CanPair(compiled, algorithm, options));
        var alone = new Simulator(compiled, algorithm);
        var first = new Simulator(compiled, algorithm);
        var second = new Simulator(compiled, algorithm);
        var times = options.RecordTimes.ToArray();
        var width = times.Length * compiled.SpeciesCount;
        var leaptThenFired = 0;
        for (ulong k = 0; k < 40; k += 2)
        {
            var a = RandomStream.Derive(5, k);
            var b = RandomStream.Derive(5, k + 1);
            var paired = new double[2 * width];
            first.RunPairInto(second, ref a, ref b, options, times, paired, 0, width);
            foreach (var (i, rng, pairedStream, firings) in new[] { (0, k, a, first.LastFirings), (1, k + 1, b, second.LastFirings) })
            {
                var stream = RandomStream.Derive(5, rng);
                var single = alone.Run(ref stream, options);
                Assert.Equal(single.Series, paired.AsSpan(i * width, width).ToArray());
                Assert.Equal(single.Firings, firings);
                Assert.Equal(single.Leaps, (i == 0 ? first : second).LastLeaps);
                leaptThenFired += single.Leaps > 0 && single.Firings > single.Leaps * 10 ? 1 : 0;
                // The stream is left where the lone run leaves it.
                Assert.Equal(stream.NextUInt64(), pairedStream.NextUInt64());
            }
        }
        if (name == "birth-death" && algorithmName == "auto-switching")
        {
            Assert.True(leaptThenFired > 10, $"only {leaptThenFired} of 40 trajectories both leapt and fired exactly");
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 1)]
    [InlineData(33, 2)]
    [InlineData(200, 2)]
    public void An_ensemble_is_the_same_paired_or_not(int trajectories, int threads)
    {
        var compiled = CompiledNetwork.Compile(StandardModels.BirthDeath(500));
        var times = RunOptions.EvenlySpaced(0, 10, 11);
        var options = new EnsembleOptions { Trajectories = trajectories, Seed = 3, Threads = threads, EndTime = 10, RecordTimes = times };
        var rows = new List<double[]>();
        var paired = Ensemble.Run(compiled, Algorithm.Direct, options with { OnTrajectory = (i, row) => rows.Add(row.ToArray()) });
        var alone = new Simulator(compiled, Algorithm.Direct);
        for (var i = 0; i < trajectories; i++)
        {
            var rng = RandomStream.Derive(3, (ulong)i);
            Assert.Equal(alone.Run(ref rng, new RunOptions { EndTime = 10, RecordTimes = times }).Series, rows[i]);
        }
        // Interventions turn pairing off; an intervention that does nothing leaves every trajectory as it was.
        var unpaired = Ensemble.Run(compiled, Algorithm.Direct, options with { InterventionsFor = _ => [new Intervention(100, _ => { }, "never")] });
        Assert.Equal(unpaired.Mean, paired.Mean);
        Assert.Equal(unpaired.StandardDeviation, paired.StandardDeviation);
        Assert.Equal(unpaired.Firings, paired.Firings);
    }

    [Theory]
    [InlineData("direct")]
    [InlineData("cr")]
    [InlineData("tau")]
    [InlineData("auto")]
    public void Warming_up_leaves_the_next_ensemble_unchanged(string algorithm)
    {
        var compiled = CompiledNetwork.Compile(StandardModels.Dimerisation(200));
        var options = new EnsembleOptions { Trajectories = 6, Seed = 9, Threads = 1, EndTime = 5, RecordTimes = RunOptions.EvenlySpaced(0, 5, 6) };
        var before = Ensemble.Run(compiled, Algorithm.Parse(algorithm), options);
        Ensemble.WarmUp(Algorithm.Parse(algorithm));
        var after = Ensemble.Run(compiled, Algorithm.Parse(algorithm), options);
        Assert.Equal(before.Mean, after.Mean);
        Assert.Equal(before.StandardDeviation, after.StandardDeviation);
    }

    [Theory]
    [InlineData(0, 0, 1000)]
    [InlineData(5, 5.5, 1000)]
    [InlineData(2, 9, 0)]
    public void Paired_runs_of_empty_spans_late_starts_and_dead_networks_are_the_runs_alone(double start, double end, double x0)
    {
        var compiled = CompiledNetwork.Compile(StandardModels.BirthDeath(x0));
        var options = new RunOptions { StartTime = start, EndTime = end, RecordTimes = [start, end] };
        var alone = new Simulator(compiled, Algorithm.Direct);
        var first = new Simulator(compiled, Algorithm.Direct);
        var second = new Simulator(compiled, Algorithm.Direct);
        var paired = new double[4];
        var a = RandomStream.Derive(2, 0);
        var b = RandomStream.Derive(2, 1);
        first.RunPairInto(second, ref a, ref b, options, [start, end], paired, 0, 2);
        for (ulong k = 0; k < 2; k++)
        {
            var rng = RandomStream.Derive(2, k);
            var single = alone.Run(ref rng, options);
            Assert.Equal(single.Series, paired.AsSpan((int)k * 2, 2).ToArray());
            Assert.Equal(single.Firings, (k == 0 ? first : second).LastFirings);
            Assert.Equal(rng.NextUInt64(), (k == 0 ? a : b).NextUInt64());
        }
    }

    [Fact]
    public void Only_small_direct_networks_without_discontinuities_pair()
    {
        var small = CompiledNetwork.Compile(StandardModels.BirthDeath(100));
        var options = new RunOptions { EndTime = 1 };
        Assert.True(Simulator.CanPair(small, Algorithm.Direct, options));
        Assert.False(Simulator.CanPair(small, Algorithm.CompositionRejection, options));
        Assert.True(Simulator.CanPair(small, Algorithm.Auto, options));
        Assert.False(Simulator.CanPair(small, new AutoAlgorithm(CompositionRejectionAbove: 1), options));
        Assert.False(Simulator.CanPair(small, Algorithm.Parse("tau"), options));
        Assert.False(Simulator.CanPair(small, Algorithm.Direct, options with { Interventions = [new Intervention(0.5, _ => { })] }));
        Assert.False(Simulator.CanPair(CompiledNetwork.Compile(StandardModels.ReactionDiffusionRing(10)), Algorithm.Direct, options));
    }
}
