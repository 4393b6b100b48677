namespace MilkCells.Engine.Expressions;

/// <summary>The built-in functions of the expression language and their arities.</summary>
/// <remarks>
/// <c>log(x)</c> and <c>ln(x)</c> are the natural logarithm, <c>log10(x)</c> base 10, <c>log(b, x)</c> base b;
/// <c>root(n, x)</c> the n-th root; <c>min</c>/<c>max</c> take one or more arguments; <c>piecewise(v1, c1, …,
/// [otherwise])</c> returns the first vᵢ whose cᵢ is true (NaN when none is and there is no otherwise).
/// Truth is non-zero; comparisons and logic return 1 or 0.
/// </remarks>
public static class BuiltinFunctions
{
    internal enum Fn : byte
    {
        Abs,
        Exp,
        Ln,
        Log10,
        Sqrt,
        Floor,
        Ceil,
        Sin,
        Cos,
        Tan,
        Asin,
        Acos,
        Atan,
        Sinh,
        Cosh,
        Tanh,
        Factorial,
        Pow,
        LogBase,
        Root,
        Min,
        Max,
        Rem,
        Quotient,
    }

    private static readonly Dictionary<string, (Fn Unary, Fn? Binary)> Table = new(StringComparer.Ordinal)
    {
        ["abs"] = (Fn.Abs, null),
        ["exp"] = (Fn.Exp, null),
        ["ln"] = (Fn.Ln, null),
        ["log"] = (Fn.Ln, Fn.LogBase),
        ["log10"] = (Fn.Log10, null),
        ["sqrt"] = (Fn.Sqrt, null),
        ["floor"] = (Fn.Floor, null),
        ["ceil"] = (Fn.Ceil, null),
        ["ceiling"] = (Fn.Ceil, null),
        ["sin"] = (Fn.Sin, null),
        ["cos"] = (Fn.Cos, null),
        ["tan"] = (Fn.Tan, null),
        ["asin"] = (Fn.Asin, null),
        ["acos"] = (Fn.Acos, null),
        ["atan"] = (Fn.Atan, null),
        ["sinh"] = (Fn.Sinh, null),
        ["cosh"] = (Fn.Cosh, null),
        ["tanh"] = (Fn.Tanh, null),
        ["factorial"] = (Fn.Factorial, null),
    };

    private static readonly Dictionary<string, Fn> BinaryOnly = new(StringComparer.Ordinal)
    {
        ["pow"] = Fn.Pow,
        ["power"] = Fn.Pow,
        ["root"] = Fn.Root,
        ["rem"] = Fn.Rem,
        ["quotient"] = Fn.Quotient,
    };

    /// <summary>Names with special forms rather than a fixed arity.</summary>
    private static readonly HashSet<string> SpecialForms = ["piecewise", "min", "max", "and", "or", "xor", "not"];

    /// <summary>Whether <paramref name="name"/> is a built-in function (so it cannot name a user function).</summary>
    public static bool IsBuiltin(string name) => Table.ContainsKey(name) || BinaryOnly.ContainsKey(name) || SpecialForms.Contains(name);

    internal static bool TryResolve(string name, int arity, out Fn fn)
    {
        if (arity == 1 && Table.TryGetValue(name, out var entry))
        {
            fn = entry.Unary;
            return true;
        }
        if (arity == 2 && Table.TryGetValue(name, out entry) && entry.Binary is { } b)
        {
            fn = b;
            return true;
        }
        if (arity == 2 && BinaryOnly.TryGetValue(name, out fn))
        {
            return true;
        }
        fn = default;
        return false;
    }

    internal static double Apply(Fn fn, double x) => fn switch
    {
        Fn.Abs => Math.Abs(x),
        Fn.Exp => Math.Exp(x),
        Fn.Ln => Math.Log(x),
        Fn.Log10 => Math.Log10(x),
        Fn.Sqrt => Math.Sqrt(x),
        Fn.Floor => Math.Floor(x),
        Fn.Ceil => Math.Ceiling(x),
        Fn.Sin => Math.Sin(x),
        Fn.Cos => Math.Cos(x),
        Fn.Tan => Math.Tan(x),
        Fn.Asin => Math.Asin(x),
        Fn.Acos => Math.Acos(x),
        Fn.Atan => Math.Atan(x),
        Fn.Sinh => Math.Sinh(x),
        Fn.Cosh => Math.Cosh(x),
        Fn.Tanh => Math.Tanh(x),
        Fn.Factorial => Factorial(x),
        _ => throw new ArgumentOutOfRangeException(nameof(fn)),
    };

    internal static double Apply(Fn fn, double x, double y) => fn switch
    {
        Fn.Pow => Math.Pow(x, y),
        Fn.LogBase => Math.Log(y) / Math.Log(x),
        Fn.Root => Math.Pow(y, 1.0 / x),
        Fn.Min => Math.Min(x, y),
        Fn.Max => Math.Max(x, y),
        Fn.Rem => x % y,
        Fn.Quotient => Math.Truncate(x / y),
        _ => throw new ArgumentOutOfRangeException(nameof(fn)),
    };

    private static double Factorial(double x)
    {
        if (!(x >= 0) || x != Math.Floor(x))
        {
            return double.NaN;
        }
        if (x > 170)
        {
            return double.PositiveInfinity;
        }
        var f = 1.0;
        for (var i = 2; i <= (int)x; i++)
        {
            f *= i;
        }
        return f;
    }
}
