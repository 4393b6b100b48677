using MilkCells.Core.Errors;
using MilkCells.Core.Random;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Compilation;

namespace MilkCells.Engine.Simulation;

/// <summary>What one trajectory run should do: the time span, output times, interventions and observer.</summary>
public sealed record RunOptions
{
    /// <summary>Start time (the network's initial state holds here).</summary>
    public double StartTime { get; init; }

    /// <summary>End time.</summary>
    public required double EndTime { get; init; }

    /// <summary>Output times, ascending, within [StartTime, EndTime].</summary>
    public IReadOnlyList<double> RecordTimes { get; init; } = [];

    /// <summary>Host actions at fixed times (more can be scheduled from inside one).</summary>
    public IReadOnlyList<Intervention> Interventions { get; init; } = [];

    /// <summary>Called at each output time with the state; null for none.</summary>
    public TrajectoryObserver? Observer { get; init; }

    /// <summary>This run's driver values, replacing the network's own schedules; null keeps them.</summary>
    public DriverSchedule? Drivers { get; init; }

    /// <summary>Whether to keep the species series in the result (false when an observer is enough).</summary>
    public bool KeepSeries { get; init; } = true;

    /// <summary>K equally spaced times from <paramref name="start"/> to <paramref name="end"/> inclusive.</summary>
    public static double[] EvenlySpaced(double start, double end, int count)
    {
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "at least one output time is needed");
        }
        if (count == 1)
        {
            return [end];
        }
        var times = new double[count];
        for (var k = 0; k < count; k++)
        {
            times[k] = k == count - 1 ? end : start + (end - start) * k / (count - 1);
        }
        return times;
    }
}

/// <summary>The outcome of one trajectory.</summary>
public sealed class RunResult
{
    internal RunResult(IReadOnlyList<string> speciesIds, double[] times, double[]? series, double[] final, long firings, long leaps, long events)
    {
        SpeciesIds = speciesIds;
        Times = times;
        Series = series;
        FinalAmounts = final;
        Firings = firings;
        Leaps = leaps;
        EventsFired = events;
    }

    /// <summary>Species ids (columns).</summary>
    public IReadOnlyList<string> SpeciesIds { get; }

    /// <summary>Output times (rows).</summary>
    public IReadOnlyList<double> Times { get; }

    /// <summary>Species amounts, row-major: time k, species s at k·S + s; null when not kept.</summary>
    public double[]? Series { get; }

    /// <summary>Species amounts at the end time.</summary>
    public double[] FinalAmounts { get; }

    /// <summary>Reaction firings (exact steps plus every firing inside leaps).</summary>
    public long Firings { get; }

    /// <summary>Tau leaps taken.</summary>
    public long Leaps { get; }

    /// <summary>Model events fired.</summary>
    public long EventsFired { get; }

    /// <summary>The amount of species <paramref name="s"/> at output time <paramref name="k"/>.</summary>
    public double At(int k, int s) => (Series ?? throw new InvalidOperationException("the series was not kept"))[k * SpeciesIds.Count + s];
}

/// <summary>Runs trajectories of one compiled network with one algorithm; reuse it for many runs on one thread.</summary>
/// <remarks>
/// Not thread-safe: give each thread its own simulator (they share the immutable <see cref="CompiledNetwork"/>).
/// At each stop the order is: driver changes, then interventions (in time, then scheduling order), then model
/// events whose triggers turned true (cascading); output at that time sees the result.
/// <code>
/// var sim = new Simulator(CompiledNetwork.Compile(network), Algorithm.Auto);
/// var rng = RandomStream.Derive(seed, trajectory);
/// var result = sim.Run(ref rng, new RunOptions { EndTime = 365, RecordTimes = RunOptions.EvenlySpaced(0, 365, 366) });
/// </code>
/// </remarks>
public sealed class Simulator
{
    private readonly TrajectoryState _s;
    private readonly Stepper _stepper;
    private readonly Recorder _recorder;
    private readonly InterventionContext _context;
    private readonly PriorityQueue<(Action<InterventionContext> Action, string? Name), (double Time, long Order)> _queue = new();
    private long _scheduled;
    private readonly List<int> _changing = [];

    /// <summary>A simulator for <paramref name="network"/> using <paramref name="algorithm"/>.</summary>
    public Simulator(CompiledNetwork network, Algorithm algorithm)
    {
        Network = network;
        Algorithm = algorithm;
        _s = new TrajectoryState(network);
        _recorder = new Recorder(_s);
        _s.Recorder = _recorder;
        _stepper = CreateStepper(_s, algorithm);
        _context = new InterventionContext(_s, (time, action, name) => _queue.Enqueue((action, name), (time, _scheduled++)));
    }

    /// <summary>The network.</summary>
    public CompiledNetwork Network { get; }

    /// <summary>The algorithm.</summary>
    public Algorithm Algorithm { get; }

    /// <summary>Firings in the last run.</summary>
    public long LastFirings => _s.Firings;

    /// <summary>Leaps in the last run.</summary>
    public long LastLeaps => _s.Leaps;

    private static Stepper CreateStepper(TrajectoryState s, Algorithm algorithm)
    {
        if (s.Net.HasTimeDependentRates)
        {
            return new TimeDependentStepper(s);
        }
        switch (algorithm)
        {
            case DirectMethod:
                return ExactSteppers.Create(s, new DirectSelector(s.A.Length), out _);
            case CompositionRejection:
                return ExactSteppers.Create(s, new CompositionRejectionSelector(s.A.Length), out _);
            case TauLeaping tau:
                s.Linear = tau.ExactLinear ? LinearSubsystem.Find(s.Net) : null;
                return new TauLeapStepper(s, tau, ExactFor(s, 48, out _), s.Linear);
            case AutoAlgorithm auto:
                {
                    var exact = ExactFor(s, auto.CompositionRejectionAbove, out var total);
                    return new AutoStepper(s, auto, exact, total, new TauLeapStepper(s, auto.Leaping, exact));
                }
            default:
                throw new ArgumentException($"unknown algorithm {algorithm}", nameof(algorithm));
        }
    }

    private static Stepper ExactFor(TrajectoryState s, int crAbove, out Func<double> total)
    {
        return s.A.Length > crAbove
            ? ExactSteppers.Create(s, new CompositionRejectionSelector(s.A.Length), out total)
            : ExactSteppers.Create(s, new DirectSelector(s.A.Length), out total);
    }

    /// <summary>Runs one trajectory drawing from <paramref name="rng"/> (which advances).</summary>
    public RunResult Run(ref RandomStream rng, RunOptions options)
    {
        var times = options.RecordTimes as double[] ?? [.. options.RecordTimes];
        var series = options.KeepSeries ? new double[times.Length * Network.SpeciesCount] : null;
        RunInto(ref rng, options, times, series, 0);
        _s.TouchAll(_s.T);
        return new RunResult(Network.SpeciesIds, times, series,
            _s.V.AsSpan(CompiledNetwork.FirstSpeciesSlot, Network.SpeciesCount).ToArray(), _s.Firings, _s.Leaps, _s.EventsFired);
    }

    /// <summary>Runs one trajectory writing species amounts at <paramref name="times"/> into
    /// <paramref name="series"/> from <paramref name="offset"/>.</summary>
    internal void RunInto(ref RandomStream rng, RunOptions options, double[] times, double[]? series, int offset)
    {
        Validate(options, times);
        var s = _s;
        try
        {
            var drivers = Start(rng, options, times, series, offset);
            var end = options.EndTime;
            while (true)
            {
                _recorder.RecordThrough(s.T);
                if (s.T >= end)
                {
                    break;
                }
                var tNext = Math.Min(end, drivers.NextTime);
                if (_queue.TryPeek(out _, out var due))
                {
                    tNext = Math.Min(tNext, due.Time);
                }
                tNext = Math.Min(tNext, NextBreakpoint(s.T));
                var reason = _stepper.Advance(tNext, long.MaxValue);
                if (reason == StopReason.Trigger)
                {
                    FireAndRefresh(true);
                    continue;
                }
                _recorder.RecordBefore(tNext);
                s.T = tNext;
                if (s.Linear is { } linear && drivers.NextTime <= tNext)
                {
                    _changing.Clear();
                    drivers.PendingSlots(tNext, _changing);
                    linear.EnsureReading(s, _changing, tNext);
                }
                var parametersChanged = drivers.ApplyThrough(tNext, s.V);
                var changed = parametersChanged;
                changed |= RunInterventionsDue(ref parametersChanged);
                if (changed)
                {
                    s.Refresh(parametersChanged);
                }
                else
                {
                    s.ApplyAllRules(s.T);
                }
                FireAndRefresh(s.HasEvents && s.CheckTriggers(s.T));
            }
        }
        finally
        {
            rng = s.Rng;
        }
    }

    /// <summary>Whether runs of <paramref name="network"/> with <paramref name="options"/> go two at a time through
    /// <see cref="RunPairInto"/>: no events, driver changes, interventions or time-dependent rates, so that each
    /// trajectory is one uninterrupted advance from the start to the end; and the direct method (or <c>auto</c>,
    /// whose exact stretches then use it) on a network small enough for its branch-free selection.</summary>
    /// <remarks>Pairing pays only where a firing has no unpredictable branch: a mispredicted branch in one trajectory
    /// discards the other's work in flight too. Measured per firing (docs/performance.md): birth–death 20.5 → 13.6 ns;
    /// the 18-reaction multistate network (branching scan) 30.6 → 32.2 ns and composition–rejection on a
    /// 1,200-reaction ring 84 → 92 ns, so those run one at a time.</remarks>
    internal static bool CanPair(CompiledNetwork network, Algorithm algorithm, RunOptions options) =>
        network.ReactionCount <= (algorithm switch
        {
            DirectMethod => DirectSelector.BranchFreeUpTo,
            AutoAlgorithm auto => Math.Min(DirectSelector.BranchFreeUpTo, auto.CompositionRejectionAbove),
            _ => -1,
        })
        && options.Interventions.Count == 0 && options.Drivers is null && network.Events.Length == 0 && network.DriverSteps.Length == 0
        && !network.HasTimeDependentRates;

    /// <summary>Runs two trajectories, this simulator's from <paramref name="rngA"/> into <paramref name="offsetA"/>
    /// and <paramref name="other"/>'s from <paramref name="rngB"/> into <paramref name="offsetB"/>, advancing them
    /// together when the steppers can (<see cref="Stepper.TryAdvancePair"/>). Each gets exactly what
    /// <see cref="RunInto"/> would give it. Only when <see cref="CanPair"/>.</summary>
    internal void RunPairInto(Simulator other, ref RandomStream rngA, ref RandomStream rngB, RunOptions options, double[] times, double[]? series, int offsetA, int offsetB)
    {
        Validate(options, times);
        try
        {
            Start(rngA, options, times, series, offsetA);
            other.Start(rngB, options, times, series, offsetB);
            var end = options.EndTime;
            _recorder.RecordThrough(_s.T);
            other._recorder.RecordThrough(other._s.T);
            if (_s.T < end)
            {
                // The steps of RunInto's loop for a run with nothing but reactions: one advance to the end, then the end's output.
                if (!_stepper.TryAdvancePair(other._stepper, end))
                {
                    _stepper.Advance(end, long.MaxValue);
                    other._stepper.Advance(end, long.MaxValue);
                }
                EndAt(end);
                other.EndAt(end);
            }
        }
        finally
        {
            rngA = _s.Rng;
            rngB = other._s.Rng;
        }
    }

    /// <summary>The end of a run without discontinuities, after its advance to <paramref name="end"/>.</summary>
    private void EndAt(double end)
    {
        _recorder.RecordBefore(end);
        _s.T = end;
        _s.ApplyAllRules(end);
        _recorder.RecordThrough(end);
    }

    /// <summary>Resets the state for a run from <paramref name="rng"/> and applies what holds at the start: drivers,
    /// interventions due, rules and events (the options were validated).</summary>
    private DriverCursor Start(RandomStream rng, RunOptions options, double[] times, double[]? series, int offset)
    {
        var s = _s;
        s.Reset(options.StartTime);
        s.EndTime = options.EndTime;
        s.Rng = rng;
        _queue.Clear();
        foreach (var i in options.Interventions)
        {
            _queue.Enqueue((i.Action, i.Name), (i.Time, _scheduled++));
        }
        _recorder.Reset(times, series, offset, options.Observer);
        var drivers = new DriverCursor(Network, options.Drivers);
        drivers.ApplyThrough(s.T, s.V);
        var parametersChanged = true;
        RunInterventionsDue(ref parametersChanged);
        s.Refresh(parametersChanged);
        FireAndRefresh(s.InitialiseTriggers());
        return drivers;
    }

    private void FireAndRefresh(bool pending)
    {
        if (pending)
        {
            var parametersChanged = _s.FirePendingEvents();
            _s.Refresh(parametersChanged);
        }
    }

    /// <summary>Runs every intervention due at or before the current time; returns whether any changed the state.</summary>
    private bool RunInterventionsDue(ref bool parametersChanged)
    {
        var any = false;
        while (_queue.TryPeek(out var item, out var due) && due.Time <= _s.T)
        {
            _queue.Dequeue();
            _context.Who = item.Name is null ? "intervention" : $"intervention '{item.Name}'";
            _context.ParametersChanged = false;
            _context.SpeciesChanged = false;
            _s.ApplyAllRules(_s.T);
            item.Action(_context);
            parametersChanged |= _context.ParametersChanged;
            any |= _context.ParametersChanged || _context.SpeciesChanged;
        }
        return any;
    }

    /// <summary>The earliest time after <paramref name="t"/> at which a time comparison in a trigger can change.</summary>
    private double NextBreakpoint(double t)
    {
        var next = double.PositiveInfinity;
        foreach (var ev in Network.Events)
        {
            foreach (var bp in ev.Breakpoints)
            {
                var c = bp.Threshold.Evaluate(_s.V);
                if (bp.AfterThreshold)
                {
                    c = Math.BitIncrement(c);
                }
                if (c > t && c < next)
                {
                    next = c;
                }
            }
        }
        return next;
    }

    /// <summary>Walks the driver changes of a run: the network's schedules, or a <see cref="DriverSchedule"/> instead.</summary>
    private struct DriverCursor(CompiledNetwork network, DriverSchedule? table)
    {
        private readonly DriverStep[] _steps = table is null ? network.DriverSteps : [];
        private int _next;

        /// <summary>The time of the next change not yet applied (+∞ when none is left).</summary>
        public readonly double NextTime => table is null
            ? _next < _steps.Length ? _steps[_next].Time : double.PositiveInfinity
            : _next < table.Times.Length ? table.Times[_next] : double.PositiveInfinity;

        /// <summary>Adds the slots of the changes at or before <paramref name="t"/> not yet applied.</summary>
        public readonly void PendingSlots(double t, List<int> slots)
        {
            if (table is null)
            {
                for (var k = _next; k < _steps.Length && _steps[k].Time <= t; k++)
                {
                    slots.Add(_steps[k].Slot);
                }
            }
            else if (_next < table.Times.Length && table.Times[_next] <= t)
            {
                slots.AddRange(table.Slots);
            }
        }

        /// <summary>Applies every change at or before <paramref name="t"/>; returns whether any was applied.</summary>
        public bool ApplyThrough(double t, double[] v)
        {
            var any = false;
            if (table is null)
            {
                while (_next < _steps.Length && _steps[_next].Time <= t)
                {
                    v[_steps[_next].Slot] = _steps[_next].Value;
                    _next++;
                    any = true;
                }
                return any;
            }
            var slots = table.Slots;
            while (_next < table.Times.Length && table.Times[_next] <= t)
            {
                var row = table.Values.AsSpan(_next * slots.Length, slots.Length);
                for (var i = 0; i < slots.Length; i++)
                {
                    v[slots[i]] = row[i];
                }
                _next++;
                any = true;
            }
            return any;
        }
    }

    private void Validate(RunOptions options, double[] times)
    {
        var where = InputLocation.AtElement(Network.Network.Source, "run options");
        if (!double.IsFinite(options.StartTime) || !double.IsFinite(options.EndTime) || options.EndTime < options.StartTime)
        {
            throw new InputException(where, $"the time span [{options.StartTime}, {options.EndTime}] is not a finite, ordered interval");
        }
        for (var k = 0; k < times.Length; k++)
        {
            if (!(times[k] >= options.StartTime && times[k] <= options.EndTime) || (k > 0 && times[k] < times[k - 1]))
            {
                throw new InputException(where, $"output time {times[k]} is outside [{options.StartTime}, {options.EndTime}] or out of order");
            }
        }
        if (options.Drivers is { } schedule && !ReferenceEquals(schedule.Network, Network))
        {
            throw new InputException(where, "the driver schedule was made for another network");
        }
        foreach (var i in options.Interventions)
        {
            if (!(i.Time >= options.StartTime))
            {
                throw new InputException(where, $"intervention{(i.Name is null ? "" : $" '{i.Name}'")} at {i.Time} is before the start {options.StartTime}");
            }
        }
    }
}
