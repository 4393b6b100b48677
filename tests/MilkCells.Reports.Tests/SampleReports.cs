using System.Collections.Immutable;
using MilkCells.Core.Provenance;

namespace MilkCells.Reports.Tests;

/// <summary>A report shaped like simulate's: every block and chart kind, a year of daily data, an illness episode.</summary>
public static class SampleReports
{
    public static readonly CalibrationProfile Default = new("default", IsDefault: true, "modern flow cytometry");

    public static readonly CalibrationProfile LayClaims = new("lay-claims", IsDefault: false, "popular figures without primary sources");

    public static Report Healthy(CalibrationProfile? profile = null, string title = "MilkCells — healthy, seed 42", string seriesName = "leucocytes")
    {
        var days = Enumerable.Range(0, 365).Select(d => (double)d).ToImmutableArray();
        ImmutableArray<double> Curve(Func<double, double> f) => [.. days.Select(f)];
        var leucocytes = Curve(d => 1e5 * Math.Exp(-d / 4) + 2e3 + (d is >= 40 and <= 50 ? 5e5 * Math.Sin(Math.PI * (d - 40) / 10) : 0));
        var epithelial = Curve(d => 3e4 + 1e4 * Math.Sin(d / 9));
        var stem = Curve(d => 500 + (d % 7 == 0 ? 0 : 40 * Math.Cos(d / 3)));
        var mastitis = new Band(40, 50, "mastitis (left, moderate)");
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
            .With("Parameters",
                new ParameterTableBlock(
                [
                    new("leucocytes, colostrum", "13–70", "% of cells", new Provenance("Trend 2016, doi:10.3390/nu8100665, table 2", "colostrum, flow cytometry, n=21", Confidence.High, MeasurementEra.FlowCytometry)),
                    new("post-feed rise", "≤ 12", "× pre-feed", new Provenance("Hassiotou 2013, doi:10.1186/cti.2013.1", "30 min after a feed", Confidence.Medium, MeasurementEra.FlowCytometry)),
                ]));
    }
}
