using System.Collections.Immutable;
using MilkCells.Core.Provenance;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;

namespace MilkCells.Model.Structure;

// Design: the milk model as a reaction network in plain records, with no engine types. Phase 2 maps each record
// onto the stochastic engine's network API (species with integer counts, parameters, reactions with general rate
// laws, piecewise-constant drivers changed by scheduled events) and applies the interventions at their times.
// Rate expressions use SBML Level 3 infix syntax (libSBML's parseL3Formula), so the same strings serve SBML export.

/// <summary>A compartment. Every species is a count (SBML hasOnlySubstanceUnits = true); sizes are nominal.</summary>
/// <param name="Id">Identifier.</param>
/// <param name="Description">What it is.</param>
public sealed record CompartmentSpec(string Id, string Description);

/// <summary>What a species counts, so that outputs can aggregate species by class, breast and viability.</summary>
public enum SpeciesRole
{
    /// <summary>Milk stored in a breast, in volume quanta.</summary>
    BreastMilk,

    /// <summary>Cells of one type and viability in a breast's stored milk.</summary>
    BreastCells,

    /// <summary>Viable swallowed cells in the infant's gut.</summary>
    GutCells,

    /// <summary>Transferred cells circulating in the infant's blood (transit).</summary>
    BloodCells,

    /// <summary>Maternal cells engrafted in an infant organ.</summary>
    OrganCells,

    /// <summary>Engrafted maternal stem cells differentiated into a fate.</summary>
    FateCells,

    /// <summary>Milk or formula in a container, in volume quanta.</summary>
    ContainerMilk,

    /// <summary>Cells of one type and viability in a container.</summary>
    ContainerCells,

    /// <summary>A running total (milk drunk, cells swallowed, formula fed); only interventions change it.</summary>
    Tally,
}

/// <summary>Whether cells are alive.</summary>
public enum Viability
{
    /// <summary>Viable.</summary>
    Alive,

    /// <summary>Dead (still countable in milk).</summary>
    Dead,
}

/// <summary>A species: an integer count in a compartment.</summary>
/// <param name="Id">Identifier (SBML SId).</param>
/// <param name="Compartment">Compartment id.</param>
/// <param name="Role">What it counts.</param>
/// <param name="CountUnit">What one count is ("cell", or "0.1 mL" for milk).</param>
/// <param name="CellType">Cell type id, for cell species.</param>
/// <param name="Class">Cell class, for cell species (and class-level infant species).</param>
/// <param name="Viability">Alive or dead, for cell species.</param>
/// <param name="Breast">Breast, for breast species.</param>
/// <param name="Container">Container id, for container species.</param>
/// <param name="Organ">Organ, for organ species.</param>
/// <param name="Fate">Fate, for fate species.</param>
/// <param name="AnimalDerived">Whether its dynamics rest on animal studies only (infant species).</param>
public sealed record SpeciesSpec(
    string Id, string Compartment, SpeciesRole Role, string CountUnit,
    string? CellType = null, CellClass? Class = null, Viability? Viability = null, Breast? Breast = null,
    string? Container = null, string? Organ = null, string? Fate = null, bool AnimalDerived = false);

/// <summary>A constant of the network, with its source.</summary>
/// <param name="Id">Identifier used in rate expressions.</param>
/// <param name="Value">Value in <paramref name="Unit"/>.</param>
/// <param name="Unit">Canonical unit.</param>
/// <param name="ParameterId">The model parameter it comes from (with <paramref name="Key"/> for a table entry).</param>
/// <param name="Key">Table key, if any.</param>
/// <param name="Provenance">Source, condition, confidence, era.</param>
/// <param name="MotherSpecific">Whether a run plan replaces it with the mother's own value.</param>
public sealed record ParameterSpec(string Id, double Value, CanonicalUnit Unit, string ParameterId, string? Key, Provenance Provenance, bool MotherSpecific = false);

/// <summary>A piecewise-constant input to the rates, changed only at scheduled times (a lactation stage, an illness, time since a feed).</summary>
/// <param name="Id">Identifier used in rate expressions.</param>
/// <param name="Unit">Canonical unit.</param>
/// <param name="Description">What it is and how it is scheduled.</param>
/// <param name="Default">Value before any change is scheduled.</param>
/// <param name="Breast">Breast it belongs to, if any.</param>
/// <param name="Container">Container it belongs to, if any.</param>
public sealed record DriverSpec(string Id, CanonicalUnit Unit, string Description, double Default, Breast? Breast = null, string? Container = null);

/// <summary>A species with its stoichiometric coefficient.</summary>
/// <param name="Species">Species id.</param>
/// <param name="Coefficient">How many are consumed (reactants) or made (products) per firing.</param>
public sealed record Stoichiometry(string Species, int Coefficient = 1);

/// <summary>The kinds of process the reactions implement.</summary>
public enum ProcessKind
{
    MilkSynthesis,
    Shedding,
    Migration,
    Death,
    Retention,
    GutLoss,
    GutPassage,
    BloodClearance,
    Homing,
    OrganLoss,
    Differentiation,
    FateLoss,
    StorageDeath,
    StorageLoss,

    /// <summary>Daily resolution: milk drunk from a breast, at its feed-cycle average (docs/model.md §4b).</summary>
    Drinking,

    /// <summary>Daily resolution: cells swallowed with that milk, at their feed-cycle average concentration (§4b).</summary>
    Swallowing,
}

/// <summary>A reaction: reactants, products and a rate law (propensity, firings per hour).</summary>
/// <param name="Id">Identifier.</param>
/// <param name="Process">What process it is.</param>
/// <param name="Reactants">Consumed species.</param>
/// <param name="Products">Produced species.</param>
/// <param name="Rate">Propensity in SBML L3 infix over species counts, parameter and driver ids; firings per hour.</param>
/// <param name="Description">What it means.</param>
public sealed record ReactionSpec(
    string Id, ProcessKind Process, ImmutableArray<Stoichiometry> Reactants, ImmutableArray<Stoichiometry> Products, string Rate, string Description);

/// <summary>The milk model as an engine-agnostic reaction network for one scenario's structure.</summary>
/// <remarks>
/// Time is in hours. Counts: cells are single cells; milk is counted in quanta of <see cref="VolumeQuantumMl"/>.
/// Built by <see cref="NetworkBuilder"/>; a <see cref="Planning.RunPlan"/> adds a mother's values, the driver schedule
/// and the interventions for one run.
/// </remarks>
/// <param name="ModelVersion">Model data version.</param>
/// <param name="ProfileId">Calibration profile.</param>
/// <param name="ProfileMarking">Text every output must show.</param>
/// <param name="VolumeQuantumMl">Millilitres per milk count.</param>
/// <param name="Compartments">Compartments.</param>
/// <param name="Species">Species.</param>
/// <param name="Parameters">Constants with sources.</param>
/// <param name="Drivers">Piecewise-constant inputs.</param>
/// <param name="Reactions">Reactions.</param>
public sealed record NetworkSpec(
    string ModelVersion,
    string ProfileId,
    string ProfileMarking,
    double VolumeQuantumMl,
    ImmutableArray<CompartmentSpec> Compartments,
    ImmutableArray<SpeciesSpec> Species,
    ImmutableArray<ParameterSpec> Parameters,
    ImmutableArray<DriverSpec> Drivers,
    ImmutableArray<ReactionSpec> Reactions)
{
    /// <summary>A species by id.</summary>
    public SpeciesSpec SpeciesById(string id) => Species.First(s => s.Id == id);

    /// <summary>Every identifier a rate expression may use: species, parameters, drivers.</summary>
    public ImmutableHashSet<string> Symbols =>
        [.. Species.Select(s => s.Id), .. Parameters.Select(p => p.Id), .. Drivers.Select(d => d.Id)];
}
