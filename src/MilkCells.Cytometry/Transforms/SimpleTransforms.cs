namespace MilkCells.Cytometry.Transforms;

/// <summary>Gating-ML 2.0 <c>flin</c>: the linear scale y = (x + A) / (T + A).</summary>
/// <remarks>
/// Spidlen et al. 2015, Gating-ML 2.0, Cytometry A 87:683 (doi:10.1002/cyto.a.22690); its <c>flin</c> transformation.
/// T is the top of scale (maps to 1); A extends the scale below zero (−A maps to 0). Requires T &gt; 0 and T + A &gt; 0.
/// </remarks>
public sealed class LinearTransform : ScaleTransform
{
    private readonly double _span;

    /// <summary>A linear scale with top <paramref name="t"/> and below-zero extension <paramref name="a"/>.</summary>
    public LinearTransform(double t, double a)
    {
        T = RequirePositive(t, nameof(t));
        A = RequireFinite(a, nameof(a));
        _span = T + A;
        if (!(_span > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(a), a, "T + A must be above 0");
        }
    }

    /// <summary>Top of scale.</summary>
    public double T { get; }

    /// <summary>Extension below zero.</summary>
    public double A { get; }

    /// <inheritdoc />
    public override double Apply(double value) => (value + A) / _span;

    /// <inheritdoc />
    public override double Inverse(double scaled) => scaled * _span - A;

    /// <inheritdoc />
    public override string ToString() => $"flin(T={T:R}, A={A:R})";
}

/// <summary>Gating-ML 2.0 <c>flog</c>: the logarithmic scale y = log10(x / T) / M + 1, undefined (NaN) for x ≤ 0.</summary>
/// <remarks>
/// Spidlen et al. 2015, Gating-ML 2.0, Cytometry A 87:683 (doi:10.1002/cyto.a.22690); its <c>flog</c> transformation.
/// T (top of scale) maps to 1 and M decades span the unit interval. Requires T &gt; 0 and M &gt; 0.
/// </remarks>
public sealed class LogTransform : ScaleTransform
{
    /// <summary>A logarithmic scale of <paramref name="m"/> decades below top of scale <paramref name="t"/>.</summary>
    public LogTransform(double t, double m)
    {
        T = RequirePositive(t, nameof(t));
        M = RequirePositive(m, nameof(m));
    }

    /// <summary>Top of scale.</summary>
    public double T { get; }

    /// <summary>Decades shown.</summary>
    public double M { get; }

    /// <inheritdoc />
    public override double Apply(double value) => value > 0 ? Math.Log10(value / T) / M + 1 : double.NaN;

    /// <inheritdoc />
    public override double Inverse(double scaled) => T * Math.Pow(10, (scaled - 1) * M);

    /// <inheritdoc />
    public override string ToString() => $"flog(T={T:R}, M={M:R})";
}

/// <summary>Gating-ML 2.0 <c>fasinh</c>: y = (asinh(x·sinh(M·ln10)/T) + A·ln10) / ((M + A)·ln10).</summary>
/// <remarks>
/// Spidlen et al. 2015, Gating-ML 2.0, Cytometry A 87:683 (doi:10.1002/cyto.a.22690); its <c>fasinh</c> transformation.
/// Near zero it is linear, far from zero logarithmic with M decades up to T; A adds decades below zero.
/// Requires T &gt; 0, M &gt; 0, 0 ≤ A ≤ M. For the cytometry habit "asinh(x / cofactor)" see <see cref="ArcsinhTransform"/>.
/// </remarks>
public sealed class AsinhTransform : ScaleTransform
{
    private readonly double _inputScale;
    private readonly double _offset;
    private readonly double _outputScale;

    /// <summary>An inverse-hyperbolic-sine scale with top <paramref name="t"/>, <paramref name="m"/> decades and <paramref name="a"/> negative decades.</summary>
    public AsinhTransform(double t, double m, double a)
    {
        T = RequirePositive(t, nameof(t));
        M = RequirePositive(m, nameof(m));
        A = RequireFinite(a, nameof(a));
        if (A < 0 || A > M)
        {
            throw new ArgumentOutOfRangeException(nameof(a), a, "A must lie in [0, M]");
        }
        _inputScale = Math.Sinh(M * Math.Log(10)) / T;
        _offset = A * Math.Log(10);
        _outputScale = (M + A) * Math.Log(10);
    }

    /// <summary>Top of scale.</summary>
    public double T { get; }

    /// <summary>Decades of the logarithmic part.</summary>
    public double M { get; }

    /// <summary>Additional negative decades.</summary>
    public double A { get; }

    /// <inheritdoc />
    public override double Apply(double value) => (Math.Asinh(value * _inputScale) + _offset) / _outputScale;

    /// <inheritdoc />
    public override double Inverse(double scaled) => Math.Sinh(scaled * _outputScale - _offset) / _inputScale;

    /// <inheritdoc />
    public override string ToString() => $"fasinh(T={T:R}, M={M:R}, A={A:R})";
}

/// <summary>The cytometry arcsinh with a cofactor: y = asinh(x / cofactor).</summary>
/// <remarks>
/// Bendall et al. 2011, Science 332:687 (doi:10.1126/science.1198704) popularised it with cofactor 5 for mass
/// cytometry; fluorescence data usually take 150. The cofactor is the width of the near-linear region around zero,
/// in the units of the data. Requires cofactor &gt; 0.
/// </remarks>
public sealed class ArcsinhTransform : ScaleTransform
{
    private readonly double _reciprocal;

    /// <summary>asinh(x / <paramref name="cofactor"/>).</summary>
    public ArcsinhTransform(double cofactor)
    {
        Cofactor = RequirePositive(cofactor, nameof(cofactor));
        _reciprocal = 1 / Cofactor;
    }

    /// <summary>The cofactor dividing the data.</summary>
    public double Cofactor { get; }

    /// <inheritdoc />
    public override double Apply(double value) => Math.Asinh(value * _reciprocal);

    /// <inheritdoc />
    public override double Inverse(double scaled) => Math.Sinh(scaled) * Cofactor;

    /// <inheritdoc />
    public override string ToString() => $"arcsinh(cofactor={Cofactor:R})";
}

/// <summary>Gating-ML 2.0 <c>fratio</c>: the new dimension y = A·(x₁ − B) / (x₂ − C) made from two channels.</summary>
/// <remarks>Spidlen et al. 2015, Gating-ML 2.0, Cytometry A 87:683 (doi:10.1002/cyto.a.22690); its <c>fratio</c> transformation.</remarks>
public sealed record RatioTransform(double A, double B, double C)
{
    /// <summary>The ratio of one event's two values.</summary>
    public double Apply(double numerator, double denominator) => A * (numerator - B) / (denominator - C);

    /// <summary>The ratio for every event of two columns.</summary>
    public void Apply(ReadOnlySpan<double> numerators, ReadOnlySpan<double> denominators, Span<double> destination)
    {
        if (numerators.Length != denominators.Length || destination.Length != numerators.Length)
        {
            throw new ArgumentException("ratio columns differ in length");
        }
        for (var i = 0; i < numerators.Length; i++)
        {
            destination[i] = A * (numerators[i] - B) / (denominators[i] - C);
        }
    }
}
