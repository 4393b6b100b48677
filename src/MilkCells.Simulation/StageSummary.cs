using System.Collections.Immutable;

namespace MilkCells.Simulation;

/// <summary>A run's daily rows summarised by lactation stage, with each illness window summarised on its own.</summary>
/// <remarks>Concentrations, shares and chemistry are volume-weighted over the window (cells swallowed over millilitres drunk);
/// milk and feeds are means per day. Days are lactation days.</remarks>
/// <param name="Stage">Stage id.</param>
/// <param name="Illness">The illness episodes active on these days ("; "-joined labels), or empty for healthy days.</param>
/// <param name="FirstDay">First lactation day.</param>
/// <param name="LastDay">Last lactation day.</param>
/// <param name="MilkMlPerDay">Mean milk drunk per day, mL.</param>
/// <param name="FeedsPerDay">Mean breastfeeds per day.</param>
/// <param name="CellsPerMl">All cells per mL drunk.</param>
/// <param name="LeucocytesPerMl">Leucocytes per mL drunk.</param>
/// <param name="PctLeucocyte">Leucocytes, % of cells.</param>
/// <param name="PctStem">Stem/progenitor cells, % of cells.</param>
/// <param name="ViableFraction">Viable share of the cells swallowed.</param>
/// <param name="Chemistry">Bacteria, sodium and potassium of the milk drunk.</param>
public sealed record StageSummary(
    string Stage, string Illness, int FirstDay, int LastDay, double MilkMlPerDay, double FeedsPerDay, double CellsPerMl, double LeucocytesPerMl,
    double PctLeucocyte, double PctStem, double ViableFraction, ChemistryReadout Chemistry)
{
    /// <summary>The window's label: the stage, and the illness if any.</summary>
    public string Label => Illness.Length == 0 ? Stage : $"{Stage}: {Illness}";

    /// <summary>One summary per run of consecutive days with the same stage and the same illness episodes, in order.</summary>
    /// <param name="days">The daily rows.</param>
    /// <param name="illnesses">The labels of the run's illness events (other events, such as pumping, do not split a window).</param>
    public static ImmutableArray<StageSummary> Of(IReadOnlyList<DailyRow> days, IReadOnlyCollection<string> illnesses)
    {
        string IllnessOf(DailyRow d) => string.Join("; ", d.Events.Where(illnesses.Contains));
        var list = ImmutableArray.CreateBuilder<StageSummary>();
        var start = 0;
        for (var i = 1; i <= days.Count; i++)
        {
            if (i < days.Count && days[i].Stage == days[start].Stage && IllnessOf(days[i]) == IllnessOf(days[start]))
            {
                continue;
            }
            var span = days.Skip(start).Take(i - start).ToArray();
            double milk = span.Sum(d => d.MilkMl), cells = span.Sum(d => (double)d.IngestedTotal), leu = span.Sum(d => (double)d.IngestedLeucocyte);
            double stem = span.Sum(d => (double)d.IngestedStem);
            double viable = span.Where(d => !double.IsNaN(d.ViableFraction)).Sum(d => d.ViableFraction * d.IngestedTotal);
            var chemistry = new Model.Derivation.ChemistryMean();
            foreach (var d in span)
            {
                chemistry.Add(d.MilkMl, d.Chemistry.BacteriaCfuPerMl, d.Chemistry.SodiumMmolL, d.Chemistry.PotassiumMmolL);
            }
            var (bacteria, sodium, potassium) = chemistry.Mean;
            list.Add(new StageSummary(days[start].Stage, IllnessOf(days[start]), days[start].LactationDay, days[i - 1].LactationDay,
                milk / span.Length, span.Average(d => (double)d.Feeds),
                milk > 0 ? cells / milk : double.NaN, milk > 0 ? leu / milk : double.NaN,
                cells > 0 ? 100 * leu / cells : double.NaN, cells > 0 ? 100 * stem / cells : double.NaN, cells > 0 ? viable / cells : double.NaN,
                new ChemistryReadout(bacteria, sodium, potassium)));
            start = i;
        }
        return list.ToImmutable();
    }

    /// <summary>The summaries of a run: its illness events split the windows.</summary>
    public static ImmutableArray<StageSummary> Of(SimulationResult r) =>
        Of(r.Daily, [.. r.Plan.Scenario.Events.OfType<Model.Scenarios.IllnessEvent>().Select(e => e.Label)]);
}
