using System.Globalization;
using System.Numerics;

namespace MilkCells.Fcs.Internal;

/// <summary>Reads one data set's HEADER, TEXT and supplemental TEXT, works out its layout and where its DATA is.</summary>
internal static class DataSetParser
{
    private readonly record struct Candidate(string Source, long Start, long End)
    {
        public long Length => End - Start + 1;

        public override string ToString() => $"{Start}–{End}";
    }

    public static FcsDataSet Parse(FcsSource src, string? file, long offset, int index, out long nextData)
    {
        var warnings = new List<FcsWarning>();
        var fileLength = src.Length;
        var room = fileLength - offset;
        Span<byte> headerBytes = stackalloc byte[HeaderParser.Length];
        var got = (int)Math.Min(HeaderParser.Length, Math.Max(0, room));
        src.ReadExactly(offset, headerBytes[..got], file);
        var header = HeaderParser.Parse(headerBytes[..got], offset, file, warnings);
        var is3 = header.Version is FcsVersion.Fcs3_0 or FcsVersion.Fcs3_1 or FcsVersion.Fcs3_2 or FcsVersion.Unknown;

        // TEXT: only the HEADER says where it is.
        if (header.TextStart is not { } ts || header.TextEnd is not { } te)
        {
            throw new FcsFormatException(file, offset + 10, FcsProblem.BadOffsets, "the HEADER does not say where the TEXT segment is");
        }
        if (ts < HeaderParser.Length || te <= ts)
        {
            throw new FcsFormatException(file, offset + 10, FcsProblem.BadOffsets,
                $"the HEADER puts TEXT at bytes {ts}–{te}, which is not after the 58-byte HEADER or is empty");
        }
        if (ts >= room)
        {
            throw new FcsFormatException(file, offset + 10, FcsProblem.Truncated,
                $"TEXT starts at byte {offset + ts}, beyond the end of the file ({fileLength} bytes)");
        }
        if (te >= room)
        {
            if (te == room)
            {
                warnings.Add(new(FcsWarningKind.OffByOne, offset + 18, $"HEADER TEXT end {te} is one byte past the end of the file; read to the last byte"));
                te = room - 1;
            }
            else
            {
                throw new FcsFormatException(file, offset + 18, FcsProblem.Truncated,
                    $"TEXT segment (bytes {offset + ts}–{offset + te}) extends beyond the end of the file ({fileLength} bytes): the file is truncated");
            }
        }
        if (header.DataStart == te && te > ts + 1)
        {
            // Some writers put the TEXT end on the first DATA byte (fcsparser corrects this the same way).
            warnings.Add(new(FcsWarningKind.OffByOne, offset + 18, $"HEADER TEXT end {te} is the DATA start; TEXT read to byte {te - 1}"));
            te--;
        }
        var text = new byte[te - ts + 1];
        src.ReadExactly(offset + ts, text, file);
        var keywords = new FcsKeywords();
        TextParser.Parse(text, offset + ts, file, keywords, warnings, overwrite: true, "TEXT");
        var textSegment = new FcsSegment(offset + ts, offset + te);

        var stext = ReadSupplementalText(src, file, offset, ts, te, room, keywords, warnings);

        // Parameters and layout.
        var par = RequireCount(keywords, "$PAR", file, textSegment.Start);
        if (par < 1 || par > keywords.Count)
        {
            throw new FcsFormatException(file, textSegment.Start, FcsProblem.BadKeyword,
                $"$PAR is {par}; it must be at least 1 and the TEXT holds only {keywords.Count} keywords");
        }
        var dataType = ParseDataType(keywords.Get("$DATATYPE"), "$DATATYPE", file, textSegment.Start)
            ?? throw new FcsFormatException(file, textSegment.Start, FcsProblem.MissingKeyword, "$DATATYPE is missing (required: I, F, D or A)");
        if (keywords.Get("$MODE") is { } mode && !mode.Trim().Equals("L", StringComparison.OrdinalIgnoreCase))
        {
            throw new FcsFormatException(file, textSegment.Start, FcsProblem.Unsupported,
                $"$MODE is \"{mode}\": histogram modes (C, U) were deprecated by FCS 3.1 and are not supported; only list mode (L) is");
        }
        var parameters = new FcsParameter[(int)par];
        var columns = new ColumnCodec[(int)par];
        var delimitedCount = 0;
        var anyBinary = false;
        for (var n = 1; n <= par; n++)
        {
            var (parameter, width) = ParseParameter(keywords, n, dataType, is3, file, textSegment.Start, warnings);
            parameters[n - 1] = parameter;
            if (parameter.Bits is null)
            {
                delimitedCount++;
            }
            else if (parameter.DataType != FcsDataType.Ascii)
            {
                anyBinary = true;
            }
            columns[n - 1] = new ColumnCodec(parameter.DataType switch
            {
                FcsDataType.Integer => Codec.UInt,
                FcsDataType.Float => width == 8 ? Codec.Float64 : Codec.Float32,
                FcsDataType.Double => Codec.Float64,
                _ => Codec.AsciiFixed,
            }, 0, width, false, null, parameter.IntegerMask ?? EventLayout.FullMask(width));
        }
        if (delimitedCount != 0 && delimitedCount != par)
        {
            throw new FcsFormatException(file, textSegment.Start, FcsProblem.BadKeyword,
                "some $PnB are \"*\" (delimited ASCII) and others are not; delimited ASCII needs every $PnB to be \"*\"");
        }
        WarnDuplicateNames(parameters, textSegment.Start, warnings);

        FcsByteOrder? byteOrder = null;
        if (anyBinary)
        {
            byteOrder = ParseByteOrder(keywords.Get("$BYTEORD"), file, textSegment.Start, warnings);
        }
        EventLayout? layout = null;
        if (delimitedCount == 0)
        {
            var at = 0;
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i] = Place(columns[i], at, byteOrder, parameters[i], file, textSegment.Start);
                at += columns[i].Width;
            }
            layout = new EventLayout(columns);
        }

        // Events and DATA.
        long? tot = null;
        if (keywords.ContainsKey("$TOT"))
        {
            tot = RequireCount(keywords, "$TOT", file, textSegment.Start);
            if (tot < 0)
            {
                throw new FcsFormatException(file, textSegment.Start, FcsProblem.BadKeyword, $"$TOT is {tot}");
            }
        }
        else if (is3)
        {
            throw new FcsFormatException(file, textSegment.Start, FcsProblem.MissingKeyword, "$TOT is missing (required since FCS 3.0)");
        }
        var (data, events) = LocateData(header, keywords, layout, tot, par, offset, room, ts, te, is3, file, warnings);
        var (analysis, analysisKeywords) = LocateAnalysis(src, header, keywords, offset, room, file, warnings);

        nextData = 0;
        if (keywords.Get("$NEXTDATA") is { } next)
        {
            if (!long.TryParse(next.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out nextData))
            {
                warnings.Add(new(FcsWarningKind.BadNextData, textSegment.Start, $"$NEXTDATA \"{next}\" is not a number; no further data sets read"));
                nextData = 0;
            }
        }
        return new FcsDataSet(src, file, index, offset, header.VersionText, header.Version, keywords, analysisKeywords,
            parameters, events, dataType, byteOrder, textSegment, stext, data, analysis, layout, warnings);
    }

    private static FcsSegment ReadSupplementalText(FcsSource src, string? file, long offset, long ts, long te, long room,
        FcsKeywords keywords, List<FcsWarning> warnings)
    {
        var bs = keywords.GetInt64("$BEGINSTEXT");
        var es = keywords.GetInt64("$ENDSTEXT");
        if (bs is not { } b || es is not { } e || (b == 0 && e == 0))
        {
            return FcsSegment.None;
        }
        if (b <= te && e >= ts)
        {
            // Some writers point $BEGINSTEXT/$ENDSTEXT at the primary TEXT itself; nothing more to read.
            return FcsSegment.None;
        }
        if (b < HeaderParser.Length || e <= b || e >= room)
        {
            warnings.Add(new(FcsWarningKind.SegmentIgnored, offset + ts,
                $"supplemental TEXT at bytes {b}–{e} is outside the file ({offset + room} bytes) or empty; ignored"));
            return FcsSegment.None;
        }
        var bytes = new byte[e - b + 1];
        src.ReadExactly(offset + b, bytes, file);
        var body = bytes.AsSpan().TrimEnd((byte)0).TrimEnd((byte)' ');
        if (body.Contains((byte)0))
        {
            // Partec/Sysmex CyFlow files put a ZIP archive there: binary, not keyword/value text.
            warnings.Add(new(FcsWarningKind.SegmentIgnored, offset + b,
                $"supplemental TEXT at bytes {offset + b}–{offset + e} holds binary data (NUL bytes{(bytes.AsSpan().IndexOf("PK\u0003\u0004"u8) >= 0 ? ", a ZIP archive" : "")}), not keywords; ignored"));
            return new FcsSegment(offset + b, offset + e);
        }
        try
        {
            TextParser.Parse(bytes, offset + b, file, keywords, warnings, overwrite: false, "supplemental TEXT");
        }
        catch (FcsFormatException ex)
        {
            warnings.Add(new(FcsWarningKind.SegmentIgnored, ex.ByteOffset, $"supplemental TEXT ignored: {ex.Problem}"));
        }
        return new FcsSegment(offset + b, offset + e);
    }

    private static long RequireCount(FcsKeywords keywords, string key, string? file, long at)
    {
        var raw = keywords.Get(key) ?? throw new FcsFormatException(file, at, FcsProblem.MissingKeyword, $"{key} is missing");
        if (!long.TryParse(raw.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new FcsFormatException(file, at, FcsProblem.BadKeyword, $"{key} \"{Shorten(raw)}\" is not a whole number");
        }
        return value;
    }

    private static FcsDataType? ParseDataType(string? raw, string key, string? file, long at)
    {
        if (raw is null)
        {
            return null;
        }
        return raw.Trim().ToUpperInvariant() switch
        {
            "I" => FcsDataType.Integer,
            "F" => FcsDataType.Float,
            "D" => FcsDataType.Double,
            "A" => FcsDataType.Ascii,
            _ => throw new FcsFormatException(file, at, FcsProblem.BadKeyword, $"{key} \"{Shorten(raw)}\" is not I, F, D or A"),
        };
    }

    private static (FcsParameter Parameter, int Width) ParseParameter(FcsKeywords keywords, int n, FcsDataType setType,
        bool is3, string? file, long at, List<FcsWarning> warnings)
    {
        string Key(string suffix) => string.Create(CultureInfo.InvariantCulture, $"$P{n}{suffix}");
        var type = ParseDataType(keywords.Get(Key("DATATYPE")), Key("DATATYPE"), file, at) ?? setType;
        if (type == FcsDataType.Ascii && setType != FcsDataType.Ascii)
        {
            throw new FcsFormatException(file, at, FcsProblem.BadKeyword, $"{Key("DATATYPE")} is A; FCS 3.2 allows only I, F or D there");
        }
        var bitsText = keywords.Get(Key("B")) ?? throw new FcsFormatException(file, at, FcsProblem.MissingKeyword, $"{Key("B")} is missing (bits of parameter {n})");
        int? bits = null;
        int width;
        if (bitsText.Trim() == "*")
        {
            if (type != FcsDataType.Ascii)
            {
                throw new FcsFormatException(file, at, FcsProblem.BadKeyword, $"{Key("B")} is \"*\", which only ASCII data ($DATATYPE A) allows");
            }
            width = 0;
        }
        else
        {
            if (!int.TryParse(bitsText.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var b) || b <= 0)
            {
                throw new FcsFormatException(file, at, FcsProblem.BadKeyword, $"{Key("B")} \"{Shorten(bitsText)}\" is not a positive whole number");
            }
            bits = b;
            switch (type)
            {
                case FcsDataType.Integer when b % 8 != 0 && b < 64:
                    throw new FcsFormatException(file, at, FcsProblem.Unsupported,
                        $"{Key("B")} is {b}: integer widths that are not whole bytes are not supported (FCS 3.1 requires 8, 16, 32 or 64)");
                case FcsDataType.Integer when b > 64:
                    throw new FcsFormatException(file, at, FcsProblem.BadKeyword, $"{Key("B")} is {b}: integers wider than 64 bits are not supported");
                case FcsDataType.Integer:
                    width = b / 8;
                    break;
                case FcsDataType.Float when b == 64:
                    warnings.Add(new(FcsWarningKind.KeywordValue, at, $"{Key("B")} is 64 with data type F; read as 64-bit (double) values"));
                    width = 8;
                    break;
                case FcsDataType.Float when b != 32:
                    throw new FcsFormatException(file, at, FcsProblem.BadKeyword, $"{Key("B")} is {b}; float (F) data must be 32 bits");
                case FcsDataType.Float:
                    width = 4;
                    break;
                case FcsDataType.Double when b != 64:
                    throw new FcsFormatException(file, at, FcsProblem.BadKeyword, $"{Key("B")} is {b}; double (D) data must be 64 bits");
                case FcsDataType.Double:
                    width = 8;
                    break;
                default:
                    if (b > 4096)
                    {
                        throw new FcsFormatException(file, at, FcsProblem.BadKeyword, $"{Key("B")} is {b}: an ASCII value that wide is not plausible");
                    }
                    width = b;
                    break;
            }
        }

        var name = keywords.Get(Key("N"));
        if (name is null)
        {
            if (is3)
            {
                warnings.Add(new(FcsWarningKind.MissingKeyword, at, $"{Key("N")} is missing; parameter {n} named \"P{n}\""));
            }
            name = string.Create(CultureInfo.InvariantCulture, $"P{n}");
        }
        var label = keywords.Get(Key("S"));
        if (string.IsNullOrEmpty(label))
        {
            label = null;
        }
        var rangeText = keywords.Get(Key("R"));
        double? range = null;
        if (rangeText is not null && double.TryParse(rangeText.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && double.IsFinite(r))
        {
            range = r;
        }
        else if (is3 || rangeText is not null)
        {
            warnings.Add(new(FcsWarningKind.MissingKeyword, at, rangeText is null
                ? $"{Key("R")} is missing; integer values are not masked"
                : $"{Key("R")} \"{Shorten(rangeText)}\" is not a number; integer values are not masked"));
        }
        ulong? mask = null;
        if (type == FcsDataType.Integer && range is { } rv && rv > 0)
        {
            // Bits needed for [0, range): the next power of two at or above range, minus one.
            var need = rv >= 1.8446744073709552E19 ? 64 : 64 - BitOperations.LeadingZeroCount(Math.Max(1UL, (ulong)Math.Ceiling(rv)) - 1);
            if (need < width * 8)
            {
                mask = need == 0 ? 0 : (1UL << need) - 1;
            }
        }
        var amplification = FcsAmplification.Linear;
        if (keywords.Get(Key("E")) is { } e)
        {
            var parts = e.Split(',');
            if (parts.Length == 2
                && double.TryParse(parts[0].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var f1)
                && double.TryParse(parts[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var f2)
                && double.IsFinite(f1) && double.IsFinite(f2))
            {
                amplification = new FcsAmplification(f1, f2);
            }
            else
            {
                warnings.Add(new(FcsWarningKind.KeywordValue, at, $"{Key("E")} \"{Shorten(e)}\" is not \"f1,f2\"; read as linear"));
            }
        }
        var gain = 1.0;
        if (keywords.Get(Key("G")) is { } g)
        {
            if (double.TryParse(g.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var gv) && double.IsFinite(gv))
            {
                gain = gv;
            }
            else
            {
                warnings.Add(new(FcsWarningKind.KeywordValue, at, $"{Key("G")} \"{Shorten(g)}\" is not a number; gain 1 used"));
            }
        }
        var ptype = keywords.Get(Key("TYPE"));
        var isTime = ptype is not null
            ? ptype.Trim().Equals("Time", StringComparison.OrdinalIgnoreCase)
            : name.Trim().Equals("Time", StringComparison.OrdinalIgnoreCase);
        return (new FcsParameter(n, name, label, bits, type, range, rangeText, amplification, gain, ptype, mask, isTime), width);
    }

    private static void WarnDuplicateNames(FcsParameter[] parameters, long at, List<FcsWarning> warnings)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in parameters)
        {
            if (!seen.Add(p.Name))
            {
                warnings.Add(new(FcsWarningKind.DuplicateName, at, $"$P{p.Number}N \"{p.Name}\" repeats an earlier parameter's name ($PnN must be unique)"));
            }
        }
    }

    private static FcsByteOrder ParseByteOrder(string? raw, string? file, long at, List<FcsWarning> warnings)
    {
        if (raw is null)
        {
            warnings.Add(new(FcsWarningKind.MissingKeyword, at, "$BYTEORD is missing; little-endian (1,2,3,4) assumed"));
            return FcsByteOrder.LittleEndian;
        }
        var parts = raw.Split(',');
        var significance = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out significance[i]))
            {
                throw new FcsFormatException(file, at, FcsProblem.BadKeyword, $"$BYTEORD \"{Shorten(raw)}\" is not a list of byte numbers");
            }
        }
        if (significance.Length is < 1 or > 8 || !significance.Order().SequenceEqual(Enumerable.Range(1, significance.Length)))
        {
            throw new FcsFormatException(file, at, FcsProblem.BadKeyword, $"$BYTEORD \"{Shorten(raw)}\" is not a permutation of 1..n");
        }
        return new FcsByteOrder(raw.Trim(), significance);
    }

    /// <summary>Sets a column's offset and byte order.</summary>
    private static ColumnCodec Place(ColumnCodec column, int offset, FcsByteOrder? order, FcsParameter p, string? file, long at)
    {
        if (column.Codec == Codec.AsciiFixed || column.Width == 1 || order is null)
        {
            return column with { Offset = offset };
        }
        if (order.IsLittleEndian || order.Significance.Count == 1)
        {
            return column with { Offset = offset, BigEndian = false };
        }
        if (order.IsBigEndian)
        {
            return column with { Offset = offset, BigEndian = true };
        }
        if (order.Significance.Count != column.Width)
        {
            throw new FcsFormatException(file, at, FcsProblem.Unsupported,
                $"$BYTEORD {order.Text} is a mixed byte order for {order.Significance.Count}-byte values, but $P{p.Number}B is {column.Width * 8} bits");
        }
        var shifts = order.Significance.Select(s => (byte)(8 * (s - 1))).ToArray();
        return column with { Offset = offset, Shifts = shifts };
    }

    private static (FcsSegment Data, long Events) LocateData(Internal.FcsHeader header, FcsKeywords keywords, EventLayout? layout,
        long? tot, long par, long offset, long room, long ts, long te, bool is3, string? file, List<FcsWarning> warnings)
    {
        Candidate? fromHeader = header.DataStart is { } hs && header.DataEnd is { } he && !(hs == 0 && he == 0)
            ? new Candidate("HEADER", hs, he) : null;
        Candidate? fromText = null;
        var bd = keywords.Get("$BEGINDATA");
        var ed = keywords.Get("$ENDDATA");
        if (bd is not null && ed is not null)
        {
            if (long.TryParse(bd.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s)
                && long.TryParse(ed.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var e))
            {
                fromText = new Candidate("TEXT", s, e);
            }
            else
            {
                warnings.Add(new(FcsWarningKind.KeywordValue, offset + ts, $"$BEGINDATA \"{Shorten(bd)}\" / $ENDDATA \"{Shorten(ed)}\" are not numbers; ignored"));
            }
        }
        else if (is3)
        {
            warnings.Add(new(FcsWarningKind.MissingKeyword, offset + ts, "$BEGINDATA/$ENDDATA are missing (required since FCS 3.0); the HEADER offsets are used"));
        }

        var rowBytes = layout?.RowBytes ?? 0;
        long? expected = null;
        if (tot is { } t && layout is not null)
        {
            if (rowBytes > 0 && t > room / rowBytes)
            {
                // Compare without multiplying: $TOT events cannot fit in what is left of the file. The offset is
                // where the file ends, the first byte that is missing.
                var where = fromText ?? fromHeader;
                var from = where is { } w ? $" from byte {offset + w.Start}" : "";
                throw new FcsFormatException(file, offset + room, FcsProblem.Truncated,
                    $"the file ends here, but $TOT = {t} events × {rowBytes} bytes need {BigInteger.Multiply(t, rowBytes)} bytes of DATA{from}: the file is truncated (or $TOT is wrong)");
            }
            expected = t * rowBytes;
        }
        else if (tot is { } ta && layout is null && ta > 0 && ta * 1.0 * par > room)
        {
            throw new FcsFormatException(file, offset + room, FcsProblem.Truncated,
                $"the file ends here, but $TOT × $PAR = {ta} × {par} ASCII values cannot fit in the {room} bytes of this data set: truncated (or $TOT is wrong)");
        }

        if (expected == 0 || (tot == 0 && layout is null))
        {
            // No events: any DATA offsets are irrelevant.
            return (FcsSegment.None, 0);
        }

        int Rank(Candidate c, out string why)
        {
            if (c.Start < HeaderParser.Length || c.End < c.Start)
            {
                why = $"bytes {c} are not a segment after the HEADER";
                return 0;
            }
            if (c.Start < te && c.End >= ts)
            {
                why = $"bytes {c} overlap the TEXT segment ({ts}–{te})";
                return 0;
            }
            var need = expected ?? c.Length;
            if (c.Start + need > room)
            {
                why = $"bytes {c.Start}–{c.Start + need - 1} run past the end of the file";
                return 1;
            }
            if (expected is not { } x)
            {
                why = "it lies inside the file";
                return 4;
            }
            var delta = c.Length - x;
            why = delta == 0 ? $"its length {c.Length} is exactly $TOT × {rowBytes} bytes"
                : $"its length {c.Length} differs by {delta} from $TOT × {rowBytes} = {x} bytes";
            return delta == 0 ? 5 : Math.Abs(delta) == 1 ? 4 : delta > 0 ? 3 : 2;
        }

        Candidate chosen;
        string reason;
        if (fromHeader is { } h && fromText is { } tx)
        {
            var rh = Rank(h, out var whyH);
            var rt = Rank(tx, out var whyT);
            var preferText = rt > rh || (rt == rh && is3);
            chosen = preferText ? tx : h;
            reason = preferText ? whyT : whyH;
            if (h != tx with { Source = "HEADER" })
            {
                var other = preferText ? $"HEADER says {h} ({whyH})" : $"TEXT says {tx} ({whyT})";
                var tieNote = rt == rh ? (is3 ? "; on a tie TEXT wins, since FCS 3.x makes $BEGINDATA/$ENDDATA authoritative" : "; on a tie the FCS 2.0 HEADER wins") : "";
                warnings.Add(new(FcsWarningKind.OffsetDisagreement, offset + 26,
                    $"HEADER and TEXT disagree on DATA: used {chosen.Source} {chosen} because {reason}; {other}{tieNote}"));
            }
        }
        else
        {
            chosen = fromText ?? fromHeader ?? throw new FcsFormatException(file, offset + 26, FcsProblem.BadOffsets,
                "neither the HEADER nor $BEGINDATA/$ENDDATA say where the DATA segment is");
            Rank(chosen, out reason);
        }

        var rank = Rank(chosen, out reason);
        var start = offset + chosen.Start;
        if (rank == 0)
        {
            // Point at what gave the offsets: the HEADER's DATA fields or the TEXT segment.
            throw new FcsFormatException(file, chosen.Source == "HEADER" ? offset + 26 : offset + ts, FcsProblem.BadOffsets,
                $"DATA segment from the {chosen.Source}: {reason}");
        }
        if (rank == 1)
        {
            throw new FcsFormatException(file, offset + room, FcsProblem.Truncated,
                $"the file ends here, inside the DATA segment (bytes {start}–{offset + chosen.Start + (expected ?? chosen.Length) - 1}): the file is truncated");
        }
        if (rank == 2)
        {
            throw new FcsFormatException(file, start, FcsProblem.DataSizeMismatch,
                $"DATA segment from the {chosen.Source} ({chosen}) holds {chosen.Length} bytes but $TOT = {tot} events × {rowBytes} bytes need {expected}");
        }
        long events;
        if (expected is { } exp)
        {
            events = tot!.Value;
            var delta = chosen.Length - exp;
            if (Math.Abs(delta) == 1)
            {
                warnings.Add(new(FcsWarningKind.OffByOne, offset + (chosen.Source == "HEADER" ? 34 : ts),
                    delta > 0
                        ? $"{chosen.Source} DATA end {chosen.End} points one byte past the last event byte ({chosen.Start + exp - 1}); $TOT events read"
                        : $"{chosen.Source} DATA end {chosen.End} is one byte short of the last event byte ({chosen.Start + exp - 1}); $TOT events read"));
            }
            else if (delta > 1)
            {
                warnings.Add(new(FcsWarningKind.DataLonger, start + exp,
                    $"DATA segment has {delta} bytes more than $TOT = {events} events need; they are ignored"));
            }
            return (new FcsSegment(start, start + exp - 1), events);
        }
        if (layout is not null)
        {
            // FCS 2.0 without $TOT: as many whole events as the segment holds.
            events = chosen.Length / rowBytes;
            if (chosen.Length % rowBytes != 0)
            {
                warnings.Add(new(FcsWarningKind.DataLonger, start, $"no $TOT; DATA holds {events} events and {chosen.Length % rowBytes} extra bytes"));
            }
            else
            {
                warnings.Add(new(FcsWarningKind.MissingKeyword, start, $"no $TOT; DATA holds {events} events"));
            }
            return (new FcsSegment(start, start + events * rowBytes - 1), events);
        }
        if (tot is null)
        {
            throw new FcsFormatException(file, offset + ts, FcsProblem.MissingKeyword, "$TOT is missing and delimited ASCII DATA cannot be counted without it");
        }
        if (chosen.Length < tot.Value * par)
        {
            throw new FcsFormatException(file, start, FcsProblem.DataSizeMismatch,
                $"ASCII DATA ({chosen.Length} bytes) is too short for $TOT × $PAR = {tot} × {par} values");
        }
        return (new FcsSegment(start, offset + chosen.End), tot.Value);
    }

    private static (FcsSegment Segment, FcsKeywords Keywords) LocateAnalysis(FcsSource src, Internal.FcsHeader header,
        FcsKeywords keywords, long offset, long room, string? file, List<FcsWarning> warnings)
    {
        Candidate? fromHeader = header.AnalysisStart is { } hs && header.AnalysisEnd is { } he && !(hs == 0 && he == 0)
            ? new Candidate("HEADER", hs, he) : null;
        Candidate? fromText = keywords.GetInt64("$BEGINANALYSIS") is { } s && keywords.GetInt64("$ENDANALYSIS") is { } e && !(s == 0 && e == 0)
            ? new Candidate("TEXT", s, e) : null;
        bool Valid(Candidate c) => c.Start >= HeaderParser.Length && c.End >= c.Start && c.End < room;
        if (fromHeader is { } h && fromText is { } t && (h.Start != t.Start || h.End != t.End))
        {
            warnings.Add(new(FcsWarningKind.OffsetDisagreement, offset + 42,
                $"HEADER ({h}) and TEXT ({t}) disagree on ANALYSIS; {(Valid(t) ? "TEXT" : "HEADER")} used"));
        }
        var chosen = fromText is { } ft && Valid(ft) ? ft : fromHeader is { } fh && Valid(fh) ? fh : (Candidate?)null;
        if (chosen is null)
        {
            if (fromHeader is not null || fromText is not null)
            {
                warnings.Add(new(FcsWarningKind.SegmentIgnored, offset + 42, $"ANALYSIS segment at {fromText ?? fromHeader} is outside the file; ignored"));
            }
            return (FcsSegment.None, FcsKeywords.Empty);
        }
        var c = chosen.Value;
        var segment = new FcsSegment(offset + c.Start, offset + c.End);
        var parsed = new FcsKeywords();
        if (c.Length <= 16 * 1024 * 1024)
        {
            var bytes = new byte[c.Length];
            src.ReadExactly(segment.Start, bytes, file);
            try
            {
                TextParser.Parse(bytes, segment.Start, file, parsed, [], overwrite: true, "ANALYSIS");
            }
            catch (FcsFormatException)
            {
                parsed = new FcsKeywords();
            }
        }
        return (segment, parsed);
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
