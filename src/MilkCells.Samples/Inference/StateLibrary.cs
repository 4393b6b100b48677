using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using MilkCells.Simulation;

namespace MilkCells.Samples.Inference;

/// <summary>How an illness episode changes one breast's milk, day by day from its onset day, relative to the same mother healthy.</summary>
/// <param name="DeltaLeucocytes">Added leucocytes/mL on day k after the onset day (the median mother, onset on the hour).</param>
/// <param name="LogRatioOthers">ln of the factor on the other cells/mL (epithelial and stem) on day k.</param>
/// <param name="VarLogDelta">Spread of ln added leucocytes around the template on day k: other mothers, day-to-day noise, onsets within ±6 h.</param>
/// <param name="VarLogRatio">Spread of the ln factor on the other cells on day k.</param>
/// <param name="Log10Bacteria">Shift of log10 bacteria CFU/mL on day k (the day's milk, volume-weighted over its feeds).</param>
/// <param name="LogNaK">Shift of ln Na:K on day k.</param>
/// <param name="VarLog10Bacteria">Spread of <paramref name="Log10Bacteria"/> around the template on day k.</param>
/// <param name="VarLogNaK">Spread of <paramref name="LogNaK"/> around the template on day k.</param>
public sealed record BreastIncrement(ImmutableArray<double> DeltaLeucocytes, ImmutableArray<double> LogRatioOthers, ImmutableArray<double> VarLogDelta, ImmutableArray<double> VarLogRatio,
    ImmutableArray<double> Log10Bacteria, ImmutableArray<double> LogNaK, ImmutableArray<double> VarLog10Bacteria, ImmutableArray<double> VarLogNaK);

/// <summary>The features of one breast's milk on one day, as state inference reads them.</summary>
/// <param name="L">ln leucocytes/mL.</param>
/// <param name="N">ln other cells/mL (epithelial and stem).</param>
/// <param name="B">log10 bacteria CFU/mL (1 CFU/mL at least).</param>
/// <param name="R">ln Na:K (molar).</param>
/// <param name="Day">Lactation day; −1 when the breast gave no milk that day.</param>
internal readonly record struct DayFeatures(double L, double N, double B, double R, int Day)
{
    public static readonly DayFeatures None = new(0, 0, 0, 0, -1);
}

/// <summary>One simulated episode shape: a state at a severity, a duration and an onset time of day.</summary>
/// <param name="State">Health-state id.</param>
/// <param name="Scope">One breast, or both.</param>
/// <param name="Severity">mild, moderate or severe.</param>
/// <param name="DurationFactor">× the state's default duration.</param>
/// <param name="OnsetHour">Clock hour of the onset (0 or 12).</param>
/// <param name="LengthDays">Onset to back at baseline, days.</param>
/// <param name="Affected">The affected breast (both breasts for whole-body states).</param>
/// <param name="Other">The other breast (as <see cref="Affected"/> for whole-body states).</param>
public sealed record StateTemplate(string State, HealthScope Scope, string Severity, double DurationFactor, double OnsetHour, double LengthDays,
    BreastIncrement Affected, BreastIncrement Other)
{
    /// <summary>Days from the onset day whose milk the episode changes.</summary>
    public int Days => Affected.DeltaLeucocytes.Length;

    /// <summary>Whether the episode is under way at some time of day <paramref name="k"/> after its onset day.</summary>
    public bool ActiveOn(int k) => k >= 0 && k + 1 > OnsetHour / 24 && k < OnsetHour / 24 + LengthDays;
}

/// <summary>Settings of a library build.</summary>
public sealed record StateLibraryOptions
{
    /// <summary>Healthy mothers simulated for the baseline and its variance components.</summary>
    public int Mothers { get; init; } = 400;

    /// <summary>The library's root seed.</summary>
    public ulong Seed { get; init; } = 20261111;

    /// <summary>The lactation day of the template episodes' onset (mature milk).</summary>
    public int TemplateDay { get; init; } = 60;

    /// <summary>Population mothers per template whose jittered episodes give the template's spread.</summary>
    public int SpreadMothers { get; init; } = 6;

    /// <summary>Threads for the build (the result does not depend on it).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}

/// <summary>What state inference needs from the model, simulated once: a healthy cohort's baseline and spreads, and every episode shape.</summary>
/// <remarks>
/// <para>Baseline: <see cref="StateLibraryOptions.Mothers"/> healthy mothers drawn from the population (daily resolution,
/// what each breast gave each day) give, on the log scale of leucocytes/mL (L) and other cells/mL (N), the mean m(d) by
/// lactation day (a ±3-day moving average within each stage), the between-mother covariance Σ_b and the within-mother
/// (day-to-day and between-breast) covariance Σ_w, by the method of moments of the unbalanced one-way random-effects
/// model (Searle, Casella &amp; McCulloch 1992, Variance Components, §3.6); and the same for the milk's chemistry, log10
/// bacteria CFU/mL (B) and ln Na:K (R), a second pair the model does not couple to the cells' day-to-day noise.</para>
/// <para>Templates: the model's median mother without day-to-day noise, simulated healthy and with one episode of each
/// state × severity × duration factor × onset hour starting on <see cref="StateLibraryOptions.TemplateDay"/>; the
/// difference gives each day's added leucocytes, the factor on the other cells and the shifts of log10 bacteria and
/// ln Na:K, in the affected and the other breast. Shifting a template in time assumes an episode changes milk the same way on any lactation day (true of the
/// model's additive influx outside colostrum). Each template's spread, day by day, is the mean squared log difference
/// from it of the same episode in <see cref="StateLibraryOptions.SpreadMothers"/> population mothers with day-to-day
/// noise, their onsets spread across the template's 12-hour bin (each paired with the same mother healthy): what the
/// template cannot know about a real episode. Everything is seeded: the same options give the same library, bytes and all.</para>
/// </remarks>
public sealed class StateLibrary
{
    /// <summary>Bumped when the library's contents or format change (old cache files are then rebuilt).</summary>
    public const int FormatVersion = 4;

    internal StateLibrary(string key, int lastDay, ImmutableArray<double> meanL, ImmutableArray<double> meanN, double[] between, double[] within,
        ImmutableArray<double> meanB, ImmutableArray<double> meanR, double[] chemistryBetween, double[] chemistryWithin,
        ImmutableArray<StateTemplate> templates, int mothers)
    {
        Key = key;
        LastDay = lastDay;
        MeanL = meanL;
        MeanN = meanN;
        Between = between;
        Within = within;
        MeanB = meanB;
        MeanR = meanR;
        ChemistryBetween = chemistryBetween;
        ChemistryWithin = chemistryWithin;
        Templates = templates;
        Mothers = mothers;
        States = [.. templates.Select(t => t.State).Distinct()];
    }

    /// <summary>The cache key: a hash of everything the library depends on.</summary>
    public string Key { get; }

    /// <summary>The last lactation day of the baseline (it covers 0 … LastDay).</summary>
    public int LastDay { get; }

    /// <summary>Mean ln leucocytes/mL by lactation day.</summary>
    public ImmutableArray<double> MeanL { get; }

    /// <summary>Mean ln other cells/mL by lactation day.</summary>
    public ImmutableArray<double> MeanN { get; }

    /// <summary>Between-mother covariance of (ln L, ln N): [LL, LN, NN].</summary>
    public double[] Between { get; }

    /// <summary>Within-mother covariance of (ln L, ln N): [LL, LN, NN].</summary>
    public double[] Within { get; }

    /// <summary>Mean log10 bacteria CFU/mL by lactation day.</summary>
    public ImmutableArray<double> MeanB { get; }

    /// <summary>Mean ln Na:K by lactation day.</summary>
    public ImmutableArray<double> MeanR { get; }

    /// <summary>Between-mother covariance of (log10 B, ln Na:K): [BB, BR, RR] (the model gives every mother the same chemistry, so near 0).</summary>
    public double[] ChemistryBetween { get; }

    /// <summary>Within-mother covariance of (log10 B, ln Na:K): [BB, BR, RR].</summary>
    public double[] ChemistryWithin { get; }

    /// <summary>Every episode shape.</summary>
    public ImmutableArray<StateTemplate> Templates { get; }

    /// <summary>The illness states, in model order.</summary>
    public ImmutableArray<string> States { get; }

    /// <summary>Healthy mothers behind the baseline.</summary>
    public int Mothers { get; }

    /// <summary>The last lactation day a library for <paramref name="lastSampleDay"/> covers: whole years (365, 730, …).</summary>
    public static int CoverFor(int lastSampleDay) => 365 * ((lastSampleDay / 365) + 1) - 1;

    /// <summary>The code that simulates and summarizes the library: the module version ids of the model, simulation and
    /// samples assemblies (deterministic builds give the same id for the same source), so a library cached by one build
    /// is never read by a build whose model or simulation code differs, even when the model's data files are unchanged.</summary>
    private static readonly string CodeIdentity = string.Join(',',
        new[] { typeof(MilkModel), typeof(MotherSimulation), typeof(StateLibrary) }.Select(t => t.Assembly.ManifestModule.ModuleVersionId.ToString("N")));

    /// <summary>The cache key of a library: its settings, the model's data version and <see cref="CodeIdentity"/>.</summary>
    public static string KeyFor(CalibratedModel calibration, StatePriors priors, StateLibraryOptions options, int lastDay)
    {
        var text = string.Join('|', FormatVersion.ToString(CultureInfo.InvariantCulture), calibration.Model.Version, calibration.Profile.Id,
            lastDay.ToString(CultureInfo.InvariantCulture), options.Mothers.ToString(CultureInfo.InvariantCulture), options.Seed.ToString(CultureInfo.InvariantCulture),
            options.SpreadMothers.ToString(CultureInfo.InvariantCulture),
            options.TemplateDay.ToString(CultureInfo.InvariantCulture), string.Join(',', priors.Severity.Select(s => s.Severity)),
            string.Join(',', priors.Duration.Select(d => d.Factor.ToString("R", CultureInfo.InvariantCulture))), CodeIdentity);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>Loads the library from <paramref name="cacheDirectory"/> or builds it (and caches it there, when given).</summary>
    /// <param name="calibration">The model calibration.</param>
    /// <param name="priors">The priors (their severities and durations decide the templates).</param>
    /// <param name="options">Build settings.</param>
    /// <param name="lastSampleDay">The last lactation day to cover.</param>
    /// <param name="cacheDirectory">Where libraries are cached, or null.</param>
    /// <param name="built">How long a build took, or null when the cache served it.</param>
    /// <param name="cancellation">Cancels a build.</param>
    public static StateLibrary LoadOrBuild(CalibratedModel calibration, StatePriors priors, StateLibraryOptions options, int lastSampleDay, string? cacheDirectory,
        out TimeSpan? built, CancellationToken cancellation = default)
    {
        var lastDay = CoverFor(lastSampleDay);
        if (lastDay > calibration.Model.LastLactationDay)
        {
            throw new InputException(InputLocation.AtElement(null, "lactation_day"), $"lactation day {lastSampleDay} is beyond the model's lactation (to day {calibration.Model.LastLactationDay})");
        }
        var key = KeyFor(calibration, priors, options, lastDay);
        var path = cacheDirectory is null ? null : Path.Combine(cacheDirectory, $"state-library-{key}.bin");
        if (path is not null && File.Exists(path) && StateLibraryFile.TryRead(path, key) is { } cached)
        {
            built = null;
            return cached;
        }
        var watch = Stopwatch.StartNew();
        var library = Build(calibration, priors, options, lastDay, key, cancellation);
        built = watch.Elapsed;
        if (path is not null)
        {
            StateLibraryFile.Write(library, path);
        }
        return library;
    }

    /// <summary>Builds the library (see the remarks).</summary>
    internal static StateLibrary Build(CalibratedModel calibration, StatePriors priors, StateLibraryOptions options, int lastDay, string key, CancellationToken cancellation)
    {
        var model = calibration.Model;
        var healthy = ScenarioLoader.Load("healthy", model);
        var b = Baseline(calibration, healthy, options, lastDay, cancellation);
        var templates = SimulateTemplates(calibration, healthy, priors, options, cancellation);
        return new StateLibrary(key, lastDay, b.MeanL, b.MeanN, b.Between, b.Within, b.MeanB, b.MeanR, b.ChemistryBetween, b.ChemistryWithin, templates, options.Mothers);
    }

    private sealed record BaselineResult(ImmutableArray<double> MeanL, ImmutableArray<double> MeanN, double[] Between, double[] Within,
        ImmutableArray<double> MeanB, ImmutableArray<double> MeanR, double[] ChemistryBetween, double[] ChemistryWithin);

    private static BaselineResult Baseline(CalibratedModel calibration, Scenario healthy, StateLibraryOptions options, int lastDay, CancellationToken cancellation)
    {
        var scenario = healthy with { Mother = healthy.Mother with { Mode = MotherMode.Sampled }, DurationDays = lastDay + 1 };
        var prepared = MotherSimulation.Prepare(calibration, scenario, null, SimulationResolution.Daily);
        var mask = LeucocyteMask(calibration.Model);
        var perMother = new DayFeatures[options.Mothers][];
        Parallel.For(0, options.Mothers, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads), CancellationToken = cancellation }, m =>
        {
            var run = prepared.Simulate(MotherSimulation.MotherSeed(options.Seed, m), new SimulationOptions { Resolution = SimulationResolution.Daily, Detail = true });
            perMother[m] = [.. run.BreastDays.Select(b => Features(run, b, mask)).Where(f => f.Day >= 0)];
        });
        var stage = Enumerable.Range(0, lastDay + 1).Select(d => calibration.Model.StageOnDay(d)?.Id ?? "").ToArray();
        var meanL = MeanByDay(perMother, f => f.L, stage);
        var meanN = MeanByDay(perMother, f => f.N, stage);
        var meanB = MeanByDay(perMother, f => f.B, stage);
        var meanR = MeanByDay(perMother, f => f.R, stage);
        var (between, within) = VarianceComponents(perMother, f => (f.L - meanL[f.Day], f.N - meanN[f.Day]));
        var (chemistryBetween, chemistryWithin) = VarianceComponents(perMother, f => (f.B - meanB[f.Day], f.R - meanR[f.Day]));
        return new BaselineResult([.. meanL], [.. meanN], between, within, [.. meanB], [.. meanR], chemistryBetween, chemistryWithin);
    }

    /// <summary>A feature's mean by lactation day over every mother's breast-days, smoothed within stages.</summary>
    private static double[] MeanByDay(DayFeatures[][] perMother, Func<DayFeatures, double> feature, string[] stage)
    {
        var sum = new double[stage.Length];
        var count = new int[stage.Length];
        foreach (var rows in perMother)
        {
            foreach (var f in rows)
            {
                sum[f.Day] += feature(f);
                count[f.Day]++;
            }
        }
        return Smooth([.. Enumerable.Range(0, stage.Length).Select(d => count[d] > 0 ? sum[d] / count[d] : double.NaN)], stage);
    }

    /// <summary>Between- and within-mother covariances [XX, XY, YY] of a residual pair: the method of moments of the unbalanced one-way random-effects model.</summary>
    private static (double[] Between, double[] Within) VarianceComponents(DayFeatures[][] perMother, Func<DayFeatures, (double X, double Y)> residual)
    {
        var within = new double[3];
        var mothersMean = new List<(double X, double Y, int Count)>();
        var total = 0;
        var sumSquares = 0.0;
        foreach (var rows in perMother)
        {
            if (rows.Length < 2)
            {
                continue;
            }
            var r = rows.Select(residual).ToArray();
            var mx = r.Average(v => v.X);
            var my = r.Average(v => v.Y);
            foreach (var (x, y) in r)
            {
                var (ex, ey) = (x - mx, y - my);
                within[0] += ex * ex;
                within[1] += ex * ey;
                within[2] += ey * ey;
            }
            mothersMean.Add((mx, my, r.Length));
            total += r.Length;
            sumSquares += (double)r.Length * r.Length;
        }
        var dfWithin = total - mothersMean.Count;
        for (var i = 0; i < 3; i++)
        {
            within[i] /= dfWithin;
        }
        var grandX = mothersMean.Sum(m => m.X * m.Count) / total;
        var grandY = mothersMean.Sum(m => m.Y * m.Count) / total;
        var sb = new double[3];
        foreach (var (x, y, c) in mothersMean)
        {
            var (dx, dy) = (x - grandX, y - grandY);
            sb[0] += c * dx * dx;
            sb[1] += c * dx * dy;
            sb[2] += c * dy * dy;
        }
        var k = mothersMean.Count;
        var n0 = (total - sumSquares / total) / (k - 1);
        var between = new double[3];
        for (var i = 0; i < 3; i++)
        {
            between[i] = (sb[i] / (k - 1) - within[i]) / n0;
        }
        between[0] = Math.Max(between[0], 1e-6);
        between[2] = Math.Max(between[2], 1e-6);
        var limit = 0.999 * Math.Sqrt(between[0] * between[2]);
        between[1] = Math.Clamp(between[1], -limit, limit);
        return (between, within);
    }

    /// <summary>The features of one breast-day (day −1 when the breast gave no milk).</summary>
    /// <param name="run">The run.</param>
    /// <param name="b">One breast-day of it.</param>
    /// <param name="isLeucocyte">By cell type (model order), whether it is a leucocyte.</param>
    internal static DayFeatures Features(SimulationResult run, BreastDayRow b, bool[] isLeucocyte)
    {
        if (!(b.MilkMl > 0))
        {
            return DayFeatures.None;
        }
        double leuco = 0, other = 0;
        for (var t = 0; t < isLeucocyte.Length; t++)
        {
            var cells = b.Counts[2 * t] + b.Counts[2 * t + 1];
            if (isLeucocyte[t])
            {
                leuco += cells;
            }
            else
            {
                other += cells;
            }
        }
        var c = b.Chemistry;
        return leuco <= 0 || other <= 0 || !(c.SodiumMmolL > 0) || !(c.PotassiumMmolL > 0) || double.IsNaN(c.BacteriaCfuPerMl)
            ? DayFeatures.None
            : new DayFeatures(Math.Log(leuco / b.MilkMl), Math.Log(other / b.MilkMl), Log10Bacteria(c.BacteriaCfuPerMl), Math.Log(c.NaKRatio), run.Plan.Scenario.StartDay + b.Day);
    }

    /// <summary>log10 of a bacteria count, CFU/mL; a count below 1 CFU/mL (no growth) is read as 1.</summary>
    public static double Log10Bacteria(double cfuPerMl) => Math.Log10(Math.Max(cfuPerMl, 1));

    /// <summary>By cell type (model order), whether it is a leucocyte.</summary>
    internal static bool[] LeucocyteMask(MilkModel model) => [.. model.CellTypes.Select(t => t.Class == CellClass.Leucocyte)];

    private static double[] Smooth(double[] raw, string[] stage)
    {
        var smooth = new double[raw.Length];
        for (var d = 0; d < raw.Length; d++)
        {
            double sum = 0;
            var n = 0;
            for (var e = Math.Max(0, d - 3); e <= Math.Min(raw.Length - 1, d + 3); e++)
            {
                if (stage[e] == stage[d] && double.IsFinite(raw[e]))
                {
                    sum += raw[e];
                    n++;
                }
            }
            smooth[d] = n > 0 ? sum / n : double.NaN;
        }
        return smooth;
    }

    private static ImmutableArray<StateTemplate> SimulateTemplates(CalibratedModel calibration, Scenario healthy, StatePriors priors, StateLibraryOptions options, CancellationToken cancellation)
    {
        var model = calibration.Model;
        var quiet = healthy.ParameterOverrides.AddRange(new[] { "production", "cells", "boost" }.Select(k =>
            new ParameterOverride("variability.day_log_sd", k, 0, new InputLocation(Element: "state library"))));
        var specs = new List<(HealthState State, string Severity, double Factor, double Hour, double Length)>();
        foreach (var state in model.HealthStates)
        {
            var defaultHours = calibration.Value(state.ParameterId("duration"));
            foreach (var (severity, _) in priors.Severity)
            {
                foreach (var (factor, _) in priors.Duration)
                {
                    foreach (var hour in new[] { 0.0, 12.0 })
                    {
                        specs.Add((state, severity, factor, hour, defaultHours * factor / 24));
                    }
                }
            }
        }
        var days = (int)Math.Ceiling(specs.Max(s => s.Length + s.Hour / 24)) + 3;
        var runDays = options.TemplateDay + days + 1;
        var baseScenario = healthy with { DurationDays = runDays, ParameterOverrides = quiet, Hash = healthy.Hash + ":state-library" };
        var sampledScenario = healthy with { DurationDays = runDays, Mother = healthy.Mother with { Mode = MotherMode.Sampled }, Hash = healthy.Hash + ":state-library-spread" };
        var templateSeed = options.Seed + 1;
        var dailyDetail = new SimulationOptions { Resolution = SimulationResolution.Daily, Detail = true };
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads), CancellationToken = cancellation };
        var baseline = MotherSimulation.Simulate(calibration, baseScenario, templateSeed, dailyDetail, cancellation);
        var mask = LeucocyteMask(model);
        // The spread: the same episodes in population mothers with day-to-day noise, onsets jittered across each 12-h bin.
        var jitterSeeds = Enumerable.Range(0, options.SpreadMothers).Select(j => MotherSimulation.MotherSeed(options.Seed + 2, j)).ToArray();
        var jitterHealthy = new SimulationResult[jitterSeeds.Length];
        Parallel.For(0, jitterSeeds.Length, parallel, j => jitterHealthy[j] = MotherSimulation.Simulate(calibration, sampledScenario, jitterSeeds[j], dailyDetail, cancellation));
        var results = new StateTemplate[specs.Count];
        Parallel.For(0, specs.Count, parallel, i =>
        {
            var (state, severity, factor, hour, length) = specs[i];
            var breast = state.Scope == HealthScope.Breast ? Breast.Left : (Breast?)null;
            IllnessEvent Illness(double offset) =>
                new((options.TemplateDay - healthy.StartDay) * 24 + hour + offset, new InputLocation(Element: "state library"), state.Id, breast, severity, length * 24);
            var run = MotherSimulation.Simulate(calibration, baseScenario with { Events = [Illness(0)] }, templateSeed, dailyDetail, cancellation);
            var count = (int)Math.Ceiling(hour / 24 + length) + 2;
            var spread = new (SimulationResult Healthy, SimulationResult Ill)[jitterSeeds.Length];
            for (var j = 0; j < jitterSeeds.Length; j++)
            {
                var offset = -6 + 12 * (j + 0.5) / jitterSeeds.Length;
                spread[j] = (jitterHealthy[j], MotherSimulation.Simulate(calibration, sampledScenario with { Events = [Illness(offset)] }, jitterSeeds[j], dailyDetail, cancellation));
            }
            results[i] = new StateTemplate(state.Id, state.Scope, severity, factor, hour, length,
                Increment(baseline, run, spread, Breast.Left, options.TemplateDay, count, mask), Increment(baseline, run, spread, Breast.Right, options.TemplateDay, count, mask));
        });
        return [.. results];
    }

    /// <summary>The template's increments on one breast and their spread over the jittered population runs.</summary>
    private static BreastIncrement Increment(SimulationResult healthy, SimulationResult ill, (SimulationResult Healthy, SimulationResult Ill)[] spread,
        Breast breast, int onsetDay, int count, bool[] mask)
    {
        var dl = ImmutableArray.CreateBuilder<double>(count);
        var rn = ImmutableArray.CreateBuilder<double>(count);
        var vl = ImmutableArray.CreateBuilder<double>(count);
        var vr = ImmutableArray.CreateBuilder<double>(count);
        var db = ImmutableArray.CreateBuilder<double>(count);
        var dr = ImmutableArray.CreateBuilder<double>(count);
        var vb = ImmutableArray.CreateBuilder<double>(count);
        var vk = ImmutableArray.CreateBuilder<double>(count);
        for (var k = 0; k < count; k++)
        {
            var t = Difference(healthy, ill, breast, onsetDay + k, mask);
            dl.Add(Math.Max(0, t.DeltaL));
            rn.Add(t.LogRatio);
            db.Add(t.DeltaB);
            dr.Add(t.DeltaR);
            // Residuals against the template, with a floor of 5 % of the healthy level so that a tail day's tiny increment does not blow up in logs.
            var floor = 0.05 * t.Level;
            double sumL = 0, sumR = 0, sumB = 0, sumK = 0;
            var n = 0;
            foreach (var (h, s) in spread)
            {
                var j = Difference(h, s, breast, onsetDay + k, mask);
                if (double.IsNaN(j.DeltaL))
                {
                    continue;
                }
                // An episode's leucocytes scale with the mother's leucocyte factor: compare per unit of it.
                var d = j.DeltaL / LeucocyteFactor(s, mask);
                var e = Math.Log((Math.Max(0, d) + floor) / (Math.Max(0, t.DeltaL) + floor));
                sumL += e * e;
                sumR += (j.LogRatio - t.LogRatio) * (j.LogRatio - t.LogRatio);
                sumB += (j.DeltaB - t.DeltaB) * (j.DeltaB - t.DeltaB);
                sumK += (j.DeltaR - t.DeltaR) * (j.DeltaR - t.DeltaR);
                n++;
            }
            vl.Add(n > 0 ? Math.Max(sumL / n, 1e-4) : 1);
            vr.Add(n > 0 ? Math.Max(sumR / n, 1e-4) : 1);
            vb.Add(n > 0 ? Math.Max(sumB / n, 1e-4) : 1);
            vk.Add(n > 0 ? Math.Max(sumK / n, 1e-4) : 1);
        }
        return new BreastIncrement(dl.ToImmutable(), rn.ToImmutable(), vl.ToImmutable(), vr.ToImmutable(), db.ToImmutable(), dr.ToImmutable(), vb.ToImmutable(), vk.ToImmutable());
    }

    /// <summary>The planned mother's cell factor of the leucocyte class (the same for every leucocyte type).</summary>
    private static double LeucocyteFactor(SimulationResult run, bool[] mask)
    {
        var type = run.CellTypes[Array.IndexOf(mask, true)];
        return run.Plan.Mother.CellFactors.TryGetValue(type, out var f) && f > 0 ? f : 1;
    }

    /// <summary>Added leucocytes/mL, ln factor on the other cells, shifts of log10 bacteria and ln Na:K, and the healthy leucocyte level on one breast and lactation day (NaN without milk).</summary>
    private static (double DeltaL, double LogRatio, double DeltaB, double DeltaR, double Level) Difference(SimulationResult healthy, SimulationResult ill, Breast breast, int day, bool[] mask)
    {
        var runDay = day - healthy.Plan.Scenario.StartDay;
        var h = Features(healthy, healthy.BreastDays.Single(b => b.Day == runDay && b.Breast == breast), mask);
        var s = Features(ill, ill.BreastDays.Single(b => b.Day == runDay && b.Breast == breast), mask);
        return h.Day < 0 || s.Day < 0 ? (double.NaN, 0, 0, 0, 0) : (Math.Exp(s.L) - Math.Exp(h.L), s.N - h.N, s.B - h.B, s.R - h.R, Math.Exp(h.L));
    }
}
