using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.ExceptionServices;
using MilkCells.Analysis;
using MilkCells.Cohorts.Reference;
using MilkCells.Core.Errors;
using MilkCells.Core.Random;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Simulation;

namespace MilkCells.Cohorts.Power;

/// <summary>The change a study wants to detect between a control arm and a treated arm.</summary>
public abstract record PowerEffect
{
    /// <summary>A short description for reports.</summary>
    public abstract string Description { get; }

    /// <summary>Parses <c>scenario:NAME|FILE</c> or <c>relative:FACTOR</c> (e.g. <c>relative:1.5</c>, a 50 % rise).</summary>
    /// <exception cref="InputException">Neither form, or a factor that is not a positive number.</exception>
    public static PowerEffect Parse(string text, MilkModel model)
    {
        var where = InputLocation.AtElement(null, "--effect");
        const string hint = "--effect scenario:infant-infection (the treated arm lives that scenario) or --effect relative:1.5 (the outcome × 1.5)";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var (kind, value) = colon < 0 ? (text, "") : (text[..colon], text[(colon + 1)..]);
        switch (kind)
        {
            case "scenario" when value.Length > 0:
                return new ScenarioEffect(ScenarioLoader.Load(value, model));
            case "relative" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var factor):
                return factor > 0 && double.IsFinite(factor) ? new RelativeEffect(factor) : throw new InputException(where, $"factor {value} is not a positive number", hint);
            default:
                throw new InputException(where, $"'{text}' is not an effect", hint);
        }
    }
}

/// <summary>The treated arm lives another scenario (an illness, a feeding change); both arms are simulated.</summary>
/// <param name="Treated">The treated arm's scenario.</param>
public sealed record ScenarioEffect(Scenario Treated) : PowerEffect
{
    /// <inheritdoc/>
    public override string Description => $"the treated arm lives scenario '{Treated.Name}'";
}

/// <summary>The treated arm is simulated like the control arm (independent mothers) and its outcome multiplied by a factor.</summary>
/// <param name="Factor">The multiplier (1.5: a 50 % rise).</param>
public sealed record RelativeEffect(double Factor) : PowerEffect
{
    /// <inheritdoc/>
    public override string Description => string.Create(CultureInfo.InvariantCulture, $"the treated arm's outcome × {Factor}");
}

/// <summary>A study design whose power is estimated by simulating mothers.</summary>
/// <param name="Calibration">The calibrated model.</param>
/// <param name="Control">The control arm's scenario.</param>
/// <param name="Effect">The change to detect.</param>
/// <param name="Outcome">The daily column compared (e.g. cells_per_ml_leucocyte).</param>
/// <param name="Window">The run days each mother's outcome is averaged over (both ends included).</param>
/// <param name="Days">Days simulated per mother.</param>
/// <param name="Grid">Mothers per arm to evaluate.</param>
/// <param name="Replicates">Simulated studies per N.</param>
/// <param name="Alpha">Two-sided significance level.</param>
/// <param name="TargetPower">The power wanted.</param>
/// <param name="Test">The test.</param>
/// <param name="Seed">The root seed.</param>
public sealed record PowerDesign(CalibratedModel Calibration, Scenario Control, PowerEffect Effect, string Outcome, DayWindow Window, int Days,
    ImmutableArray<int> Grid, int Replicates, double Alpha, double TargetPower, TwoSampleTest Test, ulong Seed)
{
    /// <summary>The default window: the treated scenario's illness days, else the whole run.</summary>
    public static DayWindow DefaultWindow(PowerEffect effect, int? days, Scenario control)
    {
        if (effect is ScenarioEffect { Treated: var treated } && treated.Events.OfType<IllnessEvent>().ToArray() is { Length: > 0 } illnesses)
        {
            return new DayWindow((int)Math.Floor(illnesses.Min(e => e.Hours) / 24), (int)Math.Floor((illnesses.Max(e => e.EndHours) - 1e-9) / 24));
        }
        return new DayWindow(0, (days ?? (int)Math.Ceiling(control.DurationDays)) - 1);
    }
}

/// <summary>What a power study found.</summary>
/// <param name="Design">The design.</param>
/// <param name="Curve">Power per N.</param>
/// <param name="LogRatio">The mean difference of the per-mother log outcome, treated − control, over all simulated mothers.</param>
/// <param name="LogSd">The pooled SD of the per-mother log outcome.</param>
/// <param name="MothersSimulated">Mothers simulated (both arms).</param>
public sealed record PowerResult(PowerDesign Design, PowerCurve Curve, double LogRatio, double LogSd, long MothersSimulated)
{
    /// <summary>The normal-approximation N per arm for the simulated effect (<see cref="PowerAnalysis.NormalApproximationN"/>), a cross-check.</summary>
    public double NormalApproximationN => PowerAnalysis.NormalApproximationN(LogRatio, LogSd, Design.Alpha, Design.TargetPower);
}

/// <summary>Estimates by simulation how many mothers per arm a two-arm study needs to detect an effect.</summary>
/// <remarks>
/// Each simulated study (replicate r) draws N_max mothers per arm, independently: arm a's mothers come from the root
/// seed <c>DeriveSeed(seed, ["power-arm", a])</c> with mother ids r·N_max … r·N_max + N_max − 1
/// (<see cref="PreparedSimulation.Run"/>), so the arms never share a stream. Each mother gives one value: the mean of
/// ln(outcome) over the window days (a log-normal quantity's natural scale; days without a positive value are left
/// out). The test compares the arms on those values at each N of the grid, using the first N mothers of each
/// replicate (<see cref="PowerAnalysis"/>). Results depend only on the design, not the thread count.
/// </remarks>
public static class CohortPower
{
    private static readonly ulong ArmLabel = RandomStream.Label("power-arm");

    /// <summary>Simulates the design and evaluates the power curve.</summary>
    /// <param name="design">The design.</param>
    /// <param name="threads">Simulation threads.</param>
    /// <param name="progress">Receives (mothers done, mothers in all) after each mother.</param>
    /// <param name="cancellation">Stops the simulation.</param>
    public static PowerResult Run(PowerDesign design, int threads, Action<long, long>? progress = null, CancellationToken cancellation = default)
    {
        Validate(design);
        var max = design.Grid.Max();
        var perArm = (long)design.Replicates * max;
        var total = 2 * perArm;
        var values = new[] { new double[perArm], new double[perArm] };
        var arms = new[]
        {
            CohortSpec.Create(design.Calibration, design.Control, RandomStream.DeriveSeed(design.Seed, [ArmLabel, 0]), 1, design.Days),
            CohortSpec.Create(design.Calibration, design.Effect is ScenarioEffect s ? s.Treated : design.Control, RandomStream.DeriveSeed(design.Seed, [ArmLabel, 1]), 1, design.Days),
        };
        var column = ColumnIndex(design.Outcome, design.Calibration.Model);
        var shift = design.Effect is RelativeEffect r ? Math.Log(r.Factor) : 0;
        long next = -1, done = 0;
        var failure = Workers.Run(threads, "power", stop =>
        {
            long task;
            while (!stop.IsCancellationRequested && (task = Interlocked.Increment(ref next)) < total)
            {
                var arm = (int)(task % 2); // interleaved, so both arms progress together
                var id = task / 2;
                var rows = arms[arm].Mother(id, stop);
                values[arm][id] = Summary(rows, column, design.Outcome, design.Window, id, arm) + (arm == 1 ? shift : 0);
                progress?.Invoke(Interlocked.Increment(ref done), total);
            }
        }, cancellation);
        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
        cancellation.ThrowIfCancellationRequested();
        double[][] Replicates(double[] arm) => [.. Enumerable.Range(0, design.Replicates).Select(k => arm.AsSpan(k * max, max).ToArray())];
        var curve = PowerAnalysis.Evaluate(Replicates(values[0]), Replicates(values[1]), design.Grid, design.Test, design.Alpha, design.TargetPower);
        var (m0, v0) = Moments.MeanVariance(values[0]);
        var (m1, v1) = Moments.MeanVariance(values[1]);
        return new PowerResult(design, curve, m1 - m0, Math.Sqrt((v0 + v1) / 2), total);
    }

    /// <summary>A mother's value: the mean of ln(outcome) over the window days with a positive value.</summary>
    /// <exception cref="InputException">The outcome has no positive value in the window.</exception>
    internal static double Summary(ImmutableArray<DailyRow> rows, int column, string outcome, DayWindow window, long motherId, int arm)
    {
        double sum = 0;
        var n = 0;
        foreach (var row in rows)
        {
            if (row.Day < window.First || row.Day > window.Last)
            {
                continue;
            }
            var v = DailyTable.Values(row)[column];
            var x = v.Kind == DailyValueKind.Integer ? v.Integer : v.Real;
            if (x > 0 && double.IsFinite(x))
            {
                sum += Math.Log(x);
                n++;
            }
        }
        return n > 0
            ? sum / n
            : throw new InputException(InputLocation.AtElement(null, "--outcome"), $"'{outcome}' has no positive value on days {window} for mother {motherId} of arm {arm}",
                "choose an outcome and --window where it is measured (cells/mL need milk drunk that day)");
    }

    internal static int ColumnIndex(string outcome, MilkModel model)
    {
        var columns = DailyTable.Columns(model);
        for (var i = 0; i < columns.Length; i++)
        {
            if (columns[i].Name == outcome && columns[i].Kind != DailyValueKind.Text)
            {
                return i;
            }
        }
        throw new InputException(InputLocation.AtElement(null, "--outcome"), $"'{outcome}' is not a numeric daily column",
            "one of: " + string.Join(", ", columns.Where(c => c.Kind != DailyValueKind.Text && c.Name != "day").Select(c => c.Name)));
    }

    private static void Validate(PowerDesign d)
    {
        InputException Bad(string option, string problem, string hint) => new(InputLocation.AtElement(null, option), problem, hint);
        if (d.Grid.IsDefaultOrEmpty || d.Grid.Any(n => n < 2))
        {
            throw Bad("--grid", "every N per arm must be at least 2", "--grid 5,10,20,40");
        }
        if (d.Replicates < 10)
        {
            throw Bad("--replicates", $"{d.Replicates} replicates cannot estimate a power", "use at least 10 (the Monte-Carlo error is √(p(1−p)/R): 200 gives ±0.03)");
        }
        if (!(d.Alpha > 0 && d.Alpha < 1) || !(d.TargetPower > 0 && d.TargetPower < 1))
        {
            throw Bad(d.Alpha > 0 && d.Alpha < 1 ? "--power" : "--alpha", "alpha and power are probabilities strictly between 0 and 1", "--alpha 0.05 --power 0.8");
        }
        if (d.Window.Last >= d.Days)
        {
            throw Bad("--window", $"the window {d.Window} ends after the run's last day ({d.Days - 1})", $"--days {d.Window.Last + 1} or a shorter --window");
        }
        ColumnIndex(d.Outcome, d.Calibration.Model);
    }
}
