using System.Collections.Immutable;
using System.Globalization;
using MilkCells.Model.Scenarios;
using MilkCells.Model.Structure;
using MilkCells.Reports;
using MilkCells.Simulation;
using ReportSeries = MilkCells.Reports.Series;

namespace MilkCells.Cli.Simulate;

/// <summary>Builds report.html's content from a finished run (an exporter: it only reads the result).</summary>
internal static class SimulationReport
{
    public static Report Build(SimulationResult r, string codeVersion)
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
            new("mother", plan.Mother.Sampled ? "sampled from the population" : "the median mother (fixed)"),
        ]);
        var report = new Report($"MilkCells simulation: {plan.Scenario.Name}", metadata);
        var days = r.Daily;
        var x = days.Select(d => (double)d.LactationDay).ToImmutableArray();
        var bands = Episodes(plan.Scenario).ToImmutableArray();

        report = report.With("Summary by stage", new TextBlock(plan.Scenario.Description), SummaryTable(r));
        report = report.With("Cells in the milk the infant drank",
            new LineChart
            {
                Title = "Cells per mL by class (volume-weighted daily)",
                X = x,
                XLabel = "lactation day",
                YLabel = "cells / mL of milk",
                YScale = AxisScale.Logarithmic,
                Bands = bands,
                Series =
                [
                    new ReportSeries("all cells", [.. days.Select(d => d.CellsPerMlTotal)]),
                    new ReportSeries("epithelial", [.. days.Select(d => d.CellsPerMlEpithelial)]),
                    new ReportSeries("leucocytes", [.. days.Select(d => d.CellsPerMlLeucocyte)]),
                    new ReportSeries("stem/progenitor", [.. days.Select(d => d.CellsPerMlStem)]),
                ],
                Caption = "Cells swallowed each day over the milk drunk that day; alive and dead cells.",
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
        report = report.With("Parameters", new ParameterTableBlock(
        [
            .. plan.Parameters.Select(p => new ParameterRow(
                p.Key is null ? p.ParameterId : $"{p.ParameterId} [{p.Key}]", p.Value.ToString("G4", CultureInfo.InvariantCulture),
                Model.Catalogue.UnitSpec.CanonicalText(p.Unit), p.Provenance)),
        ], "Every constant of the network, with its unit and source (the mother's own values in place)"));
        return report;
    }

    private static IEnumerable<Band> Episodes(Scenario scenario)
    {
        foreach (var e in scenario.Events.OfType<IllnessEvent>())
        {
            yield return new Band(scenario.DayAt(e.Hours), scenario.DayAt(e.EndHours), e.Label);
        }
    }

    /// <summary>The summary by stage, numbers one notation per column with 3 significant digits (ConsoleNumbers).</summary>
    public static TableBlock SummaryTable(SimulationResult r)
    {
        var stages = StageSummary.Of(r.Daily);
        string[] Column(Func<StageSummary, double> of) => ConsoleNumbers.Column([.. stages.Select(of)]);
        string[][] columns =
        [
            Column(s => s.MilkMlPerDay), Column(s => s.FeedsPerDay), Column(s => s.CellsPerMl), Column(s => s.LeucocytesPerMl),
            Column(s => s.PctLeucocyte), Column(s => s.PctStem), Column(s => s.ViableFraction),
        ];
        return new("Volume-weighted over each stage",
            ["stage", "days", "milk mL/day", "feeds/day", "cells/mL", "leucocytes/mL", "% leucocytes", "% stem", "viable"],
            [.. stages.Select((s, i) => ImmutableArray.Create([s.Stage, $"{s.FirstDay}–{s.LastDay}", .. columns.Select(c => c[i])]))]);
    }

    public static string F(double v, string format) => double.IsNaN(v) ? "—" : v.ToString(format, CultureInfo.InvariantCulture);

    private static ReportBlock Breasts(SimulationResult r, ImmutableArray<Band> bands)
    {
        var start = r.Plan.Scenario.StartDay;
        var x = r.BreastSeries.Where(s => s.Breast == Breast.Left).Select(s => start + s.TimeHours / 24).ToImmutableArray();
        ImmutableArray<double> Of(Breast b) => [.. r.BreastSeries.Where(s => s.Breast == b).Select(s => s.CellsPerMlLeucocyte)];
        return new LineChart
        {
            Title = "Leucocytes per mL in each breast's stored milk",
            X = x,
            XLabel = "lactation day",
            YLabel = "leucocytes / mL",
            YScale = AxisScale.Logarithmic,
            Bands = bands,
            Series = [new ReportSeries("left", Of(Breast.Left)), new ReportSeries("right", Of(Breast.Right))],
            Caption = $"Every {r.Plan.Scenario.ResolutionHours:0.##} h (the scenario's resolutionHours; breasts.csv). A breast's own inflammation (mastitis) shows in that breast alone.",
        };
    }

    private static ReportBlock[] WithinFeed(SimulationResult r)
    {
        var day = r.WithinFeedDay;
        var start = day * 24.0;
        var x = r.WithinFeed.Where(s => s.Breast == Breast.Left).Select(s => s.TimeHours - start).ToImmutableArray();
        ImmutableArray<double> Of(Breast b, Func<BreastSample, double> f) => [.. r.WithinFeed.Where(s => s.Breast == b).Select(f)];
        var feeds = r.Feeds.Where(f => f.Day == day).Select(f => new Band(f.TimeHours - start, f.TimeHours - start + 0.1, $"feed {Names.Of(f.Breast)}", "rgba(0,114,178,0.25)")).ToImmutableArray();
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
                Bands = feeds,
                Series = [new ReportSeries("left", Of(Breast.Left, s => s.CellsPerMlTotal)), new ReportSeries("right", Of(Breast.Right, s => s.CellsPerMlTotal))],
                Caption = "Cell content rises after each feed (post-feed shedding into a smaller volume) and falls back within about 3 h (Hassiotou 2013). Shaded: feeds.",
            },
            new LineChart
            {
                Title = $"Milk stored in each breast, lactation day {lactationDay}",
                X = x,
                XLabel = "hour of the day",
                YLabel = "mL",
                Bands = feeds,
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
                X = x, XLabel = "lactation day", YLabel = "cells", Series = [.. organs],
                Caption = "Animal-derived: no human transfer data exist; orders of magnitude from mouse studies (docs/model.md §9).",
            },
            new LineChart
            {
                Title = "Engrafted maternal stem cells by fate",
                X = x, XLabel = "lactation day", YLabel = "cells", Series = [.. fates],
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
