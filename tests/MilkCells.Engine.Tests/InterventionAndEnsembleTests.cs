using MilkCells.Core.Errors;
using MilkCells.Core.Random;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Catalog;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Ensembles;
using MilkCells.Engine.Model;
using MilkCells.Engine.Simulation;

namespace MilkCells.Engine.Tests;

public class InterventionAndEnsembleTests
{
    private static Network Milkish() => new NetworkBuilder("store")
        .Parameter("shed", 200).Parameter("death", 0.2)
        .Species("Cells", 0).Species("Infant", 0)
        .MassAction("shedding", "-> Cells", "shed")
        .MassAction("dying", "Cells ->", "death")
        .Build();

    /// <summary>Feeds every 3 h remove Binomial(Cells, ½) cells into the infant.</summary>
    private static IReadOnlyList<Intervention> Feeds(CompiledNetwork net, double until)
    {
        var cells = net.SlotOf("Cells");
        var infant = net.SlotOf("Infant");
        void Feed(InterventionContext ctx)
        {
            var removed = Samplers.Binomial(ref ctx.Random, (long)ctx[cells], 0.5);
            ctx[cells] -= removed;
            ctx[infant] += removed;
            if (ctx.Time + 3 <= until)
            {
                ctx.Schedule(ctx.Time + 3, Feed, "feed");
            }
        }
        return [new Intervention(3, Feed, "feed")];
    }

    [Theory]
    [MemberData(nameof(Analytic.AllAlgorithms), MemberType = typeof(Analytic))]
    public void Interventions_happen_exactly_on_time_and_thin_the_population_binomially(string algorithm)
    {
        // Between feeds Cells is immigration–death; a binomial thinning of a Poisson(m) count leaves Poisson(m/2),
        // so just after the feed at t = 3 the count is Poisson(m(3)/2), and Infant received Poisson(m(3)/2).
        var compiled = CompiledNetwork.Compile(Milkish());
        double[] times = [2.999999, 3, 6];
        const int n = 2000;
        var r = Ensemble.Run(compiled, Algorithm.Parse(algorithm), new EnsembleOptions
        {
            Trajectories = n,
            Seed = 11,
            EndTime = 6,
            RecordTimes = times,
            InterventionsFor = _ => Feeds(compiled, 6),
        });
        Assert.Equal(0, r.MeanAt(0, 1));
        var before = Analytic.ImmigrationDeathMean(200, 0.2, 3);
        var bias = algorithm == "tau" ? 0.02 * before : 0;
        Analytic.MeanWithin(r.MeanAt(0, 0), before, before, n, bias, "before the feed");
        Analytic.MeanWithin(r.MeanAt(1, 0), before / 2, before / 2, n, bias, "cells just after");
        Analytic.MeanWithin(r.MeanAt(1, 1), before / 2, before / 2, n, bias, "infant just after");
        Analytic.VarianceWithin(Math.Pow(r.SdAt(1, 1), 2), before / 2, 3 + 2 / before, n, "infant just after");
        // At 6 the second feed (scheduled from inside the first) has happened too.
        var atSix = before / 2 * Math.Exp(-0.2 * 3) + before;
        Analytic.MeanWithin(r.MeanAt(2, 0), atSix / 2, atSix / 2, n, bias * 2, "cells after the second feed");
    }

    [Fact]
    public void Interventions_draw_from_the_trajectory_stream_so_runs_repeat_exactly()
    {
        var compiled = CompiledNetwork.Compile(Milkish());
        var sim = new Simulator(compiled, Algorithm.Auto);
        double[] Once(ulong seed)
        {
            var rng = RandomStream.Derive(seed, 0);
            return sim.Run(ref rng, new RunOptions { EndTime = 30, RecordTimes = RunOptions.EvenlySpaced(0, 30, 31), Interventions = Feeds(compiled, 30) }).Series!;
        }
        Assert.Equal(Once(1), Once(1));
        Assert.NotEqual(Once(1), Once(2));
    }

    [Fact]
    public void Interventions_may_change_drivers_and_must_keep_counts_whole()
    {
        var network = new NetworkBuilder("host")
            .Parameter("k", 100).Driver("on", 0)
            .Species("X", 0)
            .MassAction("make", "-> X", "k * on")
            .Build();
        var compiled = CompiledNetwork.Compile(network);
        var sim = new Simulator(compiled, Algorithm.Direct);
        var rng = new RandomStream(9);
        var on = compiled.SlotOf("on");
        var result = sim.Run(ref rng, new RunOptions
        {
            EndTime = 2,
            RecordTimes = [1, 2],
            Interventions = [new Intervention(1, ctx => ctx[on] = 1, "switch on")],
        });
        Assert.Equal(0, result.At(0, 0));
        Assert.True(result.At(1, 0) > 0);

        var bad = Assert.Throws<InputException>(() =>
        {
            var r2 = new RandomStream(9);
            sim.Run(ref r2, new RunOptions { EndTime = 2, Interventions = [new Intervention(1, ctx => ctx["X"] = 0.5, "halve")] });
        });
        Assert.Contains("intervention 'halve'", bad.Message);
        Assert.Contains("whole number", bad.Message);
        var constant = Assert.Throws<InputException>(() =>
        {
            var r3 = new RandomStream(9);
            sim.Run(ref r3, new RunOptions { EndTime = 2, Interventions = [new Intervention(1, ctx => ctx["k"] = 5)] });
        });
        Assert.Contains("constant", constant.Message);
    }

    [Theory]
    [MemberData(nameof(Analytic.AllAlgorithms), MemberType = typeof(Analytic))]
    public void Ensemble_statistics_are_byte_identical_for_any_thread_count(string algorithm)
    {
        var network = StandardModels.Dimerisation(300);
        double[] times = RunOptions.EvenlySpaced(0, 20, 11);
        var one = Analytic.Run(network, Algorithm.Parse(algorithm), 257, times, seed: 99, threads: 1);
        foreach (var threads in new[] { 2, 3, 8 })
        {
            var many = Analytic.Run(network, Algorithm.Parse(algorithm), 257, times, seed: 99, threads: threads);
            Assert.Equal(Bits(one.Mean), Bits(many.Mean));
            Assert.Equal(Bits(one.StandardDeviation), Bits(many.StandardDeviation));
            Assert.Equal(one.Firings, many.Firings);
        }
        var other = Analytic.Run(network, Algorithm.Parse(algorithm), 257, times, seed: 100, threads: 2);
        Assert.NotEqual(Bits(one.Mean), Bits(other.Mean));

        static long[] Bits(double[] values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();
    }

    [Fact]
    public void Per_trajectory_series_arrive_in_order_and_match_single_runs()
    {
        var compiled = CompiledNetwork.Compile(StandardModels.BirthDeath(50));
        double[] times = [0, 5, 10];
        var seen = new List<(int Index, double[] Series)>();
        Ensemble.Run(compiled, Algorithm.Direct, new EnsembleOptions
        {
            Trajectories = 40,
            Seed = 5,
            Threads = 2,
            EndTime = 10,
            RecordTimes = times,
            OnTrajectory = (i, s) => seen.Add((i, s.ToArray())),
        });
        Assert.Equal(Enumerable.Range(0, 40), seen.Select(x => x.Index));
        var sim = new Simulator(compiled, Algorithm.Direct);
        foreach (var i in new[] { 0, 17, 39 })
        {
            var rng = RandomStream.Derive(5, (ulong)i);
            Assert.Equal(sim.Run(ref rng, new RunOptions { EndTime = 10, RecordTimes = times }).Series, seen[i].Series);
        }
    }
}
