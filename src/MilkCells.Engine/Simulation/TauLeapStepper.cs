using MilkCells.Core.Random;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Compilation;

namespace MilkCells.Engine.Simulation;

/// <summary>Adaptive explicit tau-leaping with critical reactions (see <see cref="TauLeaping"/>).</summary>
/// <remarks>
/// With a <see cref="LinearSubsystem"/> the leaps cover only the other reactions; the linear species are sampled
/// exactly when they are read (see <see cref="TrajectoryState.Linear"/>), and exact steps, where leaps would be too
/// short, are direct-method firings of the leaped reactions only.
/// </remarks>
internal sealed class TauLeapStepper : Stepper
{
    private readonly TauLeaping _p;
    private readonly Stepper _exact;
    private readonly LinearSubsystem? _linear;
    private readonly int[] _leap;
    private readonly TauSpecies[] _tauSpecies;
    private readonly int[] _consumeSlots;
    private readonly int[]? _leapSpecies; // with a linear subsystem: the species slots leaps change
    private readonly bool[] _critical;
    private readonly double[] _mu;
    private readonly double[] _sigma2;
    private readonly double[] _consumption;
    private readonly double[] _saved;
    private readonly long[] _fired;

    public TauLeapStepper(TrajectoryState s, TauLeaping p, Stepper exact, LinearSubsystem? linear = null) : base(s)
    {
        _p = p;
        _exact = exact;
        _linear = linear;
        _leap = linear?.LeapReactions ?? [.. Enumerable.Range(0, s.A.Length)];
        var net = s.Net;
        _tauSpecies = linear is null ? net.TauSpeciesInfo : [.. net.TauSpeciesInfo.Where(sp => !linear.IsLinearSlot(sp.Slot))];
        _consumeSlots = [.. _leap.SelectMany(j => net.ConsumeSlot[net.ConsumeStart[j]..net.ConsumeStart[j + 1]]).Distinct().Order()];
        _leapSpecies = linear is null ? null : [.. _leap.SelectMany(j => net.ChangeSlot[net.ChangeStart[j]..net.ChangeStart[j + 1]]).Distinct().Order()];
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
        var changeStart = net.ChangeStart;
        var changeSlot = net.ChangeSlot;
        var changeDelta = net.ChangeDelta;
        var leap = _leap;
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
            foreach (var j in leap)
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
                if (_linear is not null)
                {
                    ExactLeapedFirings(Math.Min(tStop, S.Recorder.NextTime), a0);
                    leaps++;
                    continue;
                }
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
                Save(v);
                long total = 0;
                foreach (var j in leap)
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
                if (AnyNegative(v))
                {
                    Restore(v);
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
                    Restore(v);
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
                foreach (var j in leap)
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

    private void Save(double[] v)
    {
        if (_leapSpecies is null)
        {
            Array.Copy(v, CompiledNetwork.FirstSpeciesSlot, _saved, 0, S.SpeciesCount);
            return;
        }
        foreach (var slot in _leapSpecies)
        {
            _saved[slot - CompiledNetwork.FirstSpeciesSlot] = v[slot];
        }
    }

    private void Restore(double[] v)
    {
        if (_leapSpecies is null)
        {
            Array.Copy(_saved, 0, v, CompiledNetwork.FirstSpeciesSlot, S.SpeciesCount);
            return;
        }
        foreach (var slot in _leapSpecies)
        {
            v[slot] = _saved[slot - CompiledNetwork.FirstSpeciesSlot];
        }
    }

    private bool AnyNegative(double[] v)
    {
        if (_leapSpecies is null)
        {
            var first = CompiledNetwork.FirstSpeciesSlot;
            for (var i = 0; i < S.SpeciesCount; i++)
            {
                if (v[first + i] < 0)
                {
                    return true;
                }
            }
            return false;
        }
        foreach (var slot in _leapSpecies)
        {
            if (v[slot] < 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Up to <see cref="TauLeaping.SsaSteps"/> direct-method firings of the leaped reactions, stopping at <paramref name="horizon"/>.</summary>
    /// <remarks>Gillespie 1977 (see <see cref="DirectMethod"/>); the linear reactions are not among them.</remarks>
    private void ExactLeapedFirings(double horizon, double a0)
    {
        var net = S.Net;
        var a = S.A;
        S.ExactStale = true;
        for (var step = 0; step < _p.SsaSteps; step++)
        {
            var next = a0 > 0 ? S.T + ZigguratExponential.Next(ref S.Rng) / a0 : double.PositiveInfinity;
            if (next >= horizon)
            {
                S.T = horizon;
                return;
            }
            S.T = next;
            var r = S.Rng.NextDouble() * a0;
            var chosen = -1;
            foreach (var j in _leap)
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
            for (var c = net.ChangeStart[chosen]; c < net.ChangeStart[chosen + 1]; c++)
            {
                S.V[net.ChangeSlot[c]] += net.ChangeDelta[c];
            }
            S.Firings++;
            a0 = 0;
            foreach (var j in _leap)
            {
                a[j] = S.Propensity(j);
                a0 += a[j];
            }
        }
    }

    /// <summary>τ of Cao, Gillespie &amp; Petzold 2006 eq. 33 over the non-critical reactions; marks critical ones.</summary>
    private double SelectTau(double a0, out double a0Critical)
    {
        var net = S.Net;
        var v = S.V;
        var a = S.A;
        var nc = _p.CriticalThreshold;
        a0Critical = 0;
        foreach (var sp in _tauSpecies)
        {
            _mu[sp.Slot] = 0;
            _sigma2[sp.Slot] = 0;
        }
        foreach (var slot in _consumeSlots)
        {
            _consumption[slot] = 0;
        }
        foreach (var j in _leap)
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
        foreach (var slot in _consumeSlots)
        {
            if (_consumption[slot] > 0)
            {
                tau = Math.Min(tau, _p.MaxTurnover * v[slot] / _consumption[slot]);
            }
        }
        foreach (var sp in _tauSpecies)
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
