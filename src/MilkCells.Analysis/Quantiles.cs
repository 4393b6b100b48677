namespace MilkCells.Analysis;

/// <summary>Which two order statistics a type-7 quantile combines, and how.</summary>
/// <param name="Lower">The lower order statistic's rank (0-based, ascending).</param>
/// <param name="Upper">The upper order statistic's rank (equal to <see cref="Lower"/> at the ends).</param>
/// <param name="Weight">The upper one's weight, 0 ≤ w &lt; 1.</param>
public readonly record struct QuantileRanks(long Lower, long Upper, double Weight);

/// <summary>Sample quantiles by Hyndman &amp; Fan's definition 7, the default of R, NumPy and Excel's PERCENTILE.INC.</summary>
/// <remarks>
/// Hyndman RJ, Fan Y (1996). Sample quantiles in statistical packages. The American Statistician 50(4):361–365,
/// doi:10.1080/00031305.1996.10473566, definition 7: for n sorted values x₍₁₎ … x₍ₙ₎ and probability p,
/// h = (n − 1)p + 1 and Q(p) = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎). The two values are combined as R's
/// <c>quantile(type = 7)</c> does, (1 − w)·x₍⌊h⌋₎ + w·x₍⌊h⌋+1₎, and not at all when they are equal, so the result is
/// the same double R gives.
/// </remarks>
public static class Quantiles
{
    /// <summary>The ranks and weight of the type-7 quantile <paramref name="p"/> (0 ≤ p ≤ 1) of <paramref name="n"/> ≥ 1 values.</summary>
    public static QuantileRanks Type7Ranks(long n, double p)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "a probability is between 0 and 1");
        }
        var h = (n - 1) * p;
        var lower = (long)Math.Floor(h);
        var upper = Math.Min(lower + 1, n - 1);
        return new QuantileRanks(lower, upper, upper == lower ? 0 : h - lower);
    }

    /// <summary>Combines the two order statistics of <see cref="Type7Ranks"/> as R does.</summary>
    public static double Combine(double lower, double upper, double weight) =>
        weight == 0 || lower == upper ? lower : ((1 - weight) * lower) + (weight * upper);

    /// <summary>The type-7 quantile <paramref name="p"/> of values sorted ascending (no NaN).</summary>
    public static double Type7(ReadOnlySpan<double> sorted, double p)
    {
        var r = Type7Ranks(sorted.Length, p);
        return Combine(sorted[(int)r.Lower], sorted[(int)r.Upper], r.Weight);
    }
}
