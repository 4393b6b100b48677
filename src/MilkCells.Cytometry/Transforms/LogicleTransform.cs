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
public sealed class LogicleTransform : ScaleTransform
{
    private const int TaylorLength = 16;

    private readonly double _w;
    private readonly double _x1;
    private readonly double _b;
    private readonly double _d;
    private readonly double _a;
    private readonly double _c;
    private readonly double _f;
    private readonly double _xTaylor;
    private readonly InverseTable _table;
    private readonly double[] _taylor = new double[TaylorLength];

    /// <summary>A logicle scale with top <paramref name="t"/>, width <paramref name="w"/>, <paramref name="m"/> decades and <paramref name="a"/> extra negative decades.</summary>
    public LogicleTransform(double t, double w, double m, double a = 0)
    {
        T = RequirePositive(t, nameof(t));
        M = RequirePositive(m, nameof(m));
        W = RequireFinite(w, nameof(w));
        A = RequireFinite(a, nameof(a));
        if (W < 0 || 2 * W > M)
        {
            throw new ArgumentOutOfRangeException(nameof(w), w, "W must lie in [0, M/2]");
        }
        if (-A > W || A + W > M - W)
        {
            throw new ArgumentOutOfRangeException(nameof(a), a, "A must lie in [−W, M − 2W]");
        }

        _w = W / (M + A);
        var x2 = A / (M + A);
        _x1 = x2 + _w;
        var x0 = x2 + 2 * _w;
        _b = (M + A) * Math.Log(10);
        _d = SolveD(_b, _w);
        var cOverA = Math.Exp(x0 * (_b + _d));
        var mfOverA = Math.Exp(_b * _x1) - cOverA * Math.Exp(-_d * _x1);
        _a = T / (Math.Exp(_b) - mfOverA - cOverA * Math.Exp(-_d));
        _c = cOverA * _a;
        _f = -mfOverA * _a;

        // Near data zero the closed form loses digits to cancellation; a series about x1 does not.
        _xTaylor = _x1 + _w / 4;
        var positive = _a * Math.Exp(_b * _x1);
        var negative = -_c * Math.Exp(-_d * _x1);
        for (var k = 0; k < TaylorLength; k++)
        {
            positive *= _b / (k + 1);
            negative *= -_d / (k + 1);
            _taylor[k] = positive + negative;
        }
        _taylor[1] = 0; // B''(x1) = 0 exactly: the condition d was chosen for
        _table = new InverseTable(Inverse, _x1, 1);
    }

    /// <summary>Top of scale (the data value mapped to 1).</summary>
    public double T { get; }

    /// <summary>Width of the linear region, in decades.</summary>
    public double W { get; }

    /// <summary>Decades of the full scale.</summary>
    public double M { get; }

    /// <summary>Additional negative decades.</summary>
    public double A { get; }

    /// <summary>The scale value of data zero (x₁).</summary>
    public double ZeroScale => _x1;

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

    /// <inheritdoc />
    public override double Inverse(double scaled)
    {
        if (double.IsNaN(scaled))
        {
            return double.NaN;
        }
        var negative = scaled < _x1;
        if (negative)
        {
            scaled = 2 * _x1 - scaled;
        }
        var value = scaled < _xTaylor ? Series(scaled) : ClosedForm(scaled);
        return negative ? -value : value;
    }

    /// <inheritdoc />
    public override double Apply(double value)
    {
        if (value == 0)
        {
            return _x1;
        }
        if (!double.IsFinite(value))
        {
            return value; // NaN stays NaN; ±∞ is beyond every scale
        }
        var negative = value < 0;
        var target = Math.Abs(value);
        var y = target <= _table.Top ? _table.Guess(target) : Math.Log(target / _a) / _b;
        var root = Halley(target, y) ?? RootFinding.Bisect(Inverse, target, _x1, Math.Max(y, _x1 + 1));
        return negative ? 2 * _x1 - root : root;
    }

    private double? Halley(double target, double y)
    {
        for (var i = 0; i < 20; i++)
        {
            var ae = _a * Math.Exp(_b * y);
            var ce = _c * Math.Exp(-_d * y);
            var residual = y < _xTaylor ? Series(y) - target : (ae + _f) - (ce + target);
            var slope = _b * ae + _d * ce;
            var curvature = _b * _b * ae - _d * _d * ce;
            var step = residual / (slope * (1 - residual * curvature / (2 * slope * slope)));
            y -= step;
            if (Math.Abs(step) < 3 * Precision.Epsilon * Math.Max(1, Math.Abs(y)))
            {
                return y;
            }
            if (!double.IsFinite(y))
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>The defining formula for scale ≥ x₁ (loses digits to cancellation near x₁).</summary>
    internal double ClosedForm(double scaled) => (_a * Math.Exp(_b * scaled) + _f) - _c * Math.Exp(-_d * scaled);

    /// <summary>The sum of the magnitudes the closed form adds up, for judging its rounding error.</summary>
    internal double ClosedFormMagnitude(double scaled) => Math.Abs(_a * Math.Exp(_b * scaled)) + Math.Abs(_c * Math.Exp(-_d * scaled)) + Math.Abs(_f);

    /// <summary>The Taylor series about x₁ (used below x₁ + w/4).</summary>
    internal double Series(double scaled)
    {
        var x = scaled - _x1;
        var sum = _taylor[TaylorLength - 1] * x;
        for (var k = TaylorLength - 2; k >= 0; k--)
        {
            sum = (sum + _taylor[k]) * x;
        }
        return sum;
    }

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

/// <summary>Floating-point constants shared by the iterative transforms.</summary>
internal static class Precision
{
    /// <summary>Machine epsilon of double, 2⁻⁵².</summary>
    public const double Epsilon = 2.220446049250313e-16;
}

/// <summary>A safeguarded fallback for monotone scale functions.</summary>
internal static class RootFinding
{
    /// <summary>The y in [lo, …) with f(y) = target for increasing f, by bracketing then bisection to the last bit.</summary>
    public static double Bisect(Func<double, double> f, double target, double lo, double hi)
    {
        var width = Math.Max(hi - lo, 1);
        while (f(hi) < target && double.IsFinite(hi))
        {
            hi = lo + (width *= 2);
        }
        for (var i = 0; i < 2100; i++)
        {
            var mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi)
            {
                break;
            }
            if (f(mid) < target)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }
}

/// <summary>A monotone scale's data values at evenly spaced scale values, giving Apply a first guess close enough for Halley's method to finish in about two steps.</summary>
/// <remarks>
/// Within one of 1024 steps the data grow by at most e^(b/1024) ≈ 1%, so linear interpolation guesses the scale
/// value to about 1e-8, and one cubically convergent Halley step takes that to rounding level.
/// </remarks>
internal sealed class InverseTable
{
    private const int Steps = 1024;
    private readonly double _start;
    private readonly double _step;
    private readonly double[] _data = new double[Steps + 1];

    /// <summary>Tabulates <paramref name="inverse"/> from scale <paramref name="start"/> to <paramref name="end"/>.</summary>
    public InverseTable(Func<double, double> inverse, double start, double end)
    {
        _start = start;
        _step = (end - start) / Steps;
        for (var k = 0; k <= Steps; k++)
        {
            _data[k] = inverse(start + k * _step);
        }
    }

    /// <summary>The largest data value tabulated.</summary>
    public double Top => _data[Steps];

    /// <summary>A scale value near the one whose data value is <paramref name="target"/> (within the table).</summary>
    public double Guess(double target)
    {
        var data = _data;
        int lo = 0, hi = Steps;
        while (hi - lo > 1)
        {
            var mid = (lo + hi) >>> 1;
            if (data[mid] <= target)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        var span = data[hi] - data[lo];
        var fraction = span > 0 ? (target - data[lo]) / span : 0;
        return _start + (lo + fraction) * _step;
    }
}
