using MilkCells.Core.Random;
using MilkCells.Engine.Compilation;

namespace MilkCells.Engine.Simulation;

/// <summary>The direct method for rates that change with time between firings.</summary>
/// <remarks>
/// Between firings the state is fixed and the total propensity a₀(s) is a known function of time, so the next
/// firing time τ solves ∫ₜ^{t+τ} a₀(s) ds = E with E ~ Exp(1), and the reaction is chosen with probability
/// aⱼ(t+τ)/a₀(t+τ) (the random time change representation, Anderson 2007, J Chem Phys 127:214107,
/// doi:10.1063/1.2799998). The integral is adaptive Simpson quadrature to a relative tolerance of 1e-10 and the root
/// is polished by Newton's method with a₀ as the derivative, so the method is exact up to that tolerance. Used by
/// every algorithm when a rate reads <c>time</c>.
/// </remarks>
internal sealed class TimeDependentStepper(TrajectoryState s) : Stepper(s)
{
    private const double Tolerance = 1e-10;
    private readonly int[] _timed = s.Net.TimeDependentReactions;
    private readonly bool[] _isTimed = Timed(s.Net);

    private static bool[] Timed(CompiledNetwork net)
    {
        var flags = new bool[net.ReactionCount];
        foreach (var j in net.TimeDependentReactions)
        {
            flags[j] = true;
        }
        return flags;
    }

    public override StopReason Advance(double tStop, long maxSteps)
    {
        var net = S.Net;
        var a = S.A;
        long steps = 0;
        while (true)
        {
            var t = S.T;
            var staticSum = 0.0;
            for (var j = 0; j < a.Length; j++)
            {
                if (!_isTimed[j])
                {
                    staticSum += a[j];
                }
            }
            var e = ZigguratExponential.Next(ref S.Rng);
            var tn = NextFiring(t, tStop, staticSum, e);
            if (tn >= tStop)
            {
                S.Recorder.RecordBefore(tStop);
                S.T = tStop;
                S.V[CompiledNetwork.TimeSlot] = tStop;
                UpdateTimed(tStop);
                return StopReason.ReachedStop;
            }
            S.Recorder.RecordBefore(tn);
            S.T = tn;
            UpdateTimed(tn);
            var total = 0.0;
            for (var j = 0; j < a.Length; j++)
            {
                total += a[j];
            }
            var r = S.Rng.NextDouble() * total;
            var chosen = -1;
            for (var j = 0; j < a.Length; j++)
            {
                if (a[j] > 0)
                {
                    chosen = j;
                    r -= a[j];
                    if (r < 0)
                    {
                        break;
                    }
                }
            }
            if (chosen < 0)
            {
                continue;
            }
            for (var c = net.ChangeStart[chosen]; c < net.ChangeStart[chosen + 1]; c++)
            {
                S.V[net.ChangeSlot[c]] += net.ChangeDelta[c];
            }
            S.UpdateHotRules(chosen);
            for (var d = net.DependentStart[chosen]; d < net.DependentStart[chosen + 1]; d++)
            {
                a[net.Dependents[d]] = S.Propensity(net.Dependents[d]);
            }
            S.Firings++;
            S.ExactStale = true;
            steps++;
            if (net.TouchesTrigger[chosen] && S.CheckTriggers(tn))
            {
                return StopReason.Trigger;
            }
            if (steps >= maxSteps)
            {
                return StopReason.StepLimit;
            }
        }
    }

    private void UpdateTimed(double time)
    {
        S.V[CompiledNetwork.TimeSlot] = time;
        foreach (var j in _timed)
        {
            S.A[j] = S.Propensity(j);
        }
    }

    /// <summary>a₀ at <paramref name="time"/> with the current state.</summary>
    private double Total(double time, double staticSum)
    {
        S.V[CompiledNetwork.TimeSlot] = time;
        var sum = staticSum;
        foreach (var j in _timed)
        {
            sum += S.Propensity(j);
        }
        return sum;
    }

    /// <summary>The time at which ∫ₜ a₀ reaches <paramref name="e"/>, or ≥ <paramref name="tStop"/> if it does not before.</summary>
    private double NextFiring(double t, double tStop, double staticSum, double e)
    {
        var fa = Total(t, staticSum);
        var h = fa > 0 ? Math.Min(e / fa, tStop - t) : (tStop - t) / 16;
        var accumulated = 0.0;
        var x = t;
        while (x < tStop)
        {
            var b = Math.Min(x + h, tStop);
            var fb = Total(b, staticSum);
            var piece = Integrate(x, b, fa, fb, staticSum);
            if (accumulated + piece >= e)
            {
                return Root(x, b, fa, accumulated, e, staticSum);
            }
            accumulated += piece;
            x = b;
            fa = fb;
            h *= 2;
        }
        return tStop;
    }

    /// <summary>Solves accumulated + ∫ₓ^y a₀ = e for y in [x, b] by safeguarded Newton steps.</summary>
    private double Root(double x, double b, double fx, double accumulated, double e, double staticSum)
    {
        double lo = x, hi = b;
        var y = fx > 0 ? Math.Min(b, x + (e - accumulated) / fx) : 0.5 * (x + b);
        for (var i = 0; i < 100; i++)
        {
            var fy = Total(y, staticSum);
            var g = accumulated + Integrate(x, y, fx, fy, staticSum) - e;
            if (Math.Abs(g) <= Tolerance * Math.Max(1, e))
            {
                return y;
            }
            if (g > 0)
            {
                hi = y;
            }
            else
            {
                lo = y;
            }
            var next = fy > 0 ? y - g / fy : 0.5 * (lo + hi);
            y = next > lo && next < hi ? next : 0.5 * (lo + hi);
            if (hi - lo <= 1e-15 * Math.Max(1, Math.Abs(hi)))
            {
                return hi;
            }
        }
        return y;
    }

    private double Integrate(double a, double b, double fa, double fb, double staticSum)
    {
        if (b <= a)
        {
            return 0;
        }
        var m = 0.5 * (a + b);
        var fm = Total(m, staticSum);
        var whole = (b - a) / 6 * (fa + 4 * fm + fb);
        return Adaptive(a, b, fa, fm, fb, whole, Tolerance * Math.Max(1, Math.Abs(whole)), 40, staticSum);
    }

    private double Adaptive(double a, double b, double fa, double fm, double fb, double whole, double tolerance, int depth, double staticSum)
    {
        var m = 0.5 * (a + b);
        double lm = 0.5 * (a + m), rm = 0.5 * (m + b);
        var flm = Total(lm, staticSum);
        var frm = Total(rm, staticSum);
        var left = (m - a) / 6 * (fa + 4 * flm + fm);
        var right = (b - m) / 6 * (fm + 4 * frm + fb);
        var delta = left + right - whole;
        if (depth <= 0 || Math.Abs(delta) <= 15 * tolerance)
        {
            return left + right + delta / 15;
        }
        return Adaptive(a, m, fa, flm, fm, left, tolerance / 2, depth - 1, staticSum)
            + Adaptive(m, b, fm, frm, fb, right, tolerance / 2, depth - 1, staticSum);
    }
}
