namespace MilkCells.Cytometry.Transforms;

/// <summary>A one-channel display/analysis scale: maps a measured value to a scale value and back.</summary>
/// <remarks>
/// Every transform is an immutable value built from its published parameters; constructors reject parameter sets the
/// defining paper or standard does not allow (an <see cref="ArgumentOutOfRangeException"/> naming the parameter).
/// Undefined results are NaN (for example a logarithm of a non-positive value), and NaN falls outside every gate.
/// </remarks>
public abstract class ScaleTransform
{
    /// <summary>The scale value of one measured value.</summary>
    public abstract double Apply(double value);

    /// <summary>The measured value of one scale value (the inverse of <see cref="Apply(double)"/>).</summary>
    public abstract double Inverse(double scaled);

    /// <summary>Transforms <paramref name="values"/> into <paramref name="destination"/> (same length; may alias).</summary>
    public virtual void Apply(ReadOnlySpan<double> values, Span<double> destination)
    {
        CheckLengths(values, destination);
        for (var i = 0; i < values.Length; i++)
        {
            destination[i] = Apply(values[i]);
        }
    }

    /// <summary>Inverts <paramref name="scaled"/> into <paramref name="destination"/> (same length; may alias).</summary>
    public virtual void Inverse(ReadOnlySpan<double> scaled, Span<double> destination)
    {
        CheckLengths(scaled, destination);
        for (var i = 0; i < scaled.Length; i++)
        {
            destination[i] = Inverse(scaled[i]);
        }
    }

    /// <summary>Transforms a whole column, splitting long ones across cores.</summary>
    public double[] ApplyColumn(ReadOnlyMemory<double> values)
    {
        var result = new double[values.Length];
        ColumnParallel.For(values.Length, (start, length) => Apply(values.Span.Slice(start, length), result.AsSpan(start, length)));
        return result;
    }

    /// <summary>
    /// For a gate's cut on this scale: data values below which <see cref="Apply(double)"/> is surely under
    /// <paramref name="cut"/> and above which it is surely over it, or null if the scale gives no such band.
    /// </summary>
    /// <remarks>
    /// Lets a rectangle gate compare raw data with two numbers and evaluate the scale only for the few events between
    /// them, with the same outcome as comparing every transformed value (see <see cref="BiexponentialScale"/>).
    /// </remarks>
    internal virtual (double Below, double Above)? DecisionBand(double cut) => null;

    /// <summary>Whether <see cref="DecisionBand"/> gives bands (an increasing scale whose evaluation is worth avoiding).</summary>
    internal virtual bool HasDecisionBands => false;

    private protected static void CheckLengths(ReadOnlySpan<double> source, Span<double> destination)
    {
        if (destination.Length != source.Length)
        {
            throw new ArgumentException($"destination holds {destination.Length} values, source {source.Length}", nameof(destination));
        }
    }

    private protected static double RequirePositive(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number above 0");
        }
        return value;
    }

    private protected static double RequireFinite(double value, string name)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number");
        }
        return value;
    }
}

/// <summary>Splits column work into chunks run in parallel when the column is long enough to pay for it.</summary>
internal static class ColumnParallel
{
    /// <summary>Below this many values one core does the work: the thread hand-off costs more than it saves.</summary>
    public const int Threshold = 1 << 16;

    private const int Chunk = 1 << 14;

    public static void For(int length, Action<int, int> body)
    {
        if (length < Threshold || Environment.ProcessorCount == 1)
        {
            body(0, length);
            return;
        }
        var chunks = (length + Chunk - 1) / Chunk;
        Parallel.For(0, chunks, k =>
        {
            var start = k * Chunk;
            body(start, Math.Min(Chunk, length - start));
        });
    }
}
