namespace MilkCells.Cytometry.Transforms;

/// <summary>The logicle scale: linear near zero, logarithmic far from it, symmetric about data zero.</summary>
/// <remarks>
/// Parks, Roederer &amp; Moore 2006, "A new 'Logicle' display method avoids deceptive effects of logarithmic scaling
/// for low signals and compensated data", Cytometry A 69:541 (doi:10.1002/cyto.a.20258); the numerically careful
/// form (Taylor series at data zero, Halley iteration) follows Moore &amp; Parks 2012, Cytometry A 81:273
/// (doi:10.1002/cyto.a.22030); parameters as the Gating-ML 2.0 <c>logicle</c> transformation.
/// <para>
/// The scale value y ∈ [0, 1] of data value x is the root of B(y) = x, where for y ≥ x₁
/// B(y) = a·e^(b·y) − c·e^(−d·y) − f, and B(y) = −B(2x₁ − y) below. With w = W/(M+A), x₂ = A/(M+A), x₁ = x₂ + w,
/// x₀ = x₂ + 2w and b = (M+A)·ln10, d solves 2(ln d − ln b) + w(b + d) = 0 (this makes B″(x₁) = 0), and a, c, f
/// follow from B(x₁) = 0, B(1) = T and c/a = e^(x₀(b+d)).
/// </para>
/// Parameters: T top of scale, W linearisation width in decades, M decades, A additional negative decades;
/// requires T &gt; 0, M &gt; 0, 0 ≤ W ≤ M/2 and −W ≤ A ≤ M − 2W.
/// </remarks>
public sealed class LogicleTransform : BiexponentialScale
{
    private readonly double _d;
    private readonly double _a;
    private readonly double _c;
    private readonly double _f;

    /// <summary>A logicle scale with top <paramref name="t"/>, width <paramref name="w"/>, <paramref name="m"/> decades and <paramref name="a"/> extra negative decades.</summary>
    public LogicleTransform(double t, double w, double m, double a = 0)
        : base(t, w, m, a, widthMayBeZero: true)
    {
        _d = SolveD(B, Width);
        var cOverA = Math.Exp(X0 * (B + _d));
        var mfOverA = Math.Exp(B * X1) - cOverA * Math.Exp(-_d * X1);
        _a = T / (Math.Exp(B) - mfOverA - cOverA * Math.Exp(-_d));
        _c = cOverA * _a;
        _f = -mfOverA * _a;

        // Series of a·e^(b·y) − c·e^(−d·y) about x1; its quadratic term is 0 exactly, the condition d was chosen for.
        var taylor = ExponentialSeries(_a * Math.Exp(B * X1), B);
        var negative = ExponentialSeries(-_c * Math.Exp(-_d * X1), -_d);
        for (var k = 0; k < taylor.Length; k++)
        {
            taylor[k] += negative[k];
        }
        taylor[1] = 0;
        Initialize(_a, taylor);
    }

    /// <summary>The width W that shows a negative data value <paramref name="negativeReference"/> (e.g. the 5th percentile of compensated negatives) at the bottom of the linear region.</summary>
    /// <remarks>Parks, Roederer &amp; Moore 2006: W = (M − log10(T / |r|)) / 2, and 0 when r ≥ 0; limited to [0, M/2].</remarks>
    public static double WidthFor(double t, double m, double negativeReference)
    {
        RequirePositive(t, nameof(t));
        RequirePositive(m, nameof(m));
        if (!(negativeReference < 0))
        {
            return 0;
        }
        var w = (m - Math.Log10(t / -negativeReference)) / 2;
        return Math.Clamp(w, 0, m / 2);
    }

    internal override double ClosedForm(double scaled, out double slope, out double curvature)
    {
        var ae = _a * Math.Exp(B * scaled);
        var ce = _c * Math.Exp(-_d * scaled);
        slope = B * ae + _d * ce;
        curvature = B * B * ae - _d * _d * ce;
        return (ae + _f) - ce;
    }

    internal override double ClosedFormMagnitude(double scaled) =>
        Math.Abs(_a * Math.Exp(B * scaled)) + Math.Abs(_c * Math.Exp(-_d * scaled)) + Math.Abs(_f);

    /// <summary>Solves 2(ln d − ln b) + w(b + d) = 0 for d ∈ (0, b].</summary>
    /// <remarks>
    /// In u = ln d the function g(u) = 2u + w·e^u − (2 ln b − w·b) is increasing and convex, and g(ln b) = 2wb ≥ 0,
    /// so Newton's method started at u = ln b descends monotonically onto the root without overshooting.
    /// </remarks>
    internal static double SolveD(double b, double w)
    {
        if (w == 0)
        {
            return b;
        }
        var target = 2 * Math.Log(b) - w * b;
        var u = Math.Log(b);
        for (var i = 0; i < 200; i++)
        {
            var eu = Math.Exp(u);
            var step = (2 * u + w * eu - target) / (2 + w * eu);
            var next = u - step;
            if (next >= u || Math.Abs(step) <= Precision.Epsilon * Math.Max(1, Math.Abs(u)))
            {
                return Math.Exp(next < u ? next : u);
            }
            u = next;
        }
        return Math.Exp(u);
    }

    /// <inheritdoc />
    public override string ToString() => $"logicle(T={T:R}, W={W:R}, M={M:R}, A={A:R})";
}
