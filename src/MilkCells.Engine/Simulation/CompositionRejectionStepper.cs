using System.Runtime.CompilerServices;
using MilkCells.Core.Random;

namespace MilkCells.Engine.Simulation;

/// <summary>Composition–rejection SSA (see <see cref="Algorithms.CompositionRejection"/>).</summary>
internal sealed class CompositionRejectionStepper : Stepper
{
    private const int Groups = 2047; // one per binary exponent of a positive finite double
    private const int ResumEvery = 65536;

    private readonly double[] _groupSum = new double[Groups];
    private readonly int[] _count = new int[Groups];
    private readonly int[][] _members = new int[Groups][];
    private readonly int[] _groupOf;
    private readonly int[] _position;
    private int _lo = Groups;
    private int _hi = -1;
    private double _a0;

    public CompositionRejectionStepper(TrajectoryState s) : base(s)
    {
        _groupOf = new int[s.A.Length];
        _position = new int[s.A.Length];
    }

    /// <summary>The total propensity (rebuilding groups if another stepper changed the state).</summary>
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int GroupOf(double a) => (int)(BitConverter.DoubleToUInt64Bits(a) >> 52);

    private static double Bound(int g) => g >= Groups - 1 ? double.MaxValue : BitConverter.UInt64BitsToDouble((ulong)(g + 1) << 52);

    private void Rebuild()
    {
        for (var g = Math.Max(_lo, 0); g <= _hi; g++)
        {
            _count[g] = 0;
            _groupSum[g] = 0;
        }
        _lo = Groups;
        _hi = -1;
        var a = S.A;
        for (var j = 0; j < a.Length; j++)
        {
            _groupOf[j] = -1;
            if (a[j] > 0)
            {
                Insert(j, GroupOf(a[j]));
            }
        }
        Resum();
        S.ExactStale = false;
    }

    private void Resum()
    {
        var a = S.A;
        double total = 0;
        for (var g = _lo; g <= _hi; g++)
        {
            double sum = 0;
            var members = _members[g];
            for (var i = 0; i < _count[g]; i++)
            {
                sum += a[members[i]];
            }
            _groupSum[g] = sum;
            total += sum;
        }
        _a0 = total;
    }

    private void Insert(int j, int g)
    {
        var members = _members[g] ??= new int[4];
        if (_count[g] == members.Length)
        {
            Array.Resize(ref _members[g], members.Length * 2);
            members = _members[g];
        }
        members[_count[g]] = j;
        _position[j] = _count[g]++;
        _groupOf[j] = g;
        if (g < _lo)
        {
            _lo = g;
        }
        if (g > _hi)
        {
            _hi = g;
        }
    }

    private void Remove(int j, int g)
    {
        var members = _members[g];
        var last = members[--_count[g]];
        var at = _position[j];
        members[at] = last;
        _position[last] = at;
        _groupOf[j] = -1;
        if (_count[g] == 0)
        {
            _groupSum[g] = 0;
            while (_hi >= _lo && _count[_hi] == 0)
            {
                _hi--;
            }
            while (_lo <= _hi && _count[_lo] == 0)
            {
                _lo++;
            }
            if (_hi < _lo)
            {
                _lo = Groups;
                _hi = -1;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Update(int k, double old, double ak)
    {
        var g = _groupOf[k];
        var ng = ak > 0 ? GroupOf(ak) : -1;
        if (g == ng)
        {
            if (g >= 0)
            {
                _groupSum[g] += ak - old;
            }
            return;
        }
        if (g >= 0)
        {
            Remove(k, g);
            if (_count[g] > 0)
            {
                _groupSum[g] -= old;
            }
        }
        if (ng >= 0)
        {
            Insert(k, ng);
            _groupSum[ng] += ak;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        var groupSum = _groupSum;
        var rec = S.Recorder;
        var nextRecord = rec.NextTime;
        var rng = S.Rng;
        var t = S.T;
        long steps = 0;
        var sinceResum = 0;
        var reason = StopReason.ReachedStop;
        while (true)
        {
            var a0 = _a0;
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
            // Composition: a group with probability (group sum)/a0, scanning from the largest exponents.
            var r = rng.NextDouble() * a0;
            var g = _hi;
            for (; g > _lo; g--)
            {
                r -= groupSum[g];
                if (r < 0)
                {
                    break;
                }
            }
            if (g < 0 || _count[g] == 0)
            {
                Resum();
                continue;
            }
            // Rejection: a uniform member, accepted with probability a_j / 2^(g+1) ≥ ½.
            var members = _members[g];
            var count = (ulong)_count[g];
            var bound = Bound(g);
            int j;
            while (true)
            {
                j = members[(int)Math.BigMul(rng.NextUInt64(), count, out _)];
                if (rng.NextDouble() * bound < a[j])
                {
                    break;
                }
            }
            for (var c = changeStart[j]; c < changeStart[j + 1]; c++)
            {
                v[changeSlot[c]] += changeDelta[c];
            }
            t = tn;
            if (hotRules)
            {
                S.UpdateHotRules(j);
            }
            for (var d = depStart[j]; d < depStart[j + 1]; d++)
            {
                var k = deps[d];
                ref readonly var kernel = ref kernels[k];
                var ak = kernel.General < 0 ? kernel.Product(v) : general[k]!.Evaluate(v);
                if (!(ak >= 0 && ak < double.PositiveInfinity))
                {
                    S.T = t;
                    S.ThrowBadRate(k, ak);
                }
                var old = a[k];
                if (ak != old)
                {
                    a[k] = ak;
                    _a0 += ak - old;
                    Update(k, old, ak);
                }
            }
            steps++;
            if (++sinceResum == ResumEvery)
            {
                sinceResum = 0;
                Resum();
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
