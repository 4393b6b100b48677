using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MilkCells.Core.Random;
using MilkCells.Engine.Compilation;

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
}

/// <summary>Gillespie's direct method (see <see cref="Algorithms.DirectMethod"/>).</summary>
internal sealed class DirectStepper(TrajectoryState s) : Stepper(s)
{
    private const int ResumEvery = 4096;
    private double _a0;

    private void Rebuild()
    {
        var a = S.A;
        double sum = 0;
        for (var j = 0; j < a.Length; j++)
        {
            sum += a[j];
        }
        _a0 = sum;
        S.ExactStale = false;
    }

    /// <summary>The total propensity (rebuilding sums if another stepper changed the state).</summary>
    public double TotalPropensity
    {
        get
        {
            if (S.ExactStale)
            {
                Rebuild();
            }
            return _a0;
        }
    }

    public override StopReason Advance(double tStop, long maxSteps)
    {
        if (S.ExactStale)
        {
            Rebuild();
        }
        var net = S.Net;
        var v = S.V;
        var a = S.A;
        var kernels = S.K;
        var general = net.GeneralRates;
        var changeStart = net.ChangeStart;
        var changeSlot = net.ChangeSlot;
        var changeDelta = net.ChangeDelta;
        var depStart = net.DependentStart;
        var deps = net.Dependents;
        var touches = net.TouchesTrigger;
        var hotRules = net.HasHotRules;
        var rec = S.Recorder;
        var nextRecord = rec.NextTime;
        var rng = S.Rng;
        var t = S.T;
        var a0 = _a0;
        var m = a.Length;
        long steps = 0;
        var sinceResum = 0;
        var reason = StopReason.ReachedStop;
        // Raw references: every index below was validated when the network was compiled.
        ref var aRef = ref MemoryMarshal.GetArrayDataReference(a);
        ref var vRef = ref MemoryMarshal.GetArrayDataReference(v);
        ref var kernelRef = ref MemoryMarshal.GetArrayDataReference(kernels);
        ref var changeStartRef = ref MemoryMarshal.GetArrayDataReference(changeStart);
        ref var changeSlotRef = ref MemoryMarshal.GetArrayDataReference(changeSlot);
        ref var changeDeltaRef = ref MemoryMarshal.GetArrayDataReference(changeDelta);
        ref var depStartRef = ref MemoryMarshal.GetArrayDataReference(depStart);
        ref var depsRef = ref MemoryMarshal.GetArrayDataReference(deps);
        while (true)
        {
            if (!(a0 > 0))
            {
                t = tStop;
                break;
            }
            var tn = t + ZigguratExponential.Next(ref rng) / a0;
            if (tn >= tStop)
            {
                t = tStop;
                break;
            }
            if (tn > nextRecord)
            {
                S.T = t;
                rec.RecordBefore(tn);
                nextRecord = rec.NextTime;
            }
            // Select reaction j with probability a_j / a0 by a linear scan.
            var r = rng.NextDouble() * a0;
            var j = 0;
            for (; j < m - 1; j++)
            {
                r -= Unsafe.Add(ref aRef, j);
                if (r < 0)
                {
                    break;
                }
            }
            if (!(Unsafe.Add(ref aRef, j) > 0))
            {
                // Rounding drift left the scan past the last live reaction: resum exactly and redraw.
                a0 = Sum(a);
                continue;
            }
            for (int c = Unsafe.Add(ref changeStartRef, j), cEnd = Unsafe.Add(ref changeStartRef, j + 1); c < cEnd; c++)
            {
                Unsafe.Add(ref vRef, Unsafe.Add(ref changeSlotRef, c)) += Unsafe.Add(ref changeDeltaRef, c);
            }
            t = tn;
            if (hotRules)
            {
                S.UpdateHotRules(j);
            }
            for (int d = Unsafe.Add(ref depStartRef, j), dEnd = Unsafe.Add(ref depStartRef, j + 1); d < dEnd; d++)
            {
                var k = Unsafe.Add(ref depsRef, d);
                ref readonly var kernel = ref Unsafe.Add(ref kernelRef, k);
                var ak = kernel.General < 0 ? kernel.Product(ref vRef) : general[k]!.Evaluate(v);
                if (!(ak >= 0 && ak < double.PositiveInfinity))
                {
                    S.T = t;
                    S.ThrowBadRate(k, ak);
                }
                ref var slot = ref Unsafe.Add(ref aRef, k);
                a0 += ak - slot;
                slot = ak;
            }
            steps++;
            if (++sinceResum == ResumEvery)
            {
                sinceResum = 0;
                a0 = Sum(a);
            }
            if (touches[j])
            {
                S.T = t;
                if (S.CheckTriggers(t))
                {
                    reason = StopReason.Trigger;
                    break;
                }
            }
            if (steps >= maxSteps)
            {
                reason = StopReason.StepLimit;
                break;
            }
        }
        S.T = t;
        S.Rng = rng;
        S.Firings += steps;
        _a0 = a0;
        return reason;
    }

    private static double Sum(double[] a)
    {
        double sum = 0;
        for (var j = 0; j < a.Length; j++)
        {
            sum += a[j];
        }
        return sum;
    }
}
