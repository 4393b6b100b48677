using MilkCells.Core.Errors;
using MilkCells.Cytometry.Compensation;
using MilkCells.Fcs;

namespace MilkCells.Cytometry;

/// <summary>One FCS data set ready for analysis: events on the linear scale, by column, with the file's spillover matrix.</summary>
/// <remarks>
/// The bridge from the FCS reader to compensation, transforms and gating. Events are "scaled" as FCS 3.1 defines:
/// $PnE log decoding, $PnG gain and $TIMESTEP applied, nothing compensated — the values Gating-ML 2.0 gates on.
/// </remarks>
public sealed class CytometrySample
{
    private CytometrySample(string? file, int dataSet, EventMatrix events, FcsKeywords keywords, SpilloverMatrix? spillover, IReadOnlyList<string> warnings)
    {
        File = file;
        DataSet = dataSet;
        Events = events;
        Keywords = keywords;
        Spillover = spillover;
        Warnings = warnings;
    }

    /// <summary>The file read, if any.</summary>
    public string? File { get; }

    /// <summary>The 1-based data set number within the file.</summary>
    public int DataSet { get; }

    /// <summary>The events, columns named by $PnN, on the linear scale and uncompensated.</summary>
    public EventMatrix Events { get; }

    /// <summary>The data set's TEXT keywords.</summary>
    public FcsKeywords Keywords { get; }

    /// <summary>The spillover matrix of $SPILLOVER, $SPILL or SPILL, or null when the file has none.</summary>
    public SpilloverMatrix? Spillover { get; }

    /// <summary>What the reader tolerated or assumed, one line each.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Reads data set <paramref name="dataSet"/> (1-based) of the FCS file at <paramref name="path"/>.</summary>
    /// <exception cref="InputException">The file cannot be read (an <see cref="FcsFormatException"/> with the byte offset), the data set does not exist, or its spillover keyword is malformed.</exception>
    public static CytometrySample Read(string path, int dataSet = 1)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = FcsFile.Open(path);
        return FromFcs(file, dataSet);
    }

    /// <summary>Reads data set <paramref name="dataSet"/> (1-based) of an open FCS file.</summary>
    public static CytometrySample FromFcs(FcsFile file, int dataSet = 1)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (dataSet < 1 || dataSet > file.DataSets.Count)
        {
            throw new InputException(InputLocation.InFile(file.Name),
                $"data set {dataSet} does not exist; the file holds {file.DataSets.Count}");
        }
        var set = file.DataSets[dataSet - 1];
        var names = set.Parameters.Select(p => p.Name).ToArray();
        var events = ReadColumns(set, names);
        var spillover = SpilloverMatrix.FromFcsKeywords(set.Keywords, file.Name);
        var warnings = file.Warnings.Concat(set.Warnings).Concat(new FcsPreprocessor(set).Warnings)
            .Select(w => w.ToString()).Distinct().ToList();
        return new CytometrySample(file.Name, dataSet, events, set.Keywords, spillover, warnings);
    }

    /// <summary>Streams the scaled events straight into columns (no whole row-major copy).</summary>
    private static EventMatrix ReadColumns(FcsDataSet set, string[] names)
    {
        var width = names.Length;
        if (set.EventCount > Array.MaxLength)
        {
            throw new InputException(InputLocation.InFile(set.File), $"{set.EventCount} events exceed what one column can hold ({Array.MaxLength})");
        }
        var count = (int)set.EventCount;
        var columns = new double[width][];
        for (var c = 0; c < width; c++)
        {
            columns[c] = new double[count];
        }
        using var reader = set.OpenEvents(FcsValues.Scaled);
        var chunk = new double[Math.Max(width, 1) * 8192];
        var at = 0;
        int read;
        while (width > 0 && (read = reader.Read(chunk)) > 0)
        {
            for (var e = 0; e < read; e++)
            {
                var row = e * width;
                for (var c = 0; c < width; c++)
                {
                    columns[c][at + e] = chunk[row + c];
                }
            }
            at += read;
        }
        if (at != count)
        {
            throw new FcsFormatException(set.File, set.Data.Start, FcsProblem.DataSizeMismatch, $"DATA held {at} events, $TOT says {count}");
        }
        return new EventMatrix(names, columns);
    }
}
