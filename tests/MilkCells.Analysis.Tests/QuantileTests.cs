using MathNet.Numerics.Statistics;
using MilkCells.Core.Random;

namespace MilkCells.Analysis.Tests;

public class QuantileTests
{
    private static readonly double[] Probabilities = [0, 0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975, 1];

    private sealed class ArrayValues(double[] values, int chunk = 7) : IRereadableValues
    {
        public int Reads { get; private set; }

        public long Count => values.Length;

        public void Read(ValueChunkAction action)
        {
            Reads++;
            for (var i = 0; i < values.Length; i += chunk)
            {
                action(values.AsSpan(i, Math.Min(chunk, values.Length - i)));
            }
        }
    }

    private static double[] Awkward(int n, ulong seed)
    {
        // Negative, positive, many magnitudes, repeats, ±0, subnormals and infinities.
        var rng = RandomStream.Derive(seed, 1);
        var x = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = (rng.NextBelow(10)) switch
            {
                0 => -Samplers.LogNormal(ref rng, 0, 4),
                1 => Math.Round(Samplers.Normal(ref rng, 0, 3)), // repeats
                2 => i % 2 == 0 ? 0.0 : -0.0,
                3 => double.Epsilon * (1 + rng.NextBelow(5)),
                4 => i % 7 == 0 ? double.PositiveInfinity : double.NegativeInfinity,
                _ => Samplers.LogNormal(ref rng, 8, 2),
            };
        }
        return x;
    }

    [Fact]
    public void Type7_of_1_to_n_is_1_plus_n_minus_1_times_p()
    {
        // With x(k) = k the definition gives Q(p) = 1 + (n - 1) p exactly where that is representable.
        foreach (var n in new[] { 1, 2, 3, 10, 401 })
        {
            var x = Enumerable.Range(1, n).Select(i => (double)i).ToArray();
            foreach (var p in Probabilities)
            {
                Assert.Equal(1 + ((n - 1) * p), Quantiles.Type7(x, p), 1e-12);
            }
        }
    }

    [Fact]
    public void Type7_agrees_with_MathNet_R7_an_independent_implementation()
    {
        foreach (var n in new[] { 1, 2, 5, 40, 1001 })
        {
            var rng = RandomStream.Derive((ulong)n, 2);
            var x = new double[n];
            for (var i = 0; i < n; i++)
            {
                x[i] = Samplers.LogNormal(ref rng, 5, 1.5);
            }
            Array.Sort(x);
            foreach (var p in Probabilities)
            {
                var theirs = SortedArrayStatistics.QuantileCustom(x, p, QuantileDefinition.R7);
                Assert.Equal(theirs, Quantiles.Type7(x, p), Math.Abs(theirs) * 1e-14);
            }
        }
    }

    [Fact]
    public void Radix_selection_returns_exactly_the_sorted_values_of_every_rank()
    {
        var x = Awkward(3000, 7);
        var sorted = (double[])x.Clone();
        Array.Sort(sorted);
        var ranks = new long[] { 0, 1, 2, 17, 999, 1500, 1501, 2998, 2999, 1500 };
        var source = new ArrayValues(x);
        var selected = OrderStatistics.Select(source, ranks);
        for (var i = 0; i < ranks.Length; i++)
        {
            Assert.Equal(sorted[ranks[i]], selected[i]); // IEEE equality: −0 and +0 tie, as they do in a sort
        }
        Assert.Equal(4, source.Reads); // one pass per 16-bit digit, whatever the count
    }

    [Fact]
    public void Type7_by_radix_selection_equals_type7_of_the_sorted_array_bit_for_bit()
    {
        foreach (var n in new[] { 1, 2, 3, 64, 2500 })
        {
            var x = Awkward(n, (ulong)n).Where(v => !double.IsInfinity(v)).Select(v => v == 0 ? 0.0 : v).ToArray();
            var sorted = (double[])x.Clone();
            Array.Sort(sorted);
            var fromDisk = OrderStatistics.Type7(new ArrayValues(x), Probabilities);
            Assert.Equal(Probabilities.Select(p => Quantiles.Type7(sorted, p)), fromDisk);
        }
    }

    [Fact]
    public void One_pass_copies_each_brackets_values_in_order_as_a_pass_per_bracket_would()
    {
        // Values on the brackets' ends, between them, outside them all, and both infinities; 0, 1, 2 and 5 brackets.
        var rng = new Random(7);
        var values = Enumerable.Range(0, 5003).Select(_ => Math.Round(rng.NextDouble() * 100, 1))
            .Concat([double.NegativeInfinity, double.PositiveInfinity, -1, 101]).OrderBy(_ => rng.Next()).ToArray();
        foreach (var (lows, highs) in new (double[], double[])[]
                 {
                     ([], []),
                     ([50], [50]),
                     ([double.NegativeInfinity, 99.9], [0.5, double.PositiveInfinity]),
                     ([2.5, 10, 10.1, 40, 97.5], [3.5, 10, 20, 60, 99]),
                 })
        {
            var perBracket = lows.Select((a, b) => values.Where(v => v >= a && v <= highs[b]).ToArray()).ToArray();
            var starts = new int[lows.Length + 1];
            for (var b = 0; b < lows.Length; b++)
            {
                starts[b + 1] = starts[b] + perBracket[b].Length;
            }
            var copies = new List<Action<double[]>> { inside => OrderStatistics.CopyWithinScalar(values, lows, highs, starts, inside) };
            if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            {
                copies.Add(inside => OrderStatistics.CopyWithinCompressed(values, lows, highs, starts, inside));
                // A count one short is caught rather than written past.
                if (lows.Length > 0 && perBracket[^1].Length > 0)
                {
                    int[] short1 = [.. starts[..^1], starts[^1] - 1];
                    Assert.Throws<InvalidOperationException>(() => OrderStatistics.CopyWithinCompressed(values, lows, highs, short1, new double[starts[^1] + 8]));
                }
            }
            foreach (var copy in copies)
            {
                var inside = new double[starts[^1] + 8];
                copy(inside);
                for (var b = 0; b < lows.Length; b++)
                {
                    Assert.Equal(perBracket[b], inside[starts[b]..starts[b + 1]]);
                }
            }
        }
    }

    [Fact]
    public void Type7_by_selection_in_memory_equals_type7_of_the_sorted_array_bit_for_bit()
    {
        // Sizes either side of 16,384, from which a sample narrows the values first; awkward values, few distinct values, sorted input.
        foreach (var n in new[] { 1, 2, 3, 64, 2500, 16_383, 16_384, 70_000 })
        {
            var awkward = Awkward(n, (ulong)n + 11).Where(v => !double.IsInfinity(v)).Select(v => v == 0 ? 0.0 : v).ToArray();
            var few = Enumerable.Range(0, n).Select(i => (double)((i * 7919) % 5)).ToArray();
            var ascending = Enumerable.Range(0, n).Select(i => i / 3.0).ToArray();
            foreach (var x in new[] { awkward, few, ascending })
            {
                var sorted = x.Order().ToArray();
                var selected = OrderStatistics.Type7InPlace((double[])x.Clone(), Probabilities);
                Assert.Equal(Probabilities.Select(p => BitConverter.DoubleToInt64Bits(Quantiles.Type7(sorted, p))), selected.Select(BitConverter.DoubleToInt64Bits));
                int[] ranks = [0, x.Length / 3, x.Length - 1];
                var distinct = ranks.Distinct().ToArray();
                Assert.Equal(distinct.Select(r => sorted[r]), OrderStatistics.SelectValues((double[])x.Clone(), distinct));
                var inPlace = (double[])x.Clone();
                OrderStatistics.SelectInPlace(inPlace, distinct);
                Assert.Equal(distinct.Select(r => sorted[r]), distinct.Select(r => inPlace[r]));
            }
        }
        Assert.Throws<ArgumentException>(() => OrderStatistics.SelectInPlace(new double[] { 1, 2, 3 }, [2, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => OrderStatistics.SelectInPlace(new double[] { 1, 2 }, [2]));
    }

    [Fact]
    public void The_key_sorts_as_the_doubles_do()
    {
        var x = Awkward(2000, 3).Where(v => v != 0).Append(0.0).ToArray();
        var byValue = x.Order().ToArray();
        var byKey = x.OrderBy(OrderStatistics.Key).ToArray();
        Assert.Equal(byValue, byKey);
        Assert.All(x, v => Assert.Equal(v, OrderStatistics.FromKey(OrderStatistics.Key(v))));
        Assert.Throws<ArgumentException>(() => OrderStatistics.Key(double.NaN));
    }

    [Fact]
    public void Ranks_outside_the_values_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OrderStatistics.Select(new ArrayValues([1, 2]), [2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quantiles.Type7Ranks(0, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quantiles.Type7Ranks(3, 1.5));
    }
}
