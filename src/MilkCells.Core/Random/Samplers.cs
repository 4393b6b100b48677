using System.Runtime.CompilerServices;

namespace MilkCells.Core.Random;

/// <summary>Samplers for the distributions the engine and the milk model draw from, on a <see cref="RandomStream"/>.</summary>
/// <remarks>
/// Each method names its algorithm. All are exact in distribution (rejection methods, no normal approximations),
/// and each consumes the stream deterministically, so results are reproducible bit for bit.
/// </remarks>
public static class Samplers
{
    private const double LnSqrt2Pi = 0.91893853320467274178;

    /// <summary>The margin of <see cref="Poisson"/>'s k = 0 shortcut: u ≤ 1 − m − 10⁻¹⁵ implies u ≤ fl(e^−m).</summary>
    /// <remarks>
    /// e^−m ≥ 1 − m for every m (convexity), and both sides lie in (0, 1) where a double's spacing is at most 2⁻⁵³
    /// (1.1×10⁻¹⁶). Evaluating 1 − m − 10⁻¹⁵ rounds twice, each by at most half a spacing, so its result is below
    /// 1 − m − 8.8×10⁻¹⁶; libm's exp is within one spacing of e^−m, so fl(e^−m) ≥ 1 − m − 1.2×10⁻¹⁶. A u under the
    /// shortcut's threshold is therefore under fl(e^−m), where inversion returns 0 after the same single uniform:
    /// the result and the stream consumed are the same bit for bit, without the exponential (most tau-leap draws have
    /// means far below 1 and return 0). For m ≥ 1 the threshold is negative and the shortcut never applies.
    /// </remarks>
    private const double ZeroMargin = 1e-15;
    private static readonly double[] LogFactorialTable = BuildLogFactorials(256);

    /// <summary>Exponential with the given rate (inversion: −ln U / rate).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Exponential(ref RandomStream rng, double rate) => -Math.Log(rng.NextDoubleNonZero()) / rate;

    /// <summary>Standard normal by the Box–Muller transform (Box &amp; Muller 1958, doi:10.1214/aoms/1177706645).</summary>
    /// <remarks>Uses two uniforms and discards the second normal, so every call consumes the same amount of the stream.</remarks>
    public static double StandardNormal(ref RandomStream rng)
    {
        var u1 = rng.NextDoubleNonZero();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Normal with mean and standard deviation.</summary>
    public static double Normal(ref RandomStream rng, double mean, double sd) => mean + sd * StandardNormal(ref rng);

    /// <summary>Log-normal whose logarithm has mean <paramref name="mu"/> and sd <paramref name="sigma"/>.</summary>
    public static double LogNormal(ref RandomStream rng, double mu, double sigma) => Math.Exp(Normal(ref rng, mu, sigma));

    /// <summary>Log-normal parameterised by its own median and coefficient of variation.</summary>
    /// <remarks>σ² = ln(1 + CV²); μ = ln(median). A CV of 0 returns the median exactly.</remarks>
    public static double LogNormalFromMedianCv(ref RandomStream rng, double median, double cv)
    {
        if (cv <= 0)
        {
            return median;
        }
        var sigma = Math.Sqrt(Math.Log(1 + cv * cv));
        return median * Math.Exp(sigma * StandardNormal(ref rng));
    }

    /// <summary>Gamma(shape, scale) by Marsaglia &amp; Tsang 2000, ACM TOMS 26:363, doi:10.1145/358407.358414.</summary>
    /// <remarks>For shape &lt; 1 the boost Gamma(a) = Gamma(a+1)·U^(1/a) from the same paper.</remarks>
    public static double Gamma(ref RandomStream rng, double shape, double scale)
    {
        if (!(shape > 0) || !(scale > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(shape), "gamma shape and scale must be positive");
        }
        if (shape < 1)
        {
            var boosted = Gamma(ref rng, shape + 1, 1.0);
            return scale * boosted * Math.Pow(rng.NextDoubleNonZero(), 1.0 / shape);
        }
        var d = shape - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = StandardNormal(ref rng);
                v = 1.0 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = rng.NextDoubleNonZero();
            var x2 = x * x;
            if (u < 1.0 - 0.0331 * x2 * x2 || Math.Log(u) < 0.5 * x2 + d * (1.0 - v + Math.Log(v)))
            {
                return scale * d * v;
            }
        }
    }

    /// <summary>Poisson with mean <paramref name="mean"/>.</summary>
    /// <remarks>
    /// Mean &lt; 10: sequential inversion from 0. Mean ≥ 10: PTRS, transformed rejection with squeeze
    /// (Hörmann 1993, Insurance: Mathematics and Economics 12:39, doi:10.1016/0167-6687(93)90997-4).
    /// </remarks>
    public static long Poisson(ref RandomStream rng, double mean)
    {
        if (!(mean >= 0) || double.IsInfinity(mean))
        {
            throw new ArgumentOutOfRangeException(nameof(mean), $"Poisson mean must be finite and non-negative, was {mean}");
        }
        if (mean == 0)
        {
            return 0;
        }
        if (mean < 10)
        {
            var u = rng.NextDouble();
            if (u <= 1 - mean - ZeroMargin)
            {
                return 0; // u ≤ e^−mean as computed below, so inversion stops at k = 0 (see ZeroMargin)
            }
            var p = Math.Exp(-mean);
            long k = 0;
            var cumulative = p;
            while (u > cumulative)
            {
                k++;
                p *= mean / k;
                var next = cumulative + p;
                if (next == cumulative)
                {
                    break; // the remaining tail is below double resolution
                }
                cumulative = next;
            }
            return k;
        }
        var slam = Math.Sqrt(mean);
        var logLam = double.NaN; // only the exact test below needs ln λ; most draws end at the squeeze (Hörmann: ~86 %)
        var b = 0.931 + 2.53 * slam;
        var a = -0.059 + 0.02483 * b;
        var vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            var u = rng.NextDouble() - 0.5;
            var v = rng.NextDouble();
            var us = 0.5 - Math.Abs(u);
            var k = Math.Floor((2 * a / us + b) * u + mean + 0.43);
            if (us >= 0.07 && v <= vr)
            {
                return (long)k;
            }
            if (k < 0 || (us < 0.013 && v > us))
            {
                continue;
            }
            if (double.IsNaN(logLam))
            {
                logLam = Math.Log(mean);
            }
            var invAlpha = 1.1239 + 1.1328 / (b - 3.4); // like ln λ, needed only here
            if (Math.Log(v) + Math.Log(invAlpha) - Math.Log(a / (us * us) + b) <= -mean + k * logLam - LogFactorial((long)k))
            {
                return (long)k;
            }
        }
    }

    /// <summary>Binomial(<paramref name="n"/>, <paramref name="p"/>).</summary>
    /// <remarks>
    /// n·min(p,1−p) &lt; 10: inversion. Otherwise BTRS, transformed rejection with squeeze
    /// (Hörmann 1993, J Stat Comput Simul 46:101, doi:10.1080/00949659308811496).
    /// </remarks>
    public static long Binomial(ref RandomStream rng, long n, double p)
    {
        if (n < 0 || !(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), $"binomial needs n ≥ 0 and 0 ≤ p ≤ 1 (n={n}, p={p})");
        }
        if (n == 0 || p == 0)
        {
            return 0;
        }
        if (p == 1)
        {
            return n;
        }
        if (p > 0.5)
        {
            return n - Binomial(ref rng, n, 1 - p);
        }
        var q = 1 - p;
        if (n * p < 10)
        {
            var s = p / q;
            var aa = (n + 1) * s;
            var r0 = Math.Pow(q, n);
            while (true)
            {
                var r = r0;
                var u = rng.NextDouble();
                long x = 0;
                while (u > r)
                {
                    u -= r;
                    x++;
                    if (x > n)
                    {
                        break;
                    }
                    r *= aa / x - s;
                }
                if (x <= n)
                {
                    return x;
                }
            }
        }
        var spq = Math.Sqrt(n * p * q);
        var b = 1.15 + 2.53 * spq;
        var a = -0.0873 + 0.0248 * b + 0.01 * p;
        var c = n * p + 0.5;
        var vr = 0.92 - 4.2 / b;
        var alpha = (2.83 + 5.1 / b) * spq;
        var lpq = Math.Log(p / q);
        var m = (long)Math.Floor((n + 1) * p);
        var h = LogFactorial(m) + LogFactorial(n - m);
        while (true)
        {
            var u = rng.NextDouble() - 0.5;
            var v = rng.NextDouble();
            var us = 0.5 - Math.Abs(u);
            var kd = Math.Floor((2 * a / us + b) * u + c);
            if (kd < 0 || kd > n)
            {
                continue;
            }
            var k = (long)kd;
            if (us >= 0.07 && v <= vr)
            {
                return k;
            }
            var lv = Math.Log(v * alpha / (a / (us * us) + b));
            if (lv <= h - LogFactorial(k) - LogFactorial(n - k) + (k - m) * lpq)
            {
                return k;
            }
        }
    }

    /// <summary>ln(k!), from a table below 256 and the Stirling series above (relative error &lt; 1e-15).</summary>
    public static double LogFactorial(long k)
    {
        if (k < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(k));
        }
        if (k < LogFactorialTable.Length)
        {
            return LogFactorialTable[k];
        }
        double x = k + 1;
        var inv = 1.0 / x;
        var inv2 = inv * inv;
        return (x - 0.5) * Math.Log(x) - x + LnSqrt2Pi + inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 / 1680)));
    }

    private static double[] BuildLogFactorials(int count)
    {
        var table = new double[count];
        for (var i = 2; i < count; i++)
        {
            table[i] = table[i - 1] + Math.Log(i);
        }
        return table;
    }
}
