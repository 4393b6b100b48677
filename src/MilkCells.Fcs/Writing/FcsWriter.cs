using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace MilkCells.Fcs;

/// <summary>One parameter (column) to write.</summary>
/// <param name="Name">$PnN (required, unique).</param>
/// <param name="Label">$PnS, or null.</param>
/// <param name="DataType">Storage type; mixing types in one data set needs FCS 3.2 ($PnDATATYPE).</param>
/// <param name="Bits">$PnB: 8, 16, 24, 32 or 64 for integers (default 32); F is 32 and D is 64 whatever is given.</param>
/// <param name="Range">$PnR; default 2^bits for integers, 262144 for F and D.</param>
/// <param name="Amplification">$PnE (default "0,0").</param>
/// <param name="Gain">$PnG, or null to omit it.</param>
public sealed record FcsWriteParameter(
    string Name,
    string? Label = null,
    FcsDataType DataType = FcsDataType.Float,
    int? Bits = null,
    string? Range = null,
    FcsAmplification? Amplification = null,
    double? Gain = null);

/// <summary>How to write: version, byte order, instrument and extra keywords.</summary>
public sealed record FcsWriteOptions
{
    /// <summary>FCS 3.1 (default) or FCS 3.2.</summary>
    public FcsVersion Version { get; init; } = FcsVersion.Fcs3_1;

    /// <summary>Write "4,3,2,1" (big-endian) instead of "1,2,3,4".</summary>
    public bool BigEndian { get; init; }

    /// <summary>$CYT (required by FCS 3.2; written when set, or as "unknown" for 3.2).</summary>
    public string? Cytometer { get; init; }

    /// <summary>More keywords (for example those of a file being rewritten). Structural keywords are recomputed; empty values are omitted.</summary>
    public IEnumerable<KeyValuePair<string, string>> Keywords { get; init; } = [];

    /// <summary>Round doubles to the nearest float for F parameters instead of refusing values a float cannot hold exactly.</summary>
    public bool RoundToFloat { get; init; }
}

/// <summary>Writes FCS 3.1 and 3.2 files (list mode, one data set) that read back exactly.</summary>
/// <remarks>
/// Layout (FCS 3.1 §3, Spidlen et al. 2010, Cytometry A 77:97; FCS 3.2, 2020): HEADER at 0, TEXT from byte 58, DATA
/// right after TEXT; HEADER DATA offsets are 0 when the end passes 99,999,999 (TEXT's $BEGINDATA/$ENDDATA always hold
/// them). Integer parameters keep values in [0, 2^⌈log2 $PnR⌉), so the reader's $PnR mask never changes them. FCS 3.2
/// files write $PnDATATYPE for parameters whose type differs from $DATATYPE and omit the deprecated $MODE.
/// </remarks>
public static class FcsWriter
{
    /// <summary>Writes <paramref name="events"/> (row-major, <c>events.Length / parameters.Count</c> events) to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">A parameter or value cannot be written exactly.</exception>
    public static void Write(Stream output, IReadOnlyList<FcsWriteParameter> parameters, ReadOnlySpan<double> events, FcsWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count == 0 || events.Length % parameters.Count != 0)
        {
            throw new ArgumentException($"{events.Length} values are not a whole number of events of {parameters.Count} parameters", nameof(events));
        }
        using var writer = Create(output, parameters, events.Length / parameters.Count, options);
        writer.WriteEvents(events);
        writer.Complete();
    }

    /// <summary>Writes a file at <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<FcsWriteParameter> parameters, ReadOnlySpan<double> events, FcsWriteOptions? options = null)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Write(stream, parameters, events, options);
    }

    /// <summary>Starts a file of <paramref name="eventCount"/> events whose DATA is then streamed with <see cref="FcsStreamWriter.WriteEvents"/>.</summary>
    public static FcsStreamWriter Create(Stream output, IReadOnlyList<FcsWriteParameter> parameters, long eventCount, FcsWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegative(eventCount);
        options ??= new FcsWriteOptions();
        if (options.Version is not (FcsVersion.Fcs3_1 or FcsVersion.Fcs3_2))
        {
            throw new ArgumentException($"the writer writes FCS 3.1 or 3.2, not {options.Version}", nameof(options));
        }
        if (parameters.Count == 0)
        {
            throw new ArgumentException("at least one parameter is needed", nameof(parameters));
        }
        var columns = parameters.Select((p, i) => Column.From(p, i + 1)).ToArray();
        var dataType = columns[0].Type;
        if (options.Version == FcsVersion.Fcs3_1 && columns.Any(c => c.Type != dataType))
        {
            throw new ArgumentException("FCS 3.1 has one $DATATYPE per data set; mixing types needs FCS 3.2 ($PnDATATYPE)", nameof(parameters));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in columns)
        {
            if (!names.Add(c.Parameter.Name))
            {
                throw new ArgumentException($"$PnN must be unique: \"{c.Parameter.Name}\" appears twice", nameof(parameters));
            }
        }
        var rowBytes = columns.Sum(c => (long)c.Width);
        var dataLength = checked(eventCount * rowBytes);
        var text = BuildText(columns, dataType, eventCount, dataLength, options, out var dataStart);
        var header = BuildHeader(options.Version, text.Length, dataStart, dataLength);
        output.Write(header);
        output.Write(text);
        return new FcsStreamWriter(output, columns, eventCount, options.BigEndian, options.RoundToFloat);
    }

    internal sealed record Column(FcsWriteParameter Parameter, int Number, FcsDataType Type, int Width, string Range, ulong Max)
    {
        public static Column From(FcsWriteParameter p, int number)
        {
            ArgumentNullException.ThrowIfNull(p);
            if (string.IsNullOrWhiteSpace(p.Name))
            {
                throw new ArgumentException($"parameter {number} needs a $PnN name");
            }
            switch (p.DataType)
            {
                case FcsDataType.Float:
                    return new Column(p, number, p.DataType, 4, p.Range ?? "262144", 0);
                case FcsDataType.Double:
                    return new Column(p, number, p.DataType, 8, p.Range ?? "262144", 0);
                case FcsDataType.Integer:
                    var bits = p.Bits ?? 32;
                    if (bits is not (8 or 16 or 24 or 32 or 64))
                    {
                        throw new ArgumentException($"$P{number}B = {bits}: integer parameters are written with 8, 16, 24, 32 or 64 bits");
                    }
                    var full = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
                    var range = p.Range ?? (bits == 64 ? "18446744073709551616" : (full + 1).ToString(CultureInfo.InvariantCulture));
                    if (!double.TryParse(range, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) || r <= 0)
                    {
                        throw new ArgumentException($"$P{number}R \"{range}\" must be a positive number");
                    }
                    // The reader masks to the bits $PnR needs; values must fit below that.
                    var need = r >= 1.8446744073709552E19 ? 64 : 64 - System.Numerics.BitOperations.LeadingZeroCount(Math.Max(1UL, (ulong)Math.Ceiling(r)) - 1);
                    var max = need >= bits ? full : (1UL << need) - 1;
                    return new Column(p, number, p.DataType, bits / 8, range, max);
                default:
                    throw new ArgumentException($"parameter {number}: the writer writes I, F or D data, not ASCII (deprecated in FCS 3.2)");
            }
        }
    }

    private static string Letter(FcsDataType t) => t switch
    {
        FcsDataType.Integer => "I",
        FcsDataType.Float => "F",
        _ => "D",
    };

    private static byte[] BuildText(Column[] columns, FcsDataType dataType, long events, long dataLength, FcsWriteOptions options, out long dataStart)
    {
        var v32 = options.Version == FcsVersion.Fcs3_2;
        string S(long x) => x.ToString(CultureInfo.InvariantCulture);
        var pairs = new List<KeyValuePair<string, string>>();
        void Add(string k, string v) => pairs.Add(new(k, v));

        // Offsets depend on the TEXT length, which depends on the offsets' digits: iterate to a fixed point.
        dataStart = 0;
        byte[] text = [];
        for (var round = 0; round < 8; round++)
        {
            pairs.Clear();
            var dataEnd = dataLength == 0 ? 0 : dataStart + dataLength - 1;
            Add("$BEGINANALYSIS", "0");
            Add("$ENDANALYSIS", "0");
            Add("$BEGINSTEXT", "0");
            Add("$ENDSTEXT", "0");
            Add("$BEGINDATA", S(dataLength == 0 ? 0 : dataStart));
            Add("$ENDDATA", S(dataEnd));
            Add("$BYTEORD", options.BigEndian ? "4,3,2,1" : "1,2,3,4");
            Add("$DATATYPE", Letter(dataType));
            if (!v32)
            {
                Add("$MODE", "L");
            }
            Add("$NEXTDATA", "0");
            Add("$PAR", S(columns.Length));
            Add("$TOT", S(events));
            if (options.Cytometer is { Length: > 0 } cyt)
            {
                Add("$CYT", cyt);
            }
            else if (v32)
            {
                Add("$CYT", "unknown");
            }
            foreach (var c in columns)
            {
                var n = S(c.Number);
                Add($"$P{n}N", c.Parameter.Name);
                if (!string.IsNullOrEmpty(c.Parameter.Label))
                {
                    Add($"$P{n}S", c.Parameter.Label);
                }
                Add($"$P{n}B", S(c.Width * 8));
                Add($"$P{n}E", (c.Parameter.Amplification ?? FcsAmplification.Linear).ToString());
                Add($"$P{n}R", c.Range);
                if (c.Parameter.Gain is { } g)
                {
                    Add($"$P{n}G", g.ToString("R", CultureInfo.InvariantCulture));
                }
                if (v32 && c.Type != dataType)
                {
                    Add($"$P{n}DATATYPE", Letter(c.Type));
                }
            }
            var written = new HashSet<string>(pairs.Select(p => p.Key), StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in options.Keywords)
            {
                if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(value) || IsStructural(key, columns.Length) || !written.Add(key))
                {
                    continue;
                }
                Add(key, value);
            }
            text = Encode(pairs);
            var start = 58 + text.Length;
            if (start == dataStart)
            {
                return text;
            }
            dataStart = start;
        }
        throw new InvalidOperationException("TEXT offsets did not settle");
    }

    /// <summary>Keywords the writer computes itself; a caller's copies of them are dropped.</summary>
    private static bool IsStructural(string key, int par)
    {
        var k = key.ToUpperInvariant();
        if (k is "$BEGINANALYSIS" or "$ENDANALYSIS" or "$BEGINSTEXT" or "$ENDSTEXT" or "$BEGINDATA" or "$ENDDATA" or "$BYTEORD"
            or "$DATATYPE" or "$MODE" or "$NEXTDATA" or "$PAR" or "$TOT" or "$CYT")
        {
            return true;
        }
        // $PnX for the written parameters' own keywords ($PnN, $PnS, $PnB, $PnE, $PnR, $PnG, $PnDATATYPE).
        if (k.Length > 3 && k[0] == '$' && k[1] == 'P' && char.IsAsciiDigit(k[2]))
        {
            var i = 2;
            while (i < k.Length && char.IsAsciiDigit(k[i]))
            {
                i++;
            }
            var suffix = k[i..];
            return suffix is "N" or "S" or "B" or "E" or "R" or "G" or "DATATYPE";
        }
        return false;
    }

    // Preferred delimiters first, then every other ASCII 1–126 that is not a letter, digit or space (FCS 3.1 §3.2.6).
    private static readonly char[] Delimiters = "/|\\!~^#@&%*;:\f"
        .Concat(Enumerable.Range(1, 126).Select(i => (char)i).Where(c => !char.IsAsciiLetterOrDigit(c) && c != ' '))
        .Distinct().ToArray();

    private static byte[] Encode(List<KeyValuePair<string, string>> pairs)
    {
        // A delimiter that no keyword contains (keywords cannot escape it); values double it (FCS 3.1 §3.2.6).
        var delimiter = Delimiters.FirstOrDefault(d => pairs.All(p => !p.Key.Contains(d) && !p.Value.Contains(d)));
        if (delimiter == default)
        {
            delimiter = Delimiters.FirstOrDefault(d => pairs.All(p => !p.Key.Contains(d)));
        }
        if (delimiter == default)
        {
            throw new ArgumentException("every candidate delimiter appears in some keyword name");
        }
        var d = delimiter.ToString();
        var sb = new StringBuilder();
        sb.Append(d);
        foreach (var (key, value) in pairs)
        {
            sb.Append(key).Append(d).Append(value.Replace(d, d + d, StringComparison.Ordinal)).Append(d);
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static byte[] BuildHeader(FcsVersion version, int textLength, long dataStart, long dataLength)
    {
        var dataEnd = dataLength == 0 ? 0 : dataStart + dataLength - 1;
        var fits = dataEnd <= 99_999_999;
        var sb = new StringBuilder(version == FcsVersion.Fcs3_2 ? "FCS3.2    " : "FCS3.1    ");
        Field(sb, 58);
        Field(sb, 58 + textLength - 1);
        Field(sb, fits && dataLength > 0 ? dataStart : 0);
        Field(sb, fits ? dataEnd : 0);
        Field(sb, 0);
        Field(sb, 0);
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    private static void Field(StringBuilder sb, long value) => sb.Append(value.ToString(CultureInfo.InvariantCulture).PadLeft(8));
}

/// <summary>Streams the DATA of a file started with <see cref="FcsWriter.Create"/>; <see cref="Complete"/> checks every event was written.</summary>
public sealed class FcsStreamWriter : IDisposable
{
    private readonly Stream _output;
    private readonly FcsWriter.Column[] _columns;
    private readonly long _events;
    private readonly bool _bigEndian;
    private readonly bool _round;
    private readonly int _rowBytes;
    private readonly byte[] _buffer;
    private long _written;

    internal FcsStreamWriter(Stream output, FcsWriter.Column[] columns, long events, bool bigEndian, bool round)
    {
        _output = output;
        _columns = columns;
        _events = events;
        _bigEndian = bigEndian;
        _round = round;
        _rowBytes = columns.Sum(c => c.Width);
        _buffer = new byte[Math.Max(_rowBytes, 1 << 16) / _rowBytes * _rowBytes];
    }

    /// <summary>Events written so far.</summary>
    public long EventsWritten => _written;

    /// <summary>Appends whole events (row-major).</summary>
    /// <exception cref="ArgumentException">A value cannot be stored exactly in its parameter's type, or too many events.</exception>
    public void WriteEvents(ReadOnlySpan<double> rows)
    {
        var p = _columns.Length;
        if (rows.Length % p != 0)
        {
            throw new ArgumentException($"{rows.Length} values are not whole events of {p} parameters", nameof(rows));
        }
        var count = rows.Length / p;
        if (_written + count > _events)
        {
            throw new ArgumentException($"the file was started for {_events} events; {_written + count} would be written", nameof(rows));
        }
        var perChunk = _buffer.Length / _rowBytes;
        for (var e0 = 0; e0 < count; e0 += perChunk)
        {
            var n = Math.Min(perChunk, count - e0);
            var at = 0;
            for (var e = 0; e < n; e++)
            {
                for (var c = 0; c < p; c++)
                {
                    at += Encode(rows[(e0 + e) * p + c], _columns[c], _buffer.AsSpan(at), _written + e0 + e);
                }
            }
            _output.Write(_buffer, 0, at);
        }
        _written += count;
    }

    private int Encode(double x, FcsWriter.Column c, Span<byte> into, long eventIndex)
    {
        switch (c.Type)
        {
            case FcsDataType.Float:
            {
                var f = (float)x;
                if (!_round && (double)f != x && !double.IsNaN(x))
                {
                    throw new ArgumentException($"event {eventIndex}, $P{c.Number}N {c.Parameter.Name}: {x:R} is not a float (use D, or RoundToFloat)");
                }
                var bits = BitConverter.SingleToInt32Bits(f);
                if (_bigEndian) BinaryPrimitives.WriteInt32BigEndian(into, bits); else BinaryPrimitives.WriteInt32LittleEndian(into, bits);
                return 4;
            }
            case FcsDataType.Double:
            {
                var bits = BitConverter.DoubleToInt64Bits(x);
                if (_bigEndian) BinaryPrimitives.WriteInt64BigEndian(into, bits); else BinaryPrimitives.WriteInt64LittleEndian(into, bits);
                return 8;
            }
            default:
            {
                if (!(x >= 0) || x != Math.Floor(x) || x > c.Max || (c.Width == 8 && x >= 1.8446744073709552E19))
                {
                    throw new ArgumentException($"event {eventIndex}, $P{c.Number}N {c.Parameter.Name}: {x:R} is not an integer in [0, {c.Max}] ($P{c.Number}B = {c.Width * 8}, $P{c.Number}R = {c.Range})");
                }
                var v = (ulong)x;
                for (var i = 0; i < c.Width; i++)
                {
                    into[_bigEndian ? c.Width - 1 - i : i] = (byte)(v >> (8 * i));
                }
                return c.Width;
            }
        }
    }

    /// <summary>Checks that every announced event was written and flushes.</summary>
    /// <exception cref="InvalidOperationException">Fewer events were written than announced.</exception>
    public void Complete()
    {
        if (_written != _events)
        {
            throw new InvalidOperationException($"the file announces {_events} events but {_written} were written");
        }
        _output.Flush();
    }

    public void Dispose()
    {
    }
}
