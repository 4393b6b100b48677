using System.Collections.Immutable;

namespace MilkCells.Simulation;

/// <summary>A run's daily rows summarised by lactation stage.</summary>
/// <remarks>Concentrations and shares are volume-weighted over the stage (cells swallowed over millilitres drunk);
/// milk and feeds are means per day.</remarks>
/// <param name="Stage">Stage id.</param>
/// <param name="FirstDay">First run day in the stage.</param>
/// <param name="LastDay">Last run day in the stage.</param>
/// <param name="MilkMlPerDay">Mean milk drunk per day, mL.</param>
/// <param name="FeedsPerDay">Mean breastfeeds per day.</param>
/// <param name="CellsPerMl">All cells per mL drunk.</param>
/// <param name="LeucocytesPerMl">Leucocytes per mL drunk.</param>
/// <param name="PctLeucocyte">Leucocytes, % of cells.</param>
/// <param name="PctStem">Stem/progenitor cells, % of cells.</param>
/// <param name="ViableFraction">Viable share of the cells swallowed.</param>
public sealed record StageSummary(
    string Stage, int FirstDay, int LastDay, double MilkMlPerDay, double FeedsPerDay, double CellsPerMl, double LeucocytesPerMl,
    double PctLeucocyte, double PctStem, double ViableFraction)
{
    /// <summary>One summary per run of consecutive days in the same stage, in order.</summary>
    public static ImmutableArray<StageSummary> Of(IReadOnlyList<DailyRow> days)
    {
        var list = ImmutableArray.CreateBuilder<StageSummary>();
        var start = 0;
        for (var i = 1; i <= days.Count; i++)
        {
            if (i < days.Count && days[i].Stage == days[start].Stage)
            {
                continue;
            }
            var span = days.Skip(start).Take(i - start).ToArray();
            double milk = span.Sum(d => d.MilkMl), cells = span.Sum(d => (double)d.IngestedTotal), leu = span.Sum(d => (double)d.IngestedLeucocyte);
            double stem = span.Sum(d => (double)d.IngestedStem);
            double viable = span.Where(d => !double.IsNaN(d.ViableFraction)).Sum(d => d.ViableFraction * d.IngestedTotal);
            list.Add(new StageSummary(days[start].Stage, days[start].Day, days[i - 1].Day, milk / span.Length, span.Average(d => (double)d.Feeds),
                milk > 0 ? cells / milk : double.NaN, milk > 0 ? leu / milk : double.NaN,
                cells > 0 ? 100 * leu / cells : double.NaN, cells > 0 ? 100 * stem / cells : double.NaN, cells > 0 ? viable / cells : double.NaN));
            start = i;
        }
        return list.ToImmutable();
    }
}
