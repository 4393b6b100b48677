using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MilkCells.Fcs;

/// <summary>Minimum, maximum and mean of one parameter over all events.</summary>
public sealed record FcsChannelStatistics(int Number, string Name, long Count, double Min, double Max, double Mean);

/// <summary>Per-parameter minimum, maximum and mean over all events, computed while streaming (constant memory).</summary>
/// <remarks>
/// Row-major chunks are folded into lcm(P, 4) accumulators so that whole vectors line up with columns; the mean is
/// the double-precision sum divided by the count. NaN values (float data) propagate into min, max and mean.
/// </remarks>
public static class FcsStatistics
{
    /// <summary>Streams the data set once and returns one entry per parameter.</summary>
    public static IReadOnlyList<FcsChannelStatistics> Compute(FcsDataSet set, FcsValues values = FcsValues.Raw, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        var p = set.ParameterCount;
        var acc = new Accumulator(p);
        using var reader = set.OpenEvents(values);
        var rowsPerChunk = Math.Max(1, 32768 / Math.Max(1, p));
        var buffer = new double[rowsPerChunk * p];
        int n;
        while ((n = reader.Read(buffer)) > 0)
        {
            cancellation.ThrowIfCancellationRequested();
            acc.Add(buffer.AsSpan(0, n * p));
        }
        return acc.Result(set);
    }

    private sealed class Accumulator
    {
        private readonly int _p;
        private readonly int _w;
        private readonly double[] _min;
        private readonly double[] _max;
        private readonly double[] _sum;
        private long _rows;

        public Accumulator(int p)
        {
            _p = Math.Max(1, p);
            _w = _p / (int)BigInteger.GreatestCommonDivisor(_p, 4) * 4;
            _min = Enumerable.Repeat(double.PositiveInfinity, _w).ToArray();
            _max = Enumerable.Repeat(double.NegativeInfinity, _w).ToArray();
            _sum = new double[_w];
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(ReadOnlySpan<double> rows)
        {
            var w = _w;
            var i = 0;
            ref var v = ref MemoryMarshal.GetReference(rows);
            ref var mn = ref MemoryMarshal.GetArrayDataReference(_min);
            ref var mx = ref MemoryMarshal.GetArrayDataReference(_max);
            ref var sm = ref MemoryMarshal.GetArrayDataReference(_sum);
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i + w <= rows.Length; i += w)
                {
                    for (var j = 0; j < w; j += 4)
                    {
                        var x = Vector256.LoadUnsafe(ref v, (nuint)(i + j));
                        Vector256.Min(Vector256.LoadUnsafe(ref mn, (nuint)j), x).StoreUnsafe(ref mn, (nuint)j);
                        Vector256.Max(Vector256.LoadUnsafe(ref mx, (nuint)j), x).StoreUnsafe(ref mx, (nuint)j);
                        (Vector256.LoadUnsafe(ref sm, (nuint)j) + x).StoreUnsafe(ref sm, (nuint)j);
                    }
                }
            }
            for (; i < rows.Length; i++)
            {
                // i is a multiple of w plus an offset, and w is a multiple of p, so i % w keeps the column.
                var j = i % w;
                var x = rows[i];
                _min[j] = Math.Min(_min[j], x);
                _max[j] = Math.Max(_max[j], x);
                _sum[j] += x;
            }
            _rows += rows.Length / _p;
        }

        public IReadOnlyList<FcsChannelStatistics> Result(FcsDataSet set)
        {
            var result = new FcsChannelStatistics[set.ParameterCount];
            for (var c = 0; c < result.Length; c++)
            {
                double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
                for (var j = c; j < _w; j += _p)
                {
                    min = Math.Min(min, _min[j]);
                    max = Math.Max(max, _max[j]);
                    sum += _sum[j];
                }
                var parameter = set.Parameters[c];
                result[c] = _rows == 0
                    ? new FcsChannelStatistics(parameter.Number, parameter.Name, 0, double.NaN, double.NaN, double.NaN)
                    : new FcsChannelStatistics(parameter.Number, parameter.Name, _rows, min, max, sum / _rows);
            }
            return result;
        }
    }
}
