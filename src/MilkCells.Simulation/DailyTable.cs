using System.Collections.Immutable;
using MilkCells.Model.Catalogue;

namespace MilkCells.Simulation;

/// <summary>How a daily value is stored.</summary>
public enum DailyValueKind
{
    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>A double (NaN where undefined, e.g. no milk drunk).</summary>
    Real,

    /// <summary>Text.</summary>
    Text,
}

/// <summary>A daily.csv column: its name and kind.</summary>
public sealed record DailyColumn(string Name, DailyValueKind Kind);

/// <summary>One value of a daily row.</summary>
public readonly record struct DailyValue(DailyValueKind Kind, long Integer, double Real, string? Text)
{
    public static DailyValue Of(long value) => new(DailyValueKind.Integer, value, 0, null);
    public static DailyValue Of(double value) => new(DailyValueKind.Real, 0, value, null);
    public static DailyValue Of(string value) => new(DailyValueKind.Text, 0, 0, value);
}

/// <summary>The columns of daily.csv (and of a cohort's daily table) and a row's values in that order.</summary>
/// <remarks>
/// Issue 3's columns first, in its order (<c>day … ingested_stem</c>), then <c>lactation_day</c>, <c>formula_ml</c>, the
/// milk chemistry (<c>bacteria_cfu_per_ml</c>, <c>sodium_mmol_l</c>, <c>potassium_mmol_l</c>, <c>na_k_ratio</c>: issue 10)
/// and one <c>cells_per_ml_&lt;type&gt;</c> per cell type. <c>events</c> joins the day's events with "; ". A cohort store
/// keys rows by (mother_id, day) and takes every column after <c>day</c>.
/// </remarks>
public static class DailyTable
{
    /// <summary>Issue 3's required columns, in order.</summary>
    public static readonly ImmutableArray<string> Required =
    [
        "day", "stage", "events", "milk_ml", "feeds", "cells_per_ml_total", "cells_per_ml_epithelial", "cells_per_ml_leucocyte",
        "cells_per_ml_stem", "pct_leucocyte", "pct_stem", "viable_fraction", "ingested_total", "ingested_leucocyte", "ingested_stem",
    ];

    /// <summary>Bacteria of the milk drunk, CFU/mL (Thomsen 1983: infectious above 10³).</summary>
    public const string BacteriaColumn = "bacteria_cfu_per_ml";

    /// <summary>Sodium of the milk drunk, mmol/L.</summary>
    public const string SodiumColumn = "sodium_mmol_l";

    /// <summary>Potassium of the milk drunk, mmol/L.</summary>
    public const string PotassiumColumn = "potassium_mmol_l";

    /// <summary>Na:K of the milk drunk (Furukawa 2022: cut-off 0.60).</summary>
    public const string NaKColumn = "na_k_ratio";

    /// <summary>Every column for a model with cell types <paramref name="cellTypes"/> (ids), <c>day</c> first.</summary>
    public static ImmutableArray<DailyColumn> Columns(IEnumerable<string> cellTypes) =>
    [
        new("day", DailyValueKind.Integer), new("stage", DailyValueKind.Text), new("events", DailyValueKind.Text),
        new("milk_ml", DailyValueKind.Real), new("feeds", DailyValueKind.Integer),
        new("cells_per_ml_total", DailyValueKind.Real), new("cells_per_ml_epithelial", DailyValueKind.Real),
        new("cells_per_ml_leucocyte", DailyValueKind.Real), new("cells_per_ml_stem", DailyValueKind.Real),
        new("pct_leucocyte", DailyValueKind.Real), new("pct_stem", DailyValueKind.Real), new("viable_fraction", DailyValueKind.Real),
        new("ingested_total", DailyValueKind.Integer), new("ingested_leucocyte", DailyValueKind.Integer), new("ingested_stem", DailyValueKind.Integer),
        new("lactation_day", DailyValueKind.Integer), new("formula_ml", DailyValueKind.Real),
        new(BacteriaColumn, DailyValueKind.Real), new(SodiumColumn, DailyValueKind.Real), new(PotassiumColumn, DailyValueKind.Real),
        new(NaKColumn, DailyValueKind.Real),
        .. cellTypes.Select(t => new DailyColumn($"cells_per_ml_{Parameter.ToSymbol(t)}", DailyValueKind.Real)),
    ];

    /// <summary>The columns of the embedded model.</summary>
    public static ImmutableArray<DailyColumn> Columns(MilkModel model) => Columns(model.CellTypes.Select(t => t.Id));

    /// <summary>The values of <paramref name="row"/> in <see cref="Columns(IEnumerable{string})"/> order.</summary>
    public static DailyValue[] Values(DailyRow row)
    {
        var values = new DailyValue[Count(row)];
        Values(row, values);
        return values;
    }

    /// <summary>How many values <paramref name="row"/> has (one per column).</summary>
    public static int Count(DailyRow row) => 21 + row.CellsPerMlByType.Length;

    /// <summary>Writes the values of <paramref name="row"/> into <paramref name="values"/> (at least <see cref="Count"/> long), without allocating an array: cohorts fill millions of rows.</summary>
    public static void Values(DailyRow row, Span<DailyValue> values)
    {
        var i = 0;
        values[i++] = DailyValue.Of(row.Day);
        values[i++] = DailyValue.Of(row.Stage);
        values[i++] = DailyValue.Of(row.Events.Length switch { 0 => "", 1 => row.Events[0], _ => string.Join("; ", row.Events) });
        values[i++] = DailyValue.Of(row.MilkMl);
        values[i++] = DailyValue.Of((long)row.Feeds);
        values[i++] = DailyValue.Of(row.CellsPerMlTotal);
        values[i++] = DailyValue.Of(row.CellsPerMlEpithelial);
        values[i++] = DailyValue.Of(row.CellsPerMlLeucocyte);
        values[i++] = DailyValue.Of(row.CellsPerMlStem);
        values[i++] = DailyValue.Of(row.PctLeucocyte);
        values[i++] = DailyValue.Of(row.PctStem);
        values[i++] = DailyValue.Of(row.ViableFraction);
        values[i++] = DailyValue.Of(row.IngestedTotal);
        values[i++] = DailyValue.Of(row.IngestedLeucocyte);
        values[i++] = DailyValue.Of(row.IngestedStem);
        values[i++] = DailyValue.Of((long)row.LactationDay);
        values[i++] = DailyValue.Of(row.FormulaMl);
        values[i++] = DailyValue.Of(row.Chemistry.BacteriaCfuPerMl);
        values[i++] = DailyValue.Of(row.Chemistry.SodiumMmolL);
        values[i++] = DailyValue.Of(row.Chemistry.PotassiumMmolL);
        values[i++] = DailyValue.Of(row.Chemistry.NaKRatio);
        foreach (var c in row.CellsPerMlByType)
        {
            values[i++] = DailyValue.Of(c);
        }
    }
}
