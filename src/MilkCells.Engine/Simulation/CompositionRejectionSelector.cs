using System.Runtime.CompilerServices;
using MilkCells.Core.Random;

namespace MilkCells.Engine.Simulation;

/// <summary>Composition–rejection selection (see <see cref="Algorithms.CompositionRejection"/>).</summary>
/// <remarks>
/// Group g holds the reactions whose propensity has binary exponent g, i.e. lies in [2^(g−1023), 2^(g−1022)); the
/// group is chosen by a scan over the non-empty groups from the largest, the reaction within it by rejection against
/// the group's upper bound (acceptance above ½). Moving a reaction between groups is a swap with the group's last
/// member. Group sums are kept incrementally and recomputed exactly every 65,536 firings.
/// </remarks>
internal struct CompositionRejectionSelector : IReactionSelector
{
    private const int Groups = 2047; // one per binary exponent of a positive finite double

    private readonly double[] _groupSum;
    private readonly int[] _count;
    private readonly int[][] _members;
    private readonly int[] _groupOf;
    private readonly int[] _position;
    private int _lo;
    private int _hi;
    private double _a0;

    public CompositionRejectionSelector(int reactions)
    {
        _groupSum = new double[Groups];
        _count = new int[Groups];
        _members = new int[Groups][];
        _groupOf = new int[reactions];
        _position = new int[reactions];
        _lo = Groups;
        _hi = -1;
        _a0 = 0;
    }

    public readonly double Total => _a0;

    public readonly int ResumEvery => 65536;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int GroupOf(double a) => (int)(BitConverter.DoubleToUInt64Bits(a) >> 52);

    private static double Bound(int g) => g >= Groups - 1 ? double.MaxValue : BitConverter.UInt64BitsToDouble((ulong)(g + 1) << 52);

    public void Rebuild(double[] a)
    {
        for (var g = Math.Max(_lo, 0); g <= _hi; g++)
        {
            _count[g] = 0;
            _groupSum[g] = 0;
        }
        _lo = Groups;
        _hi = -1;
        for (var j = 0; j < a.Length; j++)
        {
            _groupOf[j] = -1;
            if (a[j] > 0)
            {
                Insert(j, GroupOf(a[j]));
            }
        }
        Resum(a);
    }

    public void Resum(double[] a)
    {
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Select(ref RandomStream rng, ref double a)
    {
        var r = rng.NextDouble() * _a0;
        var g = _hi;
        for (; g > _lo; g--)
        {
            r -= _groupSum[g];
            if (r < 0)
            {
                break;
            }
        }
        if (g < 0 || _count[g] == 0)
        {
            return -1;
        }
        var members = _members[g];
        var count = (ulong)_count[g];
        var bound = Bound(g);
        while (true)
        {
            // A uniform member (the high word of a 64×64-bit product: bias below count/2⁶⁴), accepted w.p. a/bound.
            var j = members[(int)Math.BigMul(rng.NextUInt64(), count, out _)];
            if (rng.NextDouble() * bound < Unsafe.Add(ref a, j))
            {
                return j;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(int k, double old, double value)
    {
        if (value == old)
        {
            return;
        }
        _a0 += value - old;
        var g = _groupOf[k];
        var ng = value > 0 ? GroupOf(value) : -1;
        if (g == ng)
        {
            _groupSum[g] += value - old;
            return;
        }
        Move(k, g, ng, old, value);
    }

    private void Move(int k, int g, int ng, double old, double value)
    {
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
            _groupSum[ng] += value;
        }
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
        _lo = Math.Min(_lo, g);
        _hi = Math.Max(_hi, g);
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
}
