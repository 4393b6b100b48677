using MilkCells.Engine.Expressions;

namespace MilkCells.Engine.Tests;

public class ExpressionTests
{
    [Theory]
    [InlineData("-x^2", "-(x ^ 2)")]
    [InlineData("2^-1", "2 ^ (-1)")]
    [InlineData("a - b - c", "a - b - c")]
    [InlineData("a - (b - c)", "a - (b - c)")]
    [InlineData("a / b / c", "a / b / c")]
    [InlineData("a / (b * c)", "a / (b * c)")]
    [InlineData("x^y^z", "x ^ (y ^ z)")]
    [InlineData("!a && b || c", "!a && b || c")]
    [InlineData("a < b == (c > d)", "(a < b) == (c > d)")]
    [InlineData("(k1 * P * (P - 1)) / 2", "k1 * P * (P - 1) / 2")]
    [InlineData("piecewise(1, time >= 2.5, 0)", "piecewise(1, time >= 2.5, 0)")]
    [InlineData("1e-3 * X", "0.001 * X")]
    public void Parses_with_the_documented_precedence(string text, string printed)
    {
        Assert.Equal(printed, Expr.Parse(text).ToString());
    }

    [Theory]
    [InlineData("k1 * P * (P - 1) / 2")]
    [InlineData("-(-x)")]
    [InlineData("a - -2")]
    [InlineData("(-2) ^ 2")]
    [InlineData("-(2)")]
    [InlineData("exp(-(a + b) / c) ^ 2 - log(10, y)")]
    [InlineData("piecewise(x, x > 0 && !(y <= 1), -x)")]
    [InlineData("max(a, b, c) + min(1) * pi")]
    public void Printing_then_parsing_gives_the_same_tree(string text)
    {
        var e = Expr.Parse(text);
        Assert.Equal(e, Expr.Parse(e.ToString()));
    }

    [Theory]
    [InlineData("a +", 4, "ended")]
    [InlineData("(a + b", 7, "')'")]
    [InlineData("a $ b", 3, "'$'")]
    [InlineData("f(a,", 5, "ended")]
    public void Syntax_errors_give_the_column(string text, int column, string fragment)
    {
        var ex = Assert.Throws<ExprSyntaxException>(() => Expr.Parse(text));
        Assert.Equal(column, ex.Column);
        Assert.Contains(fragment, ex.Problem);
    }

    [Fact]
    public void Bytecode_matches_the_math_library()
    {
        var v = new[] { 1.0, 0.0, 2.5, -0.75, 7.0 };
        Binding? Resolve(string name) => name switch
        {
            "a" => Binding.ForSlot(2),
            "b" => Binding.ForSlot(3),
            "c" => Binding.ForSlot(4),
            "conc" => Binding.ForRatio(4, 2),
            "local" => Binding.ForConstant(0.125),
            _ => null,
        };
        double Eval(string text) => CompiledExpr.Compile(Expr.Parse(text), Resolve, 1).Evaluate(v);
        double a = v[2], b = v[3], c = v[4];
        Assert.Equal(Math.Exp(a) * Math.Log(c) - Math.Pow(a, b), Eval("exp(a) * ln(c) - a^b"));
        Assert.Equal(Math.Log10(c) + Math.Log(c) / Math.Log(a), Eval("log10(c) + log(a, c)"));
        Assert.Equal(Math.Pow(c, 1.0 / 3), Eval("root(3, c)"));
        Assert.Equal(Math.Sqrt(a) + Math.Abs(b) + Math.Floor(b) + Math.Ceiling(b), Eval("sqrt(a) + abs(b) + floor(b) + ceil(b)"));
        Assert.Equal(Math.Min(a, Math.Min(b, c)) + Math.Max(a, Math.Max(b, c)), Eval("min(a, b, c) + max(a, b, c)"));
        Assert.Equal(c / a + 0.125, Eval("conc + local"));
        Assert.Equal(b, Eval("piecewise(a, a < 0, b, b < 0, c)"));
        Assert.Equal(c, Eval("piecewise(a, a < 0, b, b > 0, c)"));
        Assert.True(double.IsNaN(Eval("piecewise(a, a < 0)")));
        Assert.Equal(1, Eval("a > b && (b < 0 || c < 0) && !(a == b) && xor(a > 0, b > 0)"));
        Assert.Equal(0, Eval("and(a > 0, b > 0)"));
        Assert.Equal(24, Eval("factorial(4)"));
        Assert.Equal(7.0 % 2.5, Eval("rem(c, a)"));
        Assert.Equal(Math.Truncate(c / a), Eval("quotient(c, a)"));
    }

    [Fact]
    public void Unknown_names_and_arities_are_reported()
    {
        Binding? None(string _) => null;
        Assert.Contains("undefined identifier 'k'", Assert.Throws<UnresolvedException>(() => CompiledExpr.Compile(Expr.Parse("2 * k"), None, 1)).Message);
        Assert.Contains("undefined function 'hill'", Assert.Throws<UnresolvedException>(() => CompiledExpr.Compile(Expr.Parse("hill(2)"), None, 1)).Message);
        Assert.Contains("does not take 3", Assert.Throws<UnresolvedException>(() => CompiledExpr.Compile(Expr.Parse("exp(1, 2, 3)"), None, 1)).Message);
    }
}
