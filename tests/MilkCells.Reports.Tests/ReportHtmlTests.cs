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
        Assert.Equal(["line", "stacked-area", "line", "bar", "bar", "line", "line"], ChartKinds().Matches(html).Select(m => m.Groups[1].Value));
        Assert.Equal(7, Regex.Matches(html, "<canvas ").Count);
        Assert.Equal(7, Regex.Matches(html, "<script type=\"application/json\" class=\"chart-data\">").Count);
        Assert.Equal(7 + 3, Regex.Matches(html, "<script").Count); // the data islands, Chart.js, the annotation plugin, report.js
        Assert.Equal(Regex.Matches(html, "<script").Count, Regex.Matches(html, "</script>").Count);
        Assert.Equal(5, Regex.Matches(html, "<section id=\"section-\\d\">").Count);
        Assert.Contains("<li><a href=\"#section-2\">Cells in milk</a></li>", html);
        Assert.Contains("<dt>seed</dt><dd>42</dd>", html);
        Assert.Contains("<dt>scenario</dt><dd>healthy</dd>", html);
        Assert.Contains("<dt>profile</dt><dd>default (default) — modern flow cytometry</dd>", html);
        Assert.Contains("<dt>code version</dt><dd>0.1.0+abc123</dd>", html);
        Assert.DoesNotContain("<p class=\"profile-warning\"", html);
        Assert.Contains("<th scope=\"col\">source</th><th scope=\"col\">confidence</th><th scope=\"col\">era</th>", html);
        Assert.Contains("<td>[<a href=\"#ref-1\">1</a>] (table 2)</td><td>High</td><td>FlowCytometry</td>", html);
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
    public void The_parameter_table_cites_each_work_by_one_number_into_one_reference_list()
    {
        var html = ReportHtml.Render(SampleReports.Healthy());
        Assert.Contains("<td>[<a href=\"#ref-1\">1</a>] (table 2)</td>", html);
        Assert.Contains("<td>[<a href=\"#ref-2\">2</a>]; assumption: the rise decays in 3 h</td>", html);
        Assert.Contains("<td>[<a href=\"#ref-1\">1</a>, <a href=\"#ref-2\">2</a>]</td>", html);
        Assert.Contains("<td>set by scenario &#39;x&#39; (line 3)</td>", html); // no citation: its text as it is
        Assert.Equal(2, Regex.Matches(html, "<li id=\"ref-\\d+\">").Count);
        Assert.Contains("<li id=\"ref-1\">Trend S et al. 2016. Leukocyte populations", html);
        Assert.Single(Regex.Matches(html, "Nutrients 8:665")); // each work written out once, however many rows cite it
    }

    [Fact]
    public void Percentile_bands_marks_and_line_styles_are_in_the_chart_data_outermost_band_first()
    {
        var chart = new LineChart
        {
            Title = "t", X = [0, 1], YScale = AxisScale.Logarithmic,
            Series = [new("one", [1, 2]) { Style = LineStyle.Dashed }],
            Ranges = [new PercentileBands("cohort", [new(25, 75, [2, 3], [4, 5]), new(2.5, 97.5, [1, 0], [8, 9])], [3, 4])],
            Marks = [new("feed", [0.5])],
        };
        Assert.Equal(
            "{\"kind\":\"line\",\"title\":\"t\",\"xLabel\":\"\",\"yLabel\":\"\",\"logY\":true,\"x\":[0,1],"
            + "\"series\":[{\"name\":\"one\",\"color\":\"#0072B2\",\"style\":\"dashed\",\"y\":[1,2]}],"
            + "\"ranges\":[{\"name\":\"cohort\",\"color\":\"#E69F00\",\"bands\":[{\"lowerP\":2.5,\"upperP\":97.5,\"lower\":[1,null],\"upper\":[8,9]},"
            + "{\"lowerP\":25,\"upperP\":75,\"lower\":[2,3],\"upper\":[4,5]}],\"median\":[3,4]}],"
            + "\"marks\":[{\"name\":\"feed\",\"color\":\"#009E73\",\"x\":[0.5]}],\"bands\":[]}",
            ReportHtml.ChartJson(chart));
        var short_ = chart with { Ranges = [new PercentileBands("cohort", [new(25, 75, [2], [4, 5])])] };
        Assert.Contains("series 'cohort 25–75' has 1 values for 2 x values", Assert.Throws<ArgumentException>(() => ReportHtml.ChartJson(short_)).Message);
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
