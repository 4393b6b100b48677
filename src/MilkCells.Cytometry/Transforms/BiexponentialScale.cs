namespace MilkCells.Cytometry.Transforms;

/// <summary>What the logicle and hyperlog scales share: a data function B(y) odd about data zero, inverted numerically.</summary>
/// <remarks>
/// Moore &amp; Parks 2012, "Update for the logicle data scale including operational code implementations", Cytometry A
/// 81:273 (doi:10.1002/cyto.a.22030): B is evaluated by its defining formula for y ≥ x₁ + w/4, by a 16-term Taylor
/// series about data zero x₁ below that (where the formula loses digits to cancellation), and reflected,
/// B(y) = −B(2x₁ − y), below x₁. The scale value of a data value is found by Halley's method (cubic convergence) from
/// a first guess read off a table of B (after which one step usually suffices), falling back to bisection should Halley ever fail.
/// </remarks>
public abstract class BiexponentialScale : ScaleTransform
{
    private const int TaylorLength = 16;

    private double _a;
    private double[] _taylor = [];
    private InverseTable? _table;

    /// <summary>Validates and keeps the Gating-ML parameters: T &gt; 0, M &gt; 0, 0 ≤ W ≤ M/2 (W &gt; 0 unless <paramref name="widthMayBeZero"/>), −W ≤ A ≤ M − 2W.</summary>
    private protected BiexponentialScale(double t, double w, double m, double a, bool widthMayBeZero)
    {
        T = RequirePositive(t, nameof(t));
        M = RequirePositive(m, nameof(m));
        W = widthMayBeZero ? RequireFinite(w, nameof(w)) : RequirePositive(w, nameof(w));
        A = RequireFinite(a, nameof(a));
        if (W < 0 || 2 * W > M)
        {
            throw new ArgumentOutOfRangeException(nameof(w), w, widthMayBeZero ? "W must lie in [0, M/2]" : "W must lie in (0, M/2]");
        }
        if (-A > W || A + W > M - W)
        {
            throw new ArgumentOutOfRangeException(nameof(a), a, "A must lie in [−W, M − 2W]");
        }
        // The shared placement: w = W/(M+A), x2 = A/(M+A), x1 = x2 + w (data zero), x0 = x2 + 2w, b = (M+A)·ln10.
        Width = W / (M + A);
        X1 = A / (M + A) + Width;
        X0 = A / (M + A) + 2 * Width;
        B = (M + A) * Math.Log(10);
    }

    /// <summary>w, the linear width on the scale.</summary>
    private protected double Width { get; }

    /// <summary>x₁, the scale value of data zero.</summary>
    private protected double X1 { get; }

    /// <summary>x₀ = x₁ + w.</summary>
    private protected double X0 { get; }

    /// <summary>b = (M + A)·ln 10, the growth rate of the logarithmic part.</summary>
    private protected double B { get; }

    /// <summary>Below x₁ + w/4 the Taylor series replaces the formula.</summary>
    private double XTaylor => X1 + Width / 4;

    /// <summary>Top of scale (the data value mapped to 1).</summary>
    public double T { get; }

    /// <summary>Width of the linear region, in decades.</summary>
    public double W { get; }

    /// <summary>Decades of the full scale.</summary>
    public double M { get; }

    /// <summary>Additional negative decades.</summary>
    public double A { get; }

    /// <summary>The scale value of data zero (x₁).</summary>
    public double ZeroScale => X1;

    /// <summary>Sets the growth a of a·e^(b·y) and the series coefficients of B about x₁ (powers 1…16).</summary>
    private protected void Initialize(double a, double[] taylor)
    {
        if (taylor.Length != TaylorLength)
        {
            throw new ArgumentException($"{TaylorLength} Taylor coefficients expected", nameof(taylor));
        }
        _a = a;
        _taylor = taylor;
        _table = new InverseTable(Inverse, X1, 1);
    }

    /// <summary>The Taylor coefficients of e^(r·(y − x₁)) scaled by <paramref name="scale"/>: scale·rᵏ/k! for k = 1…16.</summary>
    private protected static double[] ExponentialSeries(double scale, double rate)
    {
        var coefficients = new double[TaylorLength];
        for (var k = 0; k < TaylorLength; k++)
        {
            scale *= rate / (k + 1);
            coefficients[k] = scale;
        }
        return coefficients;
    }

    /// <summary>The defining formula B(y) for y ≥ x₁, with its first and second derivatives.</summary>
    internal abstract double ClosedForm(double scaled, out double slope, out double curvature);

    /// <summary>The defining formula B(y) for y ≥ x₁ (loses digits to cancellation near x₁).</summary>
    internal double ClosedForm(double scaled) => ClosedForm(scaled, out _, out _);

    /// <summary>The sum of the magnitudes the closed form adds up, for judging its rounding error.</summary>
    internal abstract double ClosedFormMagnitude(double scaled);

    /// <summary>The Taylor series of B about x₁ (used below x₁ + w/4).</summary>
    internal double Series(double scaled)
    {
        var x = scaled - X1;
        var sum = _taylor[TaylorLength - 1] * x;
        for (var k = TaylorLength - 2; k >= 0; k--)
        {
            sum = (sum + _taylor[k]) * x;
        }
        return sum;
    }

    /// <inheritdoc />
    public override double Inverse(double scaled)
    {
        if (double.IsNaN(scaled))
        {
            return double.NaN;
        }
        var negative = scaled < X1;
        if (negative)
        {
            scaled = 2 * X1 - scaled;
        }
        var value = scaled < XTaylor ? Series(scaled) : ClosedForm(scaled);
        return negative ? -value : value;
    }

    /// <inheritdoc />
    public override double Apply(double value)
    {
        if (value == 0)
        {
            return X1;
        }
        if (!double.IsFinite(value))
        {
            return value; // NaN stays NaN; ±∞ is beyond every scale
        }
        var negative = value < 0;
        var target = Math.Abs(value);
        var y = target <= _table!.Top ? _table.Guess(target) : Math.Log(target / _a) / B;
        var root = Halley(target, y) ?? RootFinding.Bisect(Inverse, target, X1, Math.Max(y, X1 + 1));
        return negative ? 2 * X1 - root : root;
    }

    /// <inheritdoc />
    internal override bool HasDecisionBands => true;

    /// <inheritdoc />
    /// <remarks>
    /// B is increasing, so a data value below B(cut − δ) has a scale value below cut − δ and one above B(cut + δ) a
    /// scale value above cut + δ. Apply and Inverse are both accurate to a few units in the last place (Halley to
    /// rounding level; the formula or series), so with δ = 10⁻⁹·max(1, |cut|), six orders of magnitude above those
    /// errors, the computed scale value falls on the same side of the cut as the true one outside the band.
    /// </remarks>
    internal override (double Below, double Above)? DecisionBand(double cut)
    {
        if (!double.IsFinite(cut))
        {
            return null;
        }
        var delta = 1e-9 * Math.Max(1, Math.Abs(cut));
        var below = Inverse(cut - delta);
        var above = Inverse(cut + delta);
        return double.IsFinite(below) && double.IsFinite(above) && below < above ? (below, above) : null;
    }

    private double? Halley(double target, double y)
    {
        for (var i = 0; i < 20; i++)
        {
            var formula = ClosedForm(y, out var slope, out var curvature);
            var residual = (y < XTaylor ? Series(y) : formula) - target;
            var step = residual / (slope * (1 - residual * curvature / (2 * slope * slope)));
            y -= step;
            // Halley's error after a step s is about K·s³ with |K| <= 5b²/12 (as |B‴/B′| <= b² and |B″/B′| <= b);
            // once b²·s³ is below ε the next step could not change y, so stop here.
            if (B * B * Math.Abs(step * step * step) < Precision.Epsilon * Math.Max(1, Math.Abs(y)))
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

    /// <summary>The largest index i with table[i] ≤ target, for an increasing table with table[0] ≤ target &lt; table[^1].</summary>
    public static int Bracket(double[] table, double target)
    {
        int lo = 0, hi = table.Length - 1;
        while (hi - lo > 1)
        {
            var mid = (lo + hi) >>> 1;
            if (table[mid] <= target)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}

/// <summary>A monotone scale's data values at evenly spaced scale values, giving Apply a first guess close enough for one Halley step.</summary>
/// <remarks>
/// Within one of 1024 steps the data grow by about e^(b/1024) ≈ 1%, so linear interpolation guesses the scale
/// value to about 1e-8, and one cubically convergent Halley step takes that to rounding level.
/// The step holding a data value is found from an index on the value's leading bits (exponent and 7 bits of
/// mantissa, buckets 2⁻⁷ ≈ 0.8% wide) and a short forward scan: the same step a binary search finds, without its
/// ten unpredictable branches per value.
/// </remarks>
internal sealed class InverseTable
{
    private const int Steps = 1024;
    private const int KeyShift = 45; // 52 mantissa bits − 7 kept
    private readonly double _start;
    private readonly double _step;
    private readonly double[] _data = new double[Steps + 1];
    private readonly long _firstKey;
    private readonly int[]? _bucketStart;

    /// <summary>Tabulates <paramref name="inverse"/> from scale <paramref name="start"/> to <paramref name="end"/>.</summary>
    public InverseTable(Func<double, double> inverse, double start, double end)
    {
        _start = start;
        _step = (end - start) / Steps;
        for (var k = 0; k <= Steps; k++)
        {
            _data[k] = inverse(start + k * _step);
        }
        // Buckets of positive doubles by their leading bits, from the table's second entry to its top; each holds the
        // step of its smallest value (a positive double's bits order as its value). Only for an increasing table whose
        // index stays small (a few thousand buckets for the usual scales); otherwise Step is the binary search itself.
        var first = _data[1];
        var increasing = _data[0] >= 0 && first > 0 && double.IsFinite(Top);
        for (var k = 1; k < Steps && increasing; k++)
        {
            increasing = _data[k + 1] > _data[k];
        }
        _firstKey = increasing ? Key(first) : 0;
        var buckets = increasing ? Key(Top) - _firstKey + 1 : 0;
        if (buckets is > 0 and <= 1 << 16)
        {
            _bucketStart = new int[buckets];
            for (var b = 0; b < buckets; b++)
            {
                var smallest = Math.Max(BitConverter.Int64BitsToDouble((_firstKey + b) << KeyShift), first);
                _bucketStart[b] = smallest >= Top ? Steps - 1 : RootFinding.Bracket(_data, smallest);
            }
        }
    }

    /// <summary>The largest data value tabulated.</summary>
    public double Top => _data[Steps];

    /// <summary>A scale value near the one whose data value is <paramref name="target"/> (within the table).</summary>
    public double Guess(double target)
    {
        if (target >= Top)
        {
            return _start + Steps * _step;
        }
        var lo = Step(target);
        var span = _data[lo + 1] - _data[lo];
        var fraction = span > 0 ? (target - _data[lo]) / span : 0;
        return _start + (lo + fraction) * _step;
    }

    /// <summary>The largest index i with table[i] ≤ target (as <see cref="RootFinding.Bracket"/>), for table[0] ≤ target &lt; table[^1].</summary>
    internal int Step(double target)
    {
        if (_bucketStart is null || !(target >= _data[1]))
        {
            return RootFinding.Bracket(_data, target);
        }
        var lo = _bucketStart[Key(target) - _firstKey];
        while (_data[lo + 1] <= target)
        {
            lo++;
        }
        return lo;
    }

    private static long Key(double positive) => BitConverter.DoubleToInt64Bits(positive) >> KeyShift;
}
