using MilkCells.Core.Errors;
using MilkCells.Core.Random;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Catalog;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Model;
using MilkCells.Engine.Simulation;

namespace MilkCells.Engine.Tests;

/// <summary>Events and drivers are exact in every algorithm: no step crosses them, no trigger crossing is lost.</summary>
public class EventAndDriverTests
{
    private static Network ImmigrationDeathWithReset(string trigger) => new NetworkBuilder("reset")
        .Parameter("Alpha", 1000).Parameter("Mu", 0.1)
        .Species("X", 0)
        .MassAction("in", "-> X", "Alpha")
        .MassAction("out", "X ->", "Mu")
        .Event("reset", trigger, [("X", "50")])
        .Build();

    [Theory]
    [MemberData(nameof(Analytic.AllAlgorithms), MemberType = typeof(Analytic))]
    public void A_time_event_applies_at_its_exact_time_and_the_output_there_sees_it(string algorithm)
    {
        // At t = 25 every trajectory is reset to 50, so the output at 25 is exactly 50 with sd 0 (right-continuous
        // paths), and afterwards the mean is 50·e^{−μ(t−25)} + (α/μ)(1 − e^{−μ(t−25)}).
        double[] times = [0, 24.5, 25, 26, 30];
        var r = Analytic.Run(ImmigrationDeathWithReset("time >= 25"), Algorithm.Parse(algorithm), 400, times);
        Assert.Equal(50, r.MeanAt(2, 0));
        Assert.Equal(0, r.SdAt(2, 0));
        foreach (var k in new[] { 3, 4 })
        {
            var dt = times[k] - 25;
            var m = 50 * Math.Exp(-0.1 * dt) + Analytic.ImmigrationDeathMean(1000, 0.1, dt);
            // Variance: the Poisson part plus the binomial survival of the 50: m − 50·e^{−2μdt}·… bounded by m.
            Analytic.MeanWithin(r.MeanAt(k, 0), m, m, 400, bias: algorithm == "tau" ? 0.01 * m : 0, what: $"t={times[k]}");
        }
    }

    [Theory]
    [InlineData("time > 25")]
    [InlineData("25 < time")]
    public void A_strict_time_trigger_fires_just_after_the_threshold(string trigger)
    {
        double[] times = [25, 25.001];
        var r = Analytic.Run(ImmigrationDeathWithReset(trigger), Algorithm.Direct, 50, times);
        Assert.NotEqual(0, r.SdAt(0, 0)); // at 25 itself the trigger is still false
        Assert.InRange(r.MeanAt(1, 0), 50, 52); // 1 ms later every trajectory has been reset (≈ α·1 ms more arrivals)
    }

    [Theory]
    [MemberData(nameof(Analytic.AllAlgorithms), MemberType = typeof(Analytic))]
    public void A_state_trigger_fires_at_the_firing_that_crosses_it(string algorithm)
    {
        // 2P → P2 with a reset when P < 2000 that also records the P it saw. P falls two at a time from an even
        // start, so if no crossing is lost the event always sees exactly 1998. The counts are large enough for
        // tau-leaping to leap (≈ 20 firings per leap): it must undo the leap that would cross and find the
        // crossing by exact steps.
        var network = new NetworkBuilder("dimer-reset")
            .Parameter("k1", 0.00002).Parameter("seen", -1, constant: false)
            .Species("P", 3000).Species("P2", 0)
            .MassAction("dim", "2 P -> P2", "k1")
            .Event("reset", "P < 2000", [("P", "3000"), ("P2", "0"), ("seen", "P")])
            .Build();
        var compiled = CompiledNetwork.Compile(network);
        var seenSlot = compiled.SlotOf("seen");
        var sim = new Simulator(compiled, Algorithm.Parse(algorithm));
        var seen = new HashSet<double>();
        long events = 0, leaps = 0;
        for (var i = 0; i < 20; i++)
        {
            var rng = RandomStream.Derive(5, (ulong)i);
            var result = sim.Run(ref rng, new RunOptions
            {
                EndTime = 20,
                RecordTimes = RunOptions.EvenlySpaced(0, 20, 201),
                KeepSeries = false,
                Observer = (in Observation o) => seen.Add(o.Value(seenSlot)),
            });
            events += result.EventsFired;
            leaps += result.Leaps;
        }
        Assert.True(events >= 20, $"the trigger should fire repeatedly (fired {events} times)");
        Assert.Equal([-1.0, 1998.0], seen.Order());
        if (algorithm == "tau")
        {
            Assert.True(leaps > 100, $"tau-leaping should leap here (took {leaps} leaps)");
        }
    }

    [Theory]
    [MemberData(nameof(Analytic.AllAlgorithms), MemberType = typeof(Analytic))]
    public void A_driver_switches_rates_exactly_on_schedule(string algorithm)
    {
        // Immigration α·stage with stage 0 until t = 10, then 1: nothing can happen before 10, and after it the
        // count is Poisson with the immigration–death mean over (t − 10).
        var network = new NetworkBuilder("driven")
            .Parameter("Alpha", 2000).Parameter("Mu", 0.5)
            .Driver("stage", 0, [(10, 1), (14, 0.5)])
            .Species("X", 0)
            .MassAction("in", "-> X", "Alpha * stage")
            .MassAction("out", "X ->", "Mu")
            .Build();
        double[] times = [9.999999, 10, 12, 14];
        const int n = 300;
        var r = Analytic.Run(network, Algorithm.Parse(algorithm), n, times);
        Assert.Equal(0, r.MeanAt(0, 0));
        Assert.Equal(0, r.MeanAt(1, 0));
        foreach (var k in new[] { 2, 3 })
        {
            var m = Analytic.ImmigrationDeathMean(2000, 0.5, times[k] - 10);
            // Tau's mean follows Euler's recursion; its error is below 2 % at these step sizes (ε = 0.03).
            Analytic.MeanWithin(r.MeanAt(k, 0), m, m, n, bias: algorithm == "tau" ? 0.02 * m : 0, what: $"t={times[k]}");
        }
    }

    private static Network Driven(params (double Time, double Value)[] schedule) => new NetworkBuilder("driven")
        .Parameter("Alpha", 2000).Parameter("Mu", 0.5)
        .Driver("stage", 0, schedule)
        .Species("X", 0)
        .MassAction("in", "-> X", "Alpha * stage")
        .MassAction("out", "X ->", "Mu")
        .Build();

    [Theory]
    [MemberData(nameof(Analytic.AllAlgorithms), MemberType = typeof(Analytic))]
    public void A_run_schedule_gives_the_same_trajectory_as_the_same_schedule_compiled_in(string algorithm)
    {
        // One network compiled with its schedule, another with none and the schedule given per run: the same seed
        // must give the same trajectory bit for bit, since the stops, the values and the draws are the same.
        var own = CompiledNetwork.Compile(Driven((3, 1), (7, 0.25), (7, 0.5), (11, 2)));
        var bare = CompiledNetwork.Compile(Driven((50, 9))); // its own schedule must be ignored
        var schedule = new DriverSchedule(bare, ["stage"], [3, 7, 11], [1, 0.5, 2]);
        double[] times = [2, 5, 7, 9, 12, 15];
        var options = new RunOptions { EndTime = 15, RecordTimes = times };
        var (a, b) = (new Simulator(own, Algorithm.Parse(algorithm)), new Simulator(bare, Algorithm.Parse(algorithm)));
        var (ra, rb) = (RandomStream.Derive(11, 0), RandomStream.Derive(11, 0));
        var expected = a.Run(ref ra, options);
        var actual = b.Run(ref rb, options with { Drivers = schedule });
        Assert.Equal(expected.Series, actual.Series);
        Assert.Equal(0, actual.At(0, 0));
        Assert.True(actual.At(5, 0) > 0);
    }

    [Fact]
    public void A_run_schedule_is_checked_against_its_network()
    {
        var compiled = CompiledNetwork.Compile(Driven());
        Assert.Contains("not a driver", Assert.Throws<InputException>(() => new DriverSchedule(compiled, ["Alpha"], [0], [1])).Message);
        Assert.Contains("not in order", Assert.Throws<InputException>(() => new DriverSchedule(compiled, ["stage"], [2, 1], [1, 1])).Message);
        Assert.Contains("not finite", Assert.Throws<InputException>(() => new DriverSchedule(compiled, ["stage"], [0], [double.NaN])).Message);
        Assert.Contains("values for", Assert.Throws<InputException>(() => new DriverSchedule(compiled, ["stage"], [0, 1], [1])).Message);
        var other = new DriverSchedule(CompiledNetwork.Compile(Driven()), ["stage"], [0], [1]);
        var rng = RandomStream.Derive(1, 0);
        Assert.Contains("another network", Assert.Throws<InputException>(() =>
            new Simulator(compiled, Algorithm.Direct).Run(ref rng, new RunOptions { EndTime = 1, Drivers = other })).Message);
    }

    [Fact]
    public void Events_can_cascade_and_change_parameters()
    {
        // e1 at t ≥ 1 sets k = 0 (stopping decay) and X = 10; e2 fires when X == 10 and sets Y = 7.
        var network = new NetworkBuilder("cascade")
            .Parameter("k", 5, constant: false)
            .Species("X", 1000).Species("Y", 0)
            .MassAction("decay", "X ->", "k")
            .Event("e1", "time >= 1", [("k", "0"), ("X", "10")])
            .Event("e2", "X == 10", [("Y", "7")])
            .Build();
        var sim = new Simulator(CompiledNetwork.Compile(network), Algorithm.Direct);
        var rng = RandomStream.Derive(1, 0);
        var result = sim.Run(ref rng, new RunOptions { EndTime = 3, RecordTimes = [3] });
        Assert.Equal([10.0, 7.0], result.FinalAmounts);
        Assert.True(result.EventsFired >= 2);
    }

    [Fact]
    public void An_event_that_sets_a_fractional_count_is_an_input_error_naming_the_event()
    {
        var network = new NetworkBuilder("frac")
            .Species("X", 4)
            .Event("halve", "time >= 1", [("X", "X / 3")])
            .Build();
        var sim = new Simulator(CompiledNetwork.Compile(network), Algorithm.Direct);
        var rng = new RandomStream(1);
        var ex = Assert.Throws<Core.Errors.InputException>(() => sim.Run(ref rng, new RunOptions { EndTime = 2 }));
        Assert.Contains("event 'halve'", ex.Message);
        Assert.Contains("whole number", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Analytic.AllAlgorithms), MemberType = typeof(Analytic))]
    public void A_rate_that_turns_negative_at_run_time_is_an_input_error_naming_the_reaction(string algorithm)
    {
        var network = new NetworkBuilder("neg")
            .Parameter("k", 1).Species("X", 10).Species("Y", 0)
            .MassAction("decay", "X ->", "k")
            .Reaction("leak", "-> Y", "k * (X - 5)")
            .Build();
        var sim = new Simulator(CompiledNetwork.Compile(network), Algorithm.Parse(algorithm));
        var rng = new RandomStream(2);
        var ex = Assert.Throws<Core.Errors.InputException>(() => sim.Run(ref rng, new RunOptions { EndTime = 100 }));
        Assert.Contains("reaction 'leak'", ex.Message);
        Assert.Contains("negative", ex.Message);
    }

    [Fact]
    public void Triggers_true_at_the_start_fire_only_when_their_initial_value_is_false()
    {
        Network Net(bool initialValue) => new NetworkBuilder("init")
            .Species("X", 5).Species("Y", 0)
            .Event("e", "X > 1", [("Y", "1")], triggerInitialValue: initialValue)
            .Build();
        double Final(bool initialValue)
        {
            var sim = new Simulator(CompiledNetwork.Compile(Net(initialValue)), Algorithm.Direct);
            var rng = new RandomStream(3);
            return sim.Run(ref rng, new RunOptions { EndTime = 1 }).FinalAmounts[1];
        }
        Assert.Equal(1, Final(false));
        Assert.Equal(0, Final(true));
    }

    [Fact]
    public void Assignment_rules_follow_the_state_and_feed_propensities()
    {
        // y = 2·X drives a reaction; output of y always equals 2·X (DSMTS 00019's rule, here also read by a rate).
        var network = new NetworkBuilder("rule")
            .Parameter("k", 0.01).Species("X", 100).Species("y", 0).Species("Z", 0)
            .MassAction("death", "X ->", "0.1")
            .Reaction("make", "-> Z", "k * y")
            .Rule("y", "2 * X")
            .Build();
        var sim = new Simulator(CompiledNetwork.Compile(network), Algorithm.Direct);
        var rng = new RandomStream(4);
        var result = sim.Run(ref rng, new RunOptions { EndTime = 10, RecordTimes = RunOptions.EvenlySpaced(0, 10, 11) });
        for (var k = 0; k < 11; k++)
        {
            Assert.Equal(2 * result.At(k, 0), result.At(k, 1));
        }
        Assert.True(result.FinalAmounts[2] > 0);
    }
}
