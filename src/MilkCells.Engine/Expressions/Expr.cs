using System.Globalization;
using System.Text;

namespace MilkCells.Engine.Expressions;

/// <summary>An immutable expression tree: rate laws, rules, triggers and assignments are all written as these.</summary>
/// <remarks>
/// The text syntax (<see cref="ExprParser"/>) is infix: <c>+ - * / ^</c>, comparisons <c>&lt; &lt;= &gt; &gt;= == !=</c>,
/// logic <c>&amp;&amp; || !</c> (or <c>and(…)</c>, <c>or(…)</c>, <c>not(…)</c>, <c>xor(…)</c>), calls such as
/// <c>exp(x)</c>, <c>piecewise(v1, c1, …, otherwise)</c>, the symbol <c>time</c>, and the constants <c>pi</c>,
/// <c>exponentiale</c>, <c>true</c>, <c>false</c>, <c>infinity</c>. <see cref="ToString"/> prints text that parses
/// back to an equal tree.
/// </remarks>
public abstract record Expr
{
    /// <summary>The expression as parseable text.</summary>
    public sealed override string ToString()
    {
        var sb = new StringBuilder();
        Print(sb, 0);
        return sb.ToString();
    }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="ExprSyntaxException"/> on a syntax error.</summary>
    public static Expr Parse(string text) => ExprParser.Parse(text);

    /// <summary>Every identifier the expression names (not <c>time</c>, not function names).</summary>
    public IEnumerable<string> Identifiers()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<Expr>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            switch (stack.Pop())
            {
                case Sym s when seen.Add(s.Name):
                    yield return s.Name;
                    break;
                case Unary u:
                    stack.Push(u.Operand);
                    break;
                case Binary b:
                    stack.Push(b.Right);
                    stack.Push(b.Left);
                    break;
                case Call c:
                    for (var i = c.Args.Count - 1; i >= 0; i--)
                    {
                        stack.Push(c.Args[i]);
                    }
                    break;
            }
        }
    }

    /// <summary>Whether the expression mentions <c>time</c>.</summary>
    public bool UsesTime() => Any(e => e is TimeSymbol);

    /// <summary>Whether any node satisfies <paramref name="predicate"/>.</summary>
    public bool Any(Func<Expr, bool> predicate) => predicate(this) || this switch
    {
        Unary u => u.Operand.Any(predicate),
        Binary b => b.Left.Any(predicate) || b.Right.Any(predicate),
        Call c => c.Args.Any(a => a.Any(predicate)),
        _ => false,
    };

    /// <summary>Rebuilds the tree bottom-up, replacing each node by <paramref name="rewrite"/>'s result.</summary>
    public Expr Rewrite(Func<Expr, Expr> rewrite) => rewrite(this switch
    {
        Unary u => u with { Operand = u.Operand.Rewrite(rewrite) },
        Binary b => b with { Left = b.Left.Rewrite(rewrite), Right = b.Right.Rewrite(rewrite) },
        Call c => c with { Args = c.Args.Select(a => a.Rewrite(rewrite)).ToArray() },
        _ => this,
    });

    internal abstract void Print(StringBuilder sb, int parentPrecedence);

    // Precedences: or 1, and 2, comparison 3, additive 4, multiplicative 5, unary 6, power 7, atom 8.
    internal static int PrecedenceOf(BinaryOp op) => op switch
    {
        BinaryOp.Or => 1,
        BinaryOp.And => 2,
        BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge or BinaryOp.Eq or BinaryOp.Ne => 3,
        BinaryOp.Add or BinaryOp.Sub => 4,
        BinaryOp.Mul or BinaryOp.Div => 5,
        BinaryOp.Pow => 7,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    internal static string SymbolOf(BinaryOp op) => op switch
    {
        BinaryOp.Add => "+",
        BinaryOp.Sub => "-",
        BinaryOp.Mul => "*",
        BinaryOp.Div => "/",
        BinaryOp.Pow => "^",
        BinaryOp.Lt => "<",
        BinaryOp.Le => "<=",
        BinaryOp.Gt => ">",
        BinaryOp.Ge => ">=",
        BinaryOp.Eq => "==",
        BinaryOp.Ne => "!=",
        BinaryOp.And => "&&",
        BinaryOp.Or => "||",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };
}

/// <summary>A number.</summary>
public sealed record Num(double Value) : Expr
{
    internal override void Print(StringBuilder sb, int parentPrecedence)
    {
        if (double.IsPositiveInfinity(Value))
        {
            sb.Append("infinity");
        }
        else if (double.IsNaN(Value))
        {
            sb.Append("notanumber");
        }
        else if (Value < 0 || double.IsNegativeInfinity(Value))
        {
            // A negative literal prints as a negation, parenthesised where a unary minus would bind wrongly.
            var wrap = parentPrecedence > 6;
            sb.Append(wrap ? "(-" : "-");
            new Num(-Value).Print(sb, 6);
            if (wrap)
            {
                sb.Append(')');
            }
        }
        else
        {
            sb.Append(Value.ToString("R", CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>A named value: a species, compartment, parameter, driver, local parameter or function argument.</summary>
public sealed record Sym(string Name) : Expr
{
    internal override void Print(StringBuilder sb, int parentPrecedence) => sb.Append(Name);
}

/// <summary>Simulation time (<c>time</c>; SBML's csymbol time).</summary>
public sealed record TimeSymbol : Expr
{
    /// <summary>The one instance.</summary>
    public static readonly TimeSymbol Instance = new();

    internal override void Print(StringBuilder sb, int parentPrecedence) => sb.Append("time");
}

/// <summary>Unary operators.</summary>
public enum UnaryOp
{
    /// <summary>Arithmetic negation.</summary>
    Neg,

    /// <summary>Logical not (non-zero is true).</summary>
    Not,
}

/// <summary>Binary operators.</summary>
public enum BinaryOp
{
    /// <summary>a + b</summary>
    Add,

    /// <summary>a − b</summary>
    Sub,

    /// <summary>a · b</summary>
    Mul,

    /// <summary>a / b</summary>
    Div,

    /// <summary>a ^ b</summary>
    Pow,

    /// <summary>a &lt; b</summary>
    Lt,

    /// <summary>a ≤ b</summary>
    Le,

    /// <summary>a &gt; b</summary>
    Gt,

    /// <summary>a ≥ b</summary>
    Ge,

    /// <summary>a == b</summary>
    Eq,

    /// <summary>a != b</summary>
    Ne,

    /// <summary>a &amp;&amp; b (non-zero is true)</summary>
    And,

    /// <summary>a || b</summary>
    Or,
}

/// <summary>A unary operation.</summary>
public sealed record Unary(UnaryOp Op, Expr Operand) : Expr
{
    internal override void Print(StringBuilder sb, int parentPrecedence)
    {
        var wrap = parentPrecedence > 6;
        if (wrap)
        {
            sb.Append('(');
        }
        sb.Append(Op == UnaryOp.Neg ? "-" : "!");
        if (Operand is Num { Value: >= 0 })
        {
            sb.Append('(');
            Operand.Print(sb, 0);
            sb.Append(')');
        }
        else
        {
            Operand.Print(sb, 7);
        }
        if (wrap)
        {
            sb.Append(')');
        }
    }
}

/// <summary>A binary operation.</summary>
public sealed record Binary(BinaryOp Op, Expr Left, Expr Right) : Expr
{
    internal override void Print(StringBuilder sb, int parentPrecedence)
    {
        var p = PrecedenceOf(Op);
        var wrap = p < parentPrecedence || (Op == BinaryOp.Pow && parentPrecedence == 7);
        if (wrap)
        {
            sb.Append('(');
        }
        // Left-associative operators keep an equal-precedence left child bare and wrap a right one; ^ is
        // right-associative and comparisons do not chain, so both of their children are wrapped when equal.
        var leftPrecedence = Op == BinaryOp.Pow || p == 3 ? p + 1 : p;
        var rightPrecedence = Op == BinaryOp.Pow ? p : p + 1;
        Left.Print(sb, leftPrecedence);
        sb.Append(' ').Append(SymbolOf(Op)).Append(' ');
        Right.Print(sb, rightPrecedence);
        if (wrap)
        {
            sb.Append(')');
        }
    }
}

/// <summary>A function call: a built-in (see <see cref="BuiltinFunctions"/>), <c>piecewise</c>, or a user function.</summary>
public sealed record Call(string Function, IReadOnlyList<Expr> Args) : Expr
{
    internal override void Print(StringBuilder sb, int parentPrecedence)
    {
        sb.Append(Function).Append('(');
        for (var i = 0; i < Args.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }
            Args[i].Print(sb, 0);
        }
        sb.Append(')');
    }

    /// <summary>Structural equality (records compare lists by reference otherwise).</summary>
    public bool Equals(Call? other) =>
        other is not null && Function == other.Function && Args.SequenceEqual(other.Args);

    /// <summary>Hash consistent with <see cref="Equals(Call?)"/>.</summary>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Function);
        foreach (var a in Args)
        {
            h.Add(a);
        }
        return h.ToHashCode();
    }
}
