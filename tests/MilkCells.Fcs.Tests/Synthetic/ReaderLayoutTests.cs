using System.Buffers.Binary;
using MilkCells.Fcs;

namespace MilkCells.Fcs.Tests.Synthetic;

/// <summary>Every DATA layout the standards allow, built by hand and read back.</summary>
public class ReaderLayoutTests
{
    private static (RawFcs Raw, double[] Expected) IntegerFile(int[] bits, int[] order, long events, int seed, double[]? ranges = null, string version = "FCS3.0")
    {
        var rng = new Random(seed);
        var raw = new RawFcs { Version = version };
        raw.Add("$DATATYPE", "I").Add("$BYTEORD", string.Join(",", order)).Add("$PAR", RawFcs.Str(bits.Length)).Add("$TOT", RawFcs.Str(events)).Add("$MODE", "L");
        for (var j = 0; j < bits.Length; j++)
        {
            var range = ranges?[j] ?? Math.Pow(2, bits[j]);
            raw.Add($"$P{j + 1}N", $"ch{j + 1}").Add($"$P{j + 1}B", RawFcs.Str(bits[j]))
               .Add($"$P{j + 1}R", range.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Add($"$P{j + 1}E", "0,0");
        }
        var data = new List<byte>();
        var expected = new double[events * bits.Length];
        for (var e = 0; e < events; e++)
        {
            for (var j = 0; j < bits.Length; j++)
            {
                var full = bits[j] == 64 ? ulong.MaxValue : (1UL << bits[j]) - 1;
                var v = (ulong)rng.NextInt64() & full;
                if (bits[j] == 64)
                {
                    v &= (1UL << 53) - 1; // exactly representable as a double
                }
                data.AddRange(RawFcs.Unsigned(v, bits[j] / 8, order));
                // The standard's rule: keep the bits of the next power of two at or above $PnR.
                var range = ranges?[j] ?? Math.Pow(2, bits[j]);
                var pow2 = Math.Pow(2, Math.Ceiling(Math.Log2(range)));
                expected[e * bits.Length + j] = pow2 >= Math.Pow(2, bits[j]) ? v : v % (ulong)pow2;
            }
        }
        raw.Data = data.ToArray();
        return (raw, expected);
    }

    public static TheoryData<int, string> Widths()
    {
        var data = new TheoryData<int, string>();
        foreach (var bits in new[] { 8, 16, 24, 32, 64 })
        {
            foreach (var order in new[] { "1,2,3,4", "4,3,2,1" })
            {
                data.Add(bits, order);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Integers_of_every_width_and_endianness_read_exactly(int bits, string order)
    {
        var (raw, expected) = IntegerFile([bits, bits, bits], order.Split(',').Select(int.Parse).ToArray(), 1000, bits);
        using var fcs = FcsFile.Parse(raw.Build());
        Assert.Equal(expected, fcs.First.ReadEvents().Values);
    }

    [Fact]
    public void Mixed_widths_in_one_row_read_exactly()
    {
        var (raw, expected) = IntegerFile([8, 16, 24, 32, 64, 16], [4, 3, 2, 1], 777, 5);
        using var fcs = FcsFile.Parse(raw.Build());
        Assert.Equal(expected, fcs.First.ReadEvents().Values);
        Assert.Equal(1 + 2 + 3 + 4 + 8 + 2, fcs.First.BytesPerEvent);
    }

    [Theory]
    [InlineData(16, 1024.0)]
    [InlineData(16, 1000.0)]
    [InlineData(32, 262144.0)]
    [InlineData(8, 100.0)]
    [InlineData(24, 30000.0)]
    public void Integer_values_are_masked_to_the_range_bits(int bits, double range)
    {
        var (raw, expected) = IntegerFile([bits, bits, bits, bits, bits], [1, 2, 3, 4], 600, 17, [range, range, Math.Pow(2, bits), range, range]);
        using var fcs = FcsFile.Parse(raw.Build());
        Assert.Equal(expected, fcs.First.ReadEvents().Values);
        Assert.NotNull(fcs.First.Parameters[0].IntegerMask);
        Assert.Null(fcs.First.Parameters[2].IntegerMask);
    }

    [Theory]
    [InlineData("3,4,1,2")]
    [InlineData("2,1,4,3")]
    public void Permuted_byte_orders_of_FCS_2_0_and_3_0_read_exactly(string order)
    {
        var (raw, expected) = IntegerFile([32, 32], order.Split(',').Select(int.Parse).ToArray(), 300, 9, version: "FCS2.0");
        using var fcs = FcsFile.Parse(raw.Build());
        Assert.Equal(expected, fcs.First.ReadEvents().Values);
        Assert.False(fcs.First.ByteOrder!.IsLittleEndian || fcs.First.ByteOrder.IsBigEndian);
    }

    private static (RawFcs, double[]) FloatFile(string type, string order, int seed, string version = "FCS3.1")
    {
        var rng = new Random(seed);
        var width = type == "F" ? 4 : 8;
        const int events = 513, par = 3;
        var raw = new RawFcs { Version = version };
        raw.Add("$DATATYPE", type).Add("$BYTEORD", order).Add("$PAR", RawFcs.Str(par)).Add("$TOT", RawFcs.Str(events));
        for (var j = 1; j <= par; j++)
        {
            raw.Add($"$P{j}N", $"c{j}").Add($"$P{j}B", RawFcs.Str(width * 8)).Add($"$P{j}R", "262144").Add($"$P{j}E", "0,0");
        }
        var big = order.StartsWith('4');
        var bytes = new byte[events * par * width];
        var expected = new double[events * par];
        for (var i = 0; i < expected.Length; i++)
        {
            var x = (rng.NextDouble() - 0.2) * Math.Pow(10, rng.Next(-3, 7));
            if (width == 4)
            {
                var f = (float)x;
                expected[i] = f;
                var b = BitConverter.SingleToInt32Bits(f);
                if (big) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 4), b); else BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), b);
            }
            else
            {
                expected[i] = x;
                var b = BitConverter.DoubleToInt64Bits(x);
                if (big) BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(i * 8), b); else BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), b);
            }
        }
        raw.Data = bytes;
        return (raw, expected);
    }

    [Theory]
    [InlineData("F", "1,2,3,4")]
    [InlineData("F", "4,3,2,1")]
    [InlineData("D", "1,2,3,4")]
    [InlineData("D", "4,3,2,1")]
    public void Floats_and_doubles_of_both_endiannesses_read_exactly(string type, string order)
    {
        var (raw, expected) = FloatFile(type, order, type[0] + order[0]);
        using var fcs = FcsFile.Parse(raw.Build());
        Assert.Equal(expected, fcs.First.ReadEvents().Values);
    }

    [Fact]
    public void Fcs32_PnDATATYPE_mixes_integer_float_and_double_columns()
    {
        var rng = new Random(32);
        const int events = 200;
        var raw = new RawFcs { Version = "FCS3.2" };
        raw.Add("$DATATYPE", "I").Add("$BYTEORD", "4,3,2,1").Add("$PAR", "3").Add("$TOT", RawFcs.Str(events)).Add("$CYT", "test")
            .Add("$P1N", "int").Add("$P1B", "16").Add("$P1R", "65536").Add("$P1E", "0,0")
            .Add("$P2N", "float").Add("$P2B", "32").Add("$P2R", "262144").Add("$P2E", "0,0").Add("$P2DATATYPE", "F")
            .Add("$P3N", "double").Add("$P3B", "64").Add("$P3R", "262144").Add("$P3E", "0,0").Add("$P3DATATYPE", "D");
        var data = new List<byte>();
        var expected = new List<double>();
        for (var e = 0; e < events; e++)
        {
            var i = (ushort)rng.Next(65536);
            var f = (float)(rng.NextDouble() * 1000);
            var d = rng.NextDouble() * 1e6;
            var buf = new byte[14];
            BinaryPrimitives.WriteUInt16BigEndian(buf, i);
            BinaryPrimitives.WriteSingleBigEndian(buf.AsSpan(2), f);
            BinaryPrimitives.WriteDoubleBigEndian(buf.AsSpan(6), d);
            data.AddRange(buf);
            expected.AddRange([i, f, d]);
        }
        raw.Data = data.ToArray();
        using var fcs = FcsFile.Parse(raw.Build());
        Assert.Equal(expected, fcs.First.ReadEvents().Values);
        Assert.Equal([FcsDataType.Integer, FcsDataType.Float, FcsDataType.Double], fcs.First.Parameters.Select(p => p.DataType));
    }

    [Fact]
    public void Ascii_fixed_width_and_delimited_data_read()
    {
        var rng = new Random(65);
        var values = Enumerable.Range(0, 3 * 40).Select(_ => (double)rng.Next(0, 99999)).ToArray();
        var fixedWidth = new RawFcs { Version = "FCS3.0" };
        fixedWidth.Add("$DATATYPE", "A").Add("$PAR", "3").Add("$TOT", "40");
        var delimited = new RawFcs { Version = "FCS3.0" };
        delimited.Add("$DATATYPE", "A").Add("$PAR", "3").Add("$TOT", "40");
        for (var j = 1; j <= 3; j++)
        {
            fixedWidth.Add($"$P{j}N", $"a{j}").Add($"$P{j}B", "6").Add($"$P{j}R", "100000");
            delimited.Add($"$P{j}N", $"a{j}").Add($"$P{j}B", "*").Add($"$P{j}R", "100000");
        }
        fixedWidth.Data = System.Text.Encoding.ASCII.GetBytes(string.Concat(values.Select(v => RawFcs.Str((long)v).PadLeft(6))));
        delimited.Data = System.Text.Encoding.ASCII.GetBytes(string.Join(",\r\n ", values.Select(v => RawFcs.Str((long)v))) + "\n");
        using (var fcs = FcsFile.Parse(fixedWidth.Build()))
        {
            Assert.Equal(values, fcs.First.ReadEvents().Values);
        }
        using (var fcs = FcsFile.Parse(delimited.Build()))
        {
            Assert.Equal(values, fcs.First.ReadEvents().Values);
            // Streaming in odd chunks gives the same values.
            using var reader = fcs.First.OpenEvents();
            var buffer = new double[3 * 7];
            var all = new List<double>();
            int n;
            while ((n = reader.Read(buffer)) > 0)
            {
                all.AddRange(buffer.Take(n * 3));
            }
            Assert.Equal(values, all);
        }
    }

    [Fact]
    public void A_non_numeric_ASCII_value_is_a_typed_error_at_its_offset()
    {
        var raw = new RawFcs { Version = "FCS3.0" };
        raw.Add("$DATATYPE", "A").Add("$PAR", "2").Add("$TOT", "2").Add("$P1N", "a").Add("$P1B", "4").Add("$P2N", "b").Add("$P2B", "4");
        raw.Data = System.Text.Encoding.ASCII.GetBytes("   1   2   3 x.y");
        var bytes = raw.Build();
        using var fcs = FcsFile.Parse(bytes);
        var ex = Assert.Throws<FcsFormatException>(() => fcs.First.ReadEvents());
        Assert.Equal(FcsProblem.BadAsciiValue, ex.Kind);
        Assert.Equal(bytes.Length - 4, ex.ByteOffset);
    }

    [Fact]
    public void Chunked_reads_and_seeks_equal_the_whole_matrix()
    {
        var (raw, expected) = IntegerFile([16, 16, 16, 16, 16, 16, 16], [4, 3, 2, 1], 100_003, 77, [1024, 1024, 1024, 1024, 1024, 1024, 65536]);
        using var fcs = FcsFile.Parse(raw.Build());
        var set = fcs.First;
        foreach (var chunkEvents in new[] { 1, 7, 4096, 99_999, 200_000 })
        {
            using var reader = set.OpenEvents();
            var buffer = new double[chunkEvents * 7];
            var all = new List<double>(expected.Length);
            int n;
            while ((n = reader.Read(buffer)) > 0)
            {
                all.AddRange(buffer.AsSpan(0, n * 7).ToArray());
            }
            Assert.Equal(expected, all);
        }
        using var seeker = set.OpenEvents();
        seeker.Seek(50_000);
        var row = new double[7 * 3];
        Assert.Equal(3, seeker.Read(row));
        Assert.Equal(expected.AsSpan(50_000 * 7, 21).ToArray(), row);
        var single = set.ReadEventsSingle();
        Assert.Equal(expected.Select(x => (float)x), single);
        using var floats = set.OpenEvents();
        var part = new float[7 * 1000 + 3];
        Assert.Equal(1000, floats.Read(part));
        Assert.Equal(expected.Take(7000).Select(x => (float)x), part.Take(7000));
    }
}
