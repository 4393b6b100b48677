using MilkCells.Core.Errors;
using MilkCells.Engine.Expressions;
using MilkCells.Engine.Model;

namespace MilkCells.Engine.Compilation;

public sealed partial class CompiledNetwork
{
    private static readonly HashSet<string> Reserved = ["time", "pi", "exponentiale", "true", "false", "infinity", "notanumber"];

    /// <summary>Validates and compiles <paramref name="network"/>.</summary>
    /// <exception cref="InputProblemsException">Every problem found, each naming its element.</exception>
    public static CompiledNetwork Compile(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var compiled = new CompiledNetwork(network);
        new Compiler(compiled).Run();
        return compiled;
    }

    private sealed class Compiler(CompiledNetwork c)
    {
        private readonly Network _n = c.Network;
        private readonly List<InputException> _problems = [];
        private readonly Dictionary<string, FunctionDefinition> _functions = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _ruleOf = new(StringComparer.Ordinal);
        private readonly HashSet<int> _timeDependentRuleTargets = [];
        private readonly HashSet<int> _dynamicRuleTargets = [];
        private readonly HashSet<int> _eventTargets = [];
        private CompiledRule?[] _rules = [];

        private void Problem(string element, string problem, string? hint = null) =>
            _problems.Add(new InputException(InputLocation.AtElement(_n.Source, element), problem, hint));

        public void Run()
        {
            CheckIds();
            AssignSlots();
            CompileFunctions();
            CompileRules();
            CompileEvents();
            CompileReactions();
            CompileDrivers();
            if (_problems.Count == 0)
            {
                ComputeInitialValues();
            }
            if (_problems.Count == 0)
            {
                BuildDependencies();
                ComputeKernels();
                BuildTauInfo();
            }
            if (_problems.Count > 0)
            {
                throw new InputProblemsException(_problems);
            }
        }

        private void CheckIds()
        {
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            void Add(string id, string kind)
            {
                if (string.IsNullOrEmpty(id) || !(char.IsLetter(id[0]) || id[0] == '_') || !id.All(ch => char.IsLetterOrDigit(ch) || ch == '_'))
                {
                    Problem($"{kind} '{id}'", "is not a valid identifier", "use letters, digits and '_', starting with a letter");
                    return;
                }
                if (Reserved.Contains(id))
                {
                    Problem($"{kind} '{id}'", "uses a reserved name", $"rename it; '{id}' is a built-in symbol");
                    return;
                }
                if (!seen.TryAdd(id, kind))
                {
                    Problem($"{kind} '{id}'", $"duplicates the id of {seen[id]} '{id}'");
                }
            }
            // One list at a time rather than a LINQ chain of (id, kind) tuples: every generic instantiation over a value
            // type is JIT-compiled on each run's start (ReadyToRun cannot precompile it), and this runs before every
            // simulation. Selecting the ids of these classes shares the framework's precompiled code for reference types.
            void AddAll(IEnumerable<string> ids, string kind)
            {
                foreach (var id in ids)
                {
                    Add(id, kind);
                }
            }
            AddAll(_n.Compartments.Select(x => x.Id), "compartment");
            AddAll(_n.Species.Select(x => x.Id), "species");
            AddAll(_n.Parameters.Select(x => x.Id), "parameter");
            AddAll(_n.Drivers.Select(x => x.Id), "driver");
            AddAll(_n.Reactions.Select(x => x.Id), "reaction");
            AddAll(_n.Events.Select(x => x.Id), "event");
            foreach (var x in _n.Functions)
            {
                Add(x.Id, "function");
                if (BuiltinFunctions.IsBuiltin(x.Id))
                {
                    Problem($"function '{x.Id}'", "has the name of a built-in function");
                }
            }
        }

        private void AssignSlots()
        {
            var names = new List<string> { "1", "time" };
            var kinds = new List<SlotKind> { SlotKind.One, SlotKind.Time };
            var values = new List<double> { 1, 0 };
            void Add(string id, SlotKind kind, double value)
            {
                if (c.SlotById.TryAdd(id, names.Count))
                {
                    names.Add(id);
                    kinds.Add(kind);
                    values.Add(value);
                }
            }
            foreach (var s in _n.Species)
            {
                Add(s.Id, SlotKind.Species, s.InitialAmount);
            }
            var speciesCount = names.Count - FirstSpeciesSlot;
            foreach (var x in _n.Compartments)
            {
                Add(x.Id, SlotKind.Compartment, x.Size);
            }
            foreach (var p in _n.Parameters)
            {
                Add(p.Id, SlotKind.Parameter, p.Value);
            }
            foreach (var d in _n.Drivers)
            {
                Add(d.Id, SlotKind.Driver, d.Initial);
            }
            c.SlotNames = [.. names];
            c.SlotKinds = [.. kinds];
            c.InitialValues = [.. values];
            c.SlotCount = names.Count;
            c.SpeciesIds = names.Skip(FirstSpeciesSlot).Take(speciesCount).ToArray();
            c.SpeciesCompartment = new int[speciesCount];
            c.SpeciesCounted = new bool[speciesCount];
            for (var i = 0; i < speciesCount; i++)
            {
                var s = _n.Species[i];
                if (c.SlotById.TryGetValue(s.Compartment, out var cs) && c.SlotKinds[cs] == SlotKind.Compartment)
                {
                    c.SpeciesCompartment[i] = cs;
                }
                else
                {
                    Problem($"species '{s.Id}'", $"is in compartment '{s.Compartment}', which is not defined");
                }
                if (!double.IsFinite(s.InitialAmount) || s.InitialAmount < 0)
                {
                    Problem($"species '{s.Id}'", $"initial amount {s.InitialAmount} is not a finite number ≥ 0");
                }
            }
            foreach (var x in _n.Compartments)
            {
                if (!(x.Size > 0) || !double.IsFinite(x.Size))
                {
                    Problem($"compartment '{x.Id}'", $"size {x.Size} is not a finite positive number");
                }
            }
            foreach (var p in _n.Parameters.Where(p => double.IsNaN(p.Value)))
            {
                Problem($"parameter '{p.Id}'", "has no value");
            }
        }

        private void CompileFunctions()
        {
            foreach (var f in _n.Functions)
            {
                _functions[f.Id] = f;
                if (f.Parameters.Distinct().Count() != f.Parameters.Count)
                {
                    Problem($"function '{f.Id}'", "repeats an argument name");
                }
                foreach (var name in f.Body.Identifiers().Where(x => !f.Parameters.Contains(x)))
                {
                    Problem($"function '{f.Id}'", $"uses '{name}', which is not one of its arguments",
                        "pass every value the body needs as an argument");
                }
            }
        }

        /// <summary>Replaces user-function calls by their bodies with arguments substituted.</summary>
        private Expr Inline(Expr e, string element, int depth = 0)
        {
            if (_functions.Count == 0)
            {
                return e;
            }
            if (depth > 32)
            {
                Problem(element, "user functions call each other too deeply (recursion?)");
                return e;
            }
            var changed = false;
            var result = e.Rewrite(node =>
            {
                if (node is Call call && _functions.TryGetValue(call.Function, out var f))
                {
                    if (call.Args.Count != f.Parameters.Count)
                    {
                        Problem(element, $"calls '{f.Id}' with {call.Args.Count} argument(s); it takes {f.Parameters.Count}");
                        return node;
                    }
                    changed = true;
                    var map = f.Parameters.Zip(call.Args).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
                    return f.Body.Rewrite(b => b is Sym s && map.TryGetValue(s.Name, out var arg) ? arg : b);
                }
                return node;
            });
            return changed ? Inline(result, element, depth + 1) : result;
        }

        private Binding? Resolve(string name, IReadOnlyList<LocalParameter>? locals = null, bool amountsOnly = false)
        {
            if (locals is not null)
            {
                foreach (var l in locals)
                {
                    if (l.Id == name)
                    {
                        return Binding.ForConstant(l.Value);
                    }
                }
            }
            if (!c.SlotById.TryGetValue(name, out var slot))
            {
                return null;
            }
            if (c.SlotKinds[slot] == SlotKind.Species && !amountsOnly)
            {
                var i = slot - FirstSpeciesSlot;
                if (!_n.Species[i].AmountInExpressions)
                {
                    return Binding.ForRatio(slot, c.SpeciesCompartment[i]);
                }
            }
            return Binding.ForSlot(slot);
        }

        private CompiledExpr? CompileExpr(Expr e, string element, IReadOnlyList<LocalParameter>? locals = null, bool amountsOnly = false)
        {
            try
            {
                return CompiledExpr.Compile(Inline(e, element), name => Resolve(name, locals, amountsOnly), TimeSlot);
            }
            catch (UnresolvedException ex)
            {
                Problem(element, ex.Message);
                return null;
            }
        }

        /// <summary>Target slot of an assignment, or −1 with a problem recorded.</summary>
        private int AssignableSlot(string variable, string element, bool forRule)
        {
            if (!c.SlotById.TryGetValue(variable, out var slot))
            {
                Problem(element, $"assigns '{variable}', which is not defined");
                return -1;
            }
            var kind = c.SlotKinds[slot];
            var constant = kind switch
            {
                SlotKind.Species => _n.Species[slot - FirstSpeciesSlot].Constant,
                SlotKind.Compartment => _n.Compartments.First(x => x.Id == variable).Constant && !forRule,
                SlotKind.Parameter => false,
                SlotKind.Driver => forRule,
                _ => true,
            };
            if (constant)
            {
                Problem(element, $"assigns '{variable}', which is constant" + (kind == SlotKind.Driver ? " (a driver changes only on its schedule)" : ""));
                return -1;
            }
            return slot;
        }

        private int ConcentrationOf(int slot) =>
            c.SlotKinds[slot] == SlotKind.Species && !_n.Species[slot - FirstSpeciesSlot].AmountInExpressions
                ? c.SpeciesCompartment[slot - FirstSpeciesSlot]
                : -1;

        private void CompileRules()
        {
            var rules = _n.Rules;
            _rules = new CompiledRule?[rules.Count];
            for (var i = 0; i < rules.Count; i++)
            {
                var r = rules[i];
                var element = $"rule for '{r.Variable}'";
                var target = AssignableSlot(r.Variable, element, forRule: true);
                if (target < 0)
                {
                    continue;
                }
                if (!_ruleOf.TryAdd(r.Variable, i))
                {
                    Problem(element, $"'{r.Variable}' has more than one assignment rule");
                    continue;
                }
                if (CompileExpr(r.Expression, element) is { } program)
                {
                    _rules[i] = new CompiledRule(r.Variable, target, program, ConcentrationOf(target), false);
                }
            }
            // Order rules so each is evaluated after the rules it reads (Kahn's algorithm); a cycle is an error.
            var targetToRule = new Dictionary<int, int>();
            for (var i = 0; i < _rules.Length; i++)
            {
                if (_rules[i] is { } r)
                {
                    targetToRule[r.Target] = i;
                }
            }
            var order = new List<int>();
            var state = new int[_rules.Length];
            void Visit(int i)
            {
                if (state[i] == 2)
                {
                    return;
                }
                if (state[i] == 1)
                {
                    Problem($"rule for '{_rules[i]!.Variable}'", "is part of a cycle of assignment rules");
                    state[i] = 2;
                    return;
                }
                state[i] = 1;
                foreach (var read in _rules[i]!.Program.Reads)
                {
                    if (targetToRule.TryGetValue(read, out var j))
                    {
                        Visit(j);
                    }
                }
                state[i] = 2;
                order.Add(i);
            }
            for (var i = 0; i < _rules.Length; i++)
            {
                if (_rules[i] is not null)
                {
                    Visit(i);
                }
            }
            // Classify: dynamic = reads species, time, or a dynamic rule's target.
            var compiled = new List<CompiledRule>();
            foreach (var i in order)
            {
                var r = _rules[i]!;
                var dynamic = r.Program.Reads.Any(s => c.IsSpeciesSlot(s) || s == TimeSlot || _dynamicRuleTargets.Contains(s));
                if (r.Program.UsesTime || r.Program.Reads.Any(_timeDependentRuleTargets.Contains))
                {
                    _timeDependentRuleTargets.Add(r.Target);
                }
                if (dynamic)
                {
                    _dynamicRuleTargets.Add(r.Target);
                }
                compiled.Add(r with { Dynamic = dynamic });
            }
            c.Rules = [.. compiled];
        }

        private void CompileEvents()
        {
            var events = new List<CompiledEvent>();
            foreach (var ev in _n.Events)
            {
                var element = $"event '{ev.Id}'";
                var breakpoints = new List<Breakpoint>();
                var trigger = CompileExpr(ev.Trigger, element + ": trigger");
                if (trigger is not null)
                {
                    AnalyseTime(Inline(ev.Trigger, element), element, breakpoints);
                    if (trigger.Reads.Any(_timeDependentRuleTargets.Contains))
                    {
                        Problem(element + ": trigger", "reads a rule that depends on time; compare 'time' in the trigger itself");
                    }
                }
                var assignments = new List<CompiledAssignment>();
                foreach (var a in ev.Assignments)
                {
                    var ae = $"{element}: assignment to '{a.Variable}'";
                    var target = AssignableSlot(a.Variable, ae, forRule: false);
                    if (target < 0)
                    {
                        continue;
                    }
                    if (_ruleOf.ContainsKey(a.Variable))
                    {
                        Problem(ae, $"'{a.Variable}' is defined by an assignment rule and cannot also be assigned by an event");
                        continue;
                    }
                    _eventTargets.Add(target);
                    if (CompileExpr(a.Expression, ae) is { } p)
                    {
                        assignments.Add(new CompiledAssignment(a.Variable, target, p, ConcentrationOf(target)));
                    }
                }
                if (trigger is not null)
                {
                    events.Add(new CompiledEvent(ev.Id, trigger, [.. assignments], ev.TriggerInitialValue, [.. breakpoints]));
                }
            }
            c.Events = [.. events];
        }

        /// <summary>Finds comparisons of <c>time</c> with a state-free threshold; any other use of time is unsupported.</summary>
        private void AnalyseTime(Expr trigger, string element, List<Breakpoint> breakpoints)
        {
            void Walk(Expr e)
            {
                switch (e)
                {
                    case Binary { Op: BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge or BinaryOp.Eq or BinaryOp.Ne } b
                        when b.Left is TimeSymbol || b.Right is TimeSymbol:
                        {
                            var timeLeft = b.Left is TimeSymbol;
                            var other = timeLeft ? b.Right : b.Left;
                            if (other.UsesTime() || other.Identifiers().Any(id => c.SlotById.TryGetValue(id, out var s) && (c.IsSpeciesSlot(s) || _dynamicRuleTargets.Contains(s))))
                            {
                                Problem(element + ": trigger", $"compares time with '{other}', which changes continuously; only thresholds free of species are supported");
                                return;
                            }
                            if (CompileExpr(other, element + ": trigger") is not { } threshold)
                            {
                                return;
                            }
                            // The trigger can change at the threshold itself (≥, <) or just after it (>, ≤).
                            var op = timeLeft ? b.Op : Mirror(b.Op);
                            if (op is BinaryOp.Ge or BinaryOp.Lt or BinaryOp.Eq or BinaryOp.Ne)
                            {
                                breakpoints.Add(new Breakpoint(threshold, false));
                            }
                            if (op is BinaryOp.Gt or BinaryOp.Le or BinaryOp.Eq or BinaryOp.Ne)
                            {
                                breakpoints.Add(new Breakpoint(threshold, true));
                            }
                            return;
                        }
                    case TimeSymbol:
                        Problem(element + ": trigger", "uses time other than in a comparison with a threshold",
                            "write the time condition as 'time >= T' (or <, <=, >)");
                        return;
                    case Unary u:
                        Walk(u.Operand);
                        return;
                    case Binary b2:
                        Walk(b2.Left);
                        Walk(b2.Right);
                        return;
                    case Call call:
                        foreach (var a in call.Args)
                        {
                            Walk(a);
                        }
                        return;
                }
            }
            Walk(trigger);
        }

        private static BinaryOp Mirror(BinaryOp op) => op switch
        {
            BinaryOp.Lt => BinaryOp.Gt,
            BinaryOp.Le => BinaryOp.Ge,
            BinaryOp.Gt => BinaryOp.Lt,
            BinaryOp.Ge => BinaryOp.Le,
            _ => op,
        };

        private readonly List<Coefficient> _coefficients = [];
        private readonly List<int[]> _propensityReads = [];
        private readonly List<int> _timeDependent = [];

        private void CompileReactions()
        {
            var m = _n.Reactions.Count;
            c.ReactionCount = m;
            c.ReactionIds = _n.Reactions.Select(r => r.Id).ToArray();
            var kernels = new Kernel[m];
            var general = new CompiledExpr?[m];
            var changeStart = new List<int> { 0 };
            var changeSlot = new List<int>();
            var changeDelta = new List<double>();
            var consumeStart = new List<int> { 0 };
            var consumeSlot = new List<int>();
            var consumeCount = new List<double>();
            // A reaction's net change per species slot, kept sorted by slot (a reaction names a few species, so a
            // sorted list beats a dictionary, and it needs no generic instantiation over a value type: see CheckIds).
            var netSlots = new List<int>();
            var netDeltas = new List<double>();
            for (var j = 0; j < m; j++)
            {
                var r = _n.Reactions[j];
                var element = $"reaction '{r.Id}'";
                kernels[j] = Kernel.Unit;
                netSlots.Clear();
                netDeltas.Clear();
                for (var side = 0; side < 2; side++)
                {
                    var (list, sign) = side == 0 ? (r.Reactants, -1) : (r.Products, 1);
                    foreach (var sr in list)
                    {
                        if (!c.SlotById.TryGetValue(sr.Species, out var slot) || !c.IsSpeciesSlot(slot))
                        {
                            Problem(element, $"uses species '{sr.Species}', which is not defined");
                            continue;
                        }
                        if (sr.Stoichiometry < 1)
                        {
                            Problem(element, $"stoichiometry {sr.Stoichiometry} of '{sr.Species}' must be a positive integer");
                            continue;
                        }
                        var sp = _n.Species[slot - FirstSpeciesSlot];
                        if (sp.Boundary || sp.Constant)
                        {
                            continue;
                        }
                        if (_ruleOf.ContainsKey(sp.Id))
                        {
                            Problem(element, $"changes species '{sp.Id}', which an assignment rule defines",
                                "make the species a boundary species or remove the rule");
                            continue;
                        }
                        var at = 0;
                        while (at < netSlots.Count && netSlots[at] < slot)
                        {
                            at++;
                        }
                        if (at == netSlots.Count || netSlots[at] != slot)
                        {
                            netSlots.Insert(at, slot);
                            netDeltas.Insert(at, 0);
                        }
                        netDeltas[at] += sign * sr.Stoichiometry;
                    }
                }
                for (var k = 0; k < netSlots.Count; k++)
                {
                    var (slot, delta) = (netSlots[k], netDeltas[k]);
                    if (delta == 0)
                    {
                        continue;
                    }
                    changeSlot.Add(slot);
                    changeDelta.Add(delta);
                    if (delta < 0)
                    {
                        consumeSlot.Add(slot);
                        consumeCount.Add(-delta);
                    }
                }
                changeStart.Add(changeSlot.Count);
                consumeStart.Add(consumeSlot.Count);
                for (var i = 0; i < r.LocalParameters.Count; i++)
                {
                    if (!double.IsFinite(r.LocalParameters[i].Value))
                    {
                        Problem(element, $"local parameter '{r.LocalParameters[i].Id}' has no finite value");
                    }
                }
                CompileRate(j, r, element, ref kernels[j], out general[j]);
            }
            c.InitialKernels = kernels;
            c.GeneralRates = general;
            c.TimeDependentReactions = [.. _timeDependent];
            c.ChangeStart = [.. changeStart];
            c.ChangeSlot = [.. changeSlot];
            c.ChangeDelta = [.. changeDelta];
            c.ConsumeStart = [.. consumeStart];
            c.ConsumeSlot = [.. consumeSlot];
            c.ConsumeCount = [.. consumeCount];
        }

        private bool IsStateFree(Expr e, IReadOnlyList<LocalParameter> locals) => !e.Any(node => node switch
        {
            TimeSymbol => true,
            Sym s => !IsLocal(locals, s.Name) && c.SlotById.TryGetValue(s.Name, out var slot)
                && (c.IsSpeciesSlot(slot) || _dynamicRuleTargets.Contains(slot)),
            _ => false,
        });

        private void CompileRate(int j, Reaction r, string element, ref Kernel kernel, out CompiledExpr? general)
        {
            general = null;
            var locals = r.LocalParameters;
            ProductForm? form;
            Expr rateExpr;
            var amountsOnly = false;
            switch (r.Rate)
            {
                case MassAction ma:
                    {
                        // k · Π C(x, ν): factors x, x−1, …, x−ν+1 and coefficient k / Π ν!.
                        var factors = new List<LinearFactor>();
                        Expr coef = ma.RateConstant;
                        foreach (var sr in r.Reactants)
                        {
                            if (!c.SlotById.TryGetValue(sr.Species, out var slot))
                            {
                                continue;
                            }
                            double fact = 1;
                            for (var k = 0; k < sr.Stoichiometry; k++)
                            {
                                factors.Add(new LinearFactor(slot, new Num(1), new Num(-k)));
                                fact *= k + 1;
                            }
                            if (fact != 1)
                            {
                                coef = new Binary(BinaryOp.Div, coef, new Num(fact));
                            }
                        }
                        if (!IsStateFree(Inline(ma.RateConstant, element), locals))
                        {
                            Problem(element + ": rate constant", "reads species or time; a mass-action constant may read only parameters, drivers and compartments",
                                "write the propensity as a custom rate instead");
                            return;
                        }
                        rateExpr = MassActionExpression(coef, r);
                        form = new ProductForm(coef, factors);
                        amountsOnly = true;
                        break;
                    }
                case CustomRate cr:
                    rateExpr = Inline(cr.Propensity, element);
                    form = ProductForm.TryCreate(rateExpr, e => IsStateFree(e, locals), name =>
                    {
                        if (IsLocal(locals, name) || !c.SlotById.TryGetValue(name, out var slot) || !c.IsSpeciesSlot(slot))
                        {
                            return null;
                        }
                        var sp = _n.Species[slot - FirstSpeciesSlot];
                        return (slot, sp.AmountInExpressions ? new Num(1) : new Binary(BinaryOp.Div, new Num(1), new Sym(sp.Compartment)));
                    });
                    break;
                default:
                    Problem(element, "has no rate law");
                    return;
            }
            // Always compile the whole rate once: it checks every identifier and gives the read set.
            var whole = CompileExpr(rateExpr, element + ": rate", locals, amountsOnly);
            if (whole is null)
            {
                return;
            }
            if (whole.Reads.Any(_timeDependentRuleTargets.Contains))
            {
                Problem(element + ": rate", "reads an assignment rule that depends on time",
                    "write the time dependence in the rate itself, or use a driver (piecewise constant, changed at scheduled times)");
                return;
            }
            if (whole.UsesTime)
            {
                _timeDependent.Add(j);
            }
            if (form is null || form.Factors.Count > ProductForm.MaxFactors)
            {
                kernel.General = j;
                general = whole;
                _propensityReads.Add(whole.Reads);
                return;
            }
            var slots = new[] { OneSlot, OneSlot, OneSlot };
            for (var f = 0; f < form.Factors.Count; f++)
            {
                slots[f] = form.Factors[f].Slot;
                _coefficients.Add(new Coefficient(j, 1 + 2 * f, form.Factors[f].Alpha, locals));
                _coefficients.Add(new Coefficient(j, 2 + 2 * f, form.Factors[f].Beta, locals));
            }
            _coefficients.Add(new Coefficient(j, 0, form.Coefficient, locals));
            c.AnyThreeFactorRate |= form.Factors.Count == 3;
            kernel.S0 = slots[0];
            kernel.S1 = slots[1];
            kernel.S2 = slots[2];
            _propensityReads.Add(SortedDistinct(form.Factors.Select(f => f.Slot)));
        }

        /// <summary>coefficient · X · (X − 1) · … over the reactants, read as amounts.</summary>
        private static Expr MassActionExpression(Expr coefficient, Reaction r)
        {
            var e = coefficient;
            foreach (var sr in r.Reactants)
            {
                for (var k = 0; k < sr.Stoichiometry; k++)
                {
                    Expr x = new Sym(sr.Species);
                    e = new Binary(BinaryOp.Mul, e, k == 0 ? x : new Binary(BinaryOp.Sub, x, new Num(k)));
                }
            }
            return e;
        }

        private void CompileDrivers()
        {
            var steps = new List<DriverStep>();
            foreach (var d in _n.Drivers)
            {
                var slot = c.SlotById[d.Id];
                var last = double.NegativeInfinity;
                foreach (var ch in d.Changes)
                {
                    if (!double.IsFinite(ch.Time) || ch.Time < last)
                    {
                        Problem($"driver '{d.Id}'", $"change at time {ch.Time} is not finite or not in time order");
                    }
                    if (!double.IsFinite(ch.Value))
                    {
                        Problem($"driver '{d.Id}'", $"value {ch.Value} at time {ch.Time} is not finite");
                    }
                    last = ch.Time;
                    steps.Add(new DriverStep(ch.Time, slot, ch.Value));
                }
                if (_ruleOf.ContainsKey(d.Id))
                {
                    Problem($"driver '{d.Id}'", "is also defined by an assignment rule");
                }
            }
            c.DriverSteps = [.. steps.OrderBy(s => s.Time)]; // stable: drivers in definition order at equal times
        }

        private void ComputeInitialValues()
        {
            var v = c.InitialValues;
            ApplyRules(v);
            var assignments = new List<InitialValue>();
            foreach (var ia in _n.InitialAssignments)
            {
                var element = $"initial assignment to '{ia.Variable}'";
                if (!c.SlotById.TryGetValue(ia.Variable, out var target) || target < FirstSpeciesSlot)
                {
                    Problem(element, $"'{ia.Variable}' is not defined");
                    continue;
                }
                if (_ruleOf.ContainsKey(ia.Variable))
                {
                    Problem(element, $"'{ia.Variable}' is defined by an assignment rule");
                    continue;
                }
                if (CompileExpr(ia.Expression, element) is { } p)
                {
                    assignments.Add(new InitialValue(ia.Variable, target, p, ConcentrationOf(target)));
                }
            }
            // Initial assignments may read each other: repeat until values settle (one pass per link of the longest
            // chain); still changing after that means they form a cycle.
            foreach (var a in assignments)
            {
                if (!a.Program.Reads.Contains(a.Target))
                {
                    continue;
                }
                Problem($"initial assignment to '{a.Variable}'", "reads its own variable");
            }
            var settled = false;
            for (var pass = 0; pass <= assignments.Count + 1 && !settled; pass++)
            {
                var changed = false;
                foreach (var a in assignments)
                {
                    var value = a.Program.Evaluate(v);
                    if (a.Conc >= 0)
                    {
                        value *= v[a.Conc];
                    }
                    if (!value.Equals(v[a.Target]))
                    {
                        v[a.Target] = value;
                        changed = true;
                    }
                }
                ApplyRules(v);
                settled = !changed;
            }
            if (!settled && assignments.Count > 0)
            {
                Problem("initial assignments", "form a cycle: their values never settle");
            }
            for (var i = 0; i < c.SpeciesCount; i++)
            {
                var slot = FirstSpeciesSlot + i;
                var counted = !_ruleOf.ContainsKey(c.SpeciesIds[i]);
                c.SpeciesCounted[i] = counted;
                var x = v[slot];
                if (counted && (!(x >= 0) || x != Math.Floor(x) || double.IsInfinity(x)))
                {
                    Problem($"species '{c.SpeciesIds[i]}'", $"initial amount {x} is not a whole number ≥ 0",
                        "the engine counts molecules or cells; give an integer amount (for a concentration species, concentration × size must be whole)");
                }
            }
        }

        private void ApplyRules(double[] v)
        {
            foreach (var r in c.Rules)
            {
                var value = r.Program.Evaluate(v);
                v[r.Target] = r.ConcentrationOf >= 0 ? value * v[r.ConcentrationOf] : value;
            }
        }

        private void BuildDependencies()
        {
            var m = c.ReactionCount;
            // Readers of each slot: propensities and triggers, directly or through rules.
            var ruleByTarget = c.Rules.Select((r, i) => (r, i)).ToDictionary(x => x.r.Target, x => x.i);
            var triggerReads = new HashSet<int>(c.Events.SelectMany(e => e.Trigger.Reads));
            // Expand a set of slots with the targets of dynamic rules that read them, transitively, in rule order.
            HashSet<int> Expand(IEnumerable<int> slots, List<int>? rulesHit)
            {
                var set = new HashSet<int>(slots);
                for (var i = 0; i < c.Rules.Length; i++)
                {
                    var r = c.Rules[i];
                    if (r.Dynamic && r.Program.Reads.Any(set.Contains))
                    {
                        set.Add(r.Target);
                        rulesHit?.Add(i);
                    }
                }
                return set;
            }
            // Hot rules: dynamic rules whose targets propensities or triggers read (directly or via other rules).
            var needed = new HashSet<int>(_propensityReads.SelectMany(x => x).Concat(triggerReads));
            for (var i = c.Rules.Length - 1; i >= 0; i--)
            {
                if (needed.Contains(c.Rules[i].Target))
                {
                    foreach (var s in c.Rules[i].Program.Reads)
                    {
                        needed.Add(s);
                    }
                }
            }
            // Which reactions read each slot, so each dependency list costs only what it contains.
            var readers = new Dictionary<int, List<int>>();
            for (var k = 0; k < m; k++)
            {
                foreach (var slot in _propensityReads[k])
                {
                    if (!readers.TryGetValue(slot, out var list))
                    {
                        readers[slot] = list = [];
                    }
                    list.Add(k);
                }
            }
            var depStart = new List<int> { 0 };
            var deps = new List<int>();
            var hotStart = new List<int> { 0 };
            var hot = new List<int>();
            var touches = new bool[m];
            for (var j = 0; j < m; j++)
            {
                var rulesHit = new List<int>();
                var changed = Expand(c.ChangeSlot[c.ChangeStart[j]..c.ChangeStart[j + 1]], rulesHit);
                foreach (var ri in rulesHit.Where(ri => needed.Contains(c.Rules[ri].Target)))
                {
                    hot.Add(ri);
                }
                hotStart.Add(hot.Count);
                deps.AddRange(SortedDistinct(changed.Where(readers.ContainsKey).SelectMany(slot => readers[slot])));
                depStart.Add(deps.Count);
                touches[j] = changed.Overlaps(triggerReads);
            }
            c.DependentStart = [.. depStart];
            c.Dependents = [.. deps];
            c.HotRuleStart = [.. hotStart];
            c.HotRuleIndex = [.. hot];
            c.HasHotRules = hot.Count > 0;
            c.TouchesTrigger = touches;
            var plans = new FiringPlan[m];
            for (var j = 0; j < m; j++)
            {
                var bytecode = false;
                for (var d = depStart[j]; d < depStart[j + 1]; d++)
                {
                    bytecode |= c.InitialKernels[deps[d]].General >= 0;
                }
                var flags = (touches[j] ? FiringPlan.TouchesTrigger : 0) | (hotStart[j + 1] > hotStart[j] ? FiringPlan.HotRules : 0)
                    | (bytecode ? FiringPlan.BytecodeDependent : 0);
                plans[j] = new FiringPlan(c.ChangeStart[j], c.ChangeStart[j + 1], depStart[j], depStart[j + 1], flags);
            }
            c.FiringPlans = plans;
            var changes = new StateChange[c.ChangeSlot.Length];
            for (var i = 0; i < changes.Length; i++)
            {
                changes[i] = new StateChange(c.ChangeDelta[i], c.ChangeSlot[i]);
            }
            c.Changes = changes;
        }

        private void ComputeKernels()
        {
            // Slots that never change after the start: constant parameters and compartments no event assigns,
            // and rule targets that read only such slots.
            var changing = new HashSet<int>(_eventTargets);
            for (var s = 0; s < c.SlotCount; s++)
            {
                if (c.SlotKinds[s] is SlotKind.Driver or SlotKind.Species or SlotKind.Time
                    || (c.SlotKinds[s] == SlotKind.Parameter && !_n.Parameters.First(p => p.Id == c.SlotNames[s]).Constant))
                {
                    changing.Add(s);
                }
            }
            foreach (var r in c.Rules)
            {
                if (r.Program.Reads.Any(changing.Contains))
                {
                    changing.Add(r.Target);
                }
            }
            var tasks = new List<CoefficientTask>();
            var dynamic = new List<int>();
            var kernels = c.InitialKernels;
            foreach (var (reaction, field, expr, locals) in _coefficients)
            {
                var element = $"reaction '{c.ReactionIds[reaction]}': rate";
                if (CompileExpr(expr, element, locals) is not { } program)
                {
                    continue;
                }
                kernels[reaction].Set(field, program.Evaluate(c.InitialValues));
                if (program.Reads.Any(changing.Contains))
                {
                    dynamic.Add(tasks.Count);
                }
                tasks.Add(new CoefficientTask(reaction, field, program));
            }
            var flat = new FlatKernel[kernels.Length];
            for (var j = 0; j < kernels.Length; j++)
            {
                flat[j] = FlatKernel.From(kernels[j]);
            }
            c.InitialFlatKernels = flat;
            c.CoefficientTasks = [.. tasks];
            c.DynamicCoefficientTasks = [.. dynamic];
        }

        /// <summary>Whether <paramref name="name"/> is one of a reaction's local parameters (a loop: LINQ over the struct would be JIT-compiled on every start; see CheckIds).</summary>
        private static bool IsLocal(IReadOnlyList<LocalParameter> locals, string name)
        {
            for (var i = 0; i < locals.Count; i++)
            {
                if (locals[i].Id == name)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>The distinct values in ascending order (what <c>Distinct().Order()</c> gives, through a set and an array sort).</summary>
        private static int[] SortedDistinct(IEnumerable<int> values)
        {
            var set = new HashSet<int>(values);
            var result = new int[set.Count];
            set.CopyTo(result);
            Array.Sort(result);
            return result;
        }

        /// <summary>A rate coefficient to compile once the slots' constancy is known: kernel field <see cref="Field"/> of reaction <see cref="Reaction"/>.</summary>
        /// <remarks>Classes, not value tuples, so their lists share the framework's precompiled code for reference types.</remarks>
        private sealed record Coefficient(int Reaction, int Field, Expr Expr, IReadOnlyList<LocalParameter> Locals);

        /// <summary>An initial assignment, compiled.</summary>
        private sealed record InitialValue(string Variable, int Target, CompiledExpr Program, int Conc);

        private void BuildTauInfo()
        {
            // Order of a reaction = number of species factors in its propensity (general rates: polynomial degree,
            // at least 1); multiplicity of species i = how many of those factors are i.
            // Per slot, the largest (order, multiplicity) of any reaction it is a factor of: a maximum, so the reactions'
            // order does not matter. Arrays by slot, not a dictionary of tuples (see CheckIds).
            var bestOrder = new int[c.SlotCount];
            var bestMult = new int[c.SlotCount];
            void Offer(int slot, int total, int count)
            {
                if (total > bestOrder[slot] || (total == bestOrder[slot] && count > bestMult[slot]))
                {
                    bestOrder[slot] = total;
                    bestMult[slot] = count;
                }
            }
            Span<int> slots = stackalloc int[3];
            for (var j = 0; j < c.ReactionCount; j++)
            {
                var k = c.InitialKernels[j];
                if (k.General >= 0)
                {
                    var degree = Math.Clamp(Degree(c.GeneralRates[j]!.Source), 1, 3);
                    foreach (var s in SpeciesBehind(c.GeneralRates[j]!.Reads))
                    {
                        Offer(s, degree, degree);
                    }
                    continue;
                }
                var total = 0;
                slots[0] = k.S0;
                slots[1] = k.S1;
                slots[2] = k.S2;
                for (var f = 0; f < 3; f++)
                {
                    if (c.IsSpeciesSlot(slots[f]))
                    {
                        slots[total++] = slots[f];
                    }
                }
                for (var a = 0; a < total; a++)
                {
                    var count = 0;
                    for (var b = 0; b < total; b++)
                    {
                        count += slots[b] == slots[a] ? 1 : 0;
                    }
                    Offer(slots[a], total, count);
                }
            }
            var present = 0;
            foreach (var o in bestOrder)
            {
                present += o > 0 ? 1 : 0;
            }
            var info = new TauSpecies[present];
            var next = 0;
            for (var s = 0; s < c.SlotCount; s++)
            {
                if (bestOrder[s] > 0)
                {
                    info[next++] = new TauSpecies(s, bestOrder[s], bestMult[s]);
                }
            }
            c.TauSpeciesInfo = info;
        }

        /// <summary>Species slots behind a read set, following rules to the species they read.</summary>
        private HashSet<int> SpeciesBehind(IEnumerable<int> reads)
        {
            var result = new HashSet<int>();
            var stack = new Stack<int>(reads);
            var seen = new HashSet<int>();
            while (stack.Count > 0)
            {
                var s = stack.Pop();
                if (!seen.Add(s))
                {
                    continue;
                }
                if (c.IsSpeciesSlot(s) && c.SpeciesCounted[s - FirstSpeciesSlot])
                {
                    result.Add(s);
                }
                foreach (var r in c.Rules.Where(r => r.Target == s))
                {
                    foreach (var x in r.Program.Reads)
                    {
                        stack.Push(x);
                    }
                }
            }
            return result;
        }

        /// <summary>A polynomial-degree estimate of an expression in the species (functions count 1).</summary>
        private int Degree(Expr e) => e switch
        {
            Sym s => c.SlotById.TryGetValue(s.Name, out var slot) && (c.IsSpeciesSlot(slot) || _dynamicRuleTargets.Contains(slot)) ? 1 : 0,
            Unary u => Degree(u.Operand),
            Binary { Op: BinaryOp.Add or BinaryOp.Sub } b => Math.Max(Degree(b.Left), Degree(b.Right)),
            Binary { Op: BinaryOp.Mul } b => Degree(b.Left) + Degree(b.Right),
            Binary { Op: BinaryOp.Div } b => Degree(b.Left),
            Binary { Op: BinaryOp.Pow, Right: Num n } b => (int)Math.Min(3, Math.Ceiling(Math.Abs(n.Value))) * Degree(b.Left),
            Binary b => Math.Max(Degree(b.Left), Degree(b.Right)) > 0 ? 1 : 0,
            Call call => call.Args.Any(a => Degree(a) > 0) ? 1 : 0,
            _ => 0,
        };
    }
}
