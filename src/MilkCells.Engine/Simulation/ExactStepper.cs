using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MilkCells.Core.Random;
using MilkCells.Engine.Compilation;

namespace MilkCells.Engine.Simulation;

/// <summary>How an exact method keeps the propensity sum and picks the next reaction.</summary>
/// <remarks>Implemented by structs, so <see cref="ExactStepper{TSelector, TFactors}"/> is compiled once per method with every
/// call inlined: one hot loop, no virtual calls per firing.</remarks>
internal interface IReactionSelector
{
    /// <summary>The total propensity a₀.</summary>
    double Total { get; }

    /// <summary>Firings between exact re-summations that bound rounding drift.</summary>
    int ResumEvery { get; }

    /// <summary>Rebuilds every sum from the propensities.</summary>
    void Rebuild(double[] a);

    /// <summary>Recomputes the sums exactly from the propensities.</summary>
    void Resum(double[] a);

    /// <summary>A reaction with probability aⱼ/a₀ (<paramref name="a"/> is the first propensity; the selector knows
    /// how many there are), or −1 when rounding drift left no live reaction (resum and redraw).</summary>
    int Select(ref RandomStream rng, ref double a);

    /// <summary>Records that propensity k is now <paramref name="value"/> (was <paramref name="old"/>; the two may be equal).</summary>
    void Update(int k, double old, double value);
}

/// <summary>An exact stepper whose advances can run two trajectories at a time (<see cref="ExactStepper{TSelector, TFactors}.RunPair"/>):
/// an advance is begun, run (together with another trajectory's, or alone) until it ends, and ended, so that one
/// trajectory's advance can wait, part-way, while the other starts its next.</summary>
internal interface IPairableStepper
{
    /// <summary>Whether <paramref name="other"/> is another trajectory's stepper of the same kind on the same network.</summary>
    bool CanPairWith(Stepper other);

    /// <summary>Starts an advance to <paramref name="tStop"/> with at most <paramref name="maxSteps"/> firings.</summary>
    void BeginAdvance(double tStop, long maxSteps);

    /// <summary>Runs the begun advance alone until it ends.</summary>
    void FinishAdvance();

    /// <summary>Runs this begun advance and <paramref name="other"/>'s together until either ends; true when this one ended.</summary>
    bool AdvanceTogether(IPairableStepper other);

    /// <summary>Ends the advance (it must have ended): the trajectory's time, stream and firing count take its results.</summary>
    StopReason EndAdvance();
}

/// <summary>How many factors the network's product-form rates have at most, as a type, so the exact loop is
/// compiled without the third multiplication when no rate has one (every network of uni- and bimolecular
/// reactions).</summary>
internal interface IFactorCount
{
    /// <summary>True when some rate has three factors.</summary>
    static abstract bool Three { get; }
}

/// <summary>At most two factors per rate.</summary>
internal struct TwoFactors : IFactorCount
{
    public static bool Three => false;
}

/// <summary>Up to three factors per rate.</summary>
internal struct ThreeFactors : IFactorCount
{
    public static bool Three => true;
}

/// <summary>An exact stochastic simulation stepper: waiting times, selection by <typeparamref name="TSelector"/>,
/// firing, dependency-graph updates and trigger checks.</summary>
/// <remarks>
/// <para>
/// The firings run in <see cref="RunPlain"/>, a loop without calls: a firing that needs anything else (an output
/// time or the stop, the ziggurat's rare slow path, a reaction with flags — rules, triggers, or a dependent whose
/// rate is bytecode —, a periodic re-summation, the step budget, rounding drift, a bad rate) leaves the loop with
/// the reason, <see cref="Advance"/> handles it, and the loop is entered again. Without calls in it, the JIT keeps the random stream, the time, the selector's sums and the
/// array references in registers; with them, every value live across a call is spilled to the stack around the
/// whole loop (x64's floating-point registers are all caller-saved on Unix).
/// </para>
/// <para>
/// Both methods are compiled once, fully optimised, on first use (<see cref="MethodImplOptions.AggressiveOptimization"/>).
/// A trajectory enters the loop a handful of times, so the runtime's tiering, which promotes a method after 30
/// calls, would run the first 30 trajectories of an ensemble in ReadyToRun code (where nothing from another
/// assembly, not even the random stream, is inlined), the next 30 in dynamic-PGO instrumented code and the rest in
/// code optimised for a profile those few calls could not give: throughput fell as trajectories accumulated
/// (docs/performance.md).
/// </para>
/// </remarks>
internal sealed class ExactStepper<TSelector, TFactors> : Stepper, IPairableStepper
    where TSelector : struct, IReactionSelector
    where TFactors : struct, IFactorCount
{
    private TSelector _selector;
    private Loop _loop;

    public ExactStepper(TrajectoryState s, TSelector selector)
        : base(s)
    {
        _selector = selector;
        // Initialised before the loop is compiled, so the JIT reads the ziggurat's tables as constants.
        RuntimeHelpers.RunClassConstructor(typeof(ZigguratExponential).TypeHandle);
    }

    /// <summary>The total propensity (rebuilding the sums if another stepper changed the state).</summary>
    public double TotalPropensity
    {
        get
        {
            EnsureFresh();
            return _selector.Total;
        }
    }

    private void EnsureFresh()
    {
        if (S.ExactStale)
        {
            _selector.Rebuild(S.A);
            S.ExactStale = false;
        }
    }

    /// <summary>Why <see cref="RunPlain"/> returned.</summary>
    private enum Exit
    {
        /// <summary>The total propensity is 0: nothing can fire.</summary>
        Extinct,

        /// <summary>The waiting-time draw needs <see cref="ZigguratExponential.Finish"/> (layer, x).</summary>
        SlowDraw,

        /// <summary>The next firing time (in <see cref="Loop.Tn"/>) reaches the next output time or the stop.</summary>
        Horizon,

        /// <summary>Selection ran past the last live reaction: re-sum and draw again.</summary>
        Drift,

        /// <summary>The selected reaction (<see cref="Loop.J"/>, at <see cref="Loop.Tn"/>) has flags: fire it outside.</summary>
        Flagged,

        /// <summary>The countdown to the next re-summation or the step budget reached 0.</summary>
        Countdown,

        /// <summary>Reaction <see cref="Loop.J"/>'s propensity <see cref="Loop.Tn"/> is negative, infinite or NaN.</summary>
        BadRate,
    }

    /// <summary>What the loop carries across its exits, and the bookkeeping of one <see cref="Advance"/>.</summary>
    private struct Loop
    {
        public RandomStream Rng;
        public double T;
        public double Horizon;
        public int Countdown;
        public double Tn;
        public int J;
        public int Layer;

        /// <summary>The stop of this advance.</summary>
        public double Stop;

        /// <summary>The firing budget of this advance.</summary>
        public long Budget;

        /// <summary>Firings left of the budget at the start of the current chunk.</summary>
        public long Left;

        /// <summary>Firings until the next re-summation at the start of the current chunk.</summary>
        public int UntilResum;

        /// <summary>The current chunk's length: <see cref="Countdown"/> counts it down.</summary>
        public int Chunk;

        /// <summary>Why the advance ends (<see cref="StopReason.ReachedStop"/> while it runs).</summary>
        public StopReason Reason;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override StopReason Advance(double tStop, long maxSteps)
    {
        BeginAdvance(tStop, maxSteps);
        FinishAdvance();
        return EndAdvance();
    }

    /// <summary>Advances this trajectory and <paramref name="other"/>'s (the same network, another random stream)
    /// to <paramref name="tStop"/> together, firing them alternately in one loop (<see cref="RunPair"/>); false, doing
    /// nothing, when <paramref name="other"/> is not the same kind of stepper.</summary>
    /// <remarks>
    /// A firing's work is a chain of dependent steps (the total propensity, the selection, the state change, the
    /// new propensities, the total again), so one trajectory keeps the processor waiting on latencies while most
    /// of its execution units idle. Two independent trajectories in one loop give the out-of-order core a second
    /// chain to fill those cycles with (instruction-level parallelism). Each trajectory draws from its own stream and
    /// does exactly the arithmetic it would alone, so its path is bit for bit the same.
    /// Only for runs with no step budget and no triggers: the caller checks that the network has no events
    /// (<see cref="Simulator.CanPair"/>).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool TryAdvancePair(Stepper other, double tStop)
    {
        if (!CanPairWith(other))
        {
            return false;
        }
        var b = (ExactStepper<TSelector, TFactors>)other;
        BeginAdvance(tStop, long.MaxValue);
        b.BeginAdvance(tStop, long.MaxValue);
        (AdvanceTogether(b) ? b : this).FinishAdvance();
        EndAdvance();
        b.EndAdvance();
        return true;
    }

    /// <inheritdoc/>
    public bool CanPairWith(Stepper other) => other is ExactStepper<TSelector, TFactors> b && b != this && ReferenceEquals(b.S.Net, S.Net);

    /// <inheritdoc/>
    public void BeginAdvance(double tStop, long maxSteps) => Begin(ref _loop, tStop, maxSteps);

    /// <inheritdoc/>
    public StopReason EndAdvance() => End(ref _loop);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void FinishAdvance()
    {
        while (!Handle(ref _loop, RunPlain(ref _loop, ref _selector)))
        {
        }
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool AdvanceTogether(IPairableStepper other)
    {
        var b = (ExactStepper<TSelector, TFactors>)other;
        while (true)
        {
            var exit = RunPair(ref _loop, ref _selector, b, ref b._loop, ref b._selector, out var second);
            if (second ? b.Handle(ref b._loop, exit) : Handle(ref _loop, exit))
            {
                return !second;
            }
        }
    }

    /// <summary>Starts an advance to <paramref name="tStop"/> with at most <paramref name="maxSteps"/> firings.</summary>
    private void Begin(ref Loop loop, double tStop, long maxSteps)
    {
        EnsureFresh();
        loop.Rng = S.Rng;
        loop.T = S.T;
        loop.Stop = tStop;
        loop.Horizon = Math.Min(tStop, S.Recorder.NextTime);
        loop.Reason = StopReason.ReachedStop;
        // One countdown for the periodic work: it reaches 0 at the next re-summation or at the step budget.
        loop.UntilResum = _selector.ResumEvery;
        loop.Budget = Math.Max(1, maxSteps);
        loop.Left = loop.Budget;
        loop.Chunk = (int)Math.Min(loop.UntilResum, loop.Left);
        loop.Countdown = loop.Chunk;
    }

    /// <summary>Ends an advance: the state takes the loop's time, stream and firings.</summary>
    private StopReason End(ref Loop loop)
    {
        S.T = loop.T;
        S.Rng = loop.Rng;
        S.Firings += loop.Budget - loop.Left + (loop.Chunk - loop.Countdown);
        return loop.Reason;
    }

    /// <summary>Handles why the loop returned; true when the advance ended: it reached its stop, nothing can fire,
    /// the step budget ran out or a trigger turned true (<see cref="Loop.Reason"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Handle(ref Loop loop, Exit exit)
    {
        var fired = false;
        switch (exit)
        {
            case Exit.Extinct:
                loop.T = loop.Stop;
                return true;
            case Exit.SlowDraw:
                loop.Tn = loop.T + ZigguratExponential.Finish(ref loop.Rng, loop.Layer, loop.Tn) / _selector.Total;
                if (loop.Tn >= loop.Horizon && ReachedStop(ref loop))
                {
                    return true;
                }
                fired = FireOne(ref loop);
                break;
            case Exit.Horizon:
                if (ReachedStop(ref loop))
                {
                    return true;
                }
                fired = FireOne(ref loop);
                break;
            case Exit.Drift:
                _selector.Resum(S.A);
                break;
            case Exit.Flagged:
                fired = Fire(ref loop, loop.J);
                break;
            case Exit.Countdown:
                fired = true;
                loop.Countdown = 1;
                break;
            default:
                S.T = loop.T;
                S.ThrowBadRate(loop.J, loop.Tn);
                break;
        }
        if (fired && --loop.Countdown == 0)
        {
            loop.Left -= loop.Chunk;
            loop.UntilResum -= loop.Chunk;
            if (loop.UntilResum == 0)
            {
                _selector.Resum(S.A);
                loop.UntilResum = _selector.ResumEvery;
            }
            loop.Chunk = (int)Math.Min(loop.UntilResum, loop.Left);
            loop.Countdown = loop.Chunk;
            if (loop.Left == 0)
            {
                loop.Reason = StopReason.StepLimit;
            }
        }
        if (fired && (S.Net.FiringPlans[loop.J].Flags & FiringPlan.TouchesTrigger) != 0)
        {
            S.T = loop.T;
            if (S.CheckTriggers(loop.T))
            {
                loop.Reason = StopReason.Trigger;
            }
        }
        return loop.Reason != StopReason.ReachedStop;
    }

    /// <summary>At an exit with <see cref="Loop.Tn"/> at or past the horizon: true at the stop; otherwise records the
    /// output times before <see cref="Loop.Tn"/> and moves the horizon.</summary>
    private bool ReachedStop(ref Loop loop)
    {
        if (loop.Tn >= loop.Stop)
        {
            loop.T = loop.Stop;
            return true;
        }
        S.T = loop.T;
        S.Recorder.RecordBefore(loop.Tn);
        loop.Horizon = Math.Min(loop.Stop, S.Recorder.NextTime);
        return false;
    }

    /// <summary>Selects and fires one reaction at <see cref="Loop.Tn"/>; false when rounding drift forced a re-sum instead.</summary>
    private bool FireOne(ref Loop loop)
    {
        var j = _selector.Select(ref loop.Rng, ref MemoryMarshal.GetArrayDataReference(S.A));
        if (j < 0)
        {
            _selector.Resum(S.A);
            return false;
        }
        return Fire(ref loop, j);
    }

    /// <summary>Fires reaction <paramref name="j"/> at <see cref="Loop.Tn"/> with everything its flags ask for.</summary>
    private bool Fire(ref Loop loop, int j)
    {
        var net = S.Net;
        var plan = net.FiringPlans[j];
        loop.T = loop.Tn;
        loop.J = j;
        for (var c = plan.ChangeStart; c < plan.ChangeEnd; c++)
        {
            S.V[net.Changes[c].Slot] += net.Changes[c].Delta;
        }
        if ((plan.Flags & FiringPlan.HotRules) != 0)
        {
            S.UpdateHotRules(j);
        }
        S.T = loop.T;
        for (var d = plan.DependentStart; d < plan.DependentEnd; d++)
        {
            var k = net.Dependents[d];
            var ak = S.Propensity(k);
            _selector.Update(k, S.A[k], ak);
            S.A[k] = ak;
        }
        return true;
    }

    /// <summary>Fires reactions until one needs more than a plain firing; returns why it stopped.</summary>
    /// <remarks>No calls (<typeparamref name="TSelector"/>'s hot members and <see cref="Step"/> inline), so nothing is spilled.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private Exit RunPlain(ref Loop loop, ref TSelector selectorRef)
    {
        var tables = new FiringTables(S.Net);
        var arrays = new LaneArrays(S);
        var selector = selectorRef;
        var rng = loop.Rng;
        var t = loop.T;
        var horizon = loop.Horizon;
        var countdown = loop.Countdown;
        Exit exit;
        double tn;
        int j;
        while (Step(ref selector, ref rng, ref t, horizon, ref countdown, in arrays, in tables, out exit, out tn, out j))
        {
        }
        selectorRef = selector;
        Keep(ref loop, rng, t, countdown);
        Exited(ref loop, tn, j);
        return exit;
    }

    /// <summary><see cref="RunPlain"/> for two trajectories of the same network at once: one firing of each per
    /// round, until either needs more than a plain firing; <paramref name="second"/> says which one that was.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private Exit RunPair(ref Loop la, ref TSelector selectorA, ExactStepper<TSelector, TFactors> other, ref Loop lb, ref TSelector selectorB, out bool second)
    {
        var tables = new FiringTables(S.Net);
        var arraysA = new LaneArrays(S);
        var arraysB = new LaneArrays(other.S);
        var (selA, rngA, tA, horizonA, countdownA) = (selectorA, la.Rng, la.T, la.Horizon, la.Countdown);
        var (selB, rngB, tB, horizonB, countdownB) = (selectorB, lb.Rng, lb.T, lb.Horizon, lb.Countdown);
        Exit exit;
        double tn;
        int j;
        while (true)
        {
            if (!Step(ref selA, ref rngA, ref tA, horizonA, ref countdownA, in arraysA, in tables, out exit, out tn, out j))
            {
                second = false;
                break;
            }
            if (!Step(ref selB, ref rngB, ref tB, horizonB, ref countdownB, in arraysB, in tables, out exit, out tn, out j))
            {
                second = true;
                break;
            }
        }
        selectorA = selA;
        selectorB = selB;
        Keep(ref la, rngA, tA, countdownA);
        Keep(ref lb, rngB, tB, countdownB);
        Exited(ref second ? ref lb : ref la, tn, j);
        return exit;
    }

    /// <summary>Stores what the loop keeps across exits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep(ref Loop loop, in RandomStream rng, double t, int countdown)
    {
        loop.Rng = rng;
        loop.T = t;
        loop.Countdown = countdown;
    }

    /// <summary>Stores what an exit concerns: a time, and a reaction or ziggurat layer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Exited(ref Loop loop, double tn, int j)
    {
        loop.Tn = tn;
        loop.J = j;
        loop.Layer = j;
    }

    /// <summary>The network's firing tables as raw references: every index into them was validated when the network was compiled.</summary>
    private readonly ref struct FiringTables(CompiledNetwork net)
    {
        public readonly ref FiringPlan Plans = ref MemoryMarshal.GetArrayDataReference(net.FiringPlans);
        public readonly ref StateChange Changes = ref MemoryMarshal.GetArrayDataReference(net.Changes);
        public readonly ref int Dependents = ref MemoryMarshal.GetArrayDataReference(net.Dependents);
    }

    /// <summary>One trajectory's propensities, values and rate kernels as raw references.</summary>
    private readonly ref struct LaneArrays(TrajectoryState s)
    {
        public readonly ref double A = ref MemoryMarshal.GetArrayDataReference(s.A);
        public readonly ref double V = ref MemoryMarshal.GetArrayDataReference(s.V);
        public readonly ref FlatKernel F = ref MemoryMarshal.GetArrayDataReference(s.F);
    }

    /// <summary>One plain firing of one trajectory: true when it fired; false, firing nothing, with the reason (and
    /// the time, reaction or ziggurat layer it concerns) when it needs the caller.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Step(ref TSelector selector, ref RandomStream rng, ref double t, double horizon, ref int countdown,
        in LaneArrays arrays, in FiringTables tables, out Exit exit, out double tn, out int j)
    {
        ref var aRef = ref arrays.A;
        ref var vRef = ref arrays.V;
        var a0 = selector.Total;
        if (!(a0 > 0))
        {
            exit = Exit.Extinct;
            tn = t;
            j = 0;
            return false;
        }
        if (!ZigguratExponential.TryNextFast(ref rng, out var e, out var layer))
        {
            exit = Exit.SlowDraw;
            tn = e;
            j = layer;
            return false;
        }
        tn = t + e / a0;
        if (tn >= horizon)
        {
            exit = Exit.Horizon;
            j = 0;
            return false;
        }
        j = selector.Select(ref rng, ref aRef);
        if (j < 0)
        {
            exit = Exit.Drift;
            return false;
        }
        ref readonly var plan = ref Unsafe.Add(ref tables.Plans, j);
        if (plan.Flags != 0)
        {
            exit = Exit.Flagged;
            return false;
        }
        t = tn;
        for (nint c = plan.ChangeStart, cEnd = plan.ChangeEnd; c < cEnd; c++)
        {
            ref readonly var change = ref Unsafe.Add(ref tables.Changes, c);
            Unsafe.Add(ref vRef, change.Slot) += change.Delta;
        }
        for (nint d = plan.DependentStart, dEnd = plan.DependentEnd; d < dEnd; d++)
        {
            var k = Unsafe.Add(ref tables.Dependents, d);
            var ak = Unsafe.Add(ref arrays.F, k).Product(ref vRef, TFactors.Three);
            if (!(ak >= 0 && ak < double.PositiveInfinity))
            {
                exit = Exit.BadRate;
                tn = ak;
                j = k;
                return false;
            }
            ref var slot = ref Unsafe.Add(ref aRef, k);
            var old = slot;
            slot = ak;
            selector.Update(k, old, ak);
        }
        if (--countdown == 0)
        {
            exit = Exit.Countdown;
            return false;
        }
        exit = default;
        return true;
    }
}

/// <summary>Gillespie's direct method (see <see cref="Algorithms.DirectMethod"/>): one running sum, a linear scan.</summary>
internal struct DirectSelector(int reactions) : IReactionSelector
{
    private readonly bool _branchFree = reactions <= BranchFreeUpTo;
    private readonly int _last = reactions - 1;
    private double _a0;

    public readonly double Total => _a0;

    public readonly int ResumEvery => 4096;

    public void Rebuild(double[] a) => Resum(a);

    public void Resum(double[] a)
    {
        double sum = 0;
        for (var j = 0; j < a.Length; j++)
        {
            sum += a[j];
        }
        _a0 = sum;
    }

    /// <summary>Networks with at most this many reactions scan without branching.</summary>
    /// <remarks>Where the scan stops is random, so a branch on it is mispredicted at nearly every firing
    /// (half the time for birth–death); counting instead of stopping costs one subtraction per reaction, which is
    /// cheaper until the scan is long.</remarks>
    public const int BranchFreeUpTo = 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Select(ref RandomStream rng, ref double aRef)
    {
        var r = rng.NextDouble() * _a0;
        var last = _last;
        var j = 0;
        if (_branchFree)
        {
            // r only decreases, so the count of non-negative partial remainders is where the scan below stops.
            for (var i = 0; i < last; i++)
            {
                r -= Unsafe.Add(ref aRef, i);
                j += r >= 0 ? 1 : 0;
            }
        }
        else
        {
            for (; j < last; j++)
            {
                r -= Unsafe.Add(ref aRef, j);
                if (r < 0)
                {
                    break;
                }
            }
        }
        // A scan that ran past the last live reaction can only be rounding drift.
        return Unsafe.Add(ref aRef, j) > 0 ? j : -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(int k, double old, double value) => _a0 += value - old;
}

/// <summary>Creates exact steppers.</summary>
internal static class ExactSteppers
{
    /// <summary>An exact stepper for <paramref name="s"/>'s network with <paramref name="selector"/>; returns it with
    /// a reader of its total propensity.</summary>
    public static Stepper Create<TSelector>(TrajectoryState s, TSelector selector, out Func<double> total)
        where TSelector : struct, IReactionSelector
    {
        if (s.Net.AnyThreeFactorRate)
        {
            var three = new ExactStepper<TSelector, ThreeFactors>(s, selector);
            total = () => three.TotalPropensity;
            return three;
        }
        var two = new ExactStepper<TSelector, TwoFactors>(s, selector);
        total = () => two.TotalPropensity;
        return two;
    }
}

