using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text;
using MilkCells.Analysis;
using MilkCells.Cli.Commands;
using MilkCells.Cohorts.Power;
using MilkCells.Cohorts.Reference;
using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;

namespace MilkCells.Cli.Cohort;

/// <summary>What <c>milkcells cohort power</c> was asked to do, after parsing.</summary>
/// <param name="Scenario">The control arm's scenario.</param>
/// <param name="Effect">The effect (<c>scenario:NAME</c> or <c>relative:FACTOR</c>).</param>
/// <param name="Outcome">The daily column compared.</param>
/// <param name="Window">Run days averaged per mother (null: the effect's illness days, else the whole run).</param>
/// <param name="Days">Days per mother (null: to the window's end).</param>
/// <param name="Grid">Mothers per arm to evaluate.</param>
/// <param name="Replicates">Simulated studies per N.</param>
/// <param name="Alpha">Two-sided significance level.</param>
/// <param name="Power">Power wanted.</param>
/// <param name="Test">welch or mann-whitney.</param>
/// <param name="Seed">Root seed.</param>
/// <param name="Threads">Simulation threads.</param>
/// <param name="Profile">Calibration profile.</param>
/// <param name="Csv">Where to write the curve as CSV, if anywhere.</param>
internal sealed record PowerConfig(string Scenario, string Effect, string Outcome, string? Window, int? Days, string Grid, int Replicates,
    double Alpha, double Power, string Test, ulong Seed, int Threads, string? Profile, string? Csv);

/// <summary><c>milkcells cohort power</c>: how many mothers a two-arm study needs, by simulating both arms.</summary>
internal static class CohortPowerCommand
{
    public static Command Create(CliContext context)
    {
        var scenario = CliOptions.Scenario("The control arm's scenario (built-in or YAML file).");
        var effect = new Option<string>("--effect") { Description = "scenario:NAME|FILE (the treated arm lives it, e.g. scenario:infant-infection) or relative:FACTOR (the outcome × FACTOR, e.g. relative:1.5).", Required = true };
        var outcome = new Option<string>("--outcome") { Description = "The daily column compared, as each mother's mean of ln over the window.", DefaultValueFactory = _ => "cells_per_ml_leucocyte" };
        var window = new Option<string?>("--window") { Description = "Run days FIRST-LAST averaged per mother (default: the effect scenario's illness days, else the whole run)." };
        var days = CliOptions.Whole("--days", "Days per mother (default: to the window's last day).", 1, "98");
        var grid = new Option<string>("--grid") { Description = "Mothers per arm to evaluate, comma-separated.", DefaultValueFactory = _ => "2,4,6,8,12,16" };
        var replicates = CliOptions.Whole("--replicates", "Simulated studies per N (Monte-Carlo error √(p(1−p)/R)).", 1, "1000", 1000);
        var alpha = CliOptions.Real("--alpha", "Two-sided significance level.", "0.05", defaultValue: 0.05, above: 0, below: 1);
        var power = CliOptions.Real("--power", "The power wanted.", "0.8", defaultValue: 0.8, above: 0, below: 1);
        var test = new Option<string>("--test") { Description = "welch (Welch's t on the log values) or mann-whitney.", DefaultValueFactory = _ => "welch" };
        var seed = CliOptions.Seed("Root seed.");
        var threads = CliOptions.Threads();
        var profile = CliOptions.Profile();
        var output = CliOptions.Out("Also write the power curve as CSV (- for standard output; the table then goes to standard error).");
        var csv = CliOptions.HiddenAlias("--csv");
        var command = new Command("power", "Estimate by simulation how many mothers per arm a study needs to detect an effect at a given power and alpha.")
        {
            scenario, effect, outcome, window, days, grid, replicates, alpha, power, test, seed, threads, profile, output, csv,
        };
        command.SetAction(parsed => Run(new PowerConfig(parsed.GetValue(scenario)!, parsed.GetValue(effect)!, parsed.GetValue(outcome)!, parsed.GetValue(window),
            parsed.GetValue(days), parsed.GetValue(grid)!, parsed.GetValue(replicates), parsed.GetValue(alpha), parsed.GetValue(power), parsed.GetValue(test)!,
            parsed.GetValue(seed), parsed.GetValue(threads) ?? Environment.ProcessorCount, parsed.GetValue(profile), parsed.GetValue(output) ?? parsed.GetValue(csv)), context));
        return command.WithExamples(
            "milkcells cohort power -s healthy --effect relative:2 --days 10 --grid 4,8 --replicates 50 -o power.csv",
            "milkcells cohort power --effect scenario:infant-infection --grid 2,4,6 --replicates 100 --seed 1");
    }

    /// <summary>The design a configuration describes; every input problem is an <see cref="InputException"/>.</summary>
    internal static PowerDesign Design(PowerConfig c)
    {
        var model = MilkModel.Embedded;
        var control = ScenarioLoader.Load(c.Scenario, model);
        var effect = PowerEffect.Parse(c.Effect, model);
        var window = c.Window is null ? PowerDesign.DefaultWindow(effect, c.Days, control) : DayWindows.Parse(c.Window, "--window") is { Length: 1 } w
            ? w[0]
            : throw new InputException(InputLocation.AtElement(null, "--window"), $"'{c.Window}' is not one window", "--window 90-97");
        var test = TwoSampleTest.Parse(c.Test) ?? throw new InputException(InputLocation.AtElement(null, "--test"), $"unknown test '{c.Test}'", "welch or mann-whitney");
        var grid = c.Grid.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(part =>
            int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                : throw new InputException(InputLocation.AtElement(null, "--grid"), $"'{part}' is not a number of mothers", "--grid 4,8,16")).Order().Distinct().ToImmutableArray();
        return new PowerDesign(model.Calibrate(c.Profile), control, effect, c.Outcome, window, c.Days ?? window.Last + 1, grid, c.Replicates, c.Alpha, c.Power, test, c.Seed);
    }

    internal static int Run(PowerConfig config, CliContext context)
    {
        var design = Design(config);
        using var file = config.Csv is { } path ? FileOutput.Open(context, path) : null;
        // The table is the printout; when the CSV goes to standard output, it moves to standard error.
        var o = file is { IsStandardOutput: true } ? context.Error : context.Output;
        var arms = (long)design.Replicates * design.Grid.Max() * 2;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"power of {design.Test.Description}, alpha {design.Alpha}, on each mother's mean ln({design.Outcome}) over run days {design.Window}"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"effect: {design.Effect.Description}; control arm '{design.Control.Name}' ({design.Calibration.Profile.Id}); {design.Replicates} studies per N, nested; simulating {arms:N0} mothers x {design.Days} days, seed {design.Seed}"));
        o.Flush();
        PowerResult result;
        try
        {
            result = WorkProgress.Run(context, "simulating", "mothers", report => CohortPower.Run(design, config.Threads, report, context.Cancellation));
        }
        catch (OperationCanceledException)
        {
            context.Error.WriteLine("interrupted: no result.");
            return CliApp.Interrupted;
        }
        foreach (var line in Lines(result))
        {
            o.WriteLine(line);
        }
        if (file is not null)
        {
            file.WriteText(w => w.Write(Csv(result)));
            if (!file.IsStandardOutput)
            {
                context.Error.WriteLine($"wrote {file.Describe}");
            }
        }
        return CliApp.Ok;
    }

    /// <summary>The result as console lines: the simulated effect, a table of power per N, and the smallest N.</summary>
    internal static IEnumerable<string> Lines(PowerResult r)
    {
        var c = r.Curve;
        yield return string.Create(CultureInfo.InvariantCulture,
            $"simulated effect: geometric-mean ratio {Math.Exp(r.LogRatio):0.###} (difference of mean ln {r.LogRatio:0.###}), between-mother SD of ln {r.LogSd:0.###}");
        yield return "  N/arm   power   MC s.e.";
        foreach (var p in c.Points)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"  {p.N,5}   {p.Power,5:0.000}   {p.StandardError,7:0.000}");
        }
        yield return c.SmallestN is { } n
            ? string.Create(CultureInfo.InvariantCulture, $"smallest N per arm with power >= {c.Target:0.00}: {n}")
            : string.Create(CultureInfo.InvariantCulture, $"no N in the grid reaches power {c.Target:0.00}: extend --grid");
        yield return string.Create(CultureInfo.InvariantCulture,
            $"cross-check: the normal approximation for the simulated effect and SD gives {r.NormalApproximationN:0.0} per arm");
    }

    /// <summary>The curve as CSV: <c>n_per_arm,rejections,replicates,power,mc_se</c>.</summary>
    internal static string Csv(PowerResult r)
    {
        var w = new StringBuilder("n_per_arm,rejections,replicates,power,mc_se\n");
        foreach (var p in r.Curve.Points)
        {
            w.Append(CultureInfo.InvariantCulture, $"{p.N},{p.Rejections},{p.Replicates},{p.Power:R},{p.StandardError:R}\n");
        }
        return w.ToString();
    }
}
