using MilkCells.Core.Errors;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Expressions;

namespace MilkCells.Engine.Model;

/// <summary>Builds a <see cref="Network"/> in code, with expressions written as text.</summary>
/// <remarks>
/// Each method returns the builder so calls chain. Text that does not parse throws an <see cref="InputException"/>
/// naming the element; <see cref="Build"/> compiles the network once to report every remaining problem
/// (undefined identifiers, duplicates, negative or fractional counts) together.
/// <code>
/// var network = new NetworkBuilder("birth-death")
///     .Parameter("lambda", 0.1).Parameter("mu", 0.11)
///     .Species("X", 100)
///     .MassAction("birth", "X -> 2 X", "lambda")
///     .Reaction("death", "X ->", "mu * X")
///     .Build();
/// </code>
/// </remarks>
public sealed class NetworkBuilder(string id, string? source = null)
{
    /// <summary>The compartment species go to when none is named; created on first use.</summary>
    public const string DefaultCompartment = "default_compartment";

    private readonly List<Compartment> _compartments = [];
    private readonly List<Species> _species = [];
    private readonly List<Parameter> _parameters = [];
    private readonly List<Driver> _drivers = [];
    private readonly List<Reaction> _reactions = [];
    private readonly List<AssignmentRule> _rules = [];
    private readonly List<InitialAssignment> _initialAssignments = [];
    private readonly List<Event> _events = [];
    private readonly List<FunctionDefinition> _functions = [];
    private ElementInfo _info = ElementInfo.None;

    /// <summary>Sets the model's own name, notes and annotations.</summary>
    public NetworkBuilder Info(ElementInfo info)
    {
        _info = info;
        return this;
    }

    /// <summary>Adds a compartment.</summary>
    public NetworkBuilder Compartment(string id, double size = 1.0, bool constant = true, ElementInfo? info = null)
    {
        _compartments.Add(new Compartment(id, size, constant) { Info = info ?? ElementInfo.None });
        return this;
    }

    /// <summary>Adds a species with an initial count.</summary>
    public NetworkBuilder Species(string id, double initialAmount, string? compartment = null, bool boundary = false,
        bool constant = false, bool amountInExpressions = true, ElementInfo? info = null)
    {
        if (compartment is null && !_compartments.Any(c => c.Id == DefaultCompartment))
        {
            _compartments.Add(new Compartment(DefaultCompartment));
        }
        _species.Add(new Species(id, compartment ?? DefaultCompartment, initialAmount, boundary, constant, amountInExpressions)
        {
            Info = info ?? ElementInfo.None,
        });
        return this;
    }

    /// <summary>Adds a parameter.</summary>
    public NetworkBuilder Parameter(string id, double value, bool constant = true, ElementInfo? info = null)
    {
        _parameters.Add(new Parameter(id, value, constant) { Info = info ?? ElementInfo.None });
        return this;
    }

    /// <summary>Adds a piecewise-constant driver with its scheduled changes.</summary>
    public NetworkBuilder Driver(string id, double initial, IEnumerable<(double Time, double Value)>? changes = null, ElementInfo? info = null)
    {
        _drivers.Add(new Driver(id, initial, (changes ?? []).Select(c => new DriverChange(c.Time, c.Value)).ToArray())
        {
            Info = info ?? ElementInfo.None,
        });
        return this;
    }

    /// <summary>Adds a mass-action reaction, written like <c>"A + 2 B -> C"</c>, with a rate-constant expression.</summary>
    public NetworkBuilder MassAction(string id, string equation, string rateConstant, ElementInfo? info = null,
        IEnumerable<(string Id, double Value)>? localParameters = null)
    {
        var (reactants, products) = ParseEquation(id, equation);
        var k = ParseExpr(rateConstant, $"reaction '{id}': rate constant");
        _reactions.Add(new Reaction(id, reactants, products, new MassAction(k))
        {
            Info = info ?? ElementInfo.None,
            LocalParameters = Locals(localParameters),
        });
        return this;
    }

    /// <summary>Adds a reaction whose propensity is the expression <paramref name="propensity"/>.</summary>
    public NetworkBuilder Reaction(string id, string equation, string propensity, ElementInfo? info = null,
        IEnumerable<(string Id, double Value)>? localParameters = null)
    {
        var (reactants, products) = ParseEquation(id, equation);
        var rate = ParseExpr(propensity, $"reaction '{id}': rate");
        _reactions.Add(new Reaction(id, reactants, products, new CustomRate(rate))
        {
            Info = info ?? ElementInfo.None,
            LocalParameters = Locals(localParameters),
        });
        return this;
    }

    /// <summary>Adds a fully specified reaction.</summary>
    public NetworkBuilder Reaction(Reaction reaction)
    {
        _reactions.Add(reaction);
        return this;
    }

    /// <summary>Adds an assignment rule: <paramref name="variable"/> always equals <paramref name="expression"/>.</summary>
    public NetworkBuilder Rule(string variable, string expression, ElementInfo? info = null)
    {
        _rules.Add(new AssignmentRule(variable, ParseExpr(expression, $"rule for '{variable}'")) { Info = info ?? ElementInfo.None });
        return this;
    }

    /// <summary>Adds an initial assignment.</summary>
    public NetworkBuilder InitialAssignment(string variable, string expression)
    {
        _initialAssignments.Add(new InitialAssignment(variable, ParseExpr(expression, $"initial assignment to '{variable}'")));
        return this;
    }

    /// <summary>Adds an event with a trigger and assignments <c>(variable, expression)</c>.</summary>
    public NetworkBuilder Event(string id, string trigger, IEnumerable<(string Variable, string Expression)> assignments,
        bool triggerInitialValue = false, ElementInfo? info = null)
    {
        var t = ParseExpr(trigger, $"event '{id}': trigger");
        var list = assignments.Select(a => new EventAssignment(a.Variable, ParseExpr(a.Expression, $"event '{id}': assignment to '{a.Variable}'"))).ToArray();
        _events.Add(new Event(id, t, list, triggerInitialValue) { Info = info ?? ElementInfo.None });
        return this;
    }

    /// <summary>Adds a user function, e.g. <c>Function("hill", ["x", "k", "n"], "x^n / (k^n + x^n)")</c>.</summary>
    public NetworkBuilder Function(string id, IReadOnlyList<string> parameters, string body, ElementInfo? info = null)
    {
        _functions.Add(new FunctionDefinition(id, parameters, ParseExpr(body, $"function '{id}'")) { Info = info ?? ElementInfo.None });
        return this;
    }

    /// <summary>The network as built so far, not validated.</summary>
    public Network ToNetwork() => new(id)
    {
        Source = source,
        Compartments = [.. _compartments],
        Species = [.. _species],
        Parameters = [.. _parameters],
        Drivers = [.. _drivers],
        Reactions = [.. _reactions],
        Rules = [.. _rules],
        InitialAssignments = [.. _initialAssignments],
        Events = [.. _events],
        Functions = [.. _functions],
        Info = _info,
    };

    /// <summary>Validates and returns the network; throws <see cref="InputProblemsException"/> listing every problem.</summary>
    public Network Build()
    {
        var network = ToNetwork();
        _ = CompiledNetwork.Compile(network);
        return network;
    }

    /// <summary>Parses an equation such as <c>"2 A + B -> C"</c>, <c>"X -> 2X"</c> or <c>"-> X"</c>.</summary>
    public static (SpeciesReference[] Reactants, SpeciesReference[] Products) ParseEquation(string reactionId, string equation)
    {
        var parts = equation.Split("->");
        if (parts.Length != 2)
        {
            throw new InputException(InputLocation.AtElement(null, $"reaction '{reactionId}'"),
                $"equation '{equation}' must have exactly one '->'", "write it like \"A + 2 B -> C\"");
        }
        return (Side(parts[0]), Side(parts[1]));

        SpeciesReference[] Side(string side)
        {
            var terms = new List<SpeciesReference>();
            foreach (var raw in side.Split('+', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var i = 0;
                while (i < raw.Length && char.IsDigit(raw[i]))
                {
                    i++;
                }
                var count = i == 0 ? 1 : int.Parse(raw[..i], System.Globalization.CultureInfo.InvariantCulture);
                var name = raw[i..].Trim();
                if (name.Length == 0 || !(char.IsLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsLetterOrDigit(c) || c == '_'))
                {
                    throw new InputException(InputLocation.AtElement(null, $"reaction '{reactionId}'"),
                        $"'{raw}' in equation '{equation}' is not a species term", "write a count then a species id, like \"2 A\"");
                }
                var existing = terms.FindIndex(t => t.Species == name);
                if (existing >= 0)
                {
                    terms[existing] = terms[existing] with { Stoichiometry = terms[existing].Stoichiometry + count };
                }
                else
                {
                    terms.Add(new SpeciesReference(name, count));
                }
            }
            return [.. terms];
        }
    }

    private Expr ParseExpr(string text, string element)
    {
        try
        {
            return ExprParser.Parse(text);
        }
        catch (ExprSyntaxException ex)
        {
            throw new InputException(InputLocation.AtElement(source, element), $"cannot parse '{text}': {ex.Message}");
        }
    }

    private static LocalParameter[] Locals(IEnumerable<(string Id, double Value)>? locals) =>
        (locals ?? []).Select(l => new LocalParameter(l.Id, l.Value)).ToArray();
}
