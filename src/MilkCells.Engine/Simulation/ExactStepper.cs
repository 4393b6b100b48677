using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MilkCells.Core.Random;

namespace MilkCells.Engine.Simulation;

/// <summary>How an exact method keeps the propensity sum and picks the next reaction.</summary>
/// <remarks>Implemented by structs, so <see cref="ExactStepper{TSelector}"/> is compiled once per method with every
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

    /// <summary>A reaction with probability aⱼ/a₀, or −1 when rounding drift left no live reaction (resum and redraw).</summary>
    int Select(ref RandomStream rng, double[] a);

    /// <summary>Records that propensity k changed from <paramref name="old"/> to <paramref name="value"/>.</summary>
    void Update(int k, double old, double value);
}

/// <summary>An exact stochastic simulation stepper: waiting times, selection by <typeparamref name="TSelector"/>,
/// firing, dependency-graph updates and trigger checks.</summary>
internal sealed class ExactStepper<TSelector>(TrajectoryState s, TSelector selector) : Stepper(s)
    where TSelector : struct, IReactionSelector
{
    private TSelector _selector = selector;

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

    public override StopReason Advance(double tStop, long maxSteps)
    {
        EnsureFresh();
        var net = S.Net;
        var v = S.V;
        var a = S.A;
        var general = net.GeneralRates;
        var touches = net.TouchesTrigger;
        var hotRules = net.HasHotRules;
        var rec = S.Recorder;
        var nextRecord = rec.NextTime;
        var rng = S.Rng;
        var t = S.T;
        long steps = 0;
        var sinceResum = 0;
        var resumEvery = _selector.ResumEvery;
        var reason = StopReason.ReachedStop;
        // Raw references: every index below was validated when the network was compiled.
        ref var aRef = ref MemoryMarshal.GetArrayDataReference(a);
        ref var vRef = ref MemoryMarshal.GetArrayDataReference(v);
        ref var kernelRef = ref MemoryMarshal.GetArrayDataReference(S.K);
        ref var changeStartRef = ref MemoryMarshal.GetArrayDataReference(net.ChangeStart);
        ref var changeSlotRef = ref MemoryMarshal.GetArrayDataReference(net.ChangeSlot);
        ref var changeDeltaRef = ref MemoryMarshal.GetArrayDataReference(net.ChangeDelta);
        ref var depStartRef = ref MemoryMarshal.GetArrayDataReference(net.DependentStart);
        ref var depsRef = ref MemoryMarshal.GetArrayDataReference(net.Dependents);
        while (true)
        {
            var a0 = _selector.Total;
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
            var j = _selector.Select(ref rng, a);
            if (j < 0)
            {
                _selector.Resum(a);
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
                var old = slot;
                if (ak != old)
                {
                    slot = ak;
                    _selector.Update(k, old, ak);
                }
            }
            steps++;
            if (++sinceResum == resumEvery)
            {
                sinceResum = 0;
                _selector.Resum(a);
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
        return reason;
    }
}

/// <summary>Gillespie's direct method (see <see cref="Algorithms.DirectMethod"/>): one running sum, a linear scan.</summary>
internal struct DirectSelector : IReactionSelector
{
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Select(ref RandomStream rng, double[] a)
    {
        ref var aRef = ref MemoryMarshal.GetArrayDataReference(a);
        var r = rng.NextDouble() * _a0;
        var last = a.Length - 1;
        var j = 0;
        for (; j < last; j++)
        {
            r -= Unsafe.Add(ref aRef, j);
            if (r < 0)
            {
                break;
            }
        }
        // A scan that ran past the last live reaction can only be rounding drift.
        return Unsafe.Add(ref aRef, j) > 0 ? j : -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(int k, double old, double value) => _a0 += value - old;
}
