using System.Collections.Immutable;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Cohorts.Reference;

/// <summary>A daily quantity that gets reference ranges: its cohort column, unit, and whether it is plotted on a log axis.</summary>
/// <param name="Column">The cohort column.</param>
/// <param name="Unit">Its unit.</param>
/// <param name="LogScale">Whether it spans orders of magnitude (plotted on a log axis).</param>
public sealed record ReferenceMeasure(string Column, string Unit, bool LogScale)
{
    /// <summary>The class columns, then the rest in this order, then cells/mL by type in table order.</summary>
    private static readonly ImmutableArray<ReferenceMeasure> Fixed =
    [
        new("cells_per_ml_total", "cells/mL", true),
        new("cells_per_ml_epithelial", "cells/mL", true),
        new("cells_per_ml_leucocyte", "cells/mL", true),
        new("cells_per_ml_stem", "cells/mL", true),
        new("pct_leucocyte", "% of cells", true),
        new("pct_stem", "% of cells", true),
        new("viable_fraction", "fraction", false),
        new("milk_ml", "mL/day", false),
        new("ingested_total", "cells/day", true),
        new("bacteria_cfu_per_ml", "CFU/mL", true),
        new("sodium_mmol_l", "mmol/L", true),
        new("potassium_mmol_l", "mmol/L", false),
        new("na_k_ratio", "ratio", true),
    ];

    /// <summary>The measures a cohort table supports: cells/mL by class and by cell type, % leucocytes and stem cells, viability, daily intake, milk chemistry.</summary>
    public static ImmutableArray<ReferenceMeasure> For(CohortSchema schema)
    {
        var known = Fixed.Select(m => m.Column).ToHashSet(StringComparer.Ordinal);
        var byType = schema.Columns.Where(c => c.Name.StartsWith("cells_per_ml_", StringComparison.Ordinal) && !known.Contains(c.Name) && c.Kind == ColumnKind.Real)
            .Select(c => new ReferenceMeasure(c.Name, "cells/mL", true));
        return [.. Fixed.Where(m => schema.Contains(m.Column) && schema.Columns[schema.IndexOf(m.Column)].Kind != ColumnKind.Text), .. byType];
    }
}
