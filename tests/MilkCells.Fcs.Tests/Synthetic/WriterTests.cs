using MilkCells.Fcs;
using MilkCells.Fcs.Tests.RealFiles;
using MilkCells.TestSupport;

namespace MilkCells.Fcs.Tests.Synthetic;

/// <summary>The writer: FCS 3.1 (float, integer) and 3.2 files read back exactly.</summary>
public class WriterTests
{
    private static FcsFile RoundTrip(IReadOnlyList<FcsWriteParameter> parameters, double[] events, FcsWriteOptions? options = null)
    {
        var stream = new MemoryStream();
        FcsWriter.Write(stream, parameters, events, options);
        return FcsFile.Parse(stream.ToArray(), "written.fcs");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fcs31_float_round_trips_exactly(bool bigEndian)
    {
        var rng = new Random(31);
        var events = Enumerable.Range(0, 3 * 5000).Select(_ => (double)(float)((rng.NextDouble() - 0.1) * 250_000)).ToArray();
        events[7] = double.NaN;
        var parameters = new[] { new FcsWriteParameter("FSC-A"), new FcsWriteParameter("SSC-A"), new FcsWriteParameter("CD45", "CD45 V500") };
        using var fcs = RoundTrip(parameters, events, new FcsWriteOptions { BigEndian = bigEndian, Cytometer = "test" });
        var set = fcs.First;
        Assert.Equal(FcsVersion.Fcs3_1, set.Version);
        Assert.Equal(events, set.ReadEvents().Values);
        Assert.Equal("CD45 V500", set.Parameters[2].Label);
        Assert.Empty(set.Warnings);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    [InlineData(64)]
    public void Fcs31_integers_round_trip_exactly(int bits)
    {
        var rng = new Random(bits);
        var max = bits >= 53 ? (double)(1L << 53) : Math.Pow(2, bits);
        var events = Enumerable.Range(0, 4 * 3000).Select(_ => Math.Floor(rng.NextDouble() * max)).ToArray();
        var parameters = Enumerable.Range(1, 4).Select(i => new FcsWriteParameter($"P{i}", DataType: FcsDataType.Integer, Bits: bits)).ToList();
        using var fcs = RoundTrip(parameters, events);
        Assert.Equal(events, fcs.First.ReadEvents().Values);
        Assert.Empty(fcs.First.Warnings);
    }

    [Fact]
    public void Fcs32_with_mixed_PnDATATYPE_round_trips_exactly()
    {
        var rng = new Random(32);
        var parameters = new[]
        {
            new FcsWriteParameter("Time", DataType: FcsDataType.Integer, Bits: 32),
            new FcsWriteParameter("FSC-A", DataType: FcsDataType.Float),
            new FcsWriteParameter("Index", DataType: FcsDataType.Integer, Bits: 16, Range: "1024"),
            new FcsWriteParameter("Ratio", DataType: FcsDataType.Double),
        };
        var events = new double[4 * 2000];
        for (var e = 0; e < 2000; e++)
        {
            events[e * 4] = e;
            events[e * 4 + 1] = (float)(rng.NextDouble() * 1e5);
            events[e * 4 + 2] = rng.Next(1024);
            events[e * 4 + 3] = rng.NextDouble();
        }
        foreach (var bigEndian in new[] { false, true })
        {
            using var fcs = RoundTrip(parameters, events, new FcsWriteOptions { Version = FcsVersion.Fcs3_2, BigEndian = bigEndian });
            var set = fcs.First;
            Assert.Equal(FcsVersion.Fcs3_2, set.Version);
            Assert.Equal("F", set.Keywords["$P2DATATYPE"]);
            Assert.False(set.Keywords.ContainsKey("$MODE"));
            Assert.NotNull(set.Cytometer);
            Assert.Equal(events, set.ReadEvents().Values);
            Assert.Empty(set.Warnings);
        }
    }

    [Fact]
    public void Values_the_type_cannot_hold_exactly_are_refused()
    {
        var f = new[] { new FcsWriteParameter("x") };
        Assert.Throws<ArgumentException>(() => FcsWriter.Write(new MemoryStream(), f, [0.1]));
        var i = new[] { new FcsWriteParameter("x", DataType: FcsDataType.Integer, Bits: 16, Range: "1024") };
        Assert.Throws<ArgumentException>(() => FcsWriter.Write(new MemoryStream(), i, [1024]));
        Assert.Throws<ArgumentException>(() => FcsWriter.Write(new MemoryStream(), i, [1.5]));
        Assert.Throws<ArgumentException>(() => FcsWriter.Write(new MemoryStream(), i, [-1]));
        var mixed = new[] { new FcsWriteParameter("a"), new FcsWriteParameter("b", DataType: FcsDataType.Double) };
        Assert.Throws<ArgumentException>(() => FcsWriter.Write(new MemoryStream(), mixed, [1, 2]));
        using var rounded = RoundTrip(f, [0.1], new FcsWriteOptions { RoundToFloat = true });
        Assert.Equal((double)0.1f, rounded.First.ReadEvents().Values[0]);
    }

    [Fact]
    public void Keyword_values_with_delimiters_survive()
    {
        var options = new FcsWriteOptions
        {
            Keywords = [new("$SRC", "a/b|c\\d!e~f^g#h@i&j%k*l;m:n"), new("EMPTY", ""), new("$TOT", "999"), new("#Note", "/leading and trailing/")],
        };
        using var fcs = RoundTrip([new FcsWriteParameter("x")], [1, 2, 3], options);
        Assert.Equal("a/b|c\\d!e~f^g#h@i&j%k*l;m:n", fcs.First.Keywords["$SRC"]);
        Assert.Equal("/leading and trailing/", fcs.First.Keywords["#Note"]);
        Assert.False(fcs.First.Keywords.ContainsKey("EMPTY"));
        Assert.Equal(3, fcs.First.EventCount);
    }

    [Fact]
    public void Large_files_put_DATA_offsets_in_TEXT_only()
    {
        // 26 M float values: DATA ends past byte 99,999,999, so the HEADER holds zeros (FCS 3.1 §3.1).
        const long events = 13_000_000;
        var path = Path.Combine(Path.GetTempPath(), $"milkcells-large-{Guid.NewGuid():N}.fcs");
        try
        {
            using (var stream = File.Create(path))
            {
                using var writer = FcsWriter.Create(stream, [new FcsWriteParameter("a"), new FcsWriteParameter("b")], events);
                var chunk = new double[2 * 100_000];
                for (long e = 0; e < events; e += 100_000)
                {
                    for (var i = 0; i < chunk.Length; i++)
                    {
                        chunk[i] = (e * 2 + i) % 1_000_000;
                    }
                    writer.WriteEvents(chunk);
                }
                writer.Complete();
            }
            using var fcs = FcsFile.Open(path);
            var header = new byte[58];
            using (var f = File.OpenRead(path))
            {
                f.ReadExactly(header);
            }
            Assert.Equal("       0       0", System.Text.Encoding.ASCII.GetString(header, 26, 16));
            Assert.True(fcs.First.Data.End > 99_999_999);
            using var reader = fcs.First.OpenEvents();
            reader.Seek(events - 1);
            var last = new double[2];
            Assert.Equal(1, reader.Read(last));
            Assert.Equal([((events - 1) * 2) % 1_000_000, ((events - 1) * 2 + 1) % 1_000_000], last);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<string> Readable => new(Expectation.All.Where(e => e.Rejected is null).Select(e => e.File));

    [Theory]
    [MemberData(nameof(Readable))]
    public void Real_files_rewritten_as_FCS_3_1_read_back_identically(string name)
    {
        var path = Path.Combine(Shared.Require("fcs/files"), name);
        using var original = FcsFile.Open(path);
        foreach (var set in original.DataSets)
        {
            var events = set.ReadEvents().Values;
            var version = set.Parameters.Select(p => p.DataType).Distinct().Count() > 1 ? FcsVersion.Fcs3_2 : FcsVersion.Fcs3_1;
            var parameters = set.Parameters.Select(p => new FcsWriteParameter(p.Name, p.Label, p.DataType,
                p.DataType == FcsDataType.Integer ? (p.Bits is 8 or 16 or 24 or 32 or 64 ? p.Bits : 32) : null,
                p.DataType == FcsDataType.Integer ? null : p.RangeText?.Trim(), p.Amplification)).ToList();
            using var copy = RoundTrip(parameters, events, new FcsWriteOptions { Version = version, Keywords = set.Keywords });
            Assert.Equal(events, copy.First.ReadEvents().Values);
            Assert.Equal(set.Parameters.Select(p => p.Name), copy.First.Parameters.Select(p => p.Name));
            // Non-structural keywords survive.
            foreach (var (key, value) in set.Keywords.Where(k => !k.Key.StartsWith('$') && k.Value.Length > 0))
            {
                Assert.Equal(value, copy.First.Keywords.Get(key));
            }
        }
    }
}
