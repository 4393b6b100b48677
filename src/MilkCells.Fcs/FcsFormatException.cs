using MilkCells.Core.Errors;

namespace MilkCells.Fcs;

/// <summary>What is wrong with an FCS file that cannot be read.</summary>
public enum FcsProblem
{
    /// <summary>The file is shorter than the 58-byte HEADER or does not start with "FCS".</summary>
    NotFcs,

    /// <summary>A HEADER field is not a number.</summary>
    BadHeader,

    /// <summary>A segment's offsets are impossible (start after end, overlapping the HEADER).</summary>
    BadOffsets,

    /// <summary>A segment lies beyond the end of the file.</summary>
    Truncated,

    /// <summary>The TEXT segment cannot be parsed into keyword/value pairs.</summary>
    BadText,

    /// <summary>A required keyword is missing.</summary>
    MissingKeyword,

    /// <summary>A keyword's value is not valid ($PAR, $TOT, $PnB, $BYTEORD, $DATATYPE...).</summary>
    BadKeyword,

    /// <summary>The DATA segment's size does not agree with $TOT, $PAR and $PnB.</summary>
    DataSizeMismatch,

    /// <summary>A valid but unsupported layout (histogram $MODE, bit widths that are not whole bytes).</summary>
    Unsupported,

    /// <summary>An ASCII value in DATA is not a number.</summary>
    BadAsciiValue,
}

/// <summary>An FCS file that cannot be read: the file, the byte offset where the problem sits, and what it is.</summary>
/// <remarks>
/// Derives from <see cref="InputException"/>, so the CLI reports it as one line and exit code 2. The byte offset is
/// absolute (from the start of the file or stream), not relative to the data set.
/// </remarks>
public sealed class FcsFormatException : InputException
{
    /// <summary>A problem at absolute byte <paramref name="byteOffset"/> of <paramref name="file"/>.</summary>
    public FcsFormatException(string? file, long byteOffset, FcsProblem kind, string problem, string? hint = null)
        : base(InputLocation.AtByte(file, byteOffset), problem, hint)
    {
        Kind = kind;
        ByteOffset = byteOffset;
    }

    /// <summary>The kind of problem, for callers that branch on it.</summary>
    public FcsProblem Kind { get; }

    /// <summary>The absolute byte offset of the problem.</summary>
    public long ByteOffset { get; }
}
