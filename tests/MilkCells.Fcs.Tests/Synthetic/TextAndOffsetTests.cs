using System.Text;
using MilkCells.Fcs;

namespace MilkCells.Fcs.Tests.Synthetic;

/// <summary>TEXT parsing rules and the known faults of HEADER/TEXT offsets.</summary>
public class TextAndOffsetTests
{
    /// <summary>A small valid 16-bit file whose events are 0, 1, 2, ...</summary>
    private static RawFcs Small(string version = "FCS3.1", long events = 10, char delimiter = '/')
    {
        var raw = new RawFcs { Version = version, Delimiter = delimiter };
        raw.Add("$DATATYPE", "I").Add("$BYTEORD", "1,2,3,4").Add("$PAR", "2").Add("$TOT", RawFcs.Str(events)).Add("$NEXTDATA", "0")
            .Add("$P1N", "A").Add("$P1B", "16").Add("$P1R", "65536").Add("$P1E", "0,0")
            .Add("$P2N", "B").Add("$P2B", "16").Add("$P2R", "65536").Add("$P2E", "0,0");
        raw.Data = Enumerable.Range(0, (int)events * 2).SelectMany(i => new[] { (byte)i, (byte)(i >> 8) }).ToArray();
        return raw;
    }

    private static double[] Counting(int n) => Enumerable.Range(0, n).Select(i => (double)i).ToArray();

    [Fact]
    public void Escaped_delimiters_in_values_are_unescaped()
    {
        var raw = Small();
        raw.Add("$P1S", "GFP/FITC-A").Add("SLASHES", "/a//b/").Add("$SRC", "x");
        using var fcs = FcsFile.Parse(raw.Build());
        Assert.Equal("GFP/FITC-A", fcs.First.Parameters[0].Label);
        Assert.Equal("/a//b/", fcs.First.Keywords["SLASHES"]);
        Assert.Equal("x", fcs.First.Keywords["$SRC"]);
        Assert.Equal(Counting(20), fcs.First.ReadEvents().Values);
    }

    [Fact]
    public void A_doubled_delimiter_after_a_keyword_is_an_empty_value()
    {
        // CellQuest style: "/$P1S//$P2S//$P1N/A/" — each doubled delimiter is an empty value, not an escape.
        var withEmpty = Small();
        withEmpty.Keywords.Insert(0, ("$P1S", ""));
        withEmpty.Keywords.Insert(1, ("$P2S", ""));
        var built = Encoding.ASCII.GetString(withEmpty.Build());
        Assert.Contains("/$P1S//$P2S//", built);
        using var fcs = FcsFile.Parse(Encoding.ASCII.GetBytes(built));
        Assert.Null(fcs.First.Parameters[0].Label);
        Assert.Equal("", fcs.First.Keywords["$P2S"]);
        Assert.Equal("A", fcs.First.Parameters[0].Name);
        Assert.Contains(fcs.First.Warnings, w => w.Kind == FcsWarningKind.EmptyValue);
    }

    [Fact]
    public void Keywords_are_case_insensitive()
    {
        var raw = new RawFcs { Version = "FCS3.1" };
        raw.Add("$datatype", "I").Add("$ByteOrd", "1,2,3,4").Add("$par", "2").Add("$tot", "10")
            .Add("$p1n", "A").Add("$p1b", "16").Add("$p1r", "65536").Add("$P2n", "B").Add("$P2B", "16").Add("$p2R", "65536");
        raw.Data = Small().Data;
        using var fcs = FcsFile.Parse(raw.Build());
        Assert.Equal("A", fcs.First.Parameters[0].Name);
        Assert.Equal("10", fcs.First.Keywords["$TOT"]);
        Assert.Equal(Counting(20), fcs.First.ReadEvents().Values);
    }

    [Fact]
    public void Padded_TEXT_and_a_missing_final_delimiter_are_tolerated_with_warnings()
    {
        using (var padded = FcsFile.Parse(new RawFcs { TextPadding = 40 }.WithSmall().Build()))
        {
            Assert.Contains(padded.First.Warnings, w => w.Kind == FcsWarningKind.PaddedText);
            Assert.Equal(Counting(20), padded.First.ReadEvents().Values);
        }
        using var open = FcsFile.Parse(new RawFcs { NoFinalDelimiter = true }.WithSmall().Build());
        Assert.Contains(open.First.Warnings, w => w.Kind == FcsWarningKind.MissingFinalDelimiter);
        Assert.Equal(Counting(20), open.First.ReadEvents().Values);
    }

    [Fact]
    public void Blank_HEADER_data_offsets_fall_back_to_TEXT_with_a_warning()
    {
        var raw = Small();
        raw.HeaderFields[2] = "";
        raw.HeaderFields[3] = "";
        using var fcs = FcsFile.Parse(raw.Build());
        Assert.Contains(fcs.First.Warnings, w => w.Kind == FcsWarningKind.BlankHeaderOffset);
        Assert.Equal(Counting(20), fcs.First.ReadEvents().Values);
    }

    [Fact]
    public void A_DATA_end_one_byte_off_is_tolerated_with_a_warning()
    {
        foreach (var delta in new[] { 1, -1 })
        {
            var raw = new RawFcs { EndDataDelta = delta, Gap = 4 }.WithSmall();
            var bytes = raw.Build();
            using var fcs = FcsFile.Parse(bytes);
            Assert.Contains(fcs.First.Warnings, w => w.Kind == FcsWarningKind.OffByOne);
            Assert.Equal(Counting(20), fcs.First.ReadEvents().Values);
        }
    }

    [Fact]
    public void When_HEADER_and_TEXT_disagree_the_offsets_that_fit_TOT_win()
    {
        var raw = Small(events: 10);
        raw.HeaderFields[2] = "60"; // inside TEXT
        using var fcs = FcsFile.Parse(raw.Build());
        var warning = Assert.Single(fcs.First.Warnings, w => w.Kind == FcsWarningKind.OffsetDisagreement);
        Assert.Contains("used TEXT", warning.Message);
        Assert.Equal(Counting(20), fcs.First.ReadEvents().Values);
    }

    [Fact]
    public void A_HEADER_DATA_end_one_past_TEXT_loses_to_TEXT_with_a_warning()
    {
        var raw = Small(events: 10);
        var exact = raw.Build();
        raw.HeaderFields[3] = RawFcs.Str(exact.Length); // one past the last byte
        using var fcs = FcsFile.Parse(raw.Build());
        var warning = Assert.Single(fcs.First.Warnings, w => w.Kind == FcsWarningKind.OffsetDisagreement);
        Assert.Contains("used TEXT", warning.Message);
        Assert.Equal(Counting(20), fcs.First.ReadEvents().Values);
    }

    [Fact]
    public void A_HEADER_TEXT_end_on_the_first_DATA_byte_is_tolerated()
    {
        var raw = Small(events: 10);
        var exact = raw.Build();
        var textEnd = long.Parse(System.Text.Encoding.ASCII.GetString(exact, 18, 8).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        raw.HeaderFields[1] = RawFcs.Str(textEnd + 1);
        using var fcs = FcsFile.Parse(raw.Build());
        Assert.Contains(fcs.First.Warnings, w => w.Kind == FcsWarningKind.OffByOne);
        Assert.DoesNotContain(fcs.First.Warnings, w => w.Kind == FcsWarningKind.MissingFinalDelimiter);
        Assert.Equal(Counting(20), fcs.First.ReadEvents().Values);
    }

    [Fact]
    public void FCS_2_0_without_BEGINDATA_uses_the_HEADER()
    {
        var raw = new RawFcs { Version = "FCS2.0", DataKeywords = false }.WithSmall();
        using var fcs = FcsFile.Parse(raw.Build());
        Assert.Equal(Counting(20), fcs.First.ReadEvents().Values);
        Assert.Equal(FcsVersion.Fcs2_0, fcs.First.Version);
    }

    [Fact]
    public void Offsets_above_99_999_999_come_from_TEXT()
    {
        // DATA placed at byte 150,000,000 of a sparse stream; the HEADER holds zeros as FCS 3.1 §3.1 requires.
        var small = Small();
        var data = small.Data;
        const long dataStart = 150_000_000;
        var raw = new RawFcs { Version = "FCS3.1" };
        raw.Keywords.AddRange(small.Keywords);
        raw.HeaderFields[2] = "0";
        raw.HeaderFields[3] = "0";
        var head = new RawFcs { Version = "FCS3.1", DataKeywords = false };
        head.Keywords.AddRange(small.Keywords);
        head.Keywords.Insert(0, ("$BEGINDATA", RawFcs.Str(dataStart)));
        head.Keywords.Insert(1, ("$ENDDATA", RawFcs.Str(dataStart + data.Length - 1)));
        head.HeaderFields[2] = "0";
        head.HeaderFields[3] = "0";
        var headBytes = head.Build();
        using var sparse = new SparseStream(dataStart + data.Length, (0, headBytes), (dataStart, data));
        using var fcs = FcsFile.Open(sparse, "sparse.fcs");
        Assert.Equal(new FcsSegment(dataStart, dataStart + data.Length - 1), fcs.First.Data);
        Assert.Equal(Counting(20), fcs.First.ReadEvents().Values);
    }

    [Fact]
    public void NEXTDATA_chains_data_sets_and_zeros_end_the_chain()
    {
        // $NEXTDATA is relative to the current data set (FCS 3.1 §3.2.16); written zero-padded to 12 digits, so the
        // set's length does not depend on the value; the last set's "000000000000" ends the chain.
        static byte[] Linked(long events, bool last)
        {
            var raw = Small(events: events);
            var i = raw.Keywords.FindIndex(k => k.Key == "$NEXTDATA");
            raw.Keywords[i] = ("$NEXTDATA", new string('0', 12));
            var length = raw.Build().Length;
            raw.Keywords[i] = ("$NEXTDATA", (last ? 0 : length).ToString("D12", System.Globalization.CultureInfo.InvariantCulture));
            return raw.Build();
        }
        var first = Linked(3, false);
        var second = Linked(5, false);
        var third = Linked(2, true);
        var file = first.Concat(second).Concat(third).ToArray();
        using var fcs = FcsFile.Parse(file);
        Assert.Equal([3L, 5L, 2L], fcs.DataSets.Select(s => s.EventCount));
        Assert.Equal(Counting(10), fcs.DataSets[1].ReadEvents().Values);
        Assert.Equal(first.Length + second.Length, fcs.DataSets[2].Offset);
        Assert.Empty(fcs.Warnings);
    }

    [Fact]
    public void A_NEXTDATA_that_leads_nowhere_is_a_warning()
    {
        var raw = Small();
        var i = raw.Keywords.FindIndex(k => k.Key == "$NEXTDATA");
        raw.Keywords[i] = ("$NEXTDATA", "999999");
        using var fcs = FcsFile.Parse(raw.Build());
        Assert.Single(fcs.DataSets);
        Assert.Contains(fcs.Warnings, w => w.Kind == FcsWarningKind.BadNextData);
    }

    [Theory]
    [InlineData("$TOT", "999999999999999")]
    [InlineData("$PAR", "2000000000")]
    [InlineData("$P1B", "999999")]
    [InlineData("$P1B", "12")]
    [InlineData("$BYTEORD", "1,1,2,3")]
    [InlineData("$DATATYPE", "Q")]
    [InlineData("$MODE", "C")]
    public void Impossible_keywords_are_typed_errors_without_large_allocations(string key, string value)
    {
        var raw = Small();
        var i = raw.Keywords.FindIndex(k => k.Key == key);
        if (i >= 0)
        {
            raw.Keywords[i] = (key, value);
        }
        else
        {
            raw.Add(key, value);
        }
        var bytes = raw.Build();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<FcsFormatException>(() =>
        {
            using var fcs = FcsFile.Parse(bytes);
            fcs.First.ReadEvents();
        });
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(ex.ByteOffset, 0, bytes.Length);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated for a {bytes.Length}-byte file");
    }

    [Fact]
    public void Truncated_files_fail_with_the_offset_of_the_missing_part()
    {
        var bytes = Small(events: 100).Build();
        foreach (var keep in new[] { 0, 10, 57, 58, 100, bytes.Length - 1 })
        {
            var ex = Assert.Throws<FcsFormatException>(() =>
            {
                using var fcs = FcsFile.Parse(bytes.AsMemory(0, keep));
                fcs.First.ReadEvents();
            });
            Assert.InRange(ex.ByteOffset, 0, bytes.Length);
        }
    }
}

internal static class RawFcsExtensions
{
    /// <summary>Adds the keywords and DATA of the small test file to a builder configured with faults.</summary>
    public static RawFcs WithSmall(this RawFcs raw)
    {
        raw.Add("$DATATYPE", "I").Add("$BYTEORD", "1,2,3,4").Add("$PAR", "2").Add("$TOT", "10").Add("$NEXTDATA", "0")
            .Add("$P1N", "A").Add("$P1B", "16").Add("$P1R", "65536").Add("$P1E", "0,0")
            .Add("$P2N", "B").Add("$P2B", "16").Add("$P2R", "65536").Add("$P2E", "0,0");
        raw.Data = Enumerable.Range(0, 20).SelectMany(i => new[] { (byte)i, (byte)(i >> 8) }).ToArray();
        return raw;
    }
}

/// <summary>A read-only stream of a given length: the given pieces at their offsets, zeros elsewhere (nothing allocated for the gaps).</summary>
internal sealed class SparseStream(long length, params (long At, byte[] Bytes)[] pieces) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get; set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Max(0, Math.Min(buffer.Length, length - Position));
        var span = buffer[..n];
        span.Clear();
        foreach (var (at, bytes) in pieces)
        {
            var from = Math.Max(at, Position);
            var to = Math.Min(at + bytes.Length, Position + n);
            if (from < to)
            {
                bytes.AsSpan((int)(from - at), (int)(to - from)).CopyTo(span[(int)(from - Position)..]);
            }
        }
        Position += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => Position + offset,
        _ => length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>ANALYSIS segment, a damaged second data set, and $PnE/$PnG/$TIMESTEP scaling.</summary>
public class SegmentAndScalingTests
{
    [Fact]
    public void ANALYSIS_keywords_are_read_from_the_HEADER_offsets()
    {
        var raw = new RawFcs().WithSmall();
        var length = raw.Build().Length;
        var analysis = System.Text.Encoding.ASCII.GetBytes("|GATE1|CD3+|COUNT|12|");
        raw.HeaderFields[4] = RawFcs.Str(length);
        raw.HeaderFields[5] = RawFcs.Str(length + analysis.Length - 1);
        var bytes = raw.Build().Concat(analysis).ToArray();
        using var fcs = FcsFile.Parse(bytes);
        Assert.Equal("CD3+", fcs.First.AnalysisKeywords["gate1"]);
        Assert.Equal(analysis, fcs.First.ReadAnalysisBytes());
        Assert.Equal(new FcsSegment(length, length + analysis.Length - 1), fcs.First.Analysis);
    }

    [Fact]
    public void A_damaged_second_data_set_leaves_the_first_readable()
    {
        var first = new RawFcs().WithSmall();
        var i = first.Keywords.FindIndex(k => k.Key == "$NEXTDATA");
        first.Keywords[i] = ("$NEXTDATA", new string('0', 8));
        var length = first.Build().Length;
        first.Keywords[i] = ("$NEXTDATA", length.ToString("D8", System.Globalization.CultureInfo.InvariantCulture));
        var junk = System.Text.Encoding.ASCII.GetBytes("FCS3.1    junk junk junk junk junk junk junk junk junk junk junk");
        using var fcs = FcsFile.Parse(first.Build().Concat(junk).ToArray());
        Assert.Single(fcs.DataSets);
        Assert.Contains(fcs.Warnings, w => w.Kind == FcsWarningKind.BadNextData && w.ByteOffset >= length);
        Assert.Equal(20, fcs.First.ReadEvents().Values.Length);
    }

    [Fact]
    public void Scaled_values_follow_PnE_PnG_and_TIMESTEP()
    {
        var raw = new RawFcs { Version = "FCS3.2" };
        raw.Add("$DATATYPE", "I").Add("$BYTEORD", "1,2,3,4").Add("$PAR", "4").Add("$TOT", "3").Add("$CYT", "t").Add("$TIMESTEP", "0.01")
            .Add("$P1N", "lin").Add("$P1B", "16").Add("$P1R", "1024").Add("$P1E", "0,0").Add("$P1G", "4")
            .Add("$P2N", "log").Add("$P2B", "16").Add("$P2R", "1024").Add("$P2E", "4,1").Add("$P2G", "2")
            .Add("$P3N", "log0").Add("$P3B", "16").Add("$P3R", "1024").Add("$P3E", "4,0")
            .Add("$P4N", "clock").Add("$P4B", "16").Add("$P4R", "65536").Add("$P4E", "0,0").Add("$P4TYPE", "Time");
        ushort[] rawValues = [100, 256, 512, 10, 200, 300, 400, 1000, 1, 1023, 0, 65535];
        raw.Data = rawValues.SelectMany(v => new[] { (byte)v, (byte)(v >> 8) }).ToArray();
        using var fcs = FcsFile.Parse(raw.Build());
        var set = fcs.First;
        var scaled = set.ReadEvents(FcsValues.Scaled).Values;
        for (var e = 0; e < 3; e++)
        {
            // FCS 3.1 §3.3.36–37, §3.3.58: linear / gain; 10^(f1·x/R)·f2 (f2 = 0 read as 1, gain ignored); time × $TIMESTEP.
            Assert.Equal(rawValues[e * 4] / 4.0, scaled[e * 4]);
            Assert.Equal(Math.Pow(10, 4.0 * rawValues[e * 4 + 1] / 1024), scaled[e * 4 + 1]);
            Assert.Equal(Math.Pow(10, 4.0 * rawValues[e * 4 + 2] / 1024), scaled[e * 4 + 2]);
            Assert.Equal(rawValues[e * 4 + 3] * 0.01, scaled[e * 4 + 3]);
        }
        Assert.True(set.Parameters[3].IsTime);
        var warnings = new FcsPreprocessor(set).Warnings;
        Assert.Contains(warnings, w => w.Message.Contains("$P2G"));
        Assert.Contains(warnings, w => w.Message.Contains("$P3E"));
    }
}
