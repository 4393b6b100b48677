using MilkCells.Engine.Expressions;

namespace MilkCells.Engine.Model;

/// <summary>Human-readable name, notes and key–value annotations carried by any network element.</summary>
/// <remarks>
/// SBML export writes <see cref="Name"/> as the element's name, <see cref="Notes"/> as XHTML notes and
/// <see cref="Annotations"/> as a MilkCells annotation block (one entry per pair, in order), so provenance such as
/// source, unit, condition and confidence travels with the model to COPASI or GillesPy2; import reads them back.
/// </remarks>
public sealed record ElementInfo(string? Name = null, string? Notes = null, IReadOnlyList<KeyValuePair<string, string>>? Annotations = null)
{
    /// <summary>No name, notes or annotations.</summary>
    public static readonly ElementInfo None = new();

    /// <summary>The annotations, never null.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> AnnotationList => Annotations ?? [];

    /// <summary>Whether nothing is set.</summary>
    public bool IsEmpty => Name is null && Notes is null && AnnotationList.Count == 0;

    /// <summary>Annotations from pairs.</summary>
    public static ElementInfo With(string? name = null, string? notes = null, params (string Key, string Value)[] annotations) =>
        new(name, notes, annotations.Length == 0 ? null : annotations.Select(a => KeyValuePair.Create(a.Key, a.Value)).ToArray());

    /// <summary>Structural equality over the annotation list.</summary>
    public bool Equals(ElementInfo? other) =>
        other is not null && Name == other.Name && Notes == other.Notes && AnnotationList.SequenceEqual(other.AnnotationList);

    /// <summary>Hash consistent with equality.</summary>
    public override int GetHashCode() => HashCode.Combine(Name, Notes, AnnotationList.Count);
}

/// <summary>A compartment with a size (volume); species live in compartments.</summary>
/// <param name="Id">Identifier.</param>
/// <param name="Size">Size in the model's volume unit; must be positive.</param>
/// <param name="Constant">Whether the size is fixed; events may change a non-constant one.</param>
public sealed record Compartment(string Id, double Size = 1.0, bool Constant = true)
{
    /// <summary>Name, notes and annotations.</summary>
    public ElementInfo Info { get; init; } = ElementInfo.None;
}

/// <summary>A species: an integer number of molecules or cells in a compartment.</summary>
/// <param name="Id">Identifier.</param>
/// <param name="Compartment">The compartment it lives in.</param>
/// <param name="InitialAmount">Initial count (an integer ≥ 0 unless an assignment rule defines the species).</param>
/// <param name="Boundary">Reactions do not change it (SBML boundaryCondition); events and rules may.</param>
/// <param name="Constant">Nothing changes it.</param>
/// <param name="AmountInExpressions">Whether its symbol in expressions means the amount (SBML
/// hasOnlySubstanceUnits = true) or the concentration amount / size (false).</param>
public sealed record Species(string Id, string Compartment, double InitialAmount, bool Boundary = false, bool Constant = false, bool AmountInExpressions = true)
{
    /// <summary>Name, notes and annotations.</summary>
    public ElementInfo Info { get; init; } = ElementInfo.None;
}

/// <summary>A named number: a rate constant or any other model quantity.</summary>
/// <param name="Id">Identifier.</param>
/// <param name="Value">Value.</param>
/// <param name="Constant">Whether events and rules may change it (false) or not (true).</param>
public sealed record Parameter(string Id, double Value, bool Constant = true)
{
    /// <summary>Name, notes and annotations.</summary>
    public ElementInfo Info { get; init; } = ElementInfo.None;
}

/// <summary>A change of a driver's value at a time.</summary>
public readonly record struct DriverChange(double Time, double Value);

/// <summary>A piecewise-constant input (a lactation stage, an illness severity) changed at scheduled times.</summary>
/// <remarks>
/// Every algorithm stops exactly at each change time, applies it and refreshes the propensities, so rates follow
/// the driver without approximation. In expressions a driver is read like a parameter.
/// </remarks>
/// <param name="Id">Identifier.</param>
/// <param name="Initial">Value from the start.</param>
/// <param name="Changes">Changes in time order.</param>
public sealed record Driver(string Id, double Initial, IReadOnlyList<DriverChange> Changes)
{
    /// <summary>Name, notes and annotations.</summary>
    public ElementInfo Info { get; init; } = ElementInfo.None;
}

/// <summary>A species and its stoichiometric coefficient in a reaction.</summary>
public readonly record struct SpeciesReference(string Species, int Stoichiometry = 1);

/// <summary>A reaction's propensity: mass action with a rate constant, or any expression.</summary>
public abstract record RateLaw;

/// <summary>Stochastic mass action: propensity k · Π C(xᵢ, νᵢ) over the reactants.</summary>
/// <remarks>
/// C(x, ν) is the binomial coefficient x(x−1)…(x−ν+1)/ν!, the number of distinct reactant combinations
/// (Gillespie 1977, J Phys Chem 81:2340, doi:10.1021/j100540a008), so <c>2A → B</c> with constant k has propensity
/// k·A(A−1)/2. The rate constant is an expression over parameters, drivers and compartment sizes.
/// </remarks>
public sealed record MassAction(Expr RateConstant) : RateLaw;

/// <summary>A propensity given as an expression (SBML kinetic law read stochastically, as the DSMTS does).</summary>
public sealed record CustomRate(Expr Propensity) : RateLaw;

/// <summary>A constant visible only inside one reaction's rate law, shadowing any global of the same id.</summary>
public readonly record struct LocalParameter(string Id, double Value);

/// <summary>A reaction: reactants become products at a rate.</summary>
/// <param name="Id">Identifier.</param>
/// <param name="Reactants">Consumed species with stoichiometry.</param>
/// <param name="Products">Produced species with stoichiometry.</param>
/// <param name="Rate">The propensity (firings per unit time).</param>
public sealed record Reaction(string Id, IReadOnlyList<SpeciesReference> Reactants, IReadOnlyList<SpeciesReference> Products, RateLaw Rate)
{
    /// <summary>Constants scoped to this reaction's rate law.</summary>
    public IReadOnlyList<LocalParameter> LocalParameters { get; init; } = [];

    /// <summary>Species the rate reads that the reaction does not change (informative; SBML modifiers).</summary>
    public IReadOnlyList<string> Modifiers { get; init; } = [];

    /// <summary>Name, notes and annotations.</summary>
    public ElementInfo Info { get; init; } = ElementInfo.None;
}

/// <summary>A variable that always equals an expression (SBML assignment rule).</summary>
public sealed record AssignmentRule(string Variable, Expr Expression)
{
    /// <summary>Name, notes and annotations.</summary>
    public ElementInfo Info { get; init; } = ElementInfo.None;
}

/// <summary>A variable's starting value computed from others (SBML initial assignment).</summary>
public sealed record InitialAssignment(string Variable, Expr Expression);

/// <summary>One assignment an event performs.</summary>
public sealed record EventAssignment(string Variable, Expr Expression);

/// <summary>An event: when its trigger turns from false to true, its assignments are applied at once.</summary>
/// <remarks>
/// Assignment values are all computed before any is applied. A trigger may compare <c>time</c> with an expression
/// free of species (an exact scheduled time) and test species values (checked after every change, so no firing is
/// lost). Without delays or priorities, simultaneous events fire in definition order and may cascade.
/// </remarks>
/// <param name="Id">Identifier.</param>
/// <param name="Trigger">Condition; non-zero is true.</param>
/// <param name="Assignments">What it sets.</param>
/// <param name="TriggerInitialValue">The trigger's value just before the start (SBML initialValue): false lets an
/// event whose trigger holds at the start fire then.</param>
public sealed record Event(string Id, Expr Trigger, IReadOnlyList<EventAssignment> Assignments, bool TriggerInitialValue = false)
{
    /// <summary>Name, notes and annotations.</summary>
    public ElementInfo Info { get; init; } = ElementInfo.None;
}

/// <summary>A user function, inlined wherever it is called (SBML function definition).</summary>
public sealed record FunctionDefinition(string Id, IReadOnlyList<string> Parameters, Expr Body)
{
    /// <summary>Name, notes and annotations.</summary>
    public ElementInfo Info { get; init; } = ElementInfo.None;
}

/// <summary>An immutable reaction network: the engine's model, built in code or imported from SBML.</summary>
/// <remarks>Validated and compiled by <see cref="Compilation.CompiledNetwork.Compile"/>, which reports every problem
/// with the element it concerns.</remarks>
public sealed record Network(string Id)
{
    /// <summary>Where the network came from (a file path), for error messages; null when built in code.</summary>
    public string? Source { get; init; }

    /// <summary>Compartments.</summary>
    public IReadOnlyList<Compartment> Compartments { get; init; } = [];

    /// <summary>Species.</summary>
    public IReadOnlyList<Species> Species { get; init; } = [];

    /// <summary>Parameters.</summary>
    public IReadOnlyList<Parameter> Parameters { get; init; } = [];

    /// <summary>Piecewise-constant drivers.</summary>
    public IReadOnlyList<Driver> Drivers { get; init; } = [];

    /// <summary>Reactions.</summary>
    public IReadOnlyList<Reaction> Reactions { get; init; } = [];

    /// <summary>Assignment rules.</summary>
    public IReadOnlyList<AssignmentRule> Rules { get; init; } = [];

    /// <summary>Initial assignments.</summary>
    public IReadOnlyList<InitialAssignment> InitialAssignments { get; init; } = [];

    /// <summary>Events.</summary>
    public IReadOnlyList<Event> Events { get; init; } = [];

    /// <summary>User functions.</summary>
    public IReadOnlyList<FunctionDefinition> Functions { get; init; } = [];

    /// <summary>Name, notes and annotations of the model.</summary>
    public ElementInfo Info { get; init; } = ElementInfo.None;
}
