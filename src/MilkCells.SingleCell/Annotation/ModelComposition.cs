using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Simulation;

namespace MilkCells.SingleCell.Annotation;

/// <summary>The model's expected share of one cell type or class on a lactation day, across simulated mothers.</summary>
/// <param name="Key">The cell type id or class key.</param>
/// <param name="Class">The class (for a type) or the key itself (for a class).</param>
/// <param name="Mean">Mean share across mothers.</param>
/// <param name="Low">2.5th percentile across mothers.</param>
/// <param name="Median">Median across mothers.</param>
/// <param name="High">97.5th percentile across mothers.</param>
public sealed record ExpectedShare(string Key, string Class, double Mean, double Low, double Median, double High);

/// <summary>What the model expects a milk sample's cells to be on one lactation day.</summary>
/// <param name="LactationDay">The day.</param>
/// <param name="Stage">The lactation stage on that day.</param>
/// <param name="Scenario">The scenario simulated.</param>
/// <param name="Mothers">How many mothers were drawn.</param>
/// <param name="Seed">The root seed of the mothers.</param>
/// <param name="Types">Expected share of each cell type (model order).</param>
/// <param name="Classes">Expected share of each class.</param>
public sealed record ExpectedComposition(int LactationDay, string Stage, string Scenario, int Mothers, ulong Seed,
    ImmutableArray<ExpectedShare> Types, ImmutableArray<ExpectedShare> Classes);

/// <summary>The model's expected composition of milk cells on a day, with its between-mother spread.</summary>
/// <remarks>
/// Mothers 0…M−1 of the scenario are drawn from the model's population (between-mother variability and day-to-day
/// noise, docs/model.md §7) and simulated at daily resolution to the day (<see cref="MotherSimulation.Run"/>); each
/// mother's share of a type is her cells/mL of that type in the milk drunk that day over all cells/mL. The mean and the
/// type-7 2.5/50/97.5 % quantiles across mothers give the expectation and its spread. These are the cells the infant
/// drinks, counted as a flow cytometer would; a single-cell experiment sees them through its own biases (fragile
/// neutrophils and lactocytes lost in dissociation and capture, doublets, ambient RNA).
/// </remarks>
public static class ModelComposition
{
    public const int DefaultMothers = 200;

    public static ExpectedComposition Expected(CalibratedModel calibrated, Scenario scenario, int lactationDay, int mothers, ulong seed, CancellationToken cancellation = default)
    {
        var model = calibrated.Model;
        if (lactationDay < scenario.StartDay || lactationDay > model.LastLactationDay)
        {
            throw new InputException(InputLocation.AtElement(scenario.Origin, "--lactation-day"),
                $"lactation day {lactationDay} is outside the scenario '{scenario.Name}' (days {scenario.StartDay}–{model.LastLactationDay})",
                $"give a day from {scenario.StartDay} to {model.LastLactationDay}");
        }
        var days = lactationDay - scenario.StartDay + 1;
        var prepared = MotherSimulation.Prepare(calibrated, scenario, days);
        var types = model.CellTypes;
        var shares = new double[mothers][];
        var stage = "";
        Parallel.For(0, mothers, new ParallelOptions { CancellationToken = cancellation }, m =>
        {
            var rows = prepared.Run(seed, m, cancellation);
            var row = rows.First(r => r.LactationDay == lactationDay);
            var total = row.CellsPerMlByType.Sum();
            shares[m] = row.CellsPerMlByType.Select(c => total > 0 ? c / total : double.NaN).ToArray();
            if (m == 0)
            {
                stage = row.Stage;
            }
        });
        var valid = shares.Where(s => !double.IsNaN(s[0])).ToArray();
        if (valid.Length == 0)
        {
            throw new InputException(InputLocation.AtElement(scenario.Origin, "--lactation-day"), $"no simulated mother drank milk on day {lactationDay}");
        }
        var typeShares = types.Select((t, i) => Summarise(t.Id, t.ClassKey, valid.Select(s => s[i]).ToArray())).ToImmutableArray();
        var classShares = Enum.GetValues<CellClass>().Select(c =>
        {
            var idx = types.Select((t, i) => (t, i)).Where(p => p.t.Class == c).Select(p => p.i).ToArray();
            var key = CellType.ClassKeyOf(c);
            return Summarise(key, key, valid.Select(s => idx.Sum(i => s[i])).ToArray());
        }).ToImmutableArray();
        return new ExpectedComposition(lactationDay, stage, scenario.Name, valid.Length, seed, typeShares, classShares);
    }

    private static ExpectedShare Summarise(string key, string cls, double[] values)
    {
        var sorted = values.Order().ToArray();
        return new ExpectedShare(key, cls, values.Average(), Quantile(sorted, 0.025), Quantile(sorted, 0.5), Quantile(sorted, 0.975));
    }

    /// <summary>Hyndman &amp; Fan (1996) type 7 quantile of sorted values (R's default).</summary>
    public static double Quantile(double[] sorted, double p)
    {
        var h = (sorted.Length - 1) * p;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(sorted.Length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>The Wilson score interval for a proportion (Wilson 1927, JASA 22:209), at 95 %.</summary>
    public static (double Low, double High) Wilson(long successes, long n)
    {
        if (n == 0)
        {
            return (double.NaN, double.NaN);
        }
        const double z = 1.959963984540054;
        var p = (double)successes / n;
        var denominator = 1 + z * z / n;
        var centre = (p + z * z / (2.0 * n)) / denominator;
        var half = z * Math.Sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denominator;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}
