using System.Text;
using System.Text.Unicode;

namespace MilkCells.Fcs.Internal;

/// <summary>Splits a TEXT (or supplemental TEXT, or ANALYSIS) segment into keyword/value pairs.</summary>
/// <remarks>
/// FCS 3.1 §3.2.6: the first byte is the delimiter; keywords and values alternate, each followed by the delimiter;
/// a delimiter inside a keyword or value is written twice; values may not be empty. Real files break the last rule:
/// CellQuest writes an empty value as a doubled delimiter right after the keyword ("$P3S\\$P4S\..."), which a strict
/// reading turns into a keyword containing the delimiter and shifts every later pair (FlowIO and fcsparser lose
/// $P6N in flowCore's 0877408774 files that way). Keywords never legitimately contain the delimiter, so this reader
/// resolves the ambiguity by position: after a keyword, a run of n delimiters is the separator, then (n−1)/2 escaped
/// delimiters; an even run therefore ends the value too (n = 2 is an empty value, warned). Inside a value, runs are
/// read as the standard says: pairs are escaped delimiters, an odd run ends the value.
/// </remarks>
internal static class TextParser
{
    public const byte Space = (byte)' ';

    /// <summary>Parses <paramref name="text"/> (segment bytes, first byte the delimiter) into <paramref name="into"/>; returns the pairs read.</summary>
    /// <remarks>With <paramref name="overwrite"/> false (supplemental TEXT) an earlier value wins over a later duplicate.</remarks>
    public static int Parse(ReadOnlySpan<byte> text, long absoluteOffset, string? file, FcsKeywords into,
        List<FcsWarning> warnings, bool overwrite, string segmentName)
    {
        if (text.Length < 2)
        {
            throw new FcsFormatException(file, absoluteOffset, FcsProblem.BadText, $"the {segmentName} segment is {text.Length} byte(s) long; it cannot hold a keyword");
        }
        var delimiter = text[0];
        if (delimiter is 0 or >= 127 || (delimiter >= (byte)'0' && delimiter <= (byte)'9'))
        {
            throw new FcsFormatException(file, absoluteOffset, FcsProblem.BadText,
                $"the {segmentName} segment starts with byte 0x{delimiter:X2}, which cannot be a delimiter (FCS 3.1 §3.2.6: ASCII 1–126)");
        }
        var key = new List<byte>(32);
        var value = new List<byte>(64);
        var pairs = 0;
        var emptyValues = 0;
        var duplicates = new List<string>();
        var i = 1;
        while (i < text.Length)
        {
            var keyStart = i;
            key.Clear();
            value.Clear();
            // Keyword: up to the first delimiter.
            while (i < text.Length && text[i] != delimiter)
            {
                key.Add(text[i]);
                i++;
            }
            if (i >= text.Length)
            {
                if (!IsPadding(text[keyStart..]))
                {
                    warnings.Add(new(FcsWarningKind.MissingFinalDelimiter, absoluteOffset + keyStart,
                        $"{segmentName} ends with \"{Shorten(Decode(text[keyStart..], warnings, absoluteOffset + keyStart))}\", a keyword without a value; ignored"));
                }
                else
                {
                    warnings.Add(new(FcsWarningKind.PaddedText, absoluteOffset + keyStart,
                        $"{segmentName} has {text.Length - keyStart} byte(s) of padding after its final delimiter"));
                }
                break;
            }
            var run = RunLength(text, i, delimiter);
            i += run;
            var valueDone = false;
            if (run % 2 == 0)
            {
                // Separator, (run-2)/2 escaped delimiters, separator: the value ends here.
                for (var k = 0; k < (run - 2) / 2; k++)
                {
                    value.Add(delimiter);
                }
                valueDone = true;
                if (run == 2)
                {
                    emptyValues++;
                }
            }
            else
            {
                for (var k = 0; k < (run - 1) / 2; k++)
                {
                    value.Add(delimiter);
                }
            }
            var terminated = true;
            while (!valueDone)
            {
                if (i >= text.Length)
                {
                    terminated = false;
                    break;
                }
                if (text[i] != delimiter)
                {
                    value.Add(text[i]);
                    i++;
                    continue;
                }
                var r = RunLength(text, i, delimiter);
                i += r;
                for (var k = 0; k < r / 2; k++)
                {
                    value.Add(delimiter);
                }
                valueDone = r % 2 == 1;
            }
            if (key.Count == 0)
            {
                warnings.Add(new(FcsWarningKind.KeywordValue, absoluteOffset + keyStart, $"{segmentName} has an empty keyword; its value is ignored"));
                continue;
            }
            var keyText = Decode(key, warnings, absoluteOffset + keyStart);
            var valueText = Decode(value, warnings, absoluteOffset + keyStart);
            if (!terminated)
            {
                warnings.Add(new(FcsWarningKind.MissingFinalDelimiter, absoluteOffset + text.Length - 1,
                    $"{segmentName} lacks its final delimiter after the value of {keyText}"));
            }
            if (into.ContainsKey(keyText))
            {
                duplicates.Add(keyText);
                if (!overwrite)
                {
                    continue;
                }
            }
            into.Set(keyText, valueText);
            pairs++;
        }
        if (emptyValues > 0)
        {
            warnings.Add(new(FcsWarningKind.EmptyValue, absoluteOffset,
                $"{segmentName} has {emptyValues} empty value(s) written as a doubled delimiter after the keyword; read as empty, not as an escaped delimiter"));
        }
        if (duplicates.Count > 0)
        {
            warnings.Add(new(FcsWarningKind.DuplicateKeyword, absoluteOffset,
                $"{segmentName}: keyword(s) {string.Join(", ", duplicates.Distinct(StringComparer.OrdinalIgnoreCase).Take(5))} appear more than once; {(overwrite ? "the last value is kept" : "the primary TEXT value is kept")}"));
        }
        return pairs;
    }

    private static int RunLength(ReadOnlySpan<byte> text, int at, byte delimiter)
    {
        var n = 0;
        while (at + n < text.Length && text[at + n] == delimiter)
        {
            n++;
        }
        return n;
    }

    /// <summary>Whether trailing bytes are only padding (spaces, NULs, line ends).</summary>
    public static bool IsPadding(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not (0 or (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t'))
            {
                return false;
            }
        }
        return true;
    }

    private static string Decode(List<byte> bytes, List<FcsWarning> warnings, long at) =>
        Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes), warnings, at);

    /// <summary>UTF-8 (FCS 3.1 §3.2.7), falling back to ISO-8859-1 for older files.</summary>
    private static string Decode(ReadOnlySpan<byte> bytes, List<FcsWarning> warnings, long at)
    {
        if (System.Text.Ascii.IsValid(bytes) || Utf8.IsValid(bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }
        if (!warnings.Exists(w => w.Kind == FcsWarningKind.NotUtf8))
        {
            warnings.Add(new(FcsWarningKind.NotUtf8, at, "TEXT has bytes that are not UTF-8; such keywords and values were decoded as ISO-8859-1"));
        }
        return Encoding.Latin1.GetString(bytes);
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
