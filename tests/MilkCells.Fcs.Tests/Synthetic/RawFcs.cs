using System.Globalization;
using System.Text;

namespace MilkCells.Fcs.Tests.Synthetic;

/// <summary>
/// Builds FCS bytes by hand, straight from the standard's definitions and independent of the reader and the writer,
/// so tests can make layouts the writer never produces (24-bit, permuted byte orders, ASCII, FCS 2.0, faults).
/// </summary>
public sealed class RawFcs
{
    public string Version { get; init; } = "FCS3.1";
    public char Delimiter { get; init; } = '/';
    public List<(string Key, string Value)> Keywords { get; } = [];
    public byte[] Data { get; set; } = [];

    /// <summary>Bytes of padding after TEXT's final delimiter (inside the TEXT segment).</summary>
    public int TextPadding { get; init; }

    /// <summary>Drop TEXT's final delimiter.</summary>
    public bool NoFinalDelimiter { get; init; }

    /// <summary>Write $BEGINDATA/$ENDDATA (true for 3.x).</summary>
    public bool DataKeywords { get; init; } = true;

    /// <summary>Override the HEADER's six fields (null: computed); "" writes blanks.</summary>
    public string?[] HeaderFields { get; } = new string?[6];

    /// <summary>Adjust the DATA end (HEADER and $ENDDATA) by this many bytes.</summary>
    public long EndDataDelta { get; init; }

    /// <summary>Bytes of gap between TEXT and DATA.</summary>
    public int Gap { get; init; }

    public RawFcs Add(string key, string value)
    {
        Keywords.Add((key, value));
        return this;
    }

    /// <summary>The keyword list escaped the standard way (a delimiter in a value is doubled).</summary>
    private string TextBody(long dataStart, long dataEnd)
    {
        var d = Delimiter.ToString();
        var sb = new StringBuilder(d);
        var pairs = new List<(string, string)>(Keywords);
        if (DataKeywords)
        {
            pairs.Insert(0, ("$BEGINDATA", dataStart.ToString(CultureInfo.InvariantCulture)));
            pairs.Insert(1, ("$ENDDATA", (dataEnd + EndDataDelta).ToString(CultureInfo.InvariantCulture)));
        }
        foreach (var (k, v) in pairs)
        {
            sb.Append(k).Append(d).Append(v.Replace(d, d + d, StringComparison.Ordinal)).Append(d);
        }
        if (NoFinalDelimiter)
        {
            sb.Length--;
        }
        sb.Append(' ', TextPadding);
        return sb.ToString();
    }

    public byte[] Build()
    {
        long dataStart = 0;
        byte[] text = [];
        for (var i = 0; i < 6; i++)
        {
            text = Encoding.UTF8.GetBytes(TextBody(dataStart, dataStart + Data.Length - 1));
            var next = 58 + text.Length + Gap;
            if (next == dataStart)
            {
                break;
            }
            dataStart = next;
        }
        var dataEnd = dataStart + Data.Length - 1;
        long[] computed = [58, 57 + text.Length, dataStart, dataEnd + EndDataDelta, 0, 0];
        var header = new StringBuilder(Version.PadRight(10));
        for (var i = 0; i < 6; i++)
        {
            var field = HeaderFields[i] ?? computed[i].ToString(CultureInfo.InvariantCulture);
            header.Append(field.PadLeft(8));
        }
        var bytes = new byte[58 + text.Length + Gap + Data.Length];
        Encoding.ASCII.GetBytes(header.ToString()).CopyTo(bytes, 0);
        text.CopyTo(bytes, 58);
        Data.CopyTo(bytes, 58 + text.Length + Gap);
        return bytes;
    }

    /// <summary>A value's bytes for byte order <paramref name="order"/> (significance of each stored byte, 1 = least).</summary>
    public static byte[] Unsigned(ulong value, int width, int[] order)
    {
        var bytes = new byte[width];
        for (var i = 0; i < width; i++)
        {
            var significance = order.Length == width ? order[i] : (order[0] == 1 ? i + 1 : width - i);
            bytes[i] = (byte)(value >> (8 * (significance - 1)));
        }
        return bytes;
    }

    public static string Str(long x) => x.ToString(CultureInfo.InvariantCulture);
}
