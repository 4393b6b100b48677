using System.Globalization;
using System.Text.RegularExpressions;

namespace MilkCells.Reports.Tests;

public partial class ReportHtmlTests
{
    [Fact]
    public void A_report_has_the_expected_structure_and_asks_for_nothing_from_the_network()
    {
        var html = ReportHtml.Render(SampleReports.Healthy());
        Assert.StartsWith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", html);
        Assert.Contains("content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\"", html);
        Assert.Contains("<title>MilkCells — healthy, seed 42</title>", html);
        Assert.Equal(["line", "stacked-area", "line", "bar", "bar"], ChartKinds().Matches(html).Select(m => m.Groups[1].Value));
        Assert.Equal(5, Regex.Matches(html, "<canvas ").Count);
        Assert.Equal(5, Regex.Matches(html, "<script type=\"application/json\" class=\"chart-data\">").Count);
        Assert.Equal(5 + 3, Regex.Matches(html, "<script").Count); // the data islands, Chart.js, the annotation plugin, report.js
        Assert.Equal(Regex.Matches(html, "<script").Count, Regex.Matches(html, "</script>").Count);
        Assert.Equal(4, Regex.Matches(html, "<section id=\"section-\\d\">").Count);
        Assert.Contains("<li><a href=\"#section-2\">Cells in milk</a></li>", html);
        Assert.Contains("<dt>seed</dt><dd>42</dd>", html);
        Assert.Contains("<dt>scenario</dt><dd>healthy</dd>", html);
        Assert.Contains("<dt>profile</dt><dd>default (default) — modern flow cytometry</dd>", html);
        Assert.Contains("<dt>code version</dt><dd>0.1.0+abc123</dd>", html);
        Assert.DoesNotContain("<p class=\"profile-warning\"", html);
        Assert.Contains("<th scope=\"col\">source</th><th scope=\"col\">confidence</th><th scope=\"col\">era</th>", html);
        Assert.Contains("<td>Trend 2016, doi:10.3390/nu8100665, table 2</td><td>High</td><td>FlowCytometry</td>", html);
        Assert.Contains("<td class=\"num\">41.5</td>", html);
        Assert.Contains("<p>Concentrations are of the milk the infant drank, volume-weighted.</p>", html);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.DoesNotContain("sourceMappingURL", html);
        Assert.DoesNotContain("@import", html);
    }

    [Fact]
    public void A_profile_other_than_the_default_is_marked_in_the_title_banner_and_metadata()
    {
        var html = ReportHtml.Render(SampleReports.Healthy(SampleReports.LayClaims));
        Assert.Contains("<title>MilkCells — healthy, seed 42 [profile: lay-claims]</title>", html);
        Assert.Contains("<p class=\"profile-warning\" role=\"alert\">Calibration profile <strong>lay-claims</strong> — not the default calibration", html);
        Assert.Contains("<dt>profile</dt><dd>lay-claims (NOT the default)", html);
    }

    [Fact]
    public void The_same_report_renders_to_the_same_bytes_whatever_the_culture()
    {
        var first = ReportHtml.Render(SampleReports.Healthy());
        var culture = CultureInfo.CurrentCulture;
        try
        {
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            comma.NumberFormat.NumberGroupSeparator = ".";
            CultureInfo.CurrentCulture = comma;
            Assert.Equal(first, ReportHtml.Render(SampleReports.Healthy()));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
        Assert.NotEqual(first, ReportHtml.Render(SampleReports.Healthy(title: "another title")));
    }

    [Fact]
    public void Text_from_the_caller_is_escaped_everywhere_and_cannot_close_a_script()
    {
        const string evil = "<script>alert('x')</script> & \"q\"";
        var report = SampleReports.Healthy(title: evil, seriesName: evil) with { };
        report = report.With(evil, new TextBlock(evil), new TableBlock(evil, [evil], [[evil]]));
        var html = ReportHtml.Render(report);
        Assert.DoesNotContain("<script>alert", html);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;", html);
        Assert.Contains("\\u003Cscript\\u003Ealert(\\u0027x\\u0027)\\u003C/script\\u003E \\u0026 \\u0022q\\u0022", html);
        Assert.Equal(Regex.Matches(html, "<script").Count, Regex.Matches(html, "</script>").Count);
    }

    [Fact]
    public void Chart_data_is_json_with_gaps_for_values_an_axis_cannot_place()
    {
        var chart = new LineChart
        {
            Title = "t", X = [0, 1, 2, 3, 4], YScale = AxisScale.Logarithmic,
            Series = [new("s", [10, 0, -1, double.NaN, 0.1])],
            Bands = [new(1, 2.5, "b")],
        };
        Assert.Equal(
            "{\"kind\":\"line\",\"title\":\"t\",\"xLabel\":\"\",\"yLabel\":\"\",\"logY\":true,\"x\":[0,1,2,3,4],\"series\":[{\"name\":\"s\",\"color\":\"#0072B2\",\"y\":[10,null,null,null,0.1]}],"
            + "\"bands\":[{\"from\":1,\"to\":2.5,\"label\":\"b\",\"color\":\"rgba(213, 94, 0, 0.15)\"}]}",
            ReportHtml.ChartJson(chart));
        var linear = ReportHtml.ChartJson(chart with { YScale = AxisScale.Linear });
        Assert.Contains("\"y\":[10,0,-1,null,0.1]", linear);
    }

    [Fact]
    public void A_series_whose_length_differs_from_its_x_values_is_refused()
    {
        var chart = new LineChart { Title = "t", X = [0, 1, 2], Series = [new("s", [1, 2])] };
        var ex = Assert.Throws<ArgumentException>(() => ReportHtml.Render(SampleReports.Healthy().With("x", chart)));
        Assert.Contains("series 's' has 2 values for 3 x values", ex.Message);
    }

    [GeneratedRegex("<figure class=\"chart\" id=\"chart-\\d+\" data-chart=\"([a-z-]+)\">")]
    private static partial Regex ChartKinds();
}
