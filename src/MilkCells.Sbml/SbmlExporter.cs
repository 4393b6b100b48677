using libsbmlcs;
using System.Runtime.CompilerServices;
using MilkCells.Core.Errors;
using MilkCells.Engine.Expressions;
using MilkCells.Engine.Model;
using EventAssignment = MilkCells.Engine.Model.EventAssignment;
using Reaction = MilkCells.Engine.Model.Reaction;

namespace MilkCells.Sbml;

/// <summary>Writes any engine network as SBML Level 3 Version 2 core.</summary>
/// <remarks>
/// Kinetic laws are the propensities (as the DSMTS reads them); a mass-action reaction is written out as
/// k·X·(X−1)/2… over its reactants, so any SBML tool computes the same propensity. Drivers become non-constant
/// parameters changed by time events (<c>time ≥ tₖ</c>) marked in a MilkCells annotation, so re-import rebuilds
/// them as drivers; other tools simply see events. Names, notes and annotations travel with every element
/// (<see cref="ElementInfo"/>). Host interventions are code, not model, and are not exported.
/// </remarks>
public static class SbmlExporter
{
    /// <summary>The SBML L3V2 text for <paramref name="network"/>.</summary>
    public static string Write(Network network)
    {
        LibSbml.Ensure();
        return WriteDocument(network);
    }

    // Touches libSBML types, so it runs only after LibSbml.Ensure (never inlined into a caller that runs before).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string WriteDocument(Network network)
    {
        using var doc = new SBMLDocument(3, 2);
        var model = doc.createModel();
        model.setId(network.Id);
        model.setSubstanceUnits("item");
        model.setTimeUnits("second");
        model.setExtentUnits("item");
        model.setVolumeUnits("litre");
        ElementInfoXml.Write(model, network.Info);
        foreach (var f in network.Functions)
        {
            var fd = model.createFunctionDefinition();
            fd.setId(f.Id);
            using var lambda = MathConverter.Lambda(f.Parameters, f.Body);
            Check(fd.setMath(lambda), $"function '{f.Id}'");
            ElementInfoXml.Write(fd, f.Info);
        }
        foreach (var c in network.Compartments)
        {
            var x = model.createCompartment();
            x.setId(c.Id);
            x.setSize(c.Size);
            x.setConstant(c.Constant);
            x.setSpatialDimensions(3);
            ElementInfoXml.Write(x, c.Info);
        }
        foreach (var s in network.Species)
        {
            var x = model.createSpecies();
            x.setId(s.Id);
            x.setCompartment(s.Compartment);
            x.setInitialAmount(s.InitialAmount);
            x.setHasOnlySubstanceUnits(s.AmountInExpressions);
            x.setBoundaryCondition(s.Boundary);
            x.setConstant(s.Constant);
            ElementInfoXml.Write(x, s.Info);
        }
        foreach (var p in network.Parameters)
        {
            var x = model.createParameter();
            x.setId(p.Id);
            x.setValue(p.Value);
            x.setConstant(p.Constant && !IsAssigned(network, p.Id));
            ElementInfoXml.Write(x, p.Info);
        }
        foreach (var d in network.Drivers)
        {
            var x = model.createParameter();
            x.setId(d.Id);
            x.setValue(d.Initial);
            x.setConstant(false);
            ElementInfoXml.Write(x, d.Info, ElementInfoXml.DriverMarker());
        }
        foreach (var r in network.Reactions)
        {
            WriteReaction(model, network, r);
        }
        foreach (var rule in network.Rules)
        {
            var x = model.createAssignmentRule();
            x.setVariable(rule.Variable);
            using var math = MathConverter.ToAst(rule.Expression);
            Check(x.setMath(math), $"rule for '{rule.Variable}'");
            ElementInfoXml.Write(x, rule.Info);
        }
        foreach (var ia in network.InitialAssignments)
        {
            var x = model.createInitialAssignment();
            x.setSymbol(ia.Variable);
            using var math = MathConverter.ToAst(ia.Expression);
            Check(x.setMath(math), $"initial assignment to '{ia.Variable}'");
        }
        foreach (var e in network.Events)
        {
            WriteEvent(model, e.Id, e.Trigger, e.TriggerInitialValue, e.Assignments, e.Info, null);
        }
        foreach (var d in network.Drivers)
        {
            for (var k = 0; k < d.Changes.Count; k++)
            {
                var change = d.Changes[k];
                WriteEvent(model, $"{d.Id}_change_{k + 1}",
                    new Binary(BinaryOp.Ge, TimeSymbol.Instance, new Num(change.Time)), false,
                    [new EventAssignment(d.Id, new Num(change.Value))], ElementInfo.None, ElementInfoXml.DriverChange(d.Id, change));
            }
        }
        return libsbml.writeSBMLToString(doc);
    }

    /// <summary>Writes <paramref name="network"/> to <paramref name="path"/> as SBML L3V2.</summary>
    public static void WriteFile(Network network, string path) => File.WriteAllText(path, Write(network));

    /// <summary>Runs libSBML's consistency checks (checkConsistency) on SBML text and returns what they report.</summary>
    public static IReadOnlyList<SbmlIssue> Validate(string xml)
    {
        LibSbml.Ensure();
        return Consistency(xml);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SbmlIssue[] Consistency(string xml)
    {
        using var doc = libsbml.readSBMLFromString(xml);
        doc.checkConsistency();
        return Enumerable.Range(0, (int)doc.getNumErrors())
            .Select(i => doc.getError((uint)i))
            .Select(e => new SbmlIssue((int)e.getSeverity(), (int)e.getLine(), e.getMessage().Trim()))
            .ToArray();
    }

    private static bool IsAssigned(Network n, string id) =>
        n.Events.Any(e => e.Assignments.Any(a => a.Variable == id)) || n.Rules.Any(r => r.Variable == id);

    private static void WriteReaction(Model model, Network network, Reaction r)
    {
        var x = model.createReaction();
        x.setId(r.Id);
        x.setReversible(false);
        foreach (var sr in r.Reactants)
        {
            var y = x.createReactant();
            y.setSpecies(sr.Species);
            y.setStoichiometry(sr.Stoichiometry);
            y.setConstant(true);
        }
        foreach (var sr in r.Products)
        {
            var y = x.createProduct();
            y.setSpecies(sr.Species);
            y.setStoichiometry(sr.Stoichiometry);
            y.setConstant(true);
        }
        var rate = r.Rate switch
        {
            MassAction ma => MassActionLaw(network, r, ma),
            CustomRate cr => cr.Propensity,
            _ => throw new InputException(InputLocation.AtElement(network.Source, $"reaction '{r.Id}'"), "has no rate law"),
        };
        var involved = new HashSet<string>(r.Reactants.Concat(r.Products).Select(s => s.Species));
        var speciesIds = new HashSet<string>(network.Species.Select(s => s.Id));
        foreach (var m in r.Modifiers.Concat(rate.Identifiers().Where(speciesIds.Contains)).Distinct())
        {
            if (involved.Add(m) && !r.LocalParameters.Any(l => l.Id == m))
            {
                x.createModifier().setSpecies(m);
            }
        }
        var law = x.createKineticLaw();
        foreach (var l in r.LocalParameters)
        {
            var lp = law.createLocalParameter();
            lp.setId(l.Id);
            lp.setValue(l.Value);
        }
        using var math = MathConverter.ToAst(rate);
        Check(law.setMath(math), $"reaction '{r.Id}'");
        ElementInfoXml.Write(x, r.Info);
    }

    /// <summary>k · Π over reactants of X(X−1)…(X−ν+1)/ν!, with X the amount (X·size for a concentration species).</summary>
    private static Expr MassActionLaw(Network network, Reaction r, MassAction ma)
    {
        var e = ma.RateConstant;
        foreach (var sr in r.Reactants)
        {
            var species = network.Species.FirstOrDefault(s => s.Id == sr.Species);
            Expr amount = species is { AmountInExpressions: false }
                ? new Binary(BinaryOp.Mul, new Sym(sr.Species), new Sym(species.Compartment))
                : new Sym(sr.Species);
            double factorial = 1;
            for (var k = 0; k < sr.Stoichiometry; k++)
            {
                e = new Binary(BinaryOp.Mul, e, k == 0 ? amount : new Binary(BinaryOp.Sub, amount, new Num(k)));
                factorial *= k + 1;
            }
            if (factorial != 1)
            {
                e = new Binary(BinaryOp.Div, e, new Num(factorial));
            }
        }
        return e;
    }

    private static void WriteEvent(Model model, string id, Expr trigger, bool initialValue, IReadOnlyList<EventAssignment> assignments,
        ElementInfo info, System.Xml.Linq.XElement? marker)
    {
        var x = model.createEvent();
        x.setId(id);
        x.setUseValuesFromTriggerTime(true);
        var t = x.createTrigger();
        t.setInitialValue(initialValue);
        t.setPersistent(true);
        using (var math = MathConverter.ToAst(trigger))
        {
            Check(t.setMath(math), $"event '{id}': trigger");
        }
        foreach (var a in assignments)
        {
            var ea = x.createEventAssignment();
            ea.setVariable(a.Variable);
            using var math = MathConverter.ToAst(a.Expression);
            Check(ea.setMath(math), $"event '{id}': assignment to '{a.Variable}'");
        }
        ElementInfoXml.Write(x, info, marker);
    }

    private static void Check(int status, string element)
    {
        if (status != libsbml.LIBSBML_OPERATION_SUCCESS)
        {
            throw new InputException(InputLocation.AtElement(null, element), $"libSBML refused its math (status {status})");
        }
    }
}
