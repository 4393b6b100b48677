using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MilkCells.Analysis;

/// <summary>Receives one chunk of values.</summary>
public delegate void ValueChunkAction(ReadOnlySpan<double> chunk);

/// <summary>Values (no NaN) that can be read more than once, chunk by chunk: a spill file, an array.</summary>
public interface IRereadableValues
{
    /// <summary>How many values there are.</summary>
    long Count { get; }

    /// <summary>Passes every value to <paramref name="action"/>, in chunks, in the same order each time.</summary>
    void Read(ValueChunkAction action);
}

/// <summary>Exact order statistics of values too many to hold in memory, by radix selection.</summary>
/// <remarks>
/// Each double maps to a 64-bit key that sorts as the double does (the sign bit flipped for positives, all bits
/// for negatives: the IEEE 754 total order on non-NaN values). Four passes each fix 16 more bits of every wanted
/// key, MSB first, by counting the values that share the key's known prefix in 65,536 buckets: memory is one
/// bucket array per wanted rank, whatever the count, and the answer is the exact value, not an approximation.
/// It is the most-significant-digit radix select (Knuth, TAOCP vol. 3, §5.2.5 and §5.3.3) on that key.
/// </remarks>
public static class OrderStatistics
{
    private const int DigitBits = 16;
    private const int Buckets = 1 << DigitBits;
    private const ulong Sign = 1UL << 63;

    /// <summary>The values of the given ranks (0-based, ascending order), each exact.</summary>
    public static double[] Select(IRereadableValues values, IReadOnlyList<long> ranks)
    {
        var n = values.Count;
        foreach (var rank in ranks)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(rank);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, n);
        }
        var distinct = ranks.Distinct().Order().ToArray();
        var remaining = (long[])distinct.Clone();
        var prefix = new ulong[distinct.Length];
        var counts = new long[distinct.Length][];
        for (var t = 0; t < counts.Length; t++)
        {
            counts[t] = new long[Buckets];
        }
        for (var shift = 64 - DigitBits; shift >= 0; shift -= DigitBits)
        {
            var known = shift == 64 - DigitBits ? 0UL : ~0UL << (shift + DigitBits);
            foreach (var c in counts)
            {
                Array.Clear(c);
            }
            values.Read(chunk =>
            {
                foreach (var v in chunk)
                {
                    var key = Key(v);
                    for (var t = 0; t < prefix.Length; t++)
                    {
                        if ((key & known) == prefix[t])
                        {
                            counts[t][(int)((key >> shift) & (Buckets - 1))]++;
                        }
                    }
                }
            });
            for (var t = 0; t < prefix.Length; t++)
            {
                var c = counts[t];
                var bucket = 0;
                while (remaining[t] >= c[bucket])
                {
                    remaining[t] -= c[bucket];
                    bucket++;
                }
                prefix[t] |= (ulong)bucket << shift;
            }
        }
        var byRank = new Dictionary<long, double>();
        for (var t = 0; t < distinct.Length; t++)
        {
            byRank[distinct[t]] = FromKey(prefix[t]);
        }
        return [.. ranks.Select(r => byRank[r])];
    }

    /// <summary>Type-7 quantiles (<see cref="Quantiles"/>) of the values, for each probability in <paramref name="probabilities"/>.</summary>
    public static double[] Type7(IRereadableValues values, IReadOnlyList<double> probabilities)
    {
        var ranks = probabilities.Select(p => Quantiles.Type7Ranks(values.Count, p)).ToArray();
        var selected = Select(values, [.. ranks.SelectMany(r => new[] { r.Lower, r.Upper })]);
        return [.. ranks.Select((r, i) => Quantiles.Combine(selected[2 * i], selected[(2 * i) + 1], r.Weight))];
    }

    /// <summary>Type-7 quantiles (<see cref="Quantiles"/>) of <paramref name="values"/> (no NaN), for each probability, by selection in memory.</summary>
    /// <remarks>May reorder <paramref name="values"/>; the result is <see cref="Quantiles.Type7"/> of the sorted values bit for bit (−0 and +0 tie here as in a sort, so pass one of them, not both).</remarks>
    public static double[] Type7InPlace(Span<double> values, IReadOnlyList<double> probabilities)
    {
        var n = values.Length;
        var ranks = probabilities.Select(p => Quantiles.Type7Ranks(n, p)).ToArray();
        int[] wanted = [.. ranks.SelectMany(r => new[] { (int)r.Lower, (int)r.Upper }).Distinct().Order()];
        var selected = SelectValues(values, wanted);
        var result = new double[ranks.Length];
        for (var i = 0; i < ranks.Length; i++)
        {
            result[i] = Quantiles.Combine(selected[Array.BinarySearch(wanted, (int)ranks[i].Lower)], selected[Array.BinarySearch(wanted, (int)ranks[i].Upper)], ranks[i].Weight);
        }
        return result;
    }

    /// <summary>The values of <paramref name="ranks"/> (0-based, ascending, distinct) among <paramref name="values"/> (no NaN), which may be reordered.</summary>
    /// <remarks>
    /// Many values are first narrowed as in Floyd &amp; Rivest's SELECT (Comm. ACM 18(3):165, 1975, Algorithm 489): a
    /// sorted sample of every (n/m)-th value brackets each wanted rank between two sample values, 2√m sample ranks either
    /// side of where it should fall; one pass counts the values below and within each bracket, a second copies those
    /// within, and each rank is selected among its bracket's few values. The counts prove the rank lies in its
    /// bracket; when they do not (an unlucky sample), the whole range is selected instead: the result is exact either way.
    /// </remarks>
    public static double[] SelectValues(Span<double> values, int[] ranks)
    {
        var result = new double[ranks.Length];
        if (values.Length < SampledFrom || !TryBracketed(values, ranks, result))
        {
            SelectInPlace(values, ranks);
            for (var i = 0; i < ranks.Length; i++)
            {
                result[i] = values[ranks[i]];
            }
        }
        return result;
    }

    /// <summary>Ranges shorter than this are selected directly (the sample would be most of them).</summary>
    private const int SampledFrom = 1 << 14;

    private static bool TryBracketed(ReadOnlySpan<double> values, int[] ranks, double[] result)
    {
        var n = values.Length;
        var m = Math.Min(n / 8, 1 << 14);
        var sample = ArrayPool<double>.Shared.Rent(m);
        double[]? inside = null;
        try
        {
            for (var i = 0; i < m; i++)
            {
                sample[i] = values[(int)((long)i * n / m)];
            }
            Array.Sort(sample, 0, m);
            // Brackets [low, high] of values, in rank order, merged where they overlap; first[b] is the index of bracket b's first rank.
            var slack = (2 * (int)Math.Sqrt(m)) + 1;
            var low = new List<double>();
            var high = new List<double>();
            var first = new List<int>();
            for (var r = 0; r < ranks.Length; r++)
            {
                var at = (int)((long)ranks[r] * m / n);
                var a = sample[Math.Max(0, at - slack)];
                var z = sample[Math.Min(m - 1, at + slack)];
                if (low.Count > 0 && a <= high[^1])
                {
                    high[^1] = Math.Max(high[^1], z);
                }
                else
                {
                    low.Add(a);
                    high.Add(z);
                    first.Add(r);
                }
            }
            first.Add(ranks.Length);
            var brackets = low.Count;
            var lows = low.ToArray();
            var highs = high.ToArray();
            var below = new long[brackets];
            var notAbove = new long[brackets];
            for (var b = 0; b < brackets; b++)
            {
                (below[b], notAbove[b]) = CountBelowAndNotAbove(values, lows[b], highs[b]);
            }
            var starts = new int[brackets + 1];
            for (var b = 0; b < brackets; b++)
            {
                if (below[b] > ranks[first[b]] || notAbove[b] <= ranks[first[b + 1] - 1])
                {
                    return false;
                }
                starts[b + 1] = starts[b] + (int)(notAbove[b] - below[b]);
            }
            inside = ArrayPool<double>.Shared.Rent(starts[brackets] + Vector512<double>.Count);
            CopyWithin(values, lows, highs, starts, inside);
            for (var b = 0; b < brackets; b++)
            {
                var within = inside.AsSpan(starts[b], starts[b + 1] - starts[b]);
                int[] shifted = [.. ranks[first[b]..first[b + 1]].Select(r => r - (int)below[b])];
                SelectInPlace(within, shifted);
                for (var r = first[b]; r < first[b + 1]; r++)
                {
                    result[r] = within[ranks[r] - (int)below[b]];
                }
            }
            return true;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sample);
            if (inside is not null)
            {
                ArrayPool<double>.Shared.Return(inside);
            }
        }
    }

    /// <summary>
    /// Copies each value that lies within one of the brackets [<paramref name="lows"/>[b], <paramref name="highs"/>[b]]
    /// (disjoint, ascending) to that bracket's part of <paramref name="inside"/>, which starts at
    /// <paramref name="starts"/>[b] and holds exactly the bracket's values; the values keep their order within a
    /// bracket. <paramref name="inside"/> has <see cref="Vector512{T}.Count"/> spare slots after the last part.
    /// </summary>
    /// <remarks>
    /// With AVX-512, a pass per bracket packs each 8 values' matches to the front of a register (VCOMPRESSPD, register
    /// form: the memory form is microcoded on some processors) and stores all 8 lanes; the lanes past the matches land
    /// on the next bracket's part, not yet written, or on the spare slots. Otherwise one branch-free scalar pass serves
    /// all brackets. The scalar pass per bracket this replaced took 14 % of a <c>reference build</c>'s CPU
    /// (docs/performance.md).
    /// </remarks>
    internal static void CopyWithin(ReadOnlySpan<double> values, ReadOnlySpan<double> lows, ReadOnlySpan<double> highs, ReadOnlySpan<int> starts, Span<double> inside)
    {
        if (Avx512F.IsSupported)
        {
            CopyWithinCompressed(values, lows, highs, starts, inside);
        }
        else
        {
            CopyWithinScalar(values, lows, highs, starts, inside);
        }
    }

    /// <summary><see cref="CopyWithin"/> by AVX-512 compression; callers check <see cref="Avx512F.IsSupported"/>.</summary>
    internal static void CopyWithinCompressed(ReadOnlySpan<double> values, ReadOnlySpan<double> lows, ReadOnlySpan<double> highs, ReadOnlySpan<int> starts, Span<double> inside)
    {
        var width = Vector512<double>.Count;
        if (inside.Length < starts[lows.Length] + width)
        {
            throw new ArgumentException("inside needs a vector's spare slots after the last bracket", nameof(inside));
        }
        ref var from = ref MemoryMarshal.GetReference(values);
        ref var to = ref MemoryMarshal.GetReference(inside);
        var whole = values.Length - (values.Length % width);
        for (var b = 0; b < lows.Length; b++)
        {
            var (a, z) = (lows[b], highs[b]);
            var low = Vector512.Create(a);
            var high = Vector512.Create(z);
            var at = starts[b];
            var end = starts[b + 1];
            for (var i = 0; i < whole; i += width)
            {
                var v = Vector512.LoadUnsafe(ref from, (nuint)i);
                var within = Vector512.GreaterThanOrEqual(v, low) & Vector512.LessThanOrEqual(v, high);
                // Never past this bracket's part plus the spare lanes (the counts that sized it used the same comparisons).
                if (at > end)
                {
                    throw new InvalidOperationException("a bracket holds more values than were counted");
                }
                Avx512F.Compress(Vector512<double>.Zero, within, v).StoreUnsafe(ref to, (nuint)at);
                at += BitOperations.PopCount(within.ExtractMostSignificantBits());
            }
            for (var i = whole; i < values.Length; i++)
            {
                var v = values[i];
                inside[at] = v;
                at += v >= a & v <= z ? 1 : 0;
            }
            if (at != end)
            {
                throw new InvalidOperationException("a bracket holds other than the values counted");
            }
        }
    }

    /// <summary><see cref="CopyWithin"/> in one branch-free scalar pass for all brackets.</summary>
    /// <remarks>A value's bracket is the number of lows at or below it; a value within none goes to a spare slot after the last bracket's part, which is overwritten and never kept.</remarks>
    internal static void CopyWithinScalar(ReadOnlySpan<double> values, ReadOnlySpan<double> lows, ReadOnlySpan<double> highs, ReadOnlySpan<int> starts, Span<double> inside)
    {
        var brackets = lows.Length;
        // Slot 0 is the spare; slot b + 1 is bracket b's next index and highAt[b + 1] its high.
        Span<int> next = stackalloc int[brackets + 1];
        Span<double> highAt = stackalloc double[brackets + 1];
        next[0] = starts[brackets];
        for (var b = 0; b < brackets; b++)
        {
            next[b + 1] = starts[b];
            highAt[b + 1] = highs[b];
        }
        foreach (var v in values)
        {
            var k = 0;
            for (var b = 0; b < lows.Length; b++)
            {
                k += v >= lows[b] ? 1 : 0;
            }
            var within = (k != 0) & (v <= highAt[k]);
            var slot = within ? k : 0;
            inside[next[slot]] = v;
            next[slot] += within ? 1 : 0;
        }
    }

    /// <summary>How many values are below <paramref name="low"/>, and how many at most <paramref name="high"/> (vectorised comparisons).</summary>
    private static (long Below, long NotAbove) CountBelowAndNotAbove(ReadOnlySpan<double> values, double low, double high)
    {
        var i = 0;
        long below = 0, notAbove = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<double>.Count)
        {
            // Comparisons give −1 (all bits) per lane where true: subtracting them counts.
            Vector<long> lanesBelow = Vector<long>.Zero, lanesNotAbove = Vector<long>.Zero;
            var lows = new Vector<double>(low);
            var highs = new Vector<double>(high);
            var whole = MemoryMarshal.Cast<double, Vector<double>>(values);
            foreach (var v in whole)
            {
                lanesBelow -= Vector.LessThan(v, lows);
                lanesNotAbove -= Vector.LessThanOrEqual(v, highs);
            }
            below = Vector.Sum(lanesBelow);
            notAbove = Vector.Sum(lanesNotAbove);
            i = whole.Length * Vector<double>.Count;
        }
        for (; i < values.Length; i++)
        {
            below += values[i] < low ? 1 : 0;
            notAbove += values[i] <= high ? 1 : 0;
        }
        return (below, notAbove);
    }

    /// <summary>Reorders <paramref name="values"/> (no NaN) so that, for each rank in <paramref name="ranks"/> (0-based, ascending, distinct), values[rank] is the value a sort would put there.</summary>
    /// <remarks>
    /// Multiple selection: Hoare's FIND (Comm. ACM 4(7):321, 1961, Algorithm 65) extended to several ranks as in
    /// Chambers' partial sorting (Comm. ACM 14(5):357, 1971, Algorithm 410): partition around a pivot (median of three)
    /// into less / equal / greater — Dijkstra's three-way partition, so that many ties (integer measures) end a range
    /// at once — then go on only into the parts that hold a wanted rank. Expected time is linear in the count for a few
    /// ranks; past 2·log₂ n levels a range is sorted instead (Musser's introselect, Software Pract. Exper. 27(8):983,
    /// 1997), so the worst case is n log n.
    /// </remarks>
    public static void SelectInPlace(Span<double> values, ReadOnlySpan<int> ranks)
    {
        for (var i = 0; i < ranks.Length; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(ranks[i]);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(ranks[i], values.Length);
            if (i > 0 && ranks[i] <= ranks[i - 1])
            {
                throw new ArgumentException("ranks are ascending and distinct", nameof(ranks));
            }
        }
        Select(values, 0, ranks, 2 * (BitOperations.Log2((uint)Math.Max(1, values.Length)) + 1));
    }

    private const int SmallRange = 24;

    /// <summary>Selects <paramref name="ranks"/> (absolute, ascending) within <paramref name="range"/>, which starts at absolute index <paramref name="offset"/>.</summary>
    private static void Select(Span<double> range, int offset, ReadOnlySpan<int> ranks, int depth)
    {
        while (ranks.Length > 0)
        {
            if (range.Length <= SmallRange || depth-- == 0)
            {
                range.Sort();
                return;
            }
            var pivot = MedianOfThree(range[0], range[range.Length / 2], range[^1]);
            // Dijkstra's Dutch national flag: [0, lt) < pivot, [lt, i) == pivot, (gt, end) > pivot.
            int lt = 0, i = 0, gt = range.Length - 1;
            while (i <= gt)
            {
                var v = range[i];
                if (v < pivot)
                {
                    range[i++] = range[lt];
                    range[lt++] = v;
                }
                else if (v > pivot)
                {
                    range[i] = range[gt];
                    range[gt--] = v;
                }
                else
                {
                    i++;
                }
            }
            // Ranks below offset + lt lie left; those in [offset + lt, offset + gt] are the pivot's; the rest lie right.
            var left = 0;
            while (left < ranks.Length && ranks[left] < offset + lt)
            {
                left++;
            }
            var right = left;
            while (right < ranks.Length && ranks[right] <= offset + gt)
            {
                right++;
            }
            if (left > 0)
            {
                Select(range[..lt], offset, ranks[..left], depth);
            }
            ranks = ranks[right..];
            range = range[(gt + 1)..];
            offset += gt + 1;
        }
    }

    private static double MedianOfThree(double a, double b, double c) =>
        a < b ? (b < c ? b : Math.Max(a, c)) : (a < c ? a : Math.Max(b, c));

    /// <summary>The order-preserving key of a non-NaN double.</summary>
    internal static ulong Key(double value)
    {
        if (double.IsNaN(value))
        {
            throw new ArgumentException("NaN has no place in an order", nameof(value));
        }
        var bits = (ulong)BitConverter.DoubleToInt64Bits(value);
        return (bits & Sign) != 0 ? ~bits : bits | Sign;
    }

    /// <summary>The double of a key.</summary>
    internal static double FromKey(ulong key) =>
        BitConverter.Int64BitsToDouble((long)((key & Sign) != 0 ? key & ~Sign : ~key));
}
