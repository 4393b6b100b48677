using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.Core.Provenance;

namespace MilkCells.Model.Catalogue;

/// <summary>A cited source: a row of the curated evidence table, a source found and read, or a model convention.</summary>
/// <param name="Id">Short id cited by parameters.</param>
/// <param name="Citation">Authors, year, title or finding, journal.</param>
/// <param name="Doi">DOI without the "doi:" prefix, where one exists.</param>
/// <param name="Pmid">PubMed id, where cited by it.</param>
/// <param name="Evidence">Section of ../shared/evidence/milk-cells.md (null for sources found elsewhere).</param>
/// <param name="Match">Text that occurs verbatim in the evidence table (evidence sources only).</param>
/// <param name="Found">Address the source was read at (sources beyond the evidence table).</param>
/// <param name="IsConvention">A definition the model makes, not a measurement.</param>
/// <param name="Location">Where it is declared.</param>
public sealed record Source(
    string Id, string Citation, string? Doi, string? Pmid, string? Evidence, string? Match, string? Found, bool IsConvention, InputLocation Location)
{
    /// <summary>The citation with its DOI or PMID, as provenance text.</summary>
    public string Cite() => Doi is not null ? $"{Citation}, doi:{Doi}" : Pmid is not null ? $"{Citation}, PMID {Pmid}" : Citation;
}

/// <summary>Pseudo-source ids with a fixed meaning.</summary>
public static class Sources
{
    /// <summary>No source gives the value: the parameter's note states the assumption.</summary>
    public const string Assumption = "assumption";

    /// <summary>Computed from other parameters (docs/model.md); the note gives the formula.</summary>
    public const string Derived = "derived";
}

/// <summary>The report's cell classes.</summary>
public enum CellClass
{
    /// <summary>Mammary epithelial cells: lactocytes, myoepithelial/basal cells, luminal progenitors.</summary>
    Epithelial,

    /// <summary>CD45+ cells migrated from maternal blood.</summary>
    Leucocyte,

    /// <summary>Stem/progenitor subsets defined by markers.</summary>
    Stem,
}

/// <summary>Where a cell type comes from.</summary>
public enum CellOrigin
{
    /// <summary>Shed from the mammary epithelium.</summary>
    MammaryEpithelium,

    /// <summary>Migrated from maternal blood across the epithelium.</summary>
    MaternalBlood,

    /// <summary>Stem/progenitor niches of the gland.</summary>
    StemNiche,
}

/// <summary>How closely a Cell Ontology term describes a model cell type.</summary>
public enum OntologyMatch
{
    /// <summary>The term is this cell type.</summary>
    Exact,

    /// <summary>The nearest term is a parent (CL has no term for the marker-defined milk subset).</summary>
    Broader,

    /// <summary>A term for the same cells under another name.</summary>
    Related,
}

/// <summary>A Cell Ontology (CL) term.</summary>
/// <param name="Id">CURIE, e.g. CL:0000235.</param>
/// <param name="Label">The term's label.</param>
/// <param name="Match">How it relates to the model cell type.</param>
public sealed record OntologyTerm(string Id, string Label, OntologyMatch Match);

/// <summary>A milk cell type; each is tracked alive and dead.</summary>
/// <param name="Id">Kebab-case id used in data and scenarios.</param>
/// <param name="Name">Readable name.</param>
/// <param name="Class">Epithelial, leucocyte or stem.</param>
/// <param name="Origin">Tissue of origin.</param>
/// <param name="CellOntology">The CL term, where one exists.</param>
/// <param name="ProteinMarkers">Protein (surface or intracellular) markers.</param>
/// <param name="GeneMarkers">Marker genes (scRNA-seq).</param>
/// <param name="MarkerSourceIds">Sources of the markers.</param>
/// <param name="Tags">Extra properties, e.g. "phagocyte".</param>
/// <param name="Note">Remarks.</param>
/// <param name="Location">Where it is declared.</param>
public sealed record CellType(
    string Id, string Name, CellClass Class, CellOrigin Origin, OntologyTerm? CellOntology,
    ImmutableArray<string> ProteinMarkers, ImmutableArray<string> GeneMarkers, ImmutableArray<string> MarkerSourceIds,
    ImmutableArray<string> Tags, string? Note, InputLocation Location)
{
    /// <summary>The id as an identifier for species and expressions.</summary>
    public string Symbol => Parameter.ToSymbol(Id);

    /// <summary>The class key used in class-keyed tables ("epithelial", "leucocyte", "stem").</summary>
    public string ClassKey => ClassKeyOf(Class);

    /// <summary>The class key of <paramref name="cls"/>.</summary>
    public static string ClassKeyOf(CellClass cls) => cls.ToString().ToLowerInvariant();
}

/// <summary>A lactation stage.</summary>
/// <param name="Id">Stage id.</param>
/// <param name="Name">Readable name.</param>
/// <param name="FirstDay">First lactation day (null for involution, which follows weaning).</param>
/// <param name="LastDay">Last lactation day, inclusive.</param>
/// <param name="AfterWeaning">Whether the stage begins when weaning ends rather than on a day.</param>
/// <param name="SourceId">Source of the boundaries.</param>
/// <param name="Note">Remarks.</param>
/// <param name="Location">Where it is declared.</param>
public sealed record Stage(string Id, string Name, int? FirstDay, int? LastDay, bool AfterWeaning, string SourceId, string? Note, InputLocation Location);

/// <summary>Whom a health state affects.</summary>
public enum HealthScope
{
    /// <summary>One breast, named by the event.</summary>
    Breast,

    /// <summary>The mother: both breasts.</summary>
    Mother,

    /// <summary>The infant: signalled back to both breasts.</summary>
    Infant,
}

/// <summary>A health state with severity levels and onset–plateau–recovery kinetics.</summary>
/// <remarks>Its numbers are the parameters <c>health.&lt;id&gt;.*</c>: see <see cref="HealthState.ParameterNames"/>.</remarks>
/// <param name="Id">Health state id.</param>
/// <param name="Name">Readable name.</param>
/// <param name="Scope">Breast, mother or infant.</param>
/// <param name="Description">What it is, with sources.</param>
/// <param name="Location">Where it is declared.</param>
public sealed record HealthState(string Id, string Name, HealthScope Scope, string Description, InputLocation Location)
{
    /// <summary>The parameter names every health state must have, with their canonical unit and table key set.</summary>
    public static readonly ImmutableArray<(string Name, CanonicalUnit Unit, string? Keys)> ParameterNames =
    [
        ("peak_leucocytes", CanonicalUnit.CellsPerMillilitre, "severity"),
        ("onset", CanonicalUnit.Hours, "severity"),
        ("recovery", CanonicalUnit.Hours, "severity"),
        ("duration", CanonicalUnit.Hours, null),
        ("synthesis_factor", CanonicalUnit.Multiplier, "severity"),
        ("epithelial_factor", CanonicalUnit.Multiplier, "severity"),
        ("leucocyte_shares", CanonicalUnit.Fraction, "leucocyte"),
        ("peak_bacteria", CanonicalUnit.ColonyFormingUnitsPerMillilitre, "severity"),
        ("peak_na_k", CanonicalUnit.Multiplier, "severity"),
    ];

    /// <summary>The id of this state's parameter <paramref name="name"/>.</summary>
    public string ParameterId(string name) => $"health.{Id}.{name}";
}

/// <summary>Severity levels of an illness.</summary>
public static class Severity
{
    /// <summary>The levels, mildest first.</summary>
    public static readonly ImmutableArray<string> Levels = ["mild", "moderate", "severe"];
}

/// <summary>A differentiated fate of engrafted stem cells in one infant organ.</summary>
/// <param name="Id">Fate id (a key of infant.differentiation_rate).</param>
/// <param name="Organ">Organ where it happens.</param>
/// <param name="Name">Readable name.</param>
/// <param name="SourceId">Source (animal).</param>
public sealed record InfantFate(string Id, string Organ, string Name, string SourceId);

/// <summary>A calibration profile: replacements for named parameters, and the marking every output must carry.</summary>
/// <param name="Id">Profile id (default, microscopy-era, lay-claims).</param>
/// <param name="Name">Readable name.</param>
/// <param name="Era">The measurement era it follows.</param>
/// <param name="IsDefault">Whether it is the default.</param>
/// <param name="Marking">Text every output must show.</param>
/// <param name="Description">What it is for.</param>
/// <param name="Overrides">Parameters it replaces, by id.</param>
/// <param name="Location">Where it is declared.</param>
public sealed record Profile(
    string Id, string Name, MeasurementEra Era, bool IsDefault, string Marking, string Description,
    ImmutableSortedDictionary<string, Parameter> Overrides, InputLocation Location);

/// <summary>A check that a simulation must pass, taken from one row of the evidence table.</summary>
/// <param name="Id">Check id.</param>
/// <param name="Quantity">The output quantity (a daily.csv or feeds.csv column, or a description).</param>
/// <param name="Min">Lower bound, canonical unit, if any.</param>
/// <param name="Max">Upper bound, if any.</param>
/// <param name="Target">A point value to reproduce, if any.</param>
/// <param name="Unit">Canonical unit text.</param>
/// <param name="FirstDay">First lactation day the check applies to.</param>
/// <param name="LastDay">Last day.</param>
/// <param name="Scenario">Built-in scenario it runs on.</param>
/// <param name="SourceId">Source id.</param>
/// <param name="Row">Text found verbatim in the evidence table row.</param>
/// <param name="Note">Remarks.</param>
public sealed record EvidenceCheck(
    string Id, string Quantity, double? Min, double? Max, double? Target, string Unit, int? FirstDay, int? LastDay,
    string Scenario, string SourceId, string Row, string? Note);
