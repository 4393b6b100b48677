using System.Collections.Immutable;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;

namespace MilkCells.Simulation;

/// <summary>The chemistry of some milk: bacteria, sodium, potassium (the readouts that separate stasis, non-infectious and infectious mastitis).</summary>
/// <remarks>
/// Thomsen 1983 reads milk by leucocytes (10⁶/mL) and bacteria (10³ CFU/mL); Furukawa 2022 by Na:K (cut-off 0.60);
/// Pace 2022 links Na above 12 mmol/L to mastitis. Volume-weighted where it summarises several feeds; NaN without milk.
/// </remarks>
/// <param name="BacteriaCfuPerMl">Bacteria (culture count), colony-forming units per mL.</param>
/// <param name="SodiumMmolL">Sodium, mmol/L.</param>
/// <param name="PotassiumMmolL">Potassium, mmol/L.</param>
public readonly record struct ChemistryReadout(double BacteriaCfuPerMl, double SodiumMmolL, double PotassiumMmolL)
{
    /// <summary>No milk: every value NaN.</summary>
    public static readonly ChemistryReadout None = new(double.NaN, double.NaN, double.NaN);

    /// <summary>Sodium over potassium (molar ratio).</summary>
    public double NaKRatio => SodiumMmolL / PotassiumMmolL;
}

/// <summary>One day of a run as the infant experienced it (a daily.csv row).</summary>
/// <remarks>
/// Concentrations and shares are of the milk the infant drank that day, volume-weighted: cells swallowed over millilitres
/// drunk, so they are cells per mL of milk, never a share of cells. Percentages are of all cells, alive and dead.
/// NaN where the infant drank no breast milk that day.
/// </remarks>
/// <param name="Day">Run day (0 = the first 24 h).</param>
/// <param name="LactationDay">Lactation day.</param>
/// <param name="Stage">Lactation stage id.</param>
/// <param name="Events">Illnesses and processes active that day.</param>
/// <param name="MilkMl">Breast milk drunk, mL.</param>
/// <param name="Feeds">Breastfeeds (removals from one breast).</param>
/// <param name="CellsPerMlTotal">All cells per mL drunk.</param>
/// <param name="CellsPerMlEpithelial">Epithelial cells per mL drunk.</param>
/// <param name="CellsPerMlLeucocyte">Leucocytes per mL drunk.</param>
/// <param name="CellsPerMlStem">Stem/progenitor cells per mL drunk.</param>
/// <param name="PctLeucocyte">Leucocytes, % of all cells.</param>
/// <param name="PctStem">Stem/progenitor cells, % of all cells.</param>
/// <param name="ViableFraction">Viable share of the cells swallowed, 0–1.</param>
/// <param name="IngestedTotal">Cells swallowed.</param>
/// <param name="IngestedLeucocyte">Leucocytes swallowed.</param>
/// <param name="IngestedStem">Stem/progenitor cells swallowed.</param>
/// <param name="FormulaMl">Formula fed, mL.</param>
/// <param name="Chemistry">Bacteria, sodium and potassium of the milk drunk, volume-weighted over the day's feeds.</param>
/// <param name="CellsPerMlByType">Cells per mL drunk by cell type, in <see cref="SimulationResult.CellTypes"/> order.</param>
public sealed record DailyRow(
    int Day, int LactationDay, string Stage, ImmutableArray<string> Events, double MilkMl, int Feeds,
    double CellsPerMlTotal, double CellsPerMlEpithelial, double CellsPerMlLeucocyte, double CellsPerMlStem,
    double PctLeucocyte, double PctStem, double ViableFraction,
    long IngestedTotal, long IngestedLeucocyte, long IngestedStem, double FormulaMl, ChemistryReadout Chemistry,
    ImmutableArray<double> CellsPerMlByType);

/// <summary>One breastfeed: what one breast gave at one feed, and its milk just before and 30 min after (a feeds.csv row).</summary>
/// <remarks>
/// <see cref="CellsPerMlBefore"/> is the breast's stored milk just before the feed; <see cref="CellsPerMlAfter30Min"/>
/// the milk left in it 30 min after (Hassiotou 2013 sampled then). Both count alive and dead cells.
/// </remarks>
/// <param name="Day">Run day.</param>
/// <param name="TimeHours">Run time, hours.</param>
/// <param name="Breast">Breast fed from.</param>
/// <param name="Meal">Meal index (a meal is one or both breasts).</param>
/// <param name="RemovalFraction">Planned share of the breast's milk removed.</param>
/// <param name="VolumeMl">Milk drunk, mL.</param>
/// <param name="CellsPerMlTotal">All cells per mL drunk.</param>
/// <param name="CellsPerMlLeucocyte">Leucocytes per mL drunk.</param>
/// <param name="PctLeucocyte">Leucocytes, % of the cells drunk.</param>
/// <param name="CellsPerMlBefore">All cells per mL in the breast just before the feed.</param>
/// <param name="CellsPerMlAfter30Min">All cells per mL in the breast 30 min after the feed (NaN past the run's end).</param>
/// <param name="LeucocytesPerMlBefore">Leucocytes per mL in the breast just before the feed.</param>
/// <param name="Chemistry">Bacteria, sodium and potassium of the milk drunk at this feed.</param>
/// <param name="Counts">Cells drunk by cell type and viability, in <see cref="SimulationResult.CellColumns"/> order.</param>
public sealed record FeedRow(
    int Day, double TimeHours, Breast Breast, int Meal, double RemovalFraction, double VolumeMl,
    double CellsPerMlTotal, double CellsPerMlLeucocyte, double PctLeucocyte,
    double CellsPerMlBefore, double CellsPerMlAfter30Min, double LeucocytesPerMlBefore, ChemistryReadout Chemistry,
    ImmutableArray<long> Counts);

/// <summary>What the infant drank from one breast on one day: milk and cells, from its feeds.</summary>
/// <remarks>
/// Sums of that breast's feed rows at <see cref="SimulationResolution.Feed"/> (when feed rows are collected), the
/// per-breast tallies at <see cref="SimulationResolution.Daily"/>. Concentrations are volume-weighted over the day's
/// feeds from that breast (NaN when it gave no milk), so an illness of one breast shows here undiluted by the other.
/// </remarks>
/// <param name="Day">Run day.</param>
/// <param name="Breast">Breast.</param>
/// <param name="MilkMl">Milk drunk from it, mL.</param>
/// <param name="CellsPerMlTotal">All cells per mL drunk from it.</param>
/// <param name="CellsPerMlLeucocyte">Leucocytes per mL drunk from it.</param>
/// <param name="ViableFraction">Viable share of the cells swallowed from it.</param>
/// <param name="Chemistry">Bacteria, sodium and potassium of the milk drunk from it, volume-weighted over its feeds.</param>
/// <param name="Counts">Cells swallowed from it by cell type and viability, in <see cref="SimulationResult.CellColumns"/> order.</param>
public sealed record BreastDayRow(int Day, Breast Breast, double MilkMl, double CellsPerMlTotal, double CellsPerMlLeucocyte, double ViableFraction,
    ChemistryReadout Chemistry, ImmutableArray<long> Counts);

/// <summary>Maternal cells in the infant at the end of a day (an infant.csv row); all animal-derived.</summary>
/// <param name="Day">Run day.</param>
/// <param name="TimeHours">Run time, hours (the end of the day).</param>
/// <param name="Counts">Counts in <see cref="SimulationResult.InfantColumns"/> order.</param>
public sealed record InfantRow(int Day, double TimeHours, ImmutableArray<long> Counts);

/// <summary>A container of expressed milk or formula at one moment (an expressed.csv row).</summary>
/// <param name="Container">Container id.</param>
/// <param name="Process">What just happened: pump, store, thaw, pasteurise, formula; held (a sample while stored) or end.</param>
/// <param name="TimeHours">Run time, hours.</param>
/// <param name="TemperatureC">Temperature of the milk, °C.</param>
/// <param name="VolumeMl">Volume, mL.</param>
/// <param name="CellsTotal">Cells, alive and dead.</param>
/// <param name="ViableFraction">Viable share of the cells (NaN when there are none).</param>
public sealed record ExpressedRow(string Container, string Process, double TimeHours, double TemperatureC, double VolumeMl, long CellsTotal, double ViableFraction);

/// <summary>A breast's stored milk at one moment, for within-feed dynamics.</summary>
/// <param name="TimeHours">Run time, hours.</param>
/// <param name="Breast">Breast.</param>
/// <param name="VolumeMl">Stored milk, mL.</param>
/// <param name="CellsPerMlTotal">All cells per mL.</param>
/// <param name="CellsPerMlLeucocyte">Leucocytes per mL.</param>
public sealed record BreastSample(double TimeHours, Breast Breast, double VolumeMl, double CellsPerMlTotal, double CellsPerMlLeucocyte);

/// <summary>Engine statistics of one run.</summary>
/// <param name="Firings">Reaction firings (exact and inside leaps).</param>
/// <param name="Leaps">Tau leaps.</param>
/// <param name="Interventions">Host interventions applied.</param>
public sealed record EngineStats(long Firings, long Leaps, long Interventions);

/// <summary>Everything one mother–infant run produced.</summary>
/// <param name="Plan">The run plan (scenario, mother, network, schedule).</param>
/// <param name="Seed">The seed the plan and the engine streams were derived from.</param>
/// <param name="CellTypes">Cell type ids (per-type daily columns).</param>
/// <param name="CellColumns">Cell type × viability labels (feed counts), e.g. <c>macrophage_alive</c>.</param>
/// <param name="InfantColumns">Infant count labels.</param>
/// <param name="Daily">Daily rows.</param>
/// <param name="Feeds">Feed rows (empty at daily resolution).</param>
/// <param name="Infant">Infant rows (empty at daily resolution).</param>
/// <param name="Expressed">Container rows (empty when no milk is expressed, and at daily resolution).</param>
/// <param name="WithinFeedDay">Run day of <see cref="WithinFeed"/>.</param>
/// <param name="WithinFeed">Breast samples every few minutes on one day.</param>
/// <param name="Stats">Engine statistics.</param>
public sealed record SimulationResult(
    RunPlan Plan, ulong Seed,
    ImmutableArray<string> CellTypes, ImmutableArray<string> CellColumns, ImmutableArray<string> InfantColumns,
    ImmutableArray<DailyRow> Daily, ImmutableArray<FeedRow> Feeds, ImmutableArray<InfantRow> Infant,
    ImmutableArray<ExpressedRow> Expressed, int WithinFeedDay, ImmutableArray<BreastSample> WithinFeed, EngineStats Stats)
{
    /// <summary>How finely the run resolved time (<see cref="RunPlan.Resolution"/>).</summary>
    public SimulationResolution Resolution => Plan.Resolution;

    /// <summary>What the infant drank from each breast each day, by day then breast (empty when <see cref="SimulationOptions.Detail"/> is false).</summary>
    public ImmutableArray<BreastDayRow> BreastDays { get; init; } = [];

    /// <summary>
    /// Each breast's stored milk every <see cref="Scenario.ResolutionHours"/> of the scenario, from 0 to the end, by time
    /// then breast (empty when <see cref="SimulationOptions.Detail"/> is false).
    /// </summary>
    public ImmutableArray<BreastSample> BreastSeries { get; init; } = [];
}
