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
public sealed class HyperlogTransform : ScaleTransform
{
    private const int TaylorLength = 16;

    private readonly double _w;
    private readonly double _x1;
    private readonly double _b;
    private readonly double _a;
    private readonly double _c;
    private readonly double _f;
    private readonly double _xTaylor;
    private readonly InverseTable _table;
    private readonly double[] _taylor = new double[TaylorLength];

    /// <summary>A hyperlog scale with top <paramref name="t"/>, width <paramref name="w"/>, <paramref name="m"/> decades and <paramref name="a"/> extra negative decades.</summary>
    public HyperlogTransform(double t, double w, double m, double a = 0)
    {
        T = RequirePositive(t, nameof(t));
        M = RequirePositive(m, nameof(m));
        W = RequirePositive(w, nameof(w));
        A = RequireFinite(a, nameof(a));
        if (2 * W > M)
        {
            throw new ArgumentOutOfRangeException(nameof(w), w, "W must lie in (0, M/2]");
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
        var cOverA = Math.Exp(_b * x0) / _w;
        var fOverA = Math.Exp(_b * _x1) + cOverA * _x1;
        _a = T / (Math.Exp(_b) + cOverA - fOverA);
        _c = cOverA * _a;
        _f = fOverA * _a;

        _xTaylor = _x1 + _w / 4;
        var coefficient = _a * Math.Exp(_b * _x1);
        for (var k = 0; k < TaylorLength; k++)
        {
            coefficient *= _b / (k + 1);
            _taylor[k] = coefficient;
        }
        _taylor[0] += _c; // the linear term of c·y
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
            return value;
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
            var residual = y < _xTaylor ? Series(y) - target : (ae + _c * y) - (_f + target);
            var slope = _b * ae + _c;
            var curvature = _b * _b * ae;
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
    internal double ClosedForm(double scaled) => (_a * Math.Exp(_b * scaled) + _c * scaled) - _f;

    /// <summary>The sum of the magnitudes the closed form adds up, for judging its rounding error.</summary>
    internal double ClosedFormMagnitude(double scaled) => Math.Abs(_a * Math.Exp(_b * scaled)) + Math.Abs(_c * scaled) + Math.Abs(_f);

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

    /// <inheritdoc />
    public override string ToString() => $"hyperlog(T={T:R}, W={W:R}, M={M:R}, A={A:R})";
}
