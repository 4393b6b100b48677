using System.Collections.Immutable;
using System.Globalization;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Derivation;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using MilkCells.Model.Structure;
using MilkCells.Reports;
using MilkCells.Workflows;
using MilkCells.Simulation;
using ReportSeries = MilkCells.Reports.Series;

namespace MilkCells.Workflows.Simulate;

/// <summary>Builds report.html's content from a finished run (an exporter: it only reads the result).</summary>
public static class SimulationReport
{
    /// <summary>The report of a run of <paramref name="calibrated"/> (null: only the network's constants are listed).</summary>
    public static Report Build(SimulationResult r, string codeVersion, long? motherId = null, ulong? rootSeed = null, CalibratedModel? calibrated = null)
    {
        var plan = r.Plan;
        var net = plan.Network;
        var isDefault = net.ProfileId == "default";
        var metadata = new ReportMetadata(new CalibrationProfile(net.ProfileId, isDefault, net.ProfileMarking), r.Seed, plan.Scenario.Name,
        [
            new("scenario sha256", plan.Scenario.Hash),
            new("model version", net.ModelVersion),
            new("code version", codeVersion),
            new("lactation days", $"{plan.Scenario.StartDay}–{plan.Scenario.StartDay + r.Daily.Length - 1}"),
            new("mother", motherId is { } id ? $"population mother {id} (cohort root seed {rootSeed}; plan seed {r.Seed})"
                : plan.Mother.Sampled ? "sampled from the population" : "the median mother (fixed)"),
        ]);
        var report = new Report($"MilkCells simulation: {plan.Scenario.Name}", metadata);
        var days = r.Daily;
        var x = days.Select(d => (double)d.LactationDay).ToImmutableArray();
        var bands = Episodes(plan.Scenario).ToImmutableArray();

        report = report.With("Summary by stage", new TextBlock(plan.Scenario.Description), SummaryTable(r));
        report = report.With("Cells in the milk the infant drank",
            new LineChart
            {
                Title = "Cells per mL of milk drunk, by class (daily, volume-weighted)",
                X = x,
                XLabel = "lactation day",
                YLabel = "cells / mL of milk",
                YScale = AxisScale.Logarithmic,
                Bands = bands,
                Series =
                [
                    new ReportSeries("epithelial", [.. days.Select(d => d.CellsPerMlEpithelial)]),
                    new ReportSeries("leucocytes", [.. days.Select(d => d.CellsPerMlLeucocyte)]),
                    new ReportSeries("stem/progenitor", [.. days.Select(d => d.CellsPerMlStem)]),
                    // On top and dashed: epithelial cells are most of the cells, so a solid total would hide their line.
                    new ReportSeries("all cells", [.. days.Select(d => d.CellsPerMlTotal)], "#000000") { Style = LineStyle.Dashed },
                ],
                Caption = "Cells swallowed each day over the milk drunk that day; alive and dead cells. Dashed: all cells (mostly epithelial, whose line runs beneath).",
            },
            new StackedAreaChart
            {
                Title = "Composition (% of cells)",
                X = x,
                XLabel = "lactation day",
                YLabel = "% of cells",
                AsPercent = true,
                Series =
                [
                    new ReportSeries("epithelial", [.. days.Select(d => d.CellsPerMlEpithelial)]),
                    new ReportSeries("leucocytes", [.. days.Select(d => d.CellsPerMlLeucocyte)]),
                    new ReportSeries("stem/progenitor", [.. days.Select(d => d.CellsPerMlStem)]),
                ],
            },
            new LineChart
            {
                Title = "Leucocytes, % of cells",
                X = x,
                XLabel = "lactation day",
                YLabel = "% leucocytes",
                Bands = bands,
                Series = [new ReportSeries("leucocytes %", [.. days.Select(d => d.PctLeucocyte)])],
                Caption = bands.IsEmpty ? "No illness in this scenario." : "Shaded: illness episodes.",
            });
        report = report.With("Intake",
            new LineChart
            {
                Title = "Milk drunk per day",
                X = x,
                XLabel = "lactation day",
                YLabel = "mL / day",
                Bands = bands,
                Series = [new ReportSeries("breast milk", [.. days.Select(d => d.MilkMl)]), new ReportSeries("formula", [.. days.Select(d => d.FormulaMl)])],
            },
            new LineChart
            {
                Title = "Breastfeeds per day",
                X = x,
                XLabel = "lactation day",
                YLabel = "feeds / day",
                Series = [new ReportSeries("breastfeeds", [.. days.Select(d => (double)d.Feeds)])],
            });
        if (Cohort(r) is { Length: > 0 } cohort)
        {
            report = report.With("Against the healthy cohort", cohort);
        }
        report = report.With("Milk chemistry (each breast)", Chemistry(r, bands));
        if (r.BreastSeries.Length > 0)
        {
            report = report.With("Each breast", Breasts(r, bands));
        }
        report = report.With("Within-feed dynamics", WithinFeed(r));
        report = report.With("Infant (animal-derived)", Infant(r));
        if (r.Expressed.Length > 0)
        {
            report = report.With("Expressed milk", Expressed(r));
        }
        if (calibrated is null)
        {
            var citations = new ParameterCitations(MilkModel.Embedded.Calibrate(net.ProfileId));
            report = report.With("Parameters", new ParameterTableBlock(
            [
                .. plan.Parameters.Select(p => new ParameterRow(
                    p.Key is null ? p.ParameterId : $"{p.ParameterId} [{p.Key}]", p.Value.ToString("G4", CultureInfo.InvariantCulture),
                    UnitSpec.CanonicalText(p.Unit), p.Provenance) { Citation = citations.Of(p) }),
            ], "Every constant of the network, with its unit and source (the mother's own values in place)"));
        }
        else
        {
            report = report.With("Parameters", Parameters(r, calibrated));
        }
        return report;
    }

    /// <summary>Every parameter the run used: the model's (profile overrides and scenario settings marked), the derived constants and the mother's own values.</summary>
    public static ParameterTableBlock Parameters(SimulationResult r, CalibratedModel calibrated)
    {
        var scenario = r.Plan.Scenario;
        var used = RunPlanner.WithOverrides(calibrated, scenario);
        var set = scenario.ParameterOverrides.Select(o => o.Id).ToHashSet(StringComparer.Ordinal);
        string Name(Parameter p) => p.Id
            + (calibrated.IsOverridden(p.Id) ? $" — PROFILE OVERRIDE ({calibrated.Profile.Id})" : "")
            + (set.Contains(p.Id) ? " — SET BY THE SCENARIO" : "");
        var citations = new ParameterCitations(calibrated);
        var rows = used.Parameters.Values.Select(p => new ParameterRow(Name(p), p.Display(), UnitSpec.CanonicalText(p.Unit), p.Provenance) { Citation = citations.Of(p) }).ToList();
        rows.AddRange(DerivedParameters.From(used).All.Values.Select(p => new ParameterRow(p.Id, p.Display(), UnitSpec.CanonicalText(p.Unit), p.Provenance)));
        var m = r.Plan.Mother;
        var who = new Core.Provenance.Provenance(m.Sampled ? "drawn from the between-mother distributions (docs/model.md §7) with the run's seed" : "the median mother with the scenario's fixed values",
            "this run's mother", Core.Provenance.Confidence.Assumption, Core.Provenance.MeasurementEra.Derived);
        rows.Add(new ParameterRow("mother: production factor (after lactogenesis II)", m.ProductionFactor.ToString("G4", CultureInfo.InvariantCulture), "multiplier", who));
        rows.Add(new ParameterRow("mother: storage capacity", m.CapacityMl.ToString("G4", CultureInfo.InvariantCulture), "mL", who));
        rows.Add(new ParameterRow("mother: right breast's share", m.RightShare.ToString("G4", CultureInfo.InvariantCulture), "fraction", who));
        rows.Add(new ParameterRow("mother: feeding frequency factor (after lactogenesis II)", m.FeedsFactor.ToString("G4", CultureInfo.InvariantCulture), "multiplier", who));
        rows.AddRange(m.CellFactors.Select(kv => new ParameterRow($"mother: cell factor [{kv.Key}]", kv.Value.ToString("G4", CultureInfo.InvariantCulture), "multiplier", who)));
        var overridden = rows.Count(x => x.Name.Contains("PROFILE OVERRIDE", StringComparison.Ordinal) || x.Name.Contains("SET BY THE SCENARIO", StringComparison.Ordinal));
        return new ParameterTableBlock([.. rows],
            $"Every parameter this run used ({rows.Count}): the model's data under profile '{calibrated.Profile.Id}' ({overridden} replaced by the profile or set by the scenario, marked), the constants derived from them, and this run's mother");
    }

    /// <summary>The run's lines against the shipped reference set's 10–90 % and 2.5–97.5 % bands (the healthy cohort, default profile).</summary>
    private static ReportBlock[] Cohort(SimulationResult r)
    {
        if (ShippedReference.Embedded is not { } reference || r.Plan.Network.ProfileId != "default")
        {
            return [];
        }
        var days = r.Daily;
        var x = days.Select(d => (double)d.LactationDay).ToImmutableArray();
        var lactationDays = days.Select(d => d.LactationDay).ToArray();
        ReportBlock? Chart(string measure, string title, string yLabel, AxisScale scale, Func<DailyRow, double> value)
        {
            if (!reference.Has(measure))
            {
                return null;
            }
            ImmutableArray<double> Percentile(double p) => reference.Band(measure, p, lactationDays);
            return new LineChart
            {
                Title = title,
                X = x,
                XLabel = "lactation day",
                YLabel = yLabel,
                YScale = scale,
                // Shaded bands, not five lines: where the cohort does not vary (Na:K) the percentiles coincide, and lines would hide each other.
                Ranges = [new PercentileBands("cohort", [new PercentileBand(2.5, 97.5, Percentile(2.5), Percentile(97.5)), new PercentileBand(10, 90, Percentile(10), Percentile(90))], Percentile(50), "#56B4E9")],
                Series = [new ReportSeries("this run", [.. days.Select(value)], "#D55E00")],
                Caption = $"Behind this run's line: the median (line) and the 10–90 % and 2.5–97.5 % bands (shaded) of daily values in the shipped reference set (data/reference: {reference.Cohort}), by lactation-day window. The bands are the healthy population's spread between and within mothers.",
            };
        }
        return
        [
            .. new[]
            {
                Chart("cells_per_ml_total", "All cells per mL against the healthy cohort", "cells / mL", AxisScale.Logarithmic, d => d.CellsPerMlTotal),
                Chart("pct_leucocyte", "Leucocytes, % of cells, against the healthy cohort", "% leucocytes", AxisScale.Logarithmic, d => d.PctLeucocyte),
                Chart("milk_ml", "Milk drunk per day against the healthy cohort", "mL / day", AxisScale.Linear, d => d.MilkMl),
                Chart("na_k_ratio", "Na:K against the healthy cohort", "Na:K", AxisScale.Logarithmic, d => d.Chemistry.NaKRatio),
            }.Where(c => c is not null).Select(c => c!),
        ];
    }

    /// <summary>Na:K, sodium and bacteria of the milk drunk from each breast, with the clinical cut-offs.</summary>
    private static ReportBlock[] Chemistry(SimulationResult r, ImmutableArray<Band> bands)
    {
        var start = r.Plan.Scenario.StartDay;
        var breastDays = r.BreastDays;
        if (breastDays.IsEmpty)
        {
            return [new TextBlock("Per-breast chemistry needs the per-breast daily rows (feed resolution or detail).")];
        }
        var x = breastDays.Where(b => b.Breast == Breast.Left).Select(b => (double)(start + b.Day)).ToImmutableArray();
        ImmutableArray<double> Of(Breast b, Func<ChemistryReadout, double> f) => [.. breastDays.Where(d => d.Breast == b).Select(d => f(d.Chemistry))];
        ImmutableArray<double> Line(double value) => [.. x.Select(_ => value)];
        LineChart Chart(string title, string yLabel, Func<ChemistryReadout, double> f, string cutOff, double at, string? caption) => new()
        {
            Title = title,
            X = x, XLabel = "lactation day", YLabel = yLabel, YScale = AxisScale.Logarithmic, Bands = bands,
            Series = [new ReportSeries("left", Of(Breast.Left, f)), new ReportSeries("right", Of(Breast.Right, f)),
                new ReportSeries(cutOff, Line(at), "rgba(120,120,120,0.7)")],
            Caption = caption,
        };
        return
        [
            Chart("Na:K of the milk drunk from each breast", "Na:K", c => c.NaKRatio, "cut-off 0.60 (Furukawa 2022)", 0.6,
                "Healthy milk 0.5 ± 0.1, with mastitis 1.7 ± 1.2 (Furukawa 2022); colostrum and transitional milk are higher (open junctions before lactogenesis II; Mathew 2021, Lee 1982). Volume-weighted over each breast's feeds per day."),
            Chart("Sodium of the milk drunk from each breast", "mmol/L", c => c.SodiumMmolL, "12 mmol/L (Pace 2022)", 12, null),
            Chart("Bacteria in the milk drunk from each breast", "CFU / mL", c => c.BacteriaCfuPerMl, "10³ /mL (Thomsen 1983)", 1e3,
                "Thomsen 1983: leucocytes < 10⁶/mL and bacteria < 10³/mL: normal or stasis; leucocytes > 10⁶/mL with bacteria < 10³/mL: non-infectious inflammation; both above: infectious mastitis."),
        ];
    }

    private static IEnumerable<Band> Episodes(Scenario scenario)
    {
        foreach (var e in scenario.Events.OfType<IllnessEvent>())
        {
            yield return new Band(scenario.DayAt(e.Hours), scenario.DayAt(e.EndHours), e.Label);
        }
    }

    /// <summary>The summary by stage, each illness window on its own (lactation days), numbers one notation per column with 3 significant digits (ConsoleNumbers).</summary>
    public static TableBlock SummaryTable(SimulationResult r)
    {
        var stages = StageSummary.Of(r);
        string[] Column(Func<StageSummary, double> of) => ConsoleNumbers.Column([.. stages.Select(of)]);
        string[][] columns =
        [
            Column(s => s.MilkMlPerDay), Column(s => s.FeedsPerDay), Column(s => s.CellsPerMl), Column(s => s.LeucocytesPerMl),
            Column(s => s.PctLeucocyte), Column(s => s.PctStem), Column(s => s.ViableFraction),
            Column(s => s.Chemistry.BacteriaCfuPerMl), Column(s => s.Chemistry.SodiumMmolL), Column(s => s.Chemistry.NaKRatio),
        ];
        return new("Volume-weighted over each stage, each illness window on its own (lactation days)",
            ["stage", "days", "milk mL/day", "feeds/day", "cells/mL", "leucocytes/mL", "% leucocytes", "% stem", "viable", "bacteria CFU/mL", "Na mmol/L", "Na:K"],
            [.. stages.Select((s, i) => ImmutableArray.Create([s.Label, $"{s.FirstDay}–{s.LastDay}", .. columns.Select(c => c[i])]))]);
    }

    public static string F(double v, string format) => double.IsNaN(v) ? "—" : v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Samples per breast beyond which the chart draws each breast's median and range over windows of whole days:
    /// about 1.5 per pixel of the plot, where two noisy series that cross at every sample hide each other.</summary>
    public const int DenseBreastSamples = 1500;

    /// <summary>At most this many windows across the run when a breast's samples are summarised.</summary>
    public const int BreastWindows = 250;

    private static ReportBlock Breasts(SimulationResult r, ImmutableArray<Band> bands)
    {
        var start = r.Plan.Scenario.StartDay;
        var resolution = r.Plan.Scenario.ResolutionHours.ToString("0.##", CultureInfo.InvariantCulture);
        var x = r.BreastSeries.Where(s => s.Breast == Breast.Left).Select(s => start + s.TimeHours / 24).ToImmutableArray();
        ImmutableArray<double> Of(Breast b) => [.. r.BreastSeries.Where(s => s.Breast == b).Select(s => s.CellsPerMlLeucocyte)];
        const string Inflammation = "A breast's own inflammation (mastitis) shows in that breast alone.";
        var chart = new LineChart
        {
            Title = "Leucocytes per mL in each breast's stored milk",
            X = x,
            XLabel = "lactation day",
            YLabel = "leucocytes / mL",
            YScale = AxisScale.Logarithmic,
            Bands = bands,
            Series = [new ReportSeries("left", Of(Breast.Left), ReportHtml.Palette[0]), new ReportSeries("right", Of(Breast.Right), ReportHtml.Palette[1])],
            Caption = $"Every {resolution} h (the scenario's resolutionHours; breasts.csv). {Inflammation}",
        };
        if (x.Length <= DenseBreastSamples)
        {
            return chart;
        }
        // Thousands of noisy samples per breast cross each other at every step: drawn as lines, one hides the other.
        // Each breast is summarised over windows of whole days instead: its median as the line, its lowest to highest
        // sample as a translucent shade, so no sample lies outside what is drawn.
        var windowDays = Math.Max(1, (int)Math.Ceiling((x[^1] - x[0]) / BreastWindows));
        var windows = Windows(x, start, windowDays);
        var first = windows.Select(w => start + (double)(w.Key * windowDays)).ToImmutableArray(); // each window at its first day: round ticks
        var per = windowDays == 1 ? "per day" : $"per {windowDays} days";
        var left = Summaries(windows, Of(Breast.Left));
        var right = Summaries(windows, Of(Breast.Right));
        ReportSeries Median(Breast b, List<(double Median, double Min, double Max)> summaries, int colour) =>
            new(Names.Of(b), [.. summaries.Select(s => s.Median)], ReportHtml.Palette[colour]);
        PercentileBands Range(Breast b, List<(double Median, double Min, double Max)> summaries, int colour) =>
            new(Names.Of(b),
                [new PercentileBand(0, 100, [.. summaries.Select(s => s.Min)], [.. summaries.Select(s => s.Max)]) { Label = $"lowest to highest, {per}" }],
                Color: ReportHtml.Palette[colour]);
        return chart with
        {
            X = first,
            Ranges = [Range(Breast.Left, left, 0), Range(Breast.Right, right, 1)],
            Series = [Median(Breast.Left, left, 0), Median(Breast.Right, right, 1)],
            Caption = $"Lines: each breast's median {per}; shades: its lowest to highest sample {per} (each placed at the window's first day). " +
                $"Samples every {resolution} h (the scenario's resolutionHours; breasts.csv holds every one: {x.Length:N0} per breast). {Inflammation}",
        };
    }

    /// <summary>The sample indices of each window of <paramref name="windowDays"/> whole days, in order.</summary>
    private static List<IGrouping<int, int>> Windows(ImmutableArray<double> days, double start, int windowDays) =>
        [.. Enumerable.Range(0, days.Length).GroupBy(i => (int)Math.Floor((days[i] - start) / windowDays + 1e-9)).OrderBy(g => g.Key)];

    /// <summary>The median, lowest and highest finite value of each window (NaN for a window without one).</summary>
    private static List<(double Median, double Min, double Max)> Summaries(List<IGrouping<int, int>> windows, ImmutableArray<double> values) =>
        [.. windows.Select(w =>
        {
            var v = w.Select(i => values[i]).Where(double.IsFinite).Order().ToArray();
            return v.Length == 0 ? (double.NaN, double.NaN, double.NaN)
                : (v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2, v[0], v[^1]);
        })];

    private static ReportBlock[] WithinFeed(SimulationResult r)
    {
        var day = r.WithinFeedDay;
        var start = day * 24.0;
        var x = r.WithinFeed.Where(s => s.Breast == Breast.Left).Select(s => s.TimeHours - start).ToImmutableArray();
        ImmutableArray<double> Of(Breast b, Func<BreastSample, double> f) => [.. r.WithinFeed.Where(s => s.Breast == b).Select(f)];
        ImmutableArray<MarkSeries> feeds =
        [
            .. new[] { Breast.Left, Breast.Right }.Select((b, i) => new MarkSeries($"feed, {Names.Of(b)} breast",
                [.. r.Feeds.Where(f => f.Day == day && f.Breast == b).Select(f => f.TimeHours - start)], ReportHtml.Palette[i])),
        ];
        var lactationDay = r.Plan.Scenario.StartDay + day;
        return
        [
            new LineChart
            {
                Title = $"Cells per mL in each breast's stored milk, lactation day {lactationDay}",
                X = x,
                XLabel = "hour of the day",
                YLabel = "cells / mL",
                YScale = AxisScale.Logarithmic,
                Marks = feeds,
                Series = [new ReportSeries("left", Of(Breast.Left, s => s.CellsPerMlTotal)), new ReportSeries("right", Of(Breast.Right, s => s.CellsPerMlTotal))],
                Caption = "Cell content rises after each feed (post-feed shedding into a smaller volume) and falls back within about 3 h (Hassiotou 2013). Triangles: feeds from each breast.",
            },
            new LineChart
            {
                Title = $"Milk stored in each breast, lactation day {lactationDay}",
                X = x,
                XLabel = "hour of the day",
                YLabel = "mL",
                Marks = feeds,
                Series = [new ReportSeries("left", Of(Breast.Left, s => s.VolumeMl)), new ReportSeries("right", Of(Breast.Right, s => s.VolumeMl))],
            },
        ];
    }

    private static ReportBlock[] Infant(SimulationResult r)
    {
        var x = r.Infant.Select(i => (double)(r.Plan.Scenario.StartDay + i.Day)).ToImmutableArray();
        var organs = new List<ReportSeries>();
        var fates = new List<ReportSeries>();
        var groups = r.InfantColumns.Select((c, k) => (c, k)).Where(p => p.c.StartsWith("organ_", StringComparison.Ordinal))
            .GroupBy(p => p.c.Split('_')[1]);
        foreach (var g in groups)
        {
            organs.Add(new ReportSeries(g.Key, [.. r.Infant.Select(i => (double)g.Sum(p => i.Counts[p.k]))]));
        }
        foreach (var (c, k) in r.InfantColumns.Select((c, k) => (c, k)).Where(p => p.c.StartsWith("fate_", StringComparison.Ordinal)))
        {
            fates.Add(new ReportSeries(c["fate_".Length..], [.. r.Infant.Select(i => (double)i.Counts[k])]));
        }
        return
        [
            new LineChart
            {
                Title = "Maternal cells engrafted in infant organs (leucocytes + stem cells), end of each day",
                X = x, XLabel = "lactation day", YLabel = "cells", YScale = AxisScale.Logarithmic, Series = [.. organs],
                Caption = "Animal-derived: no human transfer data exist; orders of magnitude from mouse studies (docs/model.md §9).",
            },
            new LineChart
            {
                Title = "Engrafted maternal stem cells by fate",
                X = x, XLabel = "lactation day", YLabel = "cells", YScale = AxisScale.Logarithmic, Series = [.. fates],
                Caption = "Animal-derived.",
            },
        ];
    }

    private static ReportBlock[] Expressed(SimulationResult r)
    {
        var rows = r.Expressed.Where(e => e.Process != "held").Select(e => ImmutableArray.Create(
            e.Container, e.Process, F(e.TimeHours, "F1"), F(e.TemperatureC, "G3"), F(e.VolumeMl, "F0"),
            e.CellsTotal.ToString(CultureInfo.InvariantCulture), F(e.ViableFraction, "F3")));
        var blocks = new List<ReportBlock>
        {
            new TableBlock("Containers at each step", ["container", "process", "time h", "°C", "mL", "cells", "viable"], [.. rows]),
        };
        foreach (var g in r.Expressed.GroupBy(e => e.Container).Where(g => g.Any(e => e.CellsTotal > 0)))
        {
            var list = g.ToArray();
            blocks.Add(new LineChart
            {
                Title = $"Viable fraction in '{g.Key}'",
                X = [.. list.Select(e => e.TimeHours / 24)],
                XLabel = "run day",
                YLabel = "viable fraction",
                Series = [new ReportSeries(g.Key, [.. list.Select(e => e.ViableFraction)])],
            });
        }
        return [.. blocks];
    }
}
