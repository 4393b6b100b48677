using System.Collections.Immutable;
using MilkCells.Core.Provenance;

namespace MilkCells.Reports.Tests;

/// <summary>A report shaped like simulate's: every block and chart kind, a year of daily data, an illness episode.</summary>
public static class SampleReports
{
    public static readonly CalibrationProfile Default = new("default", IsDefault: true, "modern flow cytometry");

    private static readonly CitedWork Trend = new("trend2016", "Trend S et al. 2016. Leukocyte populations in human preterm and term breast milk. Nutrients 8:665, doi:10.3390/nu8100665");

    private static readonly CitedWork Hassiotou = new("hassiotou2013", "Hassiotou F et al. 2013. Maternal and infant infections stimulate a rapid leukocyte response in breastmilk. Clin Transl Immunology 2:e3, doi:10.1038/cti.2013.1");

    public static readonly CalibrationProfile LayClaims = new("lay-claims", IsDefault: false, "popular figures without primary sources");

    /// <summary>Cells/mL in one breast over a day: a jump after each feed decaying over ~40 min.</summary>
    private static ImmutableArray<double> Within(ImmutableArray<double> hours, ImmutableArray<double> feeds, double baseline) =>
        [.. hours.Select(h => baseline * (1 + feeds.Where(f => f <= h).Sum(f => 1.5 * Math.Exp(-(h - f) / 0.67))))];

    public static Report Healthy(CalibrationProfile? profile = null, string title = "MilkCells — healthy, seed 42", string seriesName = "leucocytes")
    {
        var days = Enumerable.Range(0, 365).Select(d => (double)d).ToImmutableArray();
        ImmutableArray<double> Curve(Func<double, double> f) => [.. days.Select(f)];
        var leucocytes = Curve(d => 1e5 * Math.Exp(-d / 4) + 2e3 + (d is >= 40 and <= 50 ? 5e5 * Math.Sin(Math.PI * (d - 40) / 10) : 0));
        var epithelial = Curve(d => 3e4 + 1e4 * Math.Sin(d / 9));
        var stem = Curve(d => 500 + (d % 7 == 0 ? 0 : 40 * Math.Cos(d / 3)));
        var mastitis = new Band(40, 50, "mastitis (left, moderate)");
        var hours = Enumerable.Range(0, 24 * 12 + 1).Select(i => i / 12.0).ToImmutableArray();
        ImmutableArray<double> feedsLeft = [0.5, 3.2, 6.1, 9.0, 12.4, 15.5, 18.7, 21.9];
        ImmutableArray<double> feedsRight = [0.6, 4.8, 7.7, 10.9, 14.1, 17.2, 20.3];
        var metadata = new ReportMetadata(profile ?? Default, 42, "healthy",
            [new("scenario hash", "sha256:8f3a…"), new("model version", "milk-model 0.1"), new("code version", "0.1.0+abc123")]);
        return new Report(title, metadata)
            .With("Summary",
                new TextBlock("One mother–infant pair across the first year.\n\nConcentrations are of the milk the infant drank, volume-weighted."),
                new TableBlock("By stage", ["stage", "days", "leucocytes/mL", "% leucocytes"],
                [["colostrum", "0–5", "8.2e4", "41.5"], ["transitional", "6–14", "1.1e4", "6.2"], ["mature", "15–364", "2100", "0.8"]]))
            .With("Cells in milk",
                new LineChart
                {
                    Title = "Cells/mL by class", X = days, YScale = AxisScale.Logarithmic, XLabel = "day", YLabel = "cells/mL", Bands = [mastitis],
                    Series = [new(seriesName, leucocytes), new("epithelial", epithelial), new("stem/progenitor", stem)],
                    Caption = "Log axis; the shaded interval is the mastitis episode.",
                },
                new StackedAreaChart
                {
                    Title = "Composition", X = days, AsPercent = true, XLabel = "day", YLabel = "% of cells",
                    Series = [new("leucocytes", leucocytes), new("epithelial", epithelial), new("stem/progenitor", stem)],
                },
                new LineChart
                {
                    Title = "Leucocytes, % of cells", X = days, XLabel = "day", YLabel = "%", Bands = [mastitis, new Band(90, 97, "infant infection", "rgba(0,114,178,0.15)")],
                    Series = [new("% leucocytes", Curve(d => 100 * leucocytes[(int)d] / (leucocytes[(int)d] + epithelial[(int)d] + stem[(int)d])))],
                })
            .With("Intake",
                new BarChart
                {
                    Title = "Daily intake by month", Categories = ["1", "2", "3", "4", "5", "6"], XLabel = "month", YLabel = "mL/day",
                    Series = [new("milk", [650, 720, 780, 800, 790, 760]), new("range low", [478, 478, 478, 478, 478, 478], "#999999")],
                },
                new BarChart
                {
                    Title = "Engrafted maternal cells by organ", Categories = ["blood", "thymus", "liver", "brain"], Stacked = true, YScale = AxisScale.Logarithmic,
                    Series = [new("alive", [1200, 80, 300, 12]), new("differentiated", [0, 5, 40, 3])],
                })
            .With("Within a day",
                new LineChart
                {
                    Title = "Cells per mL in stored milk, one day", X = hours, XLabel = "hour of the day", YLabel = "cells/mL", YScale = AxisScale.Logarithmic,
                    Series = [new("left", Within(hours, feedsLeft, 6e4)), new("right", Within(hours, feedsRight, 7e4))],
                    Marks = [new("feed, left breast", feedsLeft), new("feed, right breast", feedsRight)],
                },
                new LineChart
                {
                    Title = "Leucocytes per mL (cells/mL), simulated mothers", X = days, XLabel = "lactation day", YLabel = "cells/mL", YScale = AxisScale.Logarithmic,
                    Bands = [new(0, 6, "colostrum", "rgba(120,120,120,0.08)"), new(6, 15, "transitional", "rgba(120,120,120,0.16)"), new(15, 365, "mature", "rgba(120,120,120,0.08)")],
                    Ranges =
                    [
                        new PercentileBands("cohort",
                        [
                            new(2.5, 97.5, Curve(d => leucocytes[(int)d] / 6), Curve(d => leucocytes[(int)d] * 6)),
                            new(25, 75, Curve(d => leucocytes[(int)d] / 1.8), Curve(d => leucocytes[(int)d] * 1.8)),
                            new(10, 90, Curve(d => leucocytes[(int)d] / 3.5), Curve(d => leucocytes[(int)d] * 3.5)),
                        ], leucocytes),
                    ],
                    Series = [new("one mother", Curve(d => leucocytes[(int)d] * (1.4 + Math.Sin(d / 5) / 2)), "#000000") { Style = LineStyle.Dashed }],
                })
            .With("Parameters",
                new ParameterTableBlock(
                [
                    new("leucocytes, colostrum", "13–70", "% of cells", new Provenance("Trend 2016, doi:10.3390/nu8100665 (table 2)", "colostrum, flow cytometry, n=21", Confidence.High, MeasurementEra.FlowCytometry))
                    {
                        Citation = new([Trend], [], "table 2"),
                    },
                    new("post-feed rise", "≤ 12", "× pre-feed", new Provenance("Hassiotou 2013, doi:10.1186/cti.2013.1; assumption: the rise decays in 3 h", "30 min after a feed", Confidence.Medium, MeasurementEra.FlowCytometry))
                    {
                        Citation = new([Hassiotou], ["assumption: the rise decays in 3 h"]),
                    },
                    new("leucocytes, mature", "0–2", "% of cells", new Provenance("Trend 2016, doi:10.3390/nu8100665; Hassiotou 2013, doi:10.1186/cti.2013.1", "mature milk", Confidence.High, MeasurementEra.FlowCytometry))
                    {
                        Citation = new([Trend, Hassiotou], []),
                    },
                    new("engraftment", "1e-6", "per cell", new Provenance("set by scenario 'x' (line 3)", "mouse", Confidence.Assumption, MeasurementEra.Animal)),
                ]));
    }
}
