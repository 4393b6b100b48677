using MilkCells.Fcs.Internal;

namespace MilkCells.Fcs;

/// <summary>Which values to read: as stored, or put on the linear scale ($PnE, $PnG, $TIMESTEP).</summary>
public enum FcsValues
{
    /// <summary>As stored in DATA (integer values masked by $PnR). No $PnE, no gain, no compensation.</summary>
    Raw,

    /// <summary>$PnE log decoding, division by $PnG, and the time parameter multiplied by $TIMESTEP (see <see cref="FcsPreprocessor"/>).</summary>
    Scaled,
}

/// <summary>One data set of an FCS file: its keywords, parameters, warnings, and access to its events.</summary>
/// <remarks>
/// Metadata is read when the file is opened; events are read only when asked, from the file, in chunks, so memory
/// stays proportional to what is asked. Reading is thread-safe when the file was opened from a path.
/// </remarks>
public sealed class FcsDataSet
{
    internal FcsDataSet(FcsSource source, string? file, int index, long offset, string versionText, FcsVersion version,
        FcsKeywords keywords, FcsKeywords analysisKeywords, IReadOnlyList<FcsParameter> parameters, long eventCount,
        FcsDataType dataType, FcsByteOrder? byteOrder, FcsSegment text, FcsSegment supplementalText, FcsSegment data,
        FcsSegment analysis, EventLayout? layout, IReadOnlyList<FcsWarning> warnings)
    {
        Source = source;
        File = file;
        Index = index;
        Offset = offset;
        VersionText = versionText;
        Version = version;
        Keywords = keywords;
        AnalysisKeywords = analysisKeywords;
        Parameters = parameters;
        EventCount = eventCount;
        DataType = dataType;
        ByteOrder = byteOrder;
        Text = text;
        SupplementalText = supplementalText;
        Data = data;
        Analysis = analysis;
        Layout = layout;
        Warnings = warnings;
    }

    internal FcsSource Source { get; }

    internal EventLayout? Layout { get; }

    /// <summary>The file name given when opening (for messages), or null.</summary>
    public string? File { get; }

    /// <summary>0-based position of the data set in the file (following $NEXTDATA).</summary>
    public int Index { get; }

    /// <summary>Absolute byte offset of this data set's HEADER.</summary>
    public long Offset { get; }

    /// <summary>The version as written in the HEADER ("FCS3.1").</summary>
    public string VersionText { get; }

    /// <summary>The version, parsed (unknown versions are read with the FCS 3.2 rules).</summary>
    public FcsVersion Version { get; }

    /// <summary>Primary TEXT then supplemental TEXT keywords, case-insensitive.</summary>
    public FcsKeywords Keywords { get; }

    /// <summary>Keywords of the ANALYSIS segment, when it has any (empty otherwise).</summary>
    public FcsKeywords AnalysisKeywords { get; }

    /// <summary>The parameters, in DATA column order ($P1 first).</summary>
    public IReadOnlyList<FcsParameter> Parameters { get; }

    /// <summary>$PAR.</summary>
    public int ParameterCount => Parameters.Count;

    /// <summary>$TOT (or, in FCS 2.0 files without it, the count the DATA segment holds).</summary>
    public long EventCount { get; }

    /// <summary>$DATATYPE (each parameter's effective type is <see cref="FcsParameter.DataType"/>).</summary>
    public FcsDataType DataType { get; }

    /// <summary>$BYTEORD, or null for ASCII data.</summary>
    public FcsByteOrder? ByteOrder { get; }

    /// <summary>Where the primary TEXT segment is (absolute offsets).</summary>
    public FcsSegment Text { get; }

    /// <summary>Where the supplemental TEXT segment is, or <see cref="FcsSegment.None"/>.</summary>
    public FcsSegment SupplementalText { get; }

    /// <summary>The DATA bytes that hold the events (after HEADER/TEXT reconciliation; see the warnings).</summary>
    public FcsSegment Data { get; }

    /// <summary>Where the ANALYSIS segment is, or <see cref="FcsSegment.None"/>.</summary>
    public FcsSegment Analysis { get; }

    /// <summary>Every fault tolerated while reading this data set's metadata.</summary>
    public IReadOnlyList<FcsWarning> Warnings { get; }

    /// <summary>$CYT, the instrument, or null.</summary>
    public string? Cytometer => Keywords.Get("$CYT");

    /// <summary>$TIMESTEP in seconds, or null.</summary>
    public double? TimeStep => Keywords.GetDouble("$TIMESTEP");

    /// <summary>Bytes per event in DATA (0 for delimited ASCII).</summary>
    public int BytesPerEvent => Layout?.RowBytes ?? 0;

    /// <summary>The index (0-based column) of the parameter whose $PnN is <paramref name="name"/> (exact first, then ignoring case), or −1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Parameters.Count; i++)
        {
            if (Parameters[i].Name == name)
            {
                return i;
            }
        }
        for (var i = 0; i < Parameters.Count; i++)
        {
            if (string.Equals(Parameters[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>A streaming reader over the events, a chunk at a time.</summary>
    /// <param name="values">Raw (as stored) or scaled to the linear scale.</param>
    public FcsEventReader OpenEvents(FcsValues values = FcsValues.Raw) => new(this, values);

    /// <summary>Reads every event into one row-major matrix of doubles.</summary>
    /// <exception cref="FcsFormatException">The DATA segment cannot be read.</exception>
    public FcsEventMatrix ReadEvents(FcsValues values = FcsValues.Raw)
    {
        var total = checked(EventCount * ParameterCount);
        if (total > Array.MaxLength)
        {
            throw new InvalidOperationException($"{EventCount} events × {ParameterCount} parameters do not fit one array; use OpenEvents() to stream them");
        }
        var matrix = new double[total];
        using var reader = OpenEvents(values);
        var read = reader.Read(matrix);
        if (read != EventCount)
        {
            throw new FcsFormatException(File, Data.Start, FcsProblem.DataSizeMismatch, $"DATA held {read} events, $TOT says {EventCount}");
        }
        return new FcsEventMatrix(matrix, ParameterCount);
    }

    /// <summary>Reads every event as single precision, row-major (half the memory; exact for float data and integers below 2^24).</summary>
    public float[] ReadEventsSingle(FcsValues values = FcsValues.Raw)
    {
        var total = checked(EventCount * ParameterCount);
        if (total > Array.MaxLength)
        {
            throw new InvalidOperationException($"{EventCount} events × {ParameterCount} parameters do not fit one array; use OpenEvents() to stream them");
        }
        var result = new float[total];
        using var reader = OpenEvents(values);
        reader.Read(result);
        return result;
    }

    /// <summary>The raw bytes of the ANALYSIS segment (empty when there is none).</summary>
    public byte[] ReadAnalysisBytes()
    {
        if (Analysis.IsEmpty)
        {
            return [];
        }
        var bytes = new byte[Analysis.Length];
        Source.ReadExactly(Analysis.Start, bytes, File);
        return bytes;
    }

    public override string ToString() => $"{VersionText} data set {Index + 1}: {EventCount} events × {ParameterCount} parameters";
}

/// <summary>Events × parameters as one row-major array of doubles: event e, parameter p is at e·P + p.</summary>
public sealed class FcsEventMatrix(double[] values, int parameterCount)
{
    /// <summary>The values, row-major.</summary>
    public double[] Values { get; } = values;

    /// <summary>P, the number of columns.</summary>
    public int ParameterCount { get; } = parameterCount;

    /// <summary>The number of rows.</summary>
    public int EventCount => ParameterCount == 0 ? 0 : Values.Length / ParameterCount;

    /// <summary>Event <paramref name="e"/>, parameter <paramref name="p"/> (both 0-based).</summary>
    public double this[int e, int p] => Values[(long)e * ParameterCount + p];

    /// <summary>One event's values.</summary>
    public ReadOnlySpan<double> Row(int e) => Values.AsSpan(e * ParameterCount, ParameterCount);

    /// <summary>A copy of one parameter's values.</summary>
    public double[] Column(int p)
    {
        var column = new double[EventCount];
        for (var e = 0; e < column.Length; e++)
        {
            column[e] = Values[(long)e * ParameterCount + p];
        }
        return column;
    }
}
