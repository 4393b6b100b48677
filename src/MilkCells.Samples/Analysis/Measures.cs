using System.Collections.Immutable;
using MilkCells.Model.Catalogue;

namespace MilkCells.Samples.Analysis;

/// <summary>A quantity a sample can report: its column name (the model's daily.csv names), unit and scale.</summary>
/// <param name="Name">The column name, e.g. <c>cells_per_ml_leucocyte</c>.</param>
/// <param name="Unit">Its unit.</param>
/// <param name="LogScale">Whether it spans orders of magnitude (percentiles interpolate in log, charts use a log axis).</param>
/// <param name="Label">A short human label.</param>
public sealed record Measure(string Name, string Unit, bool LogScale, string Label);

/// <summary>The measures of a milk sample: the model's daily columns a sample can give, and the lab measures the model may add.</summary>
/// <remarks>
/// Concentrations are cells per mL of milk (alive and dead), percentages are of all nucleated cells, the viable fraction
/// is 0–1. Bacteria are colony-forming units per mL, sodium and potassium mmol/L (Furukawa 2022's Na:K is their ratio).
/// </remarks>
public static class Measures
{
    public const string Total = "cells_per_ml_total";
    public const string Epithelial = "cells_per_ml_epithelial";
    public const string Leucocyte = "cells_per_ml_leucocyte";
    public const string Stem = "cells_per_ml_stem";
    public const string PctLeucocyte = "pct_leucocyte";
    public const string PctStem = "pct_stem";
    public const string Viable = "viable_fraction";
    public const string Bacteria = "bacteria_cfu_per_ml";
    public const string Sodium = "sodium_mmol_l";
    public const string Potassium = "potassium_mmol_l";
    public const string NaK = "na_k_ratio";

    /// <summary>Every measure of the model, in column order: totals and classes, shares, viability, lab measures, then cell types.</summary>
    public static ImmutableArray<Measure> All(MilkModel model) =>
    [
        new(Total, "cells/mL", true, "all cells/mL"),
        new(Epithelial, "cells/mL", true, "epithelial cells/mL"),
        new(Leucocyte, "cells/mL", true, "leucocytes/mL"),
        new(Stem, "cells/mL", true, "stem/progenitor cells/mL"),
        new(PctLeucocyte, "% of cells", true, "% leucocytes"),
        new(PctStem, "% of cells", true, "% stem cells"),
        new(Viable, "fraction", false, "viable fraction"),
        new(Bacteria, "CFU/mL", true, "bacteria CFU/mL"),
        new(Sodium, "mmol/L", false, "sodium mmol/L"),
        new(Potassium, "mmol/L", false, "potassium mmol/L"),
        new(NaK, "ratio", false, "Na:K"),
        .. model.CellTypes.Select(t => new Measure(OfType(t.Id), "cells/mL", true, t.Name + " /mL")),
    ];

    /// <summary>The concentration column of a cell type.</summary>
    public static string OfType(string cellTypeId) => "cells_per_ml_" + Parameter.ToSymbol(cellTypeId);

    /// <summary>The concentration column of a class ("epithelial", "leucocyte", "stem").</summary>
    public static string OfClass(string classKey) => "cells_per_ml_" + classKey;

    /// <summary>Whether a name is a measure of the model.</summary>
    public static bool IsMeasure(string name, MilkModel model) => All(model).Any(m => m.Name == name);
}
