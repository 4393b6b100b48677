using MilkCells.Core.Errors;
using MilkCells.Core.Files;
using MilkCells.Fcs.Internal;

namespace MilkCells.Fcs;

/// <summary>An open FCS file: its data sets (following $NEXTDATA), each with keywords, parameters and streamed events.</summary>
/// <remarks>
/// Reads FCS 2.0, 3.0, 3.1 and 3.2 (and 1.0 with the 2.0 rules). Opening reads each data set's HEADER, TEXT and
/// supplemental TEXT; events are read on demand. Known faults are tolerated and reported in
/// <see cref="FcsDataSet.Warnings"/>; a file that cannot be read throws <see cref="FcsFormatException"/> with the byte
/// offset of the problem. Dispose to close the file.
/// <code>
/// using var fcs = FcsFile.Open("sample.fcs");
/// var set = fcs.DataSets[0];
/// var events = set.ReadEvents();            // raw values, row-major
/// double fsc = events[0, set.IndexOf("FSC-A")];
/// </code>
/// </remarks>
public sealed class FcsFile : IDisposable
{
    private readonly FcsSource _source;

    private FcsFile(FcsSource source, string? name)
    {
        _source = source;
        Name = name;
        var sets = new List<FcsDataSet>();
        var warnings = new List<FcsWarning>();
        var offset = 0L;
        var seen = new HashSet<long>();
        while (true)
        {
            FcsDataSet set;
            long next;
            try
            {
                set = DataSetParser.Parse(source, name, offset, sets.Count, out next);
            }
            catch (FcsFormatException ex) when (sets.Count > 0)
            {
                // A damaged later data set does not make the earlier ones unreadable.
                warnings.Add(new(FcsWarningKind.BadNextData, ex.ByteOffset, $"data set {sets.Count + 1} (at byte {offset}) cannot be read and is skipped: {ex.Problem}"));
                break;
            }
            sets.Add(set);
            seen.Add(offset);
            if (next == 0)
            {
                break;
            }
            var target = Follow(source, offset, next, seen, set, warnings);
            if (target is not { } t)
            {
                break;
            }
            offset = t;
        }
        DataSets = sets;
        Warnings = warnings;
    }

    /// <summary>The name given when opening (the path, for files), used in messages.</summary>
    public string? Name { get; }

    /// <summary>Length of the file in bytes.</summary>
    public long Length => _source.Length;

    /// <summary>The data sets, in file order.</summary>
    public IReadOnlyList<FcsDataSet> DataSets { get; }

    /// <summary>The first data set (most files have only one).</summary>
    public FcsDataSet First => DataSets[0];

    /// <summary>Faults found while following $NEXTDATA from one data set to the next.</summary>
    public IReadOnlyList<FcsWarning> Warnings { get; }

    /// <summary>Opens the file at <paramref name="path"/>.</summary>
    /// <exception cref="FcsFormatException">The file is not a readable FCS file.</exception>
    /// <exception cref="InputException">The file cannot be opened.</exception>
    public static FcsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        InputFiles.RequireFile(path, "FCS file");
        var handle = FileSystemErrors.Guard(path, "cannot open", () => File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan));
        var source = new FileSource(handle);
        try
        {
            return new FcsFile(source, path);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Reads an FCS file from a seekable stream (which it disposes unless <paramref name="leaveOpen"/>).</summary>
    public static FcsFile Open(Stream stream, string? name = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanRead)
        {
            throw new ArgumentException("FCS needs random access: pass a readable, seekable stream (copy others into a MemoryStream first)", nameof(stream));
        }
        var source = new StreamSource(stream, leaveOpen);
        try
        {
            return new FcsFile(source, name);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Reads an FCS file held in memory.</summary>
    public static FcsFile Parse(ReadOnlyMemory<byte> bytes, string? name = null) => new(new MemorySource(bytes), name);

    /// <summary>Where $NEXTDATA leads, or null (with a warning) when it leads nowhere sensible.</summary>
    /// <remarks>
    /// FCS 3.1 §3.2.16: $NEXTDATA is the offset of the next data set relative to the start of the current one. A
    /// target that does not start with "FCS" is retried as an absolute offset (some writers) before giving up.
    /// </remarks>
    private static long? Follow(FcsSource source, long offset, long next, HashSet<long> seen, FcsDataSet set, List<FcsWarning> warnings)
    {
        foreach (var candidate in new[] { offset + next, next })
        {
            if (candidate > offset && candidate <= source.Length - HeaderParser.Length && !seen.Contains(candidate) && StartsWithFcs(source, candidate))
            {
                if (candidate != offset + next)
                {
                    warnings.Add(new(FcsWarningKind.BadNextData, set.Text.Start,
                        $"$NEXTDATA {next} of data set {set.Index + 1} read as an absolute offset: relative to the data set it does not lead to an FCS HEADER"));
                }
                return candidate;
            }
        }
        warnings.Add(new(FcsWarningKind.BadNextData, set.Text.Start,
            $"$NEXTDATA {next} of data set {set.Index + 1} does not lead to an FCS HEADER inside the file; no further data sets read"));
        return null;
    }

    private static bool StartsWithFcs(FcsSource source, long at)
    {
        Span<byte> b = stackalloc byte[3];
        return source.ReadAt(at, b) == 3 && b.SequenceEqual("FCS"u8);
    }

    public void Dispose() => _source.Dispose();
}
