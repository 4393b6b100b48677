using System.Globalization;
using System.Text;

namespace MilkCells.Workflows;

/// <summary>Numbers in console tables: one notation per column, thousands separators, a few significant digits (docs/cli.md).</summary>
/// <remarks>
/// A column is written plainly (<c>126,000</c>, <c>539</c>, <c>0.0123</c>) when every value lies in [10⁻³, 10⁷) or is
/// zero, otherwise entirely in powers of ten (<c>1.26×10⁵</c>, <c>8.40×10⁴</c>), so magnitudes compare at a glance.
/// Files keep full precision; these are for people.
/// </remarks>
public static class ConsoleNumbers
{
    /// <summary>What stands for a missing value.</summary>
    public const string Missing = "—";

    /// <summary>The values of one column, in one notation, with <paramref name="significant"/> significant digits.</summary>
    public static string[] Column(IReadOnlyList<double> values, int significant = 3)
    {
        var plain = values.Where(double.IsFinite).All(v => v == 0 || (Math.Abs(v) >= 1e-3 && Math.Abs(v) < 1e7));
        return [.. values.Select(v => !double.IsFinite(v) ? Missing : plain ? Plain(v, significant) : Scientific(v, significant))];
    }

    /// <summary>One value in the notation its own magnitude calls for (a column of one).</summary>
    public static string One(double value, int significant = 3) => Column([value], significant)[0];

    /// <summary>A count, exact, with thousands separators.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary><paramref name="value"/> rounded to <paramref name="significant"/> significant digits, plainly with thousands separators (trailing zeros after the point dropped).</summary>
    public static string Plain(double value, int significant)
    {
        if (value == 0)
        {
            return "0";
        }
        var exponent = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        var decimals = Math.Max(0, significant - 1 - exponent);
        var rounded = decimals > 0 ? Math.Round(value, Math.Min(decimals, 15)) : Math.Round(value / Math.Pow(10, exponent - significant + 1)) * Math.Pow(10, exponent - significant + 1);
        var text = rounded.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text; // 60, not 60.00: the digits shown are the digits known
    }

    /// <summary><paramref name="value"/> as <c>m.mm×10ⁿ</c> with <paramref name="significant"/> significant digits.</summary>
    public static string Scientific(double value, int significant)
    {
        if (value == 0)
        {
            return "0";
        }
        var exponent = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        var mantissa = Math.Round(value / Math.Pow(10, exponent), significant - 1);
        if (Math.Abs(mantissa) >= 10)
        {
            mantissa /= 10;
            exponent++;
        }
        var text = new StringBuilder(mantissa.ToString("F" + (significant - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        text.Append("×10");
        foreach (var c in exponent.ToString(CultureInfo.InvariantCulture))
        {
            text.Append(c == '-' ? '⁻' : "⁰¹²³⁴⁵⁶⁷⁸⁹"[c - '0']);
        }
        return text.ToString();
    }
}
