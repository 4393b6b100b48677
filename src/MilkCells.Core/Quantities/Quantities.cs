using System.Globalization;

namespace MilkCells.Core.Quantities;

/// <summary>Cells per millilitre of milk.</summary>
/// <remarks>
/// An absolute concentration. It is not a percentage of cells ("% of CD45+ cells" is a <see cref="Fraction"/>),
/// and not cells per mm³ (1 cell/mm³ = 10³ cells/mL; use <see cref="PerCubicMillimetre"/>).
/// </remarks>
public readonly record struct Concentration : IComparable<Concentration>
{
    private Concentration(double cellsPerMillilitre) => CellsPerMillilitre = cellsPerMillilitre;

    public double CellsPerMillilitre { get; }

    public static Concentration Zero => default;

    public static Concentration PerMillilitre(double cells) =>
        double.IsFinite(cells) && cells >= 0
            ? new Concentration(cells)
            : throw new ArgumentOutOfRangeException(nameof(cells), $"a concentration must be finite and ≥ 0 cells/mL, was {cells}");

    /// <summary>From microscopy-era counts reported per mm³ (= per µL).</summary>
    public static Concentration PerCubicMillimetre(double cells) => PerMillilitre(cells * 1000.0);

    public static Concentration operator +(Concentration a, Concentration b) => new(a.CellsPerMillilitre + b.CellsPerMillilitre);

    public static Concentration operator *(Concentration a, double factor) => PerMillilitre(a.CellsPerMillilitre * factor);

    /// <summary>Cells in a volume of milk at this concentration.</summary>
    public double CellsIn(Volume volume) => CellsPerMillilitre * volume.Millilitres;

    public int CompareTo(Concentration other) => CellsPerMillilitre.CompareTo(other.CellsPerMillilitre);

    public override string ToString() => CellsPerMillilitre.ToString("G4", CultureInfo.InvariantCulture) + " cells/mL";
}

/// <summary>A volume of milk in millilitres.</summary>
/// <remarks>Milk density is 1.03 g/mL (Institute of Medicine 1991): a feed weighed in grams is not the same number of mL.</remarks>
public readonly record struct Volume : IComparable<Volume>
{
    /// <summary>Human milk density, g/mL (Institute of Medicine 1991, Nutrition During Lactation).</summary>
    public const double MilkDensityGramsPerMillilitre = 1.03;

    private Volume(double millilitres) => Millilitres = millilitres;

    public double Millilitres { get; }

    public static Volume Zero => default;

    public static Volume FromMillilitres(double millilitres) =>
        double.IsFinite(millilitres) && millilitres >= 0
            ? new Volume(millilitres)
            : throw new ArgumentOutOfRangeException(nameof(millilitres), $"a volume must be finite and ≥ 0 mL, was {millilitres}");

    /// <summary>From a milk mass in grams (test weighing), using the milk density.</summary>
    public static Volume FromGramsOfMilk(double grams) => FromMillilitres(grams / MilkDensityGramsPerMillilitre);

    public static Volume operator +(Volume a, Volume b) => new(a.Millilitres + b.Millilitres);

    public int CompareTo(Volume other) => Millilitres.CompareTo(other.Millilitres);

    public override string ToString() => Millilitres.ToString("G4", CultureInfo.InvariantCulture) + " mL";
}

/// <summary>A first-order rate constant, per hour.</summary>
/// <remarks>Not a half-life: use <see cref="FromHalfLifeHours"/> to convert (k = ln 2 / t½).</remarks>
public readonly record struct Rate
{
    private Rate(double perHour) => PerHourValue = perHour;

    public double PerHourValue { get; }

    public double PerDay => PerHourValue * 24.0;

    public static Rate PerHour(double value) =>
        double.IsFinite(value) && value >= 0
            ? new Rate(value)
            : throw new ArgumentOutOfRangeException(nameof(value), $"a rate must be finite and ≥ 0 per hour, was {value}");

    public static Rate PerDayValue(double value) => PerHour(value / 24.0);

    public static Rate FromHalfLifeHours(double hours) =>
        hours > 0 ? new Rate(Math.Log(2) / hours) : throw new ArgumentOutOfRangeException(nameof(hours), "a half-life must be positive");

    public double HalfLifeHours => Math.Log(2) / PerHourValue;

    public override string ToString() => PerHourValue.ToString("G4", CultureInfo.InvariantCulture) + " /h";
}

/// <summary>A fraction in [0, 1] (a share of cells, a viable fraction, a removal fraction).</summary>
/// <remarks>Percentages are shown as such only at the edges; inside the model a fraction is always in [0, 1].</remarks>
public readonly record struct Fraction : IComparable<Fraction>
{
    private Fraction(double value) => Value = value;

    public double Value { get; }

    public double Percent => Value * 100.0;

    public static Fraction Of(double value) =>
        value is >= 0 and <= 1
            ? new Fraction(value)
            : throw new ArgumentOutOfRangeException(nameof(value), $"a fraction must be in [0, 1], was {value}");

    public static Fraction FromPercent(double percent) => Of(percent / 100.0);

    public int CompareTo(Fraction other) => Value.CompareTo(other.Value);

    public override string ToString() => Percent.ToString("G4", CultureInfo.InvariantCulture) + " %";
}
