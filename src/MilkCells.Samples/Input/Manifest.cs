using System.Collections.Immutable;
using System.Globalization;
using MilkCells.Core.Errors;
using MilkCells.Samples.Analysis;

namespace MilkCells.Samples.Input;

/// <summary>Who and when a sample is: its id, the mother, the lactation day, the breast and the collection time.</summary>
/// <param name="SampleId">Unique sample id.</param>
/// <param name="MotherId">The mother, if known (series and states need it).</param>
/// <param name="LactationDay">Lactation day (0 = the first 24 h), if known (percentiles need it).</param>
/// <param name="Breast">"left", "right" or null.</param>
/// <param name="CollectedAt">When it was collected, as written.</param>
/// <param name="Where">The file (and line) that described it.</param>
public sealed record SampleInfo(string SampleId, string? MotherId, int? LactationDay, string? Breast, string? CollectedAt, InputLocation Where);

/// <summary>How an FCS sample's counts become cells per mL, and lab measures given beside it.</summary>
/// <param name="BeadsPerTest">Counting beads in the tube.</param>
/// <param name="TestVolumeUl">µL of sample in the tube (bead method).</param>
/// <param name="AcquiredVolumeUl">µL acquired (volumetric method), overriding $VOL.</param>
/// <param name="Dilution">The factor from the tube's concentration to the milk's (1 when absent; below 1 when cells were concentrated).</param>
/// <param name="LabMeasures">Bacteria, sodium, potassium, Na:K as given.</param>
public sealed record CountingInfo(double? BeadsPerTest, double? TestVolumeUl, double? AcquiredVolumeUl, double Dilution, ImmutableSortedDictionary<string, double> LabMeasures);

/// <summary>One manifest row: an FCS file, the sample it holds, and how to count it.</summary>
/// <param name="File">The FCS file's full path.</param>
/// <param name="Info">The sample.</param>
/// <param name="Counting">Absolute-count information and lab measures.</param>
public sealed record ManifestRow(string File, SampleInfo Info, CountingInfo Counting);

/// <summary>The manifest CSV: one row per FCS file (<c>file, sample_id, mother_id, lactation_day, breast, collected_at, beads_per_test, test_volume_ul, acquired_volume_ul, dilution</c> and optional lab measures).</summary>
/// <remarks>
/// <c>file</c> is relative to the manifest's folder. Absolute counts take the standard bead ratio method when
/// <c>beads_per_test</c> and <c>test_volume_ul</c> are given and the panel has a bead gate, else the acquired volume
/// (<c>acquired_volume_ul</c>, or the file's $VOL in nL); <c>dilution</c> multiplies the tube's concentration back to
/// the milk's. Lab measures: <c>bacteria_cfu_per_ml, sodium_mmol_l, potassium_mmol_l, na_k_ratio</c>.
/// </remarks>
public static class Manifest
{
    /// <summary>The columns, in the order <c>sample synthesize</c> writes them.</summary>
    public static readonly ImmutableArray<string> Columns =
    [
        "file", "sample_id", "mother_id", "lactation_day", "breast", "collected_at", "beads_per_test", "test_volume_ul", "acquired_volume_ul", "dilution",
        Measures.Bacteria, Measures.Sodium, Measures.Potassium, Measures.NaK,
    ];

    /// <summary>The lab measures a manifest or counts CSV may carry.</summary>
    public static readonly ImmutableArray<string> LabMeasures = [Measures.Bacteria, Measures.Sodium, Measures.Potassium, Measures.NaK];

    /// <summary>Reads a manifest; every file it names must exist.</summary>
    /// <exception cref="InputException">A missing file, a missing column, a bad value.</exception>
    public static ImmutableArray<ManifestRow> Read(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Read(path, file => Path.GetFullPath(Path.Combine(folder, file)));
    }

    /// <summary>Reads a manifest whose <c>file</c> cells <paramref name="locate"/> turns into full paths (a server maps uploaded names to its own); every file must exist.</summary>
    /// <exception cref="InputException">A missing file, a missing column, a bad value.</exception>
    public static ImmutableArray<ManifestRow> Read(string path, Func<string, string> locate)
    {
        var table = CsvTable.ReadFile(path);
        if (!table.Has("file"))
        {
            throw new InputException(InputLocation.AtLine(path, 1), "the manifest has no 'file' column", "columns: " + string.Join(", ", Columns));
        }
        var rows = ImmutableArray.CreateBuilder<ManifestRow>();
        foreach (var row in table.Rows)
        {
            var file = table.Text(row, "file") ?? throw new InputException(new InputLocation(path, row.Line, Element: "file"), "no file given");
            var full = locate(file);
            if (!File.Exists(full))
            {
                throw new InputException(new InputLocation(path, row.Line, Element: "file"), $"the file '{file}' does not exist (looked for {full})",
                    "file paths are relative to the manifest's folder");
            }
            var info = ReadInfo(table, row, Path.GetFileNameWithoutExtension(file));
            rows.Add(new ManifestRow(full, info, ReadCounting(table, row)));
        }
        return rows.ToImmutable();
    }

    /// <summary>The sample columns of a manifest or counts CSV row.</summary>
    public static SampleInfo ReadInfo(CsvTable table, CsvRow row, string? defaultId)
    {
        var where = InputLocation.AtLine(table.File, row.Line);
        var id = table.Text(row, "sample_id") ?? defaultId
            ?? throw new InputException(where with { Element = "sample_id" }, "no sample_id");
        int? day = null;
        if (table.Text(row, "lactation_day") is { } dayText)
        {
            if (!int.TryParse(dayText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var d) || d < 0)
            {
                throw new InputException(where with { Element = "lactation_day" }, $"'{dayText}' is not a lactation day (a whole number from 0)");
            }
            day = d;
        }
        var breast = table.Text(row, "breast")?.ToLowerInvariant();
        if (breast is not (null or "left" or "right" or "both"))
        {
            throw new InputException(where with { Element = "breast" }, $"'{breast}' is not a breast", "left, right, both, or empty");
        }
        return new SampleInfo(id, table.Text(row, "mother_id"), day, breast, table.Text(row, "collected_at"), where);
    }

    /// <summary>The counting and lab columns of a row.</summary>
    public static CountingInfo ReadCounting(CsvTable table, CsvRow row)
    {
        var dilution = table.Number(row, "dilution") ?? 1;
        if (dilution <= 0)
        {
            throw new InputException(new InputLocation(table.File, row.Line, Element: "dilution"), "the dilution must be positive");
        }
        return new CountingInfo(table.Number(row, "beads_per_test"), table.Number(row, "test_volume_ul"), table.Number(row, "acquired_volume_ul"), dilution, LabValues(table, row));
    }

    /// <summary>The lab measures present in a row.</summary>
    public static ImmutableSortedDictionary<string, double> LabValues(CsvTable table, CsvRow row)
    {
        var lab = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        foreach (var m in LabMeasures)
        {
            if (table.Number(row, m) is { } v)
            {
                lab[m] = v;
            }
        }
        return lab.ToImmutable();
    }
}
