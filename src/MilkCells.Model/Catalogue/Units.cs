using System.Collections.Frozen;

namespace MilkCells.Model.Catalogue;

/// <summary>The canonical unit a parameter is held in once loaded.</summary>
/// <remarks>
/// Files may state a value in the source's own unit (grams of milk, cells/mm³, %, days, minutes); the loader keeps
/// that text and converts the number to the canonical unit here. Concentrations are cells per mL of milk, never
/// a share of cells; shares are <see cref="Fraction"/>.
/// </remarks>
public enum CanonicalUnit
{
    /// <summary>Cells per millilitre of milk.</summary>
    CellsPerMillilitre,

    /// <summary>Millilitres of milk.</summary>
    Millilitres,

    /// <summary>Millilitres of milk per day.</summary>
    MillilitresPerDay,

    /// <summary>Millilitres of milk per hour.</summary>
    MillilitresPerHour,

    /// <summary>A first-order rate, per hour.</summary>
    PerHour,

    /// <summary>A duration in hours.</summary>
    Hours,

    /// <summary>A share in [0, 1].</summary>
    Fraction,

    /// <summary>A dimensionless factor ≥ 0.</summary>
    Multiplier,

    /// <summary>Events (feeds) per day.</summary>
    EventsPerDay,

    /// <summary>Degrees Celsius (may be negative).</summary>
    DegreesCelsius,

    /// <summary>Standard deviation of a natural logarithm (log-normal spread).</summary>
    LogSd,

    /// <summary>Colony-forming units of bacteria per millilitre of milk (culture counts).</summary>
    ColonyFormingUnitsPerMillilitre,

    /// <summary>Millimoles per litre of milk (monovalent ions: the same number as mEq/L).</summary>
    MillimolesPerLitre,

    /// <summary>A count of subjects (mothers, samples).</summary>
    Count,
}

/// <summary>A unit as written in a data file: its canonical unit and the factor that converts to it.</summary>
/// <param name="Text">The unit as written.</param>
/// <param name="Canonical">The unit the value is held in.</param>
/// <param name="Factor">Multiply the written value by this to get the canonical value.</param>
public sealed record UnitSpec(string Text, CanonicalUnit Canonical, double Factor)
{
    private static readonly FrozenDictionary<string, UnitSpec> Known = new UnitSpec[]
    {
        new("cells/mL", CanonicalUnit.CellsPerMillilitre, 1),
        new("cells/mm3", CanonicalUnit.CellsPerMillilitre, 1000), // 1 cell/mm³ = 10³ cells/mL
        new("mL", CanonicalUnit.Millilitres, 1),
        new("g", CanonicalUnit.Millilitres, 1 / Core.Quantities.Volume.MilkDensityGramsPerMillilitre),
        new("mL/day", CanonicalUnit.MillilitresPerDay, 1),
        new("g/day", CanonicalUnit.MillilitresPerDay, 1 / Core.Quantities.Volume.MilkDensityGramsPerMillilitre),
        new("mL/h", CanonicalUnit.MillilitresPerHour, 1),
        new("/h", CanonicalUnit.PerHour, 1),
        new("/day", CanonicalUnit.PerHour, 1 / 24.0),
        new("h", CanonicalUnit.Hours, 1),
        new("min", CanonicalUnit.Hours, 1 / 60.0),
        new("day", CanonicalUnit.Hours, 24),
        new("fraction", CanonicalUnit.Fraction, 1),
        new("%", CanonicalUnit.Fraction, 0.01),
        new("multiplier", CanonicalUnit.Multiplier, 1),
        new("feeds/day", CanonicalUnit.EventsPerDay, 1),
        new("°C", CanonicalUnit.DegreesCelsius, 1),
        new("log-sd", CanonicalUnit.LogSd, 1),
        new("CFU/mL", CanonicalUnit.ColonyFormingUnitsPerMillilitre, 1),
        new("CFU/L", CanonicalUnit.ColonyFormingUnitsPerMillilitre, 1e-3),
        new("mmol/L", CanonicalUnit.MillimolesPerLitre, 1),
        new("mEq/L", CanonicalUnit.MillimolesPerLitre, 1), // Na+ and K+ are monovalent: 1 mEq = 1 mmol
        // Mass per 100 g of milk: × 10 (per kg) × 1.03 kg/L (milk density, IOM 1991) ÷ molar mass (22.99 g/mol Na, 39.10 g/mol K).
        new("mg Na/100 g", CanonicalUnit.MillimolesPerLitre, 10 * Core.Quantities.Volume.MilkDensityGramsPerMillilitre / 22.99),
        new("mg K/100 g", CanonicalUnit.MillimolesPerLitre, 10 * Core.Quantities.Volume.MilkDensityGramsPerMillilitre / 39.10),
        new("ratio", CanonicalUnit.Multiplier, 1),
        new("count", CanonicalUnit.Count, 1),
    }.ToFrozenDictionary(u => u.Text, StringComparer.Ordinal);

    /// <summary>Every unit text a data file may use.</summary>
    public static IReadOnlyCollection<string> Texts => Known.Keys;

    /// <summary>The unit written as <paramref name="text"/>, if known.</summary>
    public static UnitSpec? Parse(string text) => Known.GetValueOrDefault(text);

    /// <summary>The canonical unit's own text (for tables and exports).</summary>
    public static string CanonicalText(CanonicalUnit unit) => unit switch
    {
        CanonicalUnit.CellsPerMillilitre => "cells/mL",
        CanonicalUnit.Millilitres => "mL",
        CanonicalUnit.MillilitresPerDay => "mL/day",
        CanonicalUnit.MillilitresPerHour => "mL/h",
        CanonicalUnit.PerHour => "/h",
        CanonicalUnit.Hours => "h",
        CanonicalUnit.Fraction => "fraction",
        CanonicalUnit.Multiplier => "multiplier",
        CanonicalUnit.EventsPerDay => "feeds/day",
        CanonicalUnit.DegreesCelsius => "°C",
        CanonicalUnit.LogSd => "log-sd",
        CanonicalUnit.ColonyFormingUnitsPerMillilitre => "CFU/mL",
        CanonicalUnit.MillimolesPerLitre => "mmol/L",
        CanonicalUnit.Count => "count",
        _ => unit.ToString(),
    };

    /// <summary>Whether values of this unit are rates (a negative one is a "negative rate").</summary>
    public static bool IsRate(CanonicalUnit unit) =>
        unit is CanonicalUnit.PerHour or CanonicalUnit.MillilitresPerDay or CanonicalUnit.MillilitresPerHour or CanonicalUnit.EventsPerDay;

    /// <summary>Why <paramref name="value"/> is not allowed in <paramref name="unit"/>, or null when it is.</summary>
    public static string? Problem(CanonicalUnit unit, double value)
    {
        if (!double.IsFinite(value))
        {
            return "the value must be a finite number";
        }
        if (unit == CanonicalUnit.DegreesCelsius)
        {
            return value < -273.15 ? "a temperature below absolute zero" : null;
        }
        if (value < 0)
        {
            return IsRate(unit) ? $"negative rate ({value})" : $"negative value ({value}) where only values ≥ 0 make sense";
        }
        return unit == CanonicalUnit.Fraction && value > 1 ? $"a fraction above 1 ({value})" : null;
    }
}
