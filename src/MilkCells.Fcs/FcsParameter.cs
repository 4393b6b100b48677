using System.Globalization;

namespace MilkCells.Fcs;

/// <summary>How a parameter's values are stored in DATA: $DATATYPE, overridden per parameter by FCS 3.2's $PnDATATYPE.</summary>
public enum FcsDataType
{
    /// <summary>Unsigned binary integers of $PnB bits ("I").</summary>
    Integer,

    /// <summary>IEEE 754 single precision ("F", $PnB = 32).</summary>
    Float,

    /// <summary>IEEE 754 double precision ("D", $PnB = 64).</summary>
    Double,

    /// <summary>ASCII digits, fixed width ($PnB characters) or delimited ($PnB = "*") ("A", deprecated in FCS 3.2).</summary>
    Ascii,
}

/// <summary>$PnE: logarithmic amplification, <c>f1</c> decades with <c>f2</c> the value of channel 0.</summary>
/// <remarks>
/// FCS 3.1 §3.3.36: a value x of a parameter with $PnE/f1,f2/ and f1 &gt; 0 is 10^(f1·x/$PnR)·f2 on the linear scale;
/// "0,0" means linear. f2 = 0 with f1 &gt; 0 is invalid; like FlowIO and flowCore, decoding then uses f2 = 1.
/// </remarks>
public readonly record struct FcsAmplification(double Decades, double Offset)
{
    /// <summary>Linear amplification ("0,0").</summary>
    public static FcsAmplification Linear => default;

    /// <summary>Whether the parameter was recorded on a log amplifier (f1 &gt; 0).</summary>
    public bool IsLogarithmic => Decades > 0;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Decades},{Offset}");
}

/// <summary>One parameter (channel) of a data set, from its $Pn* keywords.</summary>
/// <remarks>
/// FCS 3.1 §3.2.18: $PnN (short name, required, unique), $PnS (label), $PnB (bits, or "*" for delimited ASCII),
/// $PnR (range), $PnE (amplification), $PnG (gain); FCS 3.2 adds $PnDATATYPE and $PnTYPE. Other $Pn keywords are
/// in <see cref="FcsDataSet.Keywords"/>.
/// </remarks>
public sealed class FcsParameter
{
    internal FcsParameter(int number, string name, string? label, int? bits, FcsDataType dataType, double? range,
        string? rangeText, FcsAmplification amplification, double gain, string? type, ulong? integerMask, bool isTime)
    {
        Number = number;
        Name = name;
        Label = label;
        Bits = bits;
        DataType = dataType;
        Range = range;
        RangeText = rangeText;
        Amplification = amplification;
        Gain = gain;
        Type = type;
        IntegerMask = integerMask;
        IsTime = isTime;
    }

    /// <summary>The parameter number n (1-based, as in $PnN).</summary>
    public int Number { get; }

    /// <summary>$PnN, the short name.</summary>
    public string Name { get; }

    /// <summary>$PnS, the label (often the marker), or null when absent or empty.</summary>
    public string? Label { get; }

    /// <summary>$PnB: bits per value, or null for delimited ASCII ("*").</summary>
    public int? Bits { get; }

    /// <summary>The effective storage type: $PnDATATYPE when present (FCS 3.2), else $DATATYPE.</summary>
    public FcsDataType DataType { get; }

    /// <summary>$PnR as a number, or null when absent or not a number.</summary>
    public double? Range { get; }

    /// <summary>$PnR as written.</summary>
    public string? RangeText { get; }

    /// <summary>$PnE (linear when absent).</summary>
    public FcsAmplification Amplification { get; }

    /// <summary>$PnG, the amplifier gain (1 when absent).</summary>
    public double Gain { get; }

    /// <summary>$PnTYPE (FCS 3.2), e.g. "Forward_Scatter", "Time", or null.</summary>
    public string? Type { get; }

    /// <summary>For integer parameters, the AND mask applied to raw values (null when every stored bit is used).</summary>
    /// <remarks>
    /// FCS 3.1 §3.3.38 ($PnR): for integer data, bits above those needed for the range are to be ignored; when $PnR
    /// is not a power of two, the next power of two is used. So $PnB = 16 with $PnR = 1024 keeps the low 10 bits.
    /// fcsparser and FlowIO apply the same mask.
    /// </remarks>
    public ulong? IntegerMask { get; }

    /// <summary>Whether this is the time parameter ($PnTYPE "Time", or $PnN "Time" in any case).</summary>
    public bool IsTime { get; }

    /// <summary>The label when present, else the name (the name most tools display).</summary>
    public string DisplayName => string.IsNullOrWhiteSpace(Label) ? Name : Label;

    public override string ToString() => Label is null ? Name : $"{Name} ({Label})";
}

/// <summary>$BYTEORD: the significance of each stored byte, 1 being least significant.</summary>
/// <remarks>
/// FCS 3.1 §3.2.10 allows only "1,2,3,4" (little-endian) and "4,3,2,1" (big-endian); FCS 2.0 and 3.0 allow any
/// permutation (for example "3,4,1,2") and shorter forms such as "1,2". Values narrower than the order use its
/// endianness; a permuted order applies to values of exactly its width.
/// </remarks>
public sealed record FcsByteOrder(string Text, IReadOnlyList<int> Significance)
{
    /// <summary>"1,2,3,4".</summary>
    public static FcsByteOrder LittleEndian { get; } = new("1,2,3,4", [1, 2, 3, 4]);

    /// <summary>"4,3,2,1".</summary>
    public static FcsByteOrder BigEndian { get; } = new("4,3,2,1", [4, 3, 2, 1]);

    /// <summary>Least significant byte first.</summary>
    public bool IsLittleEndian => Significance.Select((s, i) => s == i + 1).All(x => x);

    /// <summary>Most significant byte first.</summary>
    public bool IsBigEndian => Significance.Select((s, i) => s == Significance.Count - i).All(x => x) && Significance.Count > 1;

    public override string ToString() => Text;
}

/// <summary>An inclusive byte range [Start, End] in the file (absolute offsets); empty when Length is 0.</summary>
public readonly record struct FcsSegment(long Start, long End)
{
    /// <summary>No segment.</summary>
    public static FcsSegment None => new(0, -1);

    /// <summary>Bytes in the segment.</summary>
    public long Length => End >= Start ? End - Start + 1 : 0;

    /// <summary>Whether the segment is absent or empty.</summary>
    public bool IsEmpty => Length == 0;

    public override string ToString() => IsEmpty ? "none" : $"{Start}–{End}";
}
