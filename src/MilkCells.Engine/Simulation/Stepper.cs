namespace MilkCells.Engine.Simulation;

/// <summary>Why a stepper returned.</summary>
internal enum StopReason
{
    /// <summary>Time reached the requested stop.</summary>
    ReachedStop,

    /// <summary>A state trigger turned true; pending events must fire.</summary>
    Trigger,

    /// <summary>The step budget ran out before the stop.</summary>
    StepLimit,
}

/// <summary>Advances a trajectory with one algorithm between discontinuities.</summary>
internal abstract class Stepper(TrajectoryState s)
{
    protected readonly TrajectoryState S = s;

    /// <summary>Advances until <paramref name="tStop"/> (exclusive of what happens there), a trigger, or
    /// <paramref name="maxSteps"/> firings or leaps. Propensities in <see cref="TrajectoryState.A"/> are current on
    /// entry and on return.</summary>
    public abstract StopReason Advance(double tStop, long maxSteps);

    /// <summary>Advances this trajectory and <paramref name="other"/>'s to <paramref name="tStop"/> together, with no
    /// step budget, in a network without triggers; false, doing nothing, when this stepper cannot (then advance each alone).</summary>
    public virtual bool TryAdvancePair(Stepper other, double tStop) => false;
}
