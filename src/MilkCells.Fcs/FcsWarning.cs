namespace MilkCells.Fcs;

/// <summary>A known fault the reader tolerated, kept as data so callers can show, count or refuse it.</summary>
public enum FcsWarningKind
{
    /// <summary>A HEADER offset field is blank.</summary>
    BlankHeaderOffset,

    /// <summary>A HEADER field is not right-justified or the version is unusual.</summary>
    HeaderFormat,

    /// <summary>The HEADER and TEXT give different DATA (or ANALYSIS) offsets; the message says which was used and why.</summary>
    OffsetDisagreement,

    /// <summary>A segment end is one byte off (points at the byte after the segment, or one short).</summary>
    OffByOne,

    /// <summary>The TEXT segment has padding (spaces or NULs) after its final delimiter.</summary>
    PaddedText,

    /// <summary>The TEXT segment lacks its final delimiter.</summary>
    MissingFinalDelimiter,

    /// <summary>A keyword was written with an empty value (a doubled delimiter after a keyword).</summary>
    EmptyValue,

    /// <summary>A keyword appears more than once (the last value is kept).</summary>
    DuplicateKeyword,

    /// <summary>A keyword or value is not UTF-8 and was decoded as ISO-8859-1.</summary>
    NotUtf8,

    /// <summary>A keyword's value is out of the standard (the reader used a documented fallback).</summary>
    KeywordValue,

    /// <summary>A keyword required by the file's version is missing (the reader used a documented default).</summary>
    MissingKeyword,

    /// <summary>The DATA segment is longer than $TOT events need; the extra bytes are ignored.</summary>
    DataLonger,

    /// <summary>$NEXTDATA points outside the file or backwards; no further data sets were read.</summary>
    BadNextData,

    /// <summary>The supplemental TEXT or ANALYSIS segment could not be read; it is ignored.</summary>
    SegmentIgnored,

    /// <summary>Two parameters share a $PnN name.</summary>
    DuplicateName,
}

/// <summary>One tolerated fault: what, where (absolute byte offset, when known) and a one-line explanation.</summary>
public sealed record FcsWarning(FcsWarningKind Kind, long? ByteOffset, string Message)
{
    public override string ToString() => ByteOffset is { } at ? $"@ byte {at}: {Message}" : Message;
}
