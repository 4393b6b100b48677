namespace MilkCells.Analysis;

/// <summary>Sample moments.</summary>
public static class Moments
{
    /// <summary>The mean and the unbiased (n − 1) variance, by two passes; at least two values.</summary>
    public static (double Mean, double Variance) MeanVariance(ReadOnlySpan<double> x)
    {
        if (x.Length < 2)
        {
            throw new ArgumentException($"a variance needs at least 2 values (got {x.Length})");
        }
        double sum = 0;
        foreach (var v in x)
        {
            sum += v;
        }
        var mean = sum / x.Length;
        double ss = 0;
        foreach (var v in x)
        {
            ss += (v - mean) * (v - mean);
        }
        return (mean, ss / (x.Length - 1));
    }
}
