using System.Globalization;

namespace MilkCells.Engine.Expressions;

/// <summary>A syntax error in expression text, with the 1-based column where it was found.</summary>
public sealed class ExprSyntaxException(string problem, int column) : Exception($"column {column}: {problem}")
{
    /// <summary>What is wrong.</summary>
    public string Problem { get; } = problem;

    /// <summary>1-based column in the expression text.</summary>
    public int Column { get; } = column;
}

/// <summary>Parses expression text into an <see cref="Expr"/> by recursive descent.</summary>
/// <remarks>
/// Precedence from loosest: <c>||</c>, <c>&amp;&amp;</c>, comparisons, <c>+ -</c>, <c>* /</c>, unary <c>- ! +</c>,
/// <c>^</c> (right-associative, so <c>-x^2</c> is <c>-(x^2)</c> and <c>2^-1</c> is allowed).
/// </remarks>
public static class ExprParser
{
    /// <summary>Parses <paramref name="text"/>; throws <see cref="ExprSyntaxException"/> on a syntax error.</summary>
    public static Expr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var p = new Parser(text);
        var e = p.ParseOr();
        p.SkipSpace();
        if (!p.AtEnd)
        {
            throw p.Error($"unexpected '{p.Current}'");
        }
        return e;
    }

    private sealed class Parser(string text)
    {
        private int _pos;

        public bool AtEnd => _pos >= text.Length;

        public char Current => text[_pos];

        public ExprSyntaxException Error(string problem) => new(problem, _pos + 1);

        public void SkipSpace()
        {
            while (!AtEnd && char.IsWhiteSpace(Current))
            {
                _pos++;
            }
        }

        private bool Accept(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _pos, token, 0, token.Length) == 0)
            {
                _pos += token.Length;
                return true;
            }
            return false;
        }

        private void Expect(string token)
        {
            if (!Accept(token))
            {
                throw AtEnd ? Error($"expected '{token}' but the expression ended") : Error($"expected '{token}' but found '{Current}'");
            }
        }

        public Expr ParseOr()
        {
            var left = ParseAnd();
            while (Accept("||"))
            {
                left = new Binary(BinaryOp.Or, left, ParseAnd());
            }
            return left;
        }

        private Expr ParseAnd()
        {
            var left = ParseComparison();
            while (Accept("&&"))
            {
                left = new Binary(BinaryOp.And, left, ParseComparison());
            }
            return left;
        }

        private Expr ParseComparison()
        {
            var left = ParseAdditive();
            while (true)
            {
                BinaryOp op;
                if (Accept("<="))
                {
                    op = BinaryOp.Le;
                }
                else if (Accept(">="))
                {
                    op = BinaryOp.Ge;
                }
                else if (Accept("=="))
                {
                    op = BinaryOp.Eq;
                }
                else if (Accept("!="))
                {
                    op = BinaryOp.Ne;
                }
                else if (Accept("<"))
                {
                    op = BinaryOp.Lt;
                }
                else if (Accept(">"))
                {
                    op = BinaryOp.Gt;
                }
                else
                {
                    return left;
                }
                left = new Binary(op, left, ParseAdditive());
            }
        }

        private Expr ParseAdditive()
        {
            var left = ParseMultiplicative();
            while (true)
            {
                if (Accept("+"))
                {
                    left = new Binary(BinaryOp.Add, left, ParseMultiplicative());
                }
                else if (Accept("-"))
                {
                    left = new Binary(BinaryOp.Sub, left, ParseMultiplicative());
                }
                else
                {
                    return left;
                }
            }
        }

        private Expr ParseMultiplicative()
        {
            var left = ParseUnary();
            while (true)
            {
                if (Accept("*"))
                {
                    left = new Binary(BinaryOp.Mul, left, ParseUnary());
                }
                else if (Accept("/"))
                {
                    left = new Binary(BinaryOp.Div, left, ParseUnary());
                }
                else
                {
                    return left;
                }
            }
        }

        private Expr ParseUnary()
        {
            if (Accept("-"))
            {
                // A minus directly before a number literal is a negative literal, so printed trees parse back equal.
                SkipSpace();
                if (!AtEnd && (char.IsDigit(Current) || Current == '.'))
                {
                    var operand = ParsePower();
                    return operand is Num n ? new Num(-n.Value) : new Unary(UnaryOp.Neg, operand);
                }
                return new Unary(UnaryOp.Neg, ParseUnary());
            }
            if (Accept("+"))
            {
                return ParseUnary();
            }
            SkipSpace();
            if (!AtEnd && Current == '!' && (_pos + 1 >= text.Length || text[_pos + 1] != '='))
            {
                _pos++;
                return new Unary(UnaryOp.Not, ParseUnary());
            }
            return ParsePower();
        }

        private Expr ParsePower()
        {
            var baseExpr = ParseAtom();
            if (Accept("^"))
            {
                return new Binary(BinaryOp.Pow, baseExpr, ParseUnary());
            }
            return baseExpr;
        }

        private Expr ParseAtom()
        {
            SkipSpace();
            if (AtEnd)
            {
                throw Error("expected a value but the expression ended");
            }
            var c = Current;
            if (c == '(')
            {
                _pos++;
                var inner = ParseOr();
                Expect(")");
                return inner;
            }
            if (char.IsDigit(c) || (c == '.' && _pos + 1 < text.Length && char.IsDigit(text[_pos + 1])))
            {
                return ParseNumber();
            }
            if (char.IsLetter(c) || c == '_')
            {
                var start = _pos;
                while (!AtEnd && (char.IsLetterOrDigit(Current) || Current == '_'))
                {
                    _pos++;
                }
                var name = text[start.._pos];
                if (Accept("("))
                {
                    var args = new List<Expr>();
                    if (!Accept(")"))
                    {
                        do
                        {
                            args.Add(ParseOr());
                        }
                        while (Accept(","));
                        Expect(")");
                    }
                    return new Call(name, args);
                }
                return name switch
                {
                    "time" => TimeSymbol.Instance,
                    "pi" => new Num(Math.PI),
                    "exponentiale" => new Num(Math.E),
                    "true" => new Num(1),
                    "false" => new Num(0),
                    "infinity" => new Num(double.PositiveInfinity),
                    "notanumber" => new Num(double.NaN),
                    _ => new Sym(name),
                };
            }
            throw Error($"unexpected '{c}'");
        }

        private Num ParseNumber()
        {
            var start = _pos;
            while (!AtEnd && (char.IsDigit(Current) || Current == '.'))
            {
                _pos++;
            }
            if (!AtEnd && (Current == 'e' || Current == 'E'))
            {
                var save = _pos;
                _pos++;
                if (!AtEnd && (Current == '+' || Current == '-'))
                {
                    _pos++;
                }
                if (AtEnd || !char.IsDigit(Current))
                {
                    _pos = save;
                }
                else
                {
                    while (!AtEnd && char.IsDigit(Current))
                    {
                        _pos++;
                    }
                }
            }
            var token = text[start.._pos];
            if (!double.TryParse(token, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value))
            {
                _pos = start;
                throw Error($"'{token}' is not a number");
            }
            return new Num(value);
        }
    }
}
