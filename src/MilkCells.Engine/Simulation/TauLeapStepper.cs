using MilkCells.Core.Random;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Compilation;

namespace MilkCells.Engine.Simulation;

/// <summary>Adaptive explicit tau-leaping with critical reactions (see <see cref="TauLeaping"/>).</summary>
internal sealed class TauLeapStepper : Stepper
{
    private readonly TauLeaping _p;
    private readonly Stepper _exact;
    private readonly bool[] _critical;
    private readonly double[] _mu;
    private readonly double[] _sigma2;
    private readonly double[] _consumption;
    private readonly double[] _saved;
    private readonly long[] _fired;

    public TauLeapStepper(TrajectoryState s, TauLeaping p, Stepper exact) : base(s)
    {
        _p = p;
        _exact = exact;
        _critical = new bool[s.A.Length];
        _mu = new double[s.V.Length];
        _sigma2 = new double[s.V.Length];
        _consumption = new double[s.V.Length];
        _saved = new double[s.SpeciesCount];
        _fired = new long[s.A.Length];
    }

    public override StopReason Advance(double tStop, long maxSteps)
    {
        var net = S.Net;
        var v = S.V;
        var a = S.A;
        var m = a.Length;
        var first = CompiledNetwork.FirstSpeciesSlot;
        var n = S.SpeciesCount;
        var changeStart = net.ChangeStart;
        var changeSlot = net.ChangeSlot;
        var changeDelta = net.ChangeDelta;
        long leaps = 0;
        while (S.T < tStop)
        {
            if (leaps >= maxSteps)
            {
                return StopReason.StepLimit;
            }
            var t = S.T;
            S.Recorder.RecordThrough(t);
            double a0 = 0;
            for (var j = 0; j < m; j++)
            {
                a0 += a[j];
            }
            if (!(a0 > 0))
            {
                S.Recorder.RecordBefore(tStop);
                S.T = tStop;
                return StopReason.ReachedStop;
            }
            var tau1 = SelectTau(a0, out var a0Critical);
            if (tau1 < _p.SsaFactor / a0)
            {
                // A leap this short is no cheaper than exact firings.
                var reason = _exact.Advance(tStop, _p.SsaSteps);
                leaps++;
                if (reason != StopReason.StepLimit)
                {
                    return reason;
                }
                continue;
            }
            var horizonEnd = Math.Min(tStop, S.Recorder.NextTime);
            var horizon = horizonEnd - t;
            while (true)
            {
                var tau = Math.Min(tau1, horizon);
                var tau2 = a0Critical > 0 ? ZigguratExponential.Next(ref S.Rng) / a0Critical : double.PositiveInfinity;
                var fireCritical = tau2 < tau;
                if (fireCritical)
                {
                    tau = tau2;
                }
                Array.Copy(v, first, _saved, 0, n);
                long total = 0;
                for (var j = 0; j < m; j++)
                {
                    if (_critical[j] || a[j] == 0)
                    {
                        _fired[j] = 0;
                        continue;
                    }
                    var k = Samplers.Poisson(ref S.Rng, a[j] * tau);
                    _fired[j] = k;
                    total += k;
                    if (k != 0)
                    {
                        for (var c = changeStart[j]; c < changeStart[j + 1]; c++)
                        {
                            v[changeSlot[c]] += k * changeDelta[c];
                        }
                    }
                }
                if (fireCritical)
                {
                    var jc = PickCritical(a0Critical);
                    _fired[jc]++;
                    total++;
                    for (var c = changeStart[jc]; c < changeStart[jc + 1]; c++)
                    {
                        v[changeSlot[c]] += changeDelta[c];
                    }
                }
                var negative = false;
                for (var i = 0; i < n; i++)
                {
                    if (v[first + i] < 0)
                    {
                        negative = true;
                        break;
                    }
                }
                if (negative)
                {
                    Array.Copy(_saved, 0, v, first, n);
                    tau1 = tau / 2;
                    continue;
                }
                var tNew = tau >= horizon ? horizonEnd : t + tau;
                if (net.HasHotRules || S.HasEvents)
                {
                    S.ApplyAllRules(tNew);
                }
                if (S.HasEvents && total > 1 && S.WouldTrigger(tNew))
                {
                    // A trigger would turn true inside this leap: undo it and find the crossing by exact firings.
                    Array.Copy(_saved, 0, v, first, n);
                    S.ApplyAllRules(t);
                    var reason = _exact.Advance(tStop, _p.SsaSteps);
                    leaps++;
                    if (reason != StopReason.StepLimit)
                    {
                        return reason;
                    }
                    break;
                }
                S.T = tNew;
                S.Firings += total;
                S.Leaps++;
                leaps++;
                for (var j = 0; j < m; j++)
                {
                    a[j] = S.Propensity(j);
                }
                S.ExactStale = true;
                if (S.HasEvents && S.CheckTriggers(tNew))
                {
                    return StopReason.Trigger;
                }
                break;
            }
        }
        return StopReason.ReachedStop;
    }

    /// <summary>τ of Cao, Gillespie &amp; Petzold 2006 eq. 33 over the non-critical reactions; marks critical ones.</summary>
    private double SelectTau(double a0, out double a0Critical)
    {
        var net = S.Net;
        var v = S.V;
        var a = S.A;
        var nc = _p.CriticalThreshold;
        a0Critical = 0;
        foreach (var sp in net.TauSpeciesInfo)
        {
            _mu[sp.Slot] = 0;
            _sigma2[sp.Slot] = 0;
        }
        for (var c = 0; c < net.ConsumeSlot.Length; c++)
        {
            _consumption[net.ConsumeSlot[c]] = 0;
        }
        for (var j = 0; j < a.Length; j++)
        {
            var critical = false;
            if (a[j] > 0)
            {
                // L_j: firings until the first consumed reactant runs out.
                for (var c = net.ConsumeStart[j]; c < net.ConsumeStart[j + 1]; c++)
                {
                    if (v[net.ConsumeSlot[c]] / net.ConsumeCount[c] < nc)
                    {
                        critical = true;
                        break;
                    }
                }
            }
            _critical[j] = critical;
            if (critical)
            {
                a0Critical += a[j];
                continue;
            }
            if (a[j] == 0)
            {
                continue;
            }
            for (var c = net.ChangeStart[j]; c < net.ChangeStart[j + 1]; c++)
            {
                var slot = net.ChangeSlot[c];
                var nu = net.ChangeDelta[c];
                _mu[slot] += nu * a[j];
                _sigma2[slot] += nu * nu * a[j];
            }
            for (var c = net.ConsumeStart[j]; c < net.ConsumeStart[j + 1]; c++)
            {
                _consumption[net.ConsumeSlot[c]] += net.ConsumeCount[c] * a[j];
            }
        }
        var tau = double.PositiveInfinity;
        var eps = _p.Epsilon;
        for (var c = 0; c < net.ConsumeSlot.Length; c++)
        {
            var slot = net.ConsumeSlot[c];
            if (_consumption[slot] > 0)
            {
                tau = Math.Min(tau, _p.MaxTurnover * v[slot] / _consumption[slot]);
            }
        }
        foreach (var sp in net.TauSpeciesInfo)
        {
            var mu = Math.Abs(_mu[sp.Slot]);
            var s2 = _sigma2[sp.Slot];
            if (mu == 0 && s2 == 0)
            {
                continue;
            }
            var x = v[sp.Slot];
            var bound = Math.Max(eps * x / G(sp, x), 1.0);
            if (mu > 0)
            {
                tau = Math.Min(tau, bound / mu);
            }
            if (s2 > 0)
            {
                tau = Math.Min(tau, bound * bound / s2);
            }
        }
        return tau;
    }

    /// <summary>gᵢ of CGP2006 from the highest order of reaction species i takes part in and its multiplicity there.</summary>
    private static double G(TauSpecies sp, double x)
    {
        switch (sp.Order)
        {
            case <= 1:
                return 1;
            case 2:
                return sp.Multiplicity >= 2 && x > 1 ? 2 + 1 / (x - 1) : 2;
            case 3:
                return sp.Multiplicity switch
                {
                    >= 3 when x > 2 => 3 + 1 / (x - 1) + 2 / (x - 2),
                    2 when x > 1 => 1.5 * (2 + 1 / (x - 1)),
                    _ => 3,
                };
            default:
                return sp.Order;
        }
    }

    private int PickCritical(double a0Critical)
    {
        var a = S.A;
        var r = S.Rng.NextDouble() * a0Critical;
        var last = -1;
        for (var j = 0; j < a.Length; j++)
        {
            if (!_critical[j])
            {
                continue;
            }
            last = j;
            r -= a[j];
            if (r < 0)
            {
                return j;
            }
        }
        return last;
    }
}
