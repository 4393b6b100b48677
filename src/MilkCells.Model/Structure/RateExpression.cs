using System.Globalization;

namespace MilkCells.Model.Structure;

/// <summary>A parsed rate law in the subset of SBML Level 3 infix syntax the model uses.</summary>
/// <remarks>
/// Grammar: numbers, identifiers, + − * / ^, unary minus, parentheses, and the functions max(a, b, …), min(a, b, …),
/// exp(x), ln(x). The same text parses with libSBML's parseL3Formula, which SBML export (phase 2) relies on.
/// Parsing here checks that every rate refers only to known species, parameters and drivers; evaluation lets tests
/// check rates at a state (for example, that no rate is negative).
/// </remarks>
public sealed class RateExpression
{
    private static readonly HashSet<string> Functions = ["max", "min", "exp", "ln"];
    private readonly Node _root;

    private RateExpression(string text, Node root, IReadOnlySet<string> identifiers)
    {
        Text = text;
        _root = root;
        Identifiers = identifiers;
    }

    /// <summary>The expression text.</summary>
    public string Text { get; }

    /// <summary>Every identifier the expression reads (not the function names).</summary>
    public IReadOnlySet<string> Identifiers { get; }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> on a syntax error.</summary>
    public static RateExpression Parse(string text)
    {
        var parser = new Parser(text);
        var root = parser.ParseExpression();
        parser.ExpectEnd();
        return new RateExpression(text, root, parser.Identifiers);
    }

    /// <summary>The value with identifiers looked up in <paramref name="values"/>.</summary>
    public double Evaluate(Func<string, double> values) => _root.Evaluate(values);

    private abstract record Node
    {
        public abstract double Evaluate(Func<string, double> values);
    }

    private sealed record Number(double Value) : Node
    {
        public override double Evaluate(Func<string, double> values) => Value;
    }

    private sealed record Symbol(string Name) : Node
    {
        public override double Evaluate(Func<string, double> values) => values(Name);
    }

    private sealed record Unary(Node Operand) : Node
    {
        public override double Evaluate(Func<string, double> values) => -Operand.Evaluate(values);
    }

    private sealed record Binary(char Op, Node Left, Node Right) : Node
    {
        public override double Evaluate(Func<string, double> values)
        {
            var (a, b) = (Left.Evaluate(values), Right.Evaluate(values));
            return Op switch { '+' => a + b, '-' => a - b, '*' => a * b, '/' => a / b, _ => Math.Pow(a, b) };
        }
    }

    private sealed record Call(string Function, IReadOnlyList<Node> Arguments) : Node
    {
        public override double Evaluate(Func<string, double> values)
        {
            var args = Arguments.Select(a => a.Evaluate(values)).ToArray();
            return Function switch
            {
                "max" => args.Max(),
                "min" => args.Min(),
                "exp" => Math.Exp(args[0]),
                _ => Math.Log(args[0]),
            };
        }
    }

    private sealed class Parser(string text)
    {
        private int _at;

        public HashSet<string> Identifiers { get; } = new(StringComparer.Ordinal);

        public Node ParseExpression()
        {
            var left = ParseTerm();
            while (Peek() is '+' or '-')
            {
                var op = Next();
                left = new Binary(op, left, ParseTerm());
            }
            return left;
        }

        private Node ParseTerm()
        {
            var left = ParseFactor();
            while (Peek() is '*' or '/')
            {
                var op = Next();
                left = new Binary(op, left, ParseFactor());
            }
            return left;
        }

        private Node ParseFactor()
        {
            var baseNode = ParseUnary();
            return Peek() == '^' ? new Binary(Next(), baseNode, ParseFactor()) : baseNode;
        }

        private Node ParseUnary()
        {
            if (Peek() == '-')
            {
                Next();
                return new Unary(ParseUnary());
            }
            return ParsePrimary();
        }

        private Node ParsePrimary()
        {
            var c = Peek();
            if (c == '(')
            {
                Next();
                var inner = ParseExpression();
                Expect(')');
                return inner;
            }
            if (char.IsDigit(c) || c == '.')
            {
                var start = _at;
                while (_at < text.Length && (char.IsDigit(text[_at]) || text[_at] == '.' || text[_at] is 'e' or 'E'
                           || (text[_at] is '+' or '-' && _at > start && text[_at - 1] is 'e' or 'E')))
                {
                    _at++;
                }
                var token = text[start.._at];
                return double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                    ? new Number(v)
                    : throw new FormatException($"'{token}' is not a number in '{text}'");
            }
            if (char.IsLetter(c) || c == '_')
            {
                var start = _at;
                while (_at < text.Length && (char.IsLetterOrDigit(text[_at]) || text[_at] == '_'))
                {
                    _at++;
                }
                var name = text[start.._at];
                if (Peek() == '(')
                {
                    if (!Functions.Contains(name))
                    {
                        throw new FormatException($"unknown function '{name}' in '{text}'");
                    }
                    Next();
                    var args = new List<Node> { ParseExpression() };
                    while (Peek() == ',')
                    {
                        Next();
                        args.Add(ParseExpression());
                    }
                    Expect(')');
                    if (name is "exp" or "ln" && args.Count != 1)
                    {
                        throw new FormatException($"{name} takes one argument in '{text}'");
                    }
                    return new Call(name, args);
                }
                Identifiers.Add(name);
                return new Symbol(name);
            }
            throw new FormatException(_at >= text.Length ? $"'{text}' ends too early" : $"unexpected '{c}' at position {_at} in '{text}'");
        }

        public void ExpectEnd()
        {
            if (Peek() != '\0')
            {
                throw new FormatException($"unexpected '{Peek()}' at position {_at} in '{text}'");
            }
        }

        private void Expect(char c)
        {
            if (Next() != c)
            {
                throw new FormatException($"expected '{c}' in '{text}'");
            }
        }

        private char Peek()
        {
            while (_at < text.Length && text[_at] == ' ')
            {
                _at++;
            }
            return _at < text.Length ? text[_at] : '\0';
        }

        private char Next()
        {
            var c = Peek();
            if (c != '\0')
            {
                _at++;
            }
            return c;
        }
    }
}
