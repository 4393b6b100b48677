using System.Collections.Immutable;
using MilkCells.Core.Errors;

namespace MilkCells.Model.Scenarios;

/// <summary>A breast of the mother.</summary>
public enum Breast
{
    /// <summary>The left breast.</summary>
    Left,

    /// <summary>The right breast.</summary>
    Right,
}

/// <summary>A simulation scenario: the mother, the feeding, the events, how long and how finely to report.</summary>
/// <remarks>
/// Read from YAML (scenarios/*.yaml; schema scenarios/scenario.schema.json) by <see cref="ScenarioLoader"/>, which
/// validates it against the model and reports every problem with file, line and key. Times are hours since the run
/// starts (t = 0 at the start of lactation day <see cref="StartDay"/>).
/// </remarks>
/// <param name="Name">Scenario name.</param>
/// <param name="Description">What it shows.</param>
/// <param name="Origin">"builtin:NAME" or the file path it was read from.</param>
/// <param name="Hash">SHA-256 of the scenario text (hex), for run records.</param>
/// <param name="StartDay">Lactation day at t = 0.</param>
/// <param name="DurationDays">Length of the run in days.</param>
/// <param name="ResolutionHours">Spacing of the samples of each breast's stored milk (breasts.csv), hours.</param>
/// <param name="Mother">The mother: fixed or sampled, and her fixed values.</param>
/// <param name="Feeding">How the infant feeds.</param>
/// <param name="Events">Illness episodes, expressions, storage, pasteurisation, weaning, formula feeds, by time.</param>
/// <param name="Containers">Containers of expressed milk or formula.</param>
/// <param name="ParameterOverrides">Model parameters set by the scenario (canonical units).</param>
public sealed record Scenario(
    string Name,
    string Description,
    string Origin,
    string Hash,
    int StartDay,
    double DurationDays,
    double ResolutionHours,
    MotherSpec Mother,
    FeedingSpec Feeding,
    ImmutableArray<ScenarioEvent> Events,
    ImmutableArray<ContainerSpec> Containers,
    ImmutableArray<ParameterOverride> ParameterOverrides)
{
    /// <summary>Length of the run, hours.</summary>
    public double DurationHours => DurationDays * 24;

    /// <summary>The last lactation day the run reaches.</summary>
    public int LastDay => StartDay + (int)Math.Ceiling(DurationDays) - 1;

    /// <summary>Hours since the run's start of a lactation day and a clock time.</summary>
    public double HoursAt(double lactationDay, double clockHours) => (lactationDay - StartDay) * 24 + clockHours;

    /// <summary>The lactation day (fractional) at run time <paramref name="hours"/>.</summary>
    public double DayAt(double hours) => StartDay + hours / 24;

    /// <summary>The weaning event, if any.</summary>
    public WeaningEvent? Weaning => Events.OfType<WeaningEvent>().FirstOrDefault();

    /// <summary>Term or preterm birth (preterm milk differs: docs/model.md §4c).</summary>
    public Birth Birth { get; init; } = Birth.Term;
}

/// <summary>When the infant was born.</summary>
public enum Birth
{
    /// <summary>At term (37 weeks or later).</summary>
    Term,

    /// <summary>Before 37 weeks: preterm colostrum and milk are more cellular (Jain 1991).</summary>
    Preterm,
}

/// <summary>Whether the mother is the model's median mother (with optional fixed values) or drawn from the population.</summary>
public enum MotherMode
{
    /// <summary>The median mother, with any values the scenario fixes.</summary>
    Fixed,

    /// <summary>Drawn from the between-mother distributions with the run's seed.</summary>
    Sampled,
}

/// <summary>The scenario's mother.</summary>
/// <param name="Mode">Fixed or sampled.</param>
/// <param name="ProductionFactor">Her milk production relative to the median (fixed mode; null = 1).</param>
/// <param name="StorageCapacityMl">Her storage capacity per breast, mL (null = the model's).</param>
/// <param name="RightShare">Share of her milk made by the right breast (null = the model's mean).</param>
/// <param name="CellTypeFactors">Multipliers of cell concentrations by cell type id.</param>
/// <param name="Location">Where it is declared.</param>
public sealed record MotherSpec(
    MotherMode Mode, double? ProductionFactor, double? StorageCapacityMl, double? RightShare,
    ImmutableSortedDictionary<string, double> CellTypeFactors, InputLocation Location);

/// <summary>How the infant feeds.</summary>
public enum FeedingMode
{
    /// <summary>On demand: meals at random intervals whose mean follows the breastfeeds-per-day curve for the infant's age.</summary>
    OnDemand,

    /// <summary>Meals at fixed clock times every day.</summary>
    Schedule,

    /// <summary>No breastfeeding (milk is only expressed, or formula only).</summary>
    None,
}

/// <summary>Which breasts a scheduled meal uses.</summary>
public enum MealBreasts
{
    /// <summary>One breast per meal, alternating.</summary>
    Alternate,

    /// <summary>Both breasts at every meal.</summary>
    Both,
}

/// <summary>The scenario's feeding.</summary>
/// <param name="Mode">On demand, schedule or none.</param>
/// <param name="ExclusiveUntilDay">Last day of exclusive breastfeeding (complementary foods after; documents the intake curve's assumption).</param>
/// <param name="ScheduleTimesHours">Clock times of meals, hours after midnight (schedule mode).</param>
/// <param name="ScheduleBreasts">Breasts per scheduled meal.</param>
/// <param name="RemovalFraction">Share of the available milk taken at each breastfeed (null: the model's distribution).</param>
/// <param name="Location">Where it is declared.</param>
public sealed record FeedingSpec(
    FeedingMode Mode, int? ExclusiveUntilDay, ImmutableArray<double> ScheduleTimesHours, MealBreasts ScheduleBreasts,
    double? RemovalFraction, InputLocation Location);

/// <summary>What a container holds.</summary>
public enum ContainerKind
{
    /// <summary>Expressed breast milk.</summary>
    Expressed,

    /// <summary>Infant formula: the zero-cell comparator.</summary>
    Formula,
}

/// <summary>A container of expressed milk or formula.</summary>
/// <param name="Id">Container id.</param>
/// <param name="Kind">Expressed milk or formula.</param>
/// <param name="Location">Where it is declared.</param>
public sealed record ContainerSpec(string Id, ContainerKind Kind, InputLocation Location)
{
    /// <summary>The id as an identifier for species names.</summary>
    public string Symbol => Catalogue.Parameter.ToSymbol(Id);
}

/// <summary>A model parameter the scenario sets (canonical units).</summary>
/// <param name="Id">Parameter id.</param>
/// <param name="Key">Table key, for table parameters.</param>
/// <param name="Value">Canonical value.</param>
/// <param name="Location">Where it is set.</param>
public sealed record ParameterOverride(string Id, string? Key, double Value, InputLocation Location);

/// <summary>Something that happens in a scenario at a time.</summary>
/// <param name="Hours">Run time it starts, hours.</param>
/// <param name="Location">Where it is declared.</param>
public abstract record ScenarioEvent(double Hours, InputLocation Location)
{
    /// <summary>A short label for reports (the daily.csv events column).</summary>
    public abstract string Label { get; }

    /// <summary>The container the event concerns, if any.</summary>
    public virtual string? ContainerId => null;
}

/// <summary>An illness episode of one health state.</summary>
/// <param name="Hours">Onset, run hours.</param>
/// <param name="Location">Where it is declared.</param>
/// <param name="State">Health state id.</param>
/// <param name="Breast">Affected breast (breast-scoped states only).</param>
/// <param name="Severity">mild, moderate or severe.</param>
/// <param name="DurationHours">Length of the episode, onset to back at baseline.</param>
public sealed record IllnessEvent(double Hours, InputLocation Location, string State, Breast? Breast, string Severity, double DurationHours)
    : ScenarioEvent(Hours, Location)
{
    /// <inheritdoc/>
    public override string Label => Breast is null ? $"{State} ({Severity})" : $"{State} ({Severity}, {Breast.ToString()!.ToLowerInvariant()})";

    /// <summary>Run time the episode ends.</summary>
    public double EndHours => Hours + DurationHours;
}

/// <summary>Milk expressed with a pump from one breast into a container.</summary>
/// <param name="Hours">Run time.</param>
/// <param name="Location">Where it is declared.</param>
/// <param name="Breast">Breast pumped.</param>
/// <param name="Container">Container id.</param>
/// <param name="Fraction">Share of the available milk removed (null: the model's removal fraction).</param>
public sealed record PumpEvent(double Hours, InputLocation Location, Breast Breast, string Container, double? Fraction)
    : ScenarioEvent(Hours, Location)
{
    /// <inheritdoc/>
    public override string Label => $"pump {Breast.ToString().ToLowerInvariant()} → {Container}";

    /// <inheritdoc/>
    public override string? ContainerId => Container;
}

/// <summary>Where a container is kept.</summary>
public enum StoragePlace
{
    /// <summary>Room temperature.</summary>
    Room,

    /// <summary>Refrigerator, 4 °C.</summary>
    Fridge,

    /// <summary>Freezer, −20 °C.</summary>
    Freezer,
}

/// <summary>A container moved to a storage place (expressed milk starts at room temperature).</summary>
/// <param name="Hours">Run time.</param>
/// <param name="Location">Where it is declared.</param>
/// <param name="Container">Container id.</param>
/// <param name="Place">Room, fridge or freezer.</param>
public sealed record StoreEvent(double Hours, InputLocation Location, string Container, StoragePlace Place) : ScenarioEvent(Hours, Location)
{
    /// <inheritdoc/>
    public override string Label => $"store {Container} ({Place.ToString().ToLowerInvariant()})";

    /// <inheritdoc/>
    public override string? ContainerId => Container;
}

/// <summary>A frozen container thawed (to room temperature).</summary>
/// <param name="Hours">Run time.</param>
/// <param name="Location">Where it is declared.</param>
/// <param name="Container">Container id.</param>
public sealed record ThawEvent(double Hours, InputLocation Location, string Container) : ScenarioEvent(Hours, Location)
{
    /// <inheritdoc/>
    public override string Label => $"thaw {Container}";

    /// <inheritdoc/>
    public override string? ContainerId => Container;
}

/// <summary>Holder pasteurisation of a container (62.5 °C for 30 min), then kept in the fridge.</summary>
/// <param name="Hours">Run time.</param>
/// <param name="Location">Where it is declared.</param>
/// <param name="Container">Container id.</param>
public sealed record PasteuriseEvent(double Hours, InputLocation Location, string Container) : ScenarioEvent(Hours, Location)
{
    /// <inheritdoc/>
    public override string Label => $"pasteurise {Container}";

    /// <inheritdoc/>
    public override string? ContainerId => Container;
}

/// <summary>A formula feed given to the infant (volume without cells), or poured into a formula container.</summary>
/// <param name="Hours">Run time.</param>
/// <param name="Location">Where it is declared.</param>
/// <param name="VolumeMl">Volume, mL.</param>
/// <param name="Container">A formula container to fill instead of feeding the infant, if set.</param>
public sealed record FormulaEvent(double Hours, InputLocation Location, double VolumeMl, string? Container) : ScenarioEvent(Hours, Location)
{
    /// <inheritdoc/>
    public override string Label => Container is null ? $"formula {VolumeMl:0} mL" : $"formula → {Container}";

    /// <inheritdoc/>
    public override string? ContainerId => Container;
}

/// <summary>Weaning: breastfeeds taper to none over some days; involution follows.</summary>
/// <param name="Hours">Run time weaning starts.</param>
/// <param name="Location">Where it is declared.</param>
/// <param name="OverDays">Days over which feeds taper to none.</param>
public sealed record WeaningEvent(double Hours, InputLocation Location, double OverDays) : ScenarioEvent(Hours, Location)
{
    /// <inheritdoc/>
    public override string Label => "weaning";

    /// <summary>Run time the last feed may happen; involution starts then.</summary>
    public double EndHours => Hours + OverDays * 24;
}
