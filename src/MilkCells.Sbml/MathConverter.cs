using libsbmlcs;
using MilkCells.Engine.Expressions;

namespace MilkCells.Sbml;

/// <summary>A MathML construct the engine cannot evaluate.</summary>
internal sealed class UnsupportedMathException(string problem) : Exception(problem);

/// <summary>Converts between libSBML's MathML trees and engine expressions.</summary>
/// <remarks>
/// Covers SBML core math: arithmetic, powers, relations, logic, piecewise, the elementary functions, user
/// functions, the time csymbol and the constants. <c>delay</c>, <c>rateOf</c>, avogadro and the arc-trig family
/// beyond asin/acos/atan are refused with the construct named.
/// </remarks>
internal static class MathConverter
{
    private static readonly Dictionary<int, string> UnaryFunctions = new()
    {
        [libsbml.AST_FUNCTION_ABS] = "abs",
        [libsbml.AST_FUNCTION_EXP] = "exp",
        [libsbml.AST_FUNCTION_LN] = "ln",
        [libsbml.AST_FUNCTION_FLOOR] = "floor",
        [libsbml.AST_FUNCTION_CEILING] = "ceil",
        [libsbml.AST_FUNCTION_FACTORIAL] = "factorial",
        [libsbml.AST_FUNCTION_SIN] = "sin",
        [libsbml.AST_FUNCTION_COS] = "cos",
        [libsbml.AST_FUNCTION_TAN] = "tan",
        [libsbml.AST_FUNCTION_ARCSIN] = "asin",
        [libsbml.AST_FUNCTION_ARCCOS] = "acos",
        [libsbml.AST_FUNCTION_ARCTAN] = "atan",
        [libsbml.AST_FUNCTION_SINH] = "sinh",
        [libsbml.AST_FUNCTION_COSH] = "cosh",
        [libsbml.AST_FUNCTION_TANH] = "tanh",
    };

    private static readonly Dictionary<string, int> UnaryByName = UnaryFunctions.ToDictionary(kv => kv.Value, kv => kv.Key);

    /// <summary>The engine expression for a libSBML math tree.</summary>
    public static Expr FromAst(ASTNode node)
    {
        var type = node.getType();
        var n = (int)node.getNumChildren();
        Expr Child(int i) => FromAst(node.getChild((uint)i));
        List<Expr> Children() => Enumerable.Range(0, n).Select(Child).ToList();
        Expr Fold(BinaryOp op, double empty)
        {
            if (n == 0)
            {
                return new Num(empty);
            }
            var e = Child(0);
            for (var i = 1; i < n; i++)
            {
                e = new Binary(op, e, Child(i));
            }
            return e;
        }
        Expr Chain(BinaryOp op)
        {
            // n-ary relations hold pairwise: a < b < c is (a < b) && (b < c).
            if (n < 2)
            {
                return new Num(1);
            }
            Expr? e = null;
            for (var i = 0; i + 1 < n; i++)
            {
                var pair = new Binary(op, Child(i), Child(i + 1));
                e = e is null ? pair : new Binary(BinaryOp.And, e, pair);
            }
            return e!;
        }

        switch (type)
        {
            case libsbml.AST_INTEGER:
                return new Num(node.getInteger());
            case libsbml.AST_REAL:
            case libsbml.AST_REAL_E:
            case libsbml.AST_RATIONAL:
                return new Num(node.getReal());
            case libsbml.AST_NAME:
                return new Sym(node.getName());
            case libsbml.AST_NAME_TIME:
                return TimeSymbol.Instance;
            case libsbml.AST_CONSTANT_E:
                return new Num(Math.E);
            case libsbml.AST_CONSTANT_PI:
                return new Num(Math.PI);
            case libsbml.AST_CONSTANT_TRUE:
                return new Num(1);
            case libsbml.AST_CONSTANT_FALSE:
                return new Num(0);
            case libsbml.AST_PLUS:
                return Fold(BinaryOp.Add, 0);
            case libsbml.AST_TIMES:
                return Fold(BinaryOp.Mul, 1);
            case libsbml.AST_MINUS:
                return n == 1 ? new Unary(UnaryOp.Neg, Child(0)) : new Binary(BinaryOp.Sub, Child(0), Child(1));
            case libsbml.AST_DIVIDE:
                return new Binary(BinaryOp.Div, Child(0), Child(1));
            case libsbml.AST_POWER:
            case libsbml.AST_FUNCTION_POWER:
                return new Binary(BinaryOp.Pow, Child(0), Child(1));
            case libsbml.AST_FUNCTION_ROOT:
                return n == 1 || Child(0) is Num { Value: 2 } ? new Call("sqrt", [Child(n - 1)]) : new Call("root", [Child(0), Child(1)]);
            case libsbml.AST_FUNCTION_LOG:
                return n == 1 || Child(0) is Num { Value: 10 } ? new Call("log10", [Child(n - 1)]) : new Call("log", [Child(0), Child(1)]);
            case libsbml.AST_FUNCTION_PIECEWISE:
                return new Call("piecewise", Children());
            case libsbml.AST_FUNCTION_MIN:
                return new Call("min", Children());
            case libsbml.AST_FUNCTION_MAX:
                return new Call("max", Children());
            case libsbml.AST_FUNCTION_REM:
                return new Call("rem", Children());
            case libsbml.AST_FUNCTION_QUOTIENT:
                return new Call("quotient", Children());
            case libsbml.AST_LOGICAL_AND:
                return Fold(BinaryOp.And, 1);
            case libsbml.AST_LOGICAL_OR:
                return Fold(BinaryOp.Or, 0);
            case libsbml.AST_LOGICAL_XOR:
                return new Call("xor", Children());
            case libsbml.AST_LOGICAL_NOT:
                return new Unary(UnaryOp.Not, Child(0));
            case libsbml.AST_RELATIONAL_EQ:
                return Chain(BinaryOp.Eq);
            case libsbml.AST_RELATIONAL_NEQ:
                return new Binary(BinaryOp.Ne, Child(0), Child(1));
            case libsbml.AST_RELATIONAL_LT:
                return Chain(BinaryOp.Lt);
            case libsbml.AST_RELATIONAL_LEQ:
                return Chain(BinaryOp.Le);
            case libsbml.AST_RELATIONAL_GT:
                return Chain(BinaryOp.Gt);
            case libsbml.AST_RELATIONAL_GEQ:
                return Chain(BinaryOp.Ge);
            case libsbml.AST_FUNCTION:
                return new Call(node.getName(), Children());
            case libsbml.AST_LAMBDA:
                throw new UnsupportedMathException("a lambda outside a function definition");
            default:
                if (UnaryFunctions.TryGetValue(type, out var name) && n == 1)
                {
                    return new Call(name, [Child(0)]);
                }
                throw new UnsupportedMathException($"the MathML construct '{node.getName() ?? libsbml.formulaToL3String(node)}' (type {type})");
        }
    }

    /// <summary>The libSBML math tree for an engine expression (caller owns it).</summary>
    public static ASTNode ToAst(Expr e)
    {
        switch (e)
        {
            case Num num:
                {
                    if (num.Value == Math.Floor(num.Value) && Math.Abs(num.Value) < int.MaxValue)
                    {
                        var i = new ASTNode(libsbml.AST_INTEGER);
                        i.setValue((int)num.Value);
                        return i;
                    }
                    var r = new ASTNode(libsbml.AST_REAL);
                    r.setValue(num.Value);
                    return r;
                }
            case Sym s:
                {
                    var node = new ASTNode(libsbml.AST_NAME);
                    node.setName(s.Name);
                    return node;
                }
            case TimeSymbol:
                {
                    var node = new ASTNode(libsbml.AST_NAME_TIME);
                    node.setName("time");
                    return node;
                }
            case Unary u:
                return Node(u.Op == UnaryOp.Neg ? libsbml.AST_MINUS : libsbml.AST_LOGICAL_NOT, u.Operand);
            case Binary b:
                return Node(b.Op switch
                {
                    BinaryOp.Add => libsbml.AST_PLUS,
                    BinaryOp.Sub => libsbml.AST_MINUS,
                    BinaryOp.Mul => libsbml.AST_TIMES,
                    BinaryOp.Div => libsbml.AST_DIVIDE,
                    BinaryOp.Pow => libsbml.AST_POWER,
                    BinaryOp.Lt => libsbml.AST_RELATIONAL_LT,
                    BinaryOp.Le => libsbml.AST_RELATIONAL_LEQ,
                    BinaryOp.Gt => libsbml.AST_RELATIONAL_GT,
                    BinaryOp.Ge => libsbml.AST_RELATIONAL_GEQ,
                    BinaryOp.Eq => libsbml.AST_RELATIONAL_EQ,
                    BinaryOp.Ne => libsbml.AST_RELATIONAL_NEQ,
                    BinaryOp.And => libsbml.AST_LOGICAL_AND,
                    BinaryOp.Or => libsbml.AST_LOGICAL_OR,
                    _ => throw new ArgumentOutOfRangeException(nameof(e)),
                }, b.Left, b.Right);
            case Call c:
                return CallToAst(c);
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name);
        }
    }

    private static ASTNode CallToAst(Call c)
    {
        var args = c.Args.ToArray();
        switch (c.Function)
        {
            case "piecewise":
                return Node(libsbml.AST_FUNCTION_PIECEWISE, args);
            case "and":
                return Node(libsbml.AST_LOGICAL_AND, args);
            case "or":
                return Node(libsbml.AST_LOGICAL_OR, args);
            case "xor":
                return Node(libsbml.AST_LOGICAL_XOR, args);
            case "not":
                return Node(libsbml.AST_LOGICAL_NOT, args);
            case "min":
                return Node(libsbml.AST_FUNCTION_MIN, args);
            case "max":
                return Node(libsbml.AST_FUNCTION_MAX, args);
            case "rem":
                return Node(libsbml.AST_FUNCTION_REM, args);
            case "quotient":
                return Node(libsbml.AST_FUNCTION_QUOTIENT, args);
            case "pow" or "power" when args.Length == 2:
                return Node(libsbml.AST_POWER, args);
            case "sqrt" when args.Length == 1:
                return Node(libsbml.AST_FUNCTION_ROOT, new Num(2), args[0]);
            case "root" when args.Length == 2:
                return Node(libsbml.AST_FUNCTION_ROOT, args);
            case "log" when args.Length == 1:
                return Node(libsbml.AST_FUNCTION_LN, args);
            case "log" when args.Length == 2:
                return Node(libsbml.AST_FUNCTION_LOG, args);
            case "log10" when args.Length == 1:
                return Node(libsbml.AST_FUNCTION_LOG, new Num(10), args[0]);
            case "ceil" when args.Length == 1:
                return Node(libsbml.AST_FUNCTION_CEILING, args);
        }
        if (args.Length == 1 && UnaryByName.TryGetValue(c.Function, out var type))
        {
            return Node(type, args);
        }
        var user = new ASTNode(libsbml.AST_FUNCTION);
        user.setName(c.Function);
        foreach (var a in args)
        {
            user.addChild(ToAst(a));
        }
        return user;
    }

    private static ASTNode Node(int type, params Expr[] children)
    {
        var node = new ASTNode(type);
        foreach (var c in children)
        {
            node.addChild(ToAst(c));
        }
        return node;
    }

    /// <summary>A lambda for a function definition: bound variables then the body.</summary>
    public static ASTNode Lambda(IReadOnlyList<string> parameters, Expr body)
    {
        var lambda = new ASTNode(libsbml.AST_LAMBDA);
        foreach (var p in parameters)
        {
            var bvar = new ASTNode(libsbml.AST_NAME);
            bvar.setName(p);
            lambda.addChild(bvar);
        }
        lambda.addChild(ToAst(body));
        return lambda;
    }
}
