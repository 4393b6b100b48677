using libsbmlcs;
using System.Runtime.CompilerServices;
using MilkCells.Core.Errors;
using MilkCells.Core.Files;
using MilkCells.Engine.Expressions;
using MilkCells.Engine.Model;
using Event = MilkCells.Engine.Model.Event;
using EventAssignment = MilkCells.Engine.Model.EventAssignment;
using InitialAssignment = MilkCells.Engine.Model.InitialAssignment;
using Parameter = MilkCells.Engine.Model.Parameter;
using Reaction = MilkCells.Engine.Model.Reaction;
using Species = MilkCells.Engine.Model.Species;
using SpeciesReference = MilkCells.Engine.Model.SpeciesReference;
using Compartment = MilkCells.Engine.Model.Compartment;
using FunctionDefinition = MilkCells.Engine.Model.FunctionDefinition;
using AssignmentRule = MilkCells.Engine.Model.AssignmentRule;
using LocalParameter = MilkCells.Engine.Model.LocalParameter;

namespace MilkCells.Sbml;

/// <summary>Reads SBML Level 2 or 3 core into an engine <see cref="Network"/>.</summary>
/// <remarks>
/// Kinetic laws are read as propensities, as the DSMTS (Evans, Gillespie &amp; Wilkinson 2008, Bioinformatics
/// 24:285, doi:10.1093/bioinformatics/btm566) and stochastic SBML tools do. A species with
/// hasOnlySubstanceUnits = false denotes its concentration (amount / compartment size) in math; its count is the
/// amount (initialConcentration × size when given as a concentration). Local parameters shadow globals; assignment
/// rules, initial assignments, function definitions and events without delay or priority are supported. Rate and
/// algebraic rules, delays, priorities, fast reactions, non-integer or variable stoichiometry, conversion factors
/// and SBML packages are refused with the element named. Constraints do not affect dynamics and are ignored.
/// </remarks>
public static class SbmlImporter
{
    /// <summary>Reads the SBML file at <paramref name="path"/>.</summary>
    public static Network ReadFile(string path) => ReadString(InputFiles.ReadAllText(path, "SBML file"), path);

    /// <summary>Reads SBML text; <paramref name="source"/> names it in error messages.</summary>
    public static Network ReadString(string xml, string? source = null)
    {
        LibSbml.Ensure();
        return Read(xml, source);
    }

    // Touches libSBML types, so it runs only after LibSbml.Ensure (never inlined into a caller that runs before).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Network Read(string xml, string? source)
    {
        using var doc = libsbml.readSBMLFromString(xml);
        var errors = Enumerable.Range(0, (int)doc.getNumErrors())
            .Select(i => doc.getError((uint)i))
            .Where(e => e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR)
            .ToList();
        if (errors.Count > 0)
        {
            var first = errors[0];
            throw new InputException(new InputLocation(source, Line: (int)first.getLine() is var l and > 0 ? l : null),
                $"not a valid SBML document: {first.getMessage().Trim()}" + (errors.Count > 1 ? $" (and {errors.Count - 1} more errors)" : ""),
                "check that the file is SBML Level 2 or 3 XML");
        }
        var model = doc.getModel() ?? throw new InputException(InputLocation.InFile(source), "the SBML document has no model");
        if (doc.getLevel() < 2)
        {
            throw new InputException(InputLocation.InFile(source), $"SBML Level {doc.getLevel()} is not supported", "convert it to Level 2 or 3");
        }
        return new Reader(doc, model, source).Read();
    }

    private sealed class Reader(SBMLDocument doc, Model model, string? source)
    {
        private readonly List<InputException> _problems = [];
        private readonly long _level = doc.getLevel();

        private void Problem(SBase? element, string what, string problem, string? hint = null) =>
            _problems.Add(new InputException(new InputLocation(source, Line: element is not null && element.getLine() > 0 ? (int)element.getLine() : null, Element: what), problem, hint));

        private Expr? Math(ASTNode? node, SBase owner, string what)
        {
            if (node is null)
            {
                Problem(owner, what, "has no math");
                return null;
            }
            try
            {
                return MathConverter.FromAst(node);
            }
            catch (UnsupportedMathException ex)
            {
                Problem(owner, what, $"uses {ex.Message}, which is not supported");
                return null;
            }
        }

        public Network Read()
        {
            var namespaces = doc.getNamespaces();
            var packages = Enumerable.Range(0, namespaces?.getLength() ?? 0)
                .Select(i => namespaces!.getURI(i))
                .Where(uri => uri.StartsWith("http://www.sbml.org/sbml/level3/", StringComparison.Ordinal) && !uri.EndsWith("/core", StringComparison.Ordinal))
                .ToArray();
            if (packages.Length > 0 || doc.getNumUnknownPackages() > 0)
            {
                Problem(null, "document", $"uses SBML packages ({string.Join(", ", packages)}), which are not supported", "only SBML core is read");
            }
            if (_level == 3 && model.isSetConversionFactor())
            {
                Problem(model, "model", "sets a conversion factor, which is not supported");
            }
            var functions = ReadFunctions();
            var ruleTargets = new HashSet<string>();
            var rules = ReadRules(ruleTargets);
            var initialAssignments = ReadInitialAssignments(ruleTargets);
            var mathIds = AllMathIdentifiers();
            var compartments = ReadCompartments(mathIds, out var unsized);
            var species = ReadSpecies(compartments, unsized, ruleTargets);
            var (parameters, drivers, driverChanges) = ReadParameters(ruleTargets);
            var reactions = ReadReactions();
            var events = ReadEvents(driverChanges);
            var driverList = drivers.Select(d => d with
            {
                Changes = driverChanges.Where(c => c.Driver == d.Id).Select(c => c.Change).OrderBy(c => c.Time).ToArray(),
            }).ToArray();
            if (_problems.Count > 0)
            {
                throw new InputProblemsException(_problems);
            }
            return new Network(model.isSetId() ? model.getId() : "model")
            {
                Source = source,
                Compartments = compartments,
                Species = species,
                Parameters = parameters,
                Drivers = driverList,
                Reactions = reactions,
                Rules = rules,
                InitialAssignments = initialAssignments,
                Events = events,
                Functions = functions,
                Info = ElementInfoXml.Read(model),
            };
        }

        private HashSet<string> AllMathIdentifiers()
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            void Add(ASTNode? node)
            {
                if (node is null)
                {
                    return;
                }
                if (node.getType() == libsbml.AST_NAME)
                {
                    ids.Add(node.getName());
                }
                for (uint i = 0; i < node.getNumChildren(); i++)
                {
                    Add(node.getChild(i));
                }
            }
            for (uint i = 0; i < model.getNumReactions(); i++)
            {
                Add(model.getReaction(i).getKineticLaw()?.getMath());
            }
            for (uint i = 0; i < model.getNumRules(); i++)
            {
                Add(model.getRule(i).getMath());
            }
            for (uint i = 0; i < model.getNumInitialAssignments(); i++)
            {
                Add(model.getInitialAssignment(i).getMath());
            }
            for (uint i = 0; i < model.getNumEvents(); i++)
            {
                var e = model.getEvent(i);
                Add(e.getTrigger()?.getMath());
                for (uint j = 0; j < e.getNumEventAssignments(); j++)
                {
                    Add(e.getEventAssignment(j).getMath());
                }
            }
            return ids;
        }

        private FunctionDefinition[] ReadFunctions()
        {
            var list = new List<FunctionDefinition>();
            for (uint i = 0; i < model.getNumFunctionDefinitions(); i++)
            {
                var f = model.getFunctionDefinition(i);
                var what = $"function '{f.getId()}'";
                var args = Enumerable.Range(0, (int)f.getNumArguments()).Select(a => f.getArgument((uint)a).getName()).ToArray();
                if (Math(f.getBody(), f, what) is { } body)
                {
                    list.Add(new FunctionDefinition(f.getId(), args, body) { Info = ElementInfoXml.Read(f) });
                }
            }
            return [.. list];
        }

        private AssignmentRule[] ReadRules(HashSet<string> targets)
        {
            var list = new List<AssignmentRule>();
            for (uint i = 0; i < model.getNumRules(); i++)
            {
                var r = model.getRule(i);
                var what = $"rule for '{r.getVariable()}'";
                if (r.isRate())
                {
                    Problem(r, what, "is a rate rule (an ODE), which is not supported: a discrete stochastic simulation cannot follow it",
                        "express the change as reactions");
                    continue;
                }
                if (r.isAlgebraic())
                {
                    Problem(r, "algebraic rule", "is not supported");
                    continue;
                }
                targets.Add(r.getVariable());
                if (Math(r.getMath(), r, what) is { } e)
                {
                    list.Add(new AssignmentRule(r.getVariable(), e) { Info = ElementInfoXml.Read(r) });
                }
            }
            return [.. list];
        }

        private InitialAssignment[] ReadInitialAssignments(HashSet<string> defined)
        {
            var list = new List<InitialAssignment>();
            for (uint i = 0; i < model.getNumInitialAssignments(); i++)
            {
                var ia = model.getInitialAssignment(i);
                defined.Add(ia.getSymbol());
                if (Math(ia.getMath(), ia, $"initial assignment to '{ia.getSymbol()}'") is { } e)
                {
                    list.Add(new InitialAssignment(ia.getSymbol(), e));
                }
            }
            return [.. list];
        }

        private Compartment[] ReadCompartments(HashSet<string> mathIds, out HashSet<string> unsized)
        {
            unsized = [];
            var list = new List<Compartment>();
            for (uint i = 0; i < model.getNumCompartments(); i++)
            {
                var c = model.getCompartment(i);
                var size = 1.0;
                if (c.isSetSize() && c.getSpatialDimensionsAsDouble() != 0)
                {
                    size = c.getSize();
                }
                else if (c.getSpatialDimensionsAsDouble() != 0)
                {
                    unsized.Add(c.getId());
                    if (mathIds.Contains(c.getId()))
                    {
                        Problem(c, $"compartment '{c.getId()}'", "is used in math but has no size", "give the compartment a size");
                    }
                }
                list.Add(new Compartment(c.getId(), size, c.getConstant()) { Info = ElementInfoXml.Read(c) });
            }
            return [.. list];
        }

        private Species[] ReadSpecies(Compartment[] compartments, HashSet<string> unsized, HashSet<string> defined)
        {
            var list = new List<Species>();
            for (uint i = 0; i < model.getNumSpecies(); i++)
            {
                var s = model.getSpecies(i);
                var what = $"species '{s.getId()}'";
                var size = compartments.FirstOrDefault(c => c.Id == s.getCompartment())?.Size ?? 1;
                var amountOnly = s.getHasOnlySubstanceUnits();
                if (!amountOnly && unsized.Contains(s.getCompartment()))
                {
                    Problem(s, what, $"is a concentration in compartment '{s.getCompartment()}', which has no size",
                        "give the compartment a size or set hasOnlySubstanceUnits=\"true\"");
                }
                if (_level == 3 && s.isSetConversionFactor())
                {
                    Problem(s, what, "sets a conversion factor, which is not supported");
                }
                double amount;
                if (s.isSetInitialAmount())
                {
                    amount = s.getInitialAmount();
                }
                else if (s.isSetInitialConcentration())
                {
                    amount = s.getInitialConcentration() * size;
                }
                else
                {
                    amount = 0;
                    if (!defined.Contains(s.getId()))
                    {
                        Problem(s, what, "has no initial amount or concentration");
                    }
                }
                list.Add(new Species(s.getId(), s.getCompartment(), amount, s.getBoundaryCondition(), s.getConstant(), amountOnly)
                {
                    Info = ElementInfoXml.Read(s),
                });
            }
            return [.. list];
        }

        private (Parameter[] Parameters, List<Driver> Drivers, List<(string Driver, DriverChange Change)> Changes) ReadParameters(HashSet<string> defined)
        {
            var list = new List<Parameter>();
            var drivers = new List<Driver>();
            for (uint i = 0; i < model.getNumParameters(); i++)
            {
                var p = model.getParameter(i);
                if (!p.isSetValue() && !defined.Contains(p.getId()))
                {
                    Problem(p, $"parameter '{p.getId()}'", "has no value");
                }
                var value = p.isSetValue() ? p.getValue() : 0;
                var info = ElementInfoXml.Read(p);
                if (ElementInfoXml.IsDriver(p))
                {
                    drivers.Add(new Driver(p.getId(), value, []) { Info = info });
                }
                else
                {
                    list.Add(new Parameter(p.getId(), value, p.getConstant()) { Info = info });
                }
            }
            return ([.. list], drivers, []);
        }

        private Reaction[] ReadReactions()
        {
            var list = new List<Reaction>();
            for (uint i = 0; i < model.getNumReactions(); i++)
            {
                var r = model.getReaction(i);
                var what = $"reaction '{r.getId()}'";
                if (r.isSetFast() && r.getFast())
                {
                    Problem(r, what, "is marked fast, which is not supported");
                }
                var reactants = References(r, what, r.getNumReactants(), r.getReactant);
                var products = References(r, what, r.getNumProducts(), r.getProduct);
                var modifiers = Enumerable.Range(0, (int)r.getNumModifiers()).Select(m => r.getModifier((uint)m).getSpecies()).ToArray();
                var law = r.getKineticLaw();
                if (law is null)
                {
                    Problem(r, what, "has no kinetic law", "a stochastic simulation needs every reaction's propensity");
                    continue;
                }
                var locals = new List<LocalParameter>();
                var count = _level >= 3 ? law.getNumLocalParameters() : law.getNumParameters();
                for (uint k = 0; k < count; k++)
                {
                    SBase lp = _level >= 3 ? law.getLocalParameter(k) : law.getParameter(k);
                    var (id, set, value) = lp is libsbmlcs.LocalParameter l3 ? (l3.getId(), l3.isSetValue(), l3.getValue())
                        : lp is libsbmlcs.Parameter l2 ? (l2.getId(), l2.isSetValue(), l2.getValue()) : ("?", false, 0.0);
                    if (!set)
                    {
                        Problem(lp, $"{what}: local parameter '{id}'", "has no value");
                    }
                    locals.Add(new LocalParameter(id, value));
                }
                if (Math(law.getMath(), law, what + ": kinetic law") is { } rate)
                {
                    list.Add(new Reaction(r.getId(), reactants, products, new CustomRate(rate))
                    {
                        LocalParameters = locals,
                        Modifiers = modifiers,
                        Info = ElementInfoXml.Read(r),
                    });
                }
            }
            return [.. list];
        }

        private SpeciesReference[] References(libsbmlcs.Reaction r, string what, long count, Func<long, libsbmlcs.SpeciesReference> get)
        {
            var list = new List<SpeciesReference>();
            for (var i = 0; i < count; i++)
            {
                var sr = get(i);
                var s = sr.getStoichiometry();
                if (_level == 2 && sr.isSetStoichiometryMath())
                {
                    Problem(sr, what, $"gives '{sr.getSpecies()}' a stoichiometryMath, which is not supported");
                    continue;
                }
                if (_level >= 3 && !sr.isSetStoichiometry())
                {
                    Problem(sr, what, $"does not set the stoichiometry of '{sr.getSpecies()}'", "set stoichiometry=\"1\" (or the count)");
                    continue;
                }
                if (s != System.Math.Floor(s) || s < 1)
                {
                    Problem(sr, what, $"stoichiometry {s} of '{sr.getSpecies()}' is not a positive integer",
                        "discrete stochastic reactions consume and produce whole molecules");
                    continue;
                }
                var existing = list.FindIndex(x => x.Species == sr.getSpecies());
                if (existing >= 0)
                {
                    list[existing] = list[existing] with { Stoichiometry = list[existing].Stoichiometry + (int)s };
                }
                else
                {
                    list.Add(new SpeciesReference(sr.getSpecies(), (int)s));
                }
            }
            return [.. list];
        }

        private Event[] ReadEvents(List<(string Driver, DriverChange Change)> driverChanges)
        {
            var list = new List<Event>();
            for (uint i = 0; i < model.getNumEvents(); i++)
            {
                var e = model.getEvent(i);
                var id = e.isSetId() ? e.getId() : $"event_{i + 1}";
                var what = $"event '{id}'";
                if (ElementInfoXml.ReadDriverChange(e) is { } change)
                {
                    driverChanges.Add(change);
                    continue;
                }
                if (e.isSetDelay())
                {
                    Problem(e, what, "has a delay, which is not supported");
                    continue;
                }
                if (e.isSetPriority())
                {
                    Problem(e, what, "has a priority, which is not supported");
                    continue;
                }
                var trigger = e.getTrigger();
                var t = Math(trigger?.getMath(), (SBase?)trigger ?? e, what + ": trigger");
                // Level 2 has no initialValue: its triggers behave as if true before the start (L3V1 §4.12.2).
                var initial = _level < 3 || trigger is null || trigger.getInitialValue();
                var assignments = new List<EventAssignment>();
                for (uint k = 0; k < e.getNumEventAssignments(); k++)
                {
                    var ea = e.getEventAssignment(k);
                    if (Math(ea.getMath(), ea, $"{what}: assignment to '{ea.getVariable()}'") is { } value)
                    {
                        assignments.Add(new EventAssignment(ea.getVariable(), value));
                    }
                }
                if (t is not null)
                {
                    list.Add(new Event(id, t, assignments, initial) { Info = ElementInfoXml.Read(e) });
                }
            }
            return [.. list];
        }
    }
}
