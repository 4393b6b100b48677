using System.Text;

namespace MilkCells.Fcs.Internal;

/// <summary>The HEADER of one data set: version and the six segment offsets (relative to the data set's start).</summary>
internal sealed record FcsHeader(string VersionText, FcsVersion Version, long? TextStart, long? TextEnd,
    long? DataStart, long? DataEnd, long? AnalysisStart, long? AnalysisEnd);

/// <summary>Reads the 58-byte HEADER.</summary>
/// <remarks>
/// FCS 3.1 §3.1: "FCS3.1", four spaces, then six ASCII offsets in 8-byte fields (bytes 10–57), right-justified,
/// for the first and last byte of TEXT, DATA and ANALYSIS, relative to the start of the data set. Offsets above
/// 99,999,999 do not fit and are written as 0, the TEXT keywords then giving them. FCS 3.2 allows left padding with
/// zeros. Blank fields (seen in Beckman Coulter and "fake large" files) are read as absent, with a warning.
/// </remarks>
internal static class HeaderParser
{
    public const int Length = 58;

    public static FcsHeader Parse(ReadOnlySpan<byte> header, long at, string? file, List<FcsWarning> warnings)
    {
        if (header.Length < Length)
        {
            throw new FcsFormatException(file, at + header.Length, FcsProblem.NotFcs,
                at == 0
                    ? $"the file has only {header.Length} byte(s); an FCS HEADER needs 58 (truncated, or not an FCS file)"
                    : $"the data set at byte {at} has only {header.Length} byte(s) left; an FCS HEADER needs 58");
        }
        if (header[0] != (byte)'F' || header[1] != (byte)'C' || header[2] != (byte)'S')
        {
            throw new FcsFormatException(file, at, FcsProblem.NotFcs, "not an FCS file: it does not start with \"FCS\"");
        }
        var versionText = Encoding.ASCII.GetString(header[..6]);
        var version = versionText switch
        {
            "FCS1.0" => FcsVersion.Fcs1_0,
            "FCS2.0" => FcsVersion.Fcs2_0,
            "FCS3.0" => FcsVersion.Fcs3_0,
            "FCS3.1" => FcsVersion.Fcs3_1,
            "FCS3.2" => FcsVersion.Fcs3_2,
            _ => FcsVersion.Unknown,
        };
        if (version == FcsVersion.Unknown)
        {
            if (header[3] < (byte)'0' || header[3] > (byte)'9' || header[4] != (byte)'.')
            {
                throw new FcsFormatException(file, at, FcsProblem.NotFcs, $"not an FCS file: the version \"{Printable(header[..6])}\" is not FCSn.n");
            }
            warnings.Add(new(FcsWarningKind.HeaderFormat, at, $"unknown version {versionText}; read as FCS 3.2"));
        }
        if (!header[6..10].SequenceEqual("    "u8))
        {
            warnings.Add(new(FcsWarningKind.HeaderFormat, at + 6, "HEADER bytes 6–9 are not four spaces"));
        }
        var misaligned = false;
        var fields = new long?[6];
        string[] names = ["TEXT start", "TEXT end", "DATA start", "DATA end", "ANALYSIS start", "ANALYSIS end"];
        for (var index = 0; index < 6; index++)
        {
            var name = names[index];
            var start = 10 + 8 * index;
            var raw = header.Slice(start, 8);
            var trimmed = raw.Trim((byte)' ');
            if (trimmed.IsEmpty)
            {
                warnings.Add(new(FcsWarningKind.BlankHeaderOffset, at + start, $"HEADER {name} offset is blank"));
                continue;
            }
            long value = 0;
            foreach (var b in trimmed)
            {
                if (b < (byte)'0' || b > (byte)'9')
                {
                    throw new FcsFormatException(file, at + start, FcsProblem.BadHeader,
                        $"HEADER {name} offset \"{Printable(raw)}\" is not a number");
                }
                value = value * 10 + (b - '0');
            }
            if (raw[^1] == (byte)' ')
            {
                misaligned = true;
            }
            fields[index] = value;
        }
        var h = new FcsHeader(versionText, version, fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
        if (misaligned)
        {
            warnings.Add(new(FcsWarningKind.HeaderFormat, at + 10, "HEADER offsets are not right-justified in their 8-byte fields"));
        }
        return h;
    }

    public static string Printable(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            sb.Append(b is >= 32 and < 127 ? (char)b : '?');
        }
        return sb.ToString();
    }
}
