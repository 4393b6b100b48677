using System.Collections.Immutable;
using MilkCells.Samples.Input;
using MilkCells.Samples.Panels;

namespace MilkCells.Samples.Analysis;

/// <summary>One population of a gated sample: its events, its parent's, and cells per mL of milk when counts are absolute.</summary>
/// <param name="Population">The panel's population.</param>
/// <param name="Events">Events inside it (as <c>fcs gate</c> counts them).</param>
/// <param name="ParentEvents">Events in its parent (all events at the top).</param>
/// <param name="CellsPerMl">Cells per mL of milk, or null (beads, or no absolute-count route).</param>
public sealed record PopulationResult(PanelPopulation Population, int Events, int ParentEvents, double? CellsPerMl);

/// <summary>How an FCS sample was gated and counted.</summary>
/// <param name="File">The FCS file.</param>
/// <param name="Panel">The panel's name.</param>
/// <param name="Events">Events in the file.</param>
/// <param name="Populations">Every population in panel order.</param>
/// <param name="CountRoute">"beads", "volume" or "none".</param>
/// <param name="CellsPerMlPerEvent">Cells per mL of milk that one singlet event stands for (route × aggregate correction × dilution), or null.</param>
/// <param name="AggregateFactor">Cells per singlet event: (singlets + 2 × aggregates) / singlets, 1 without nucleated and singlet gates.</param>
/// <param name="Plots">Density plots of each gate's parent with the gate (for the report), when asked for.</param>
/// <param name="Warnings">What the reader or the gating tolerated.</param>
public sealed record FcsDetails(string File, string Panel, int Events, ImmutableArray<PopulationResult> Populations, string CountRoute,
    double? CellsPerMlPerEvent, double AggregateFactor, ImmutableArray<GatePlot> Plots, ImmutableArray<string> Warnings);

/// <summary>One sample read and measured: who it is, what it measured (model measures by column name), and how.</summary>
/// <param name="Info">Sample id, mother, lactation day, breast.</param>
/// <param name="Source">Where it came from (an FCS file, or a counts CSV and line).</param>
/// <param name="Fcs">Gating details for FCS samples, else null.</param>
/// <param name="Values">Measures by column name (<see cref="Measures"/>): cells/mL, shares, viability, lab measures.</param>
/// <param name="Events">For measures counted from events, how many events lie behind them (their Poisson error).</param>
/// <param name="Notes">What was derived, assumed or could not be measured.</param>
public sealed record AnalyzedSample(SampleInfo Info, string Source, FcsDetails? Fcs, ImmutableSortedDictionary<string, double> Values,
    ImmutableSortedDictionary<string, double> Events, ImmutableArray<string> Notes)
{
    /// <summary>A measure's value, or null.</summary>
    public double? Value(string measure) => Values.TryGetValue(measure, out var v) ? v : null;
}
