namespace MilkCells.Cytometry.Transforms;

/// <summary>The hyperlog scale: like logicle, but the part that makes it linear near zero is a straight line.</summary>
/// <remarks>
/// Bagwell 2005, "Hyperlog — a flexible log-like transform for negative, zero, and positive valued data",
/// Cytometry A 64:34 (doi:10.1002/cyto.a.20114), in the parametrisation of the Gating-ML 2.0 <c>hyperlog</c> transformation (Spidlen et al. 2015,
/// doi:10.1002/cyto.a.22690), which places data zero and the linear width as the logicle with the same T, W, M, A.
/// <para>
/// The scale value y of data value x is the root of EH(y) = x, where for y ≥ x₁ EH(y) = a·e^(b·y) + c·y − f and
/// EH(y) = −EH(2x₁ − y) below; w = W/(M+A), x₂ = A/(M+A), x₁ = x₂ + w, x₀ = x₂ + 2w, b = (M+A)·ln10,
/// c/a = e^(b·x₀)/w, f/a = e^(b·x₁) + (c/a)·x₁, and a = T / (e^b + c/a − f/a), so that EH(x₁) = 0 and EH(1) = T.
/// </para>
/// Requires T &gt; 0, M &gt; 0, 0 &lt; W ≤ M/2 and −W ≤ A ≤ M − 2W.
/// </remarks>
public sealed class HyperlogTransform : BiexponentialScale
{
    private readonly double _a;
    private readonly double _c;
    private readonly double _f;

    /// <summary>A hyperlog scale with top <paramref name="t"/>, width <paramref name="w"/>, <paramref name="m"/> decades and <paramref name="a"/> extra negative decades.</summary>
    public HyperlogTransform(double t, double w, double m, double a = 0)
        : base(t, w, m, a, widthMayBeZero: false)
    {
        var cOverA = Math.Exp(B * X0) / Width;
        var fOverA = Math.Exp(B * X1) + cOverA * X1;
        _a = T / (Math.Exp(B) + cOverA - fOverA);
        _c = cOverA * _a;
        _f = fOverA * _a;

        var taylor = ExponentialSeries(_a * Math.Exp(B * X1), B);
        taylor[0] += _c; // the linear term c·y
        Initialize(_a, taylor);
    }

    internal override double ClosedForm(double scaled, out double slope, out double curvature)
    {
        var ae = _a * Math.Exp(B * scaled);
        slope = B * ae + _c;
        curvature = B * B * ae;
        return (ae + _c * scaled) - _f;
    }

    internal override double ClosedFormMagnitude(double scaled) =>
        Math.Abs(_a * Math.Exp(B * scaled)) + Math.Abs(_c * scaled) + Math.Abs(_f);

    /// <inheritdoc />
    public override string ToString() => $"hyperlog(T={T:R}, W={W:R}, M={M:R}, A={A:R})";
}
