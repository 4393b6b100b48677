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
