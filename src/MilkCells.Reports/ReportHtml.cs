using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace MilkCells.Reports;

/// <summary>Renders a <see cref="Report"/> as one self-contained HTML file that opens offline.</summary>
/// <remarks>
/// Chart library: Chart.js 4 with chartjs-plugin-annotation (MIT, both actively maintained). Chosen over Apache
/// ECharts (≈1 MB minified), Vega-Lite (vega + vega-lite + vega-embed, ≈800 kB) and uPlot (smallest and fastest, but
/// stacked areas and labelled shaded bands are hand-written hooks): Chart.js gives log axes, stacked and
/// percent-stacked areas, bars, line decimation for long series, and annotation boxes for illness episodes in
/// ≈245 kB, drawn on canvas. Both files are inlined with the report's data (one JSON island per chart) and a
/// Content-Security-Policy that forbids every network request.
/// </remarks>
public static class ReportHtml
{
    private static readonly Lazy<string> Scripts = new(() => string.Concat(
        Script(Resource("chart.js")), Script(Resource("chartjs-plugin-annotation.js")), Script(Resource("report.js"))));

    private static readonly Lazy<string> Style = new(() => Resource("report.css"));

    /// <summary>The Okabe–Ito colour-blind-safe palette, used in order when a series names no colour.</summary>
    public static readonly IReadOnlyList<string> Palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

    /// <summary>The report as HTML text.</summary>
    public static string Render(Report report)
    {
        var html = new StringBuilder(400_000);
        var profile = report.Metadata.Profile;
        var title = profile.IsDefault ? report.Title : $"{report.Title} [profile: {profile.Name}]";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Escape(title)).Append("</title>\n<style>\n").Append(Style.Value).Append("</style>\n</head>\n<body>\n<header>\n<h1>")
            .Append(Escape(report.Title)).Append("</h1>\n");
        if (!profile.IsDefault)
        {
            html.Append("<p class=\"profile-warning\" role=\"alert\">Calibration profile <strong>").Append(Escape(profile.Name))
                .Append("</strong> — not the default calibration")
                .Append(profile.Description is null ? "" : $" ({Escape(profile.Description)})")
                .Append(". Numbers here follow this profile's sources, not modern flow cytometry.</p>\n");
        }
        AppendMetadata(html, report.Metadata);
        html.Append("</header>\n");
        if (report.Sections.Length > 1)
        {
            html.Append("<nav><ol>\n");
            for (var i = 0; i < report.Sections.Length; i++)
            {
                html.Append("<li><a href=\"#section-").Append(i + 1).Append("\">").Append(Escape(report.Sections[i].Heading)).Append("</a></li>\n");
            }
            html.Append("</ol></nav>\n");
        }
        var chart = 0;
        for (var i = 0; i < report.Sections.Length; i++)
        {
            var section = report.Sections[i];
            html.Append("<section id=\"section-").Append(i + 1).Append("\">\n<h2>").Append(Escape(section.Heading)).Append("</h2>\n");
            foreach (var block in section.Blocks)
            {
                switch (block)
                {
                    case TextBlock text:
                        AppendText(html, text.Text);
                        break;
                    case TableBlock table:
                        AppendTable(html, table.Caption, table.Header, table.Rows.Select(r => (IReadOnlyList<string>)r), "table");
                        break;
                    case ParameterTableBlock parameters:
                        AppendParameters(html, parameters);
                        break;
                    case ChartBlock c:
                        AppendChart(html, c, ++chart);
                        break;
                    case DensityPlot density:
                        DensityPlotSvg.Append(html, density);
                        break;
                    default:
                        throw new ArgumentException($"unknown report block {block.GetType().Name}");
                }
            }
            html.Append("</section>\n");
        }
        html.Append("<footer>Self-contained report: charts drawn by Chart.js and chartjs-plugin-annotation (MIT licence), inlined; no network access.</footer>\n");
        html.Append(Scripts.Value).Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Writes the report to <paramref name="path"/> as UTF-8 (no BOM).</summary>
    public static void Write(Report report, string path) => File.WriteAllText(path, Render(report), new UTF8Encoding(false));

    /// <summary>Escapes text for HTML element content and quoted attribute values.</summary>
    public static string Escape(string text)
    {
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0)
        {
            return text;
        }
        var sb = new StringBuilder(text.Length + 16);
        foreach (var ch in text)
        {
            sb.Append(ch switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => ch.ToString(),
            });
        }
        return sb.ToString();
    }

    private static void AppendMetadata(StringBuilder html, ReportMetadata metadata)
    {
        var lines = new List<KeyValuePair<string, string>>();
        if (metadata.Scenario is { } scenario)
        {
            lines.Add(new("scenario", scenario));
        }
        if (metadata.Seed is { } seed)
        {
            lines.Add(new("seed", seed.ToString(CultureInfo.InvariantCulture)));
        }
        lines.Add(new("profile", metadata.Profile.Name + (metadata.Profile.IsDefault ? " (default)" : " (NOT the default)")
            + (metadata.Profile.Description is { } d ? $" — {d}" : "")));
        lines.AddRange(metadata.ExtraLines);
        html.Append("<dl class=\"metadata\">\n");
        foreach (var (key, value) in lines)
        {
            html.Append("<dt>").Append(Escape(key)).Append("</dt><dd>").Append(Escape(value)).Append("</dd>\n");
        }
        html.Append("</dl>\n");
    }

    private static void AppendText(StringBuilder html, string text)
    {
        foreach (var paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            html.Append("<p>").Append(Escape(paragraph)).Append("</p>\n");
        }
    }

    /// <summary>The parameter table; rows with a <see cref="SourceCitation"/> cite by number into one reference list under it.</summary>
    private static void AppendParameters(StringBuilder html, ParameterTableBlock block)
    {
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var works = new List<CitedWork>();
        var rows = new List<IReadOnlyList<string>>();
        var sourceHtml = new List<string>();
        foreach (var p in block.Parameters)
        {
            rows.Add([p.Name, p.Value, p.Unit, p.Source.Condition, "", p.Source.Confidence.ToString(), p.Source.Era.ToString()]);
            if (p.Citation is not { } citation)
            {
                sourceHtml.Add(Escape(p.Source.Source));
                continue;
            }
            var parts = new List<string>();
            var refs = new List<string>();
            foreach (var work in citation.Works)
            {
                if (!numbers.TryGetValue(work.Key, out var n))
                {
                    works.Add(work);
                    numbers[work.Key] = n = works.Count;
                }
                refs.Add($"<a href=\"#ref-{n}\">{n}</a>");
            }
            if (refs.Count > 0)
            {
                parts.Add("[" + string.Join(", ", refs) + "]");
            }
            parts.AddRange(citation.Notes.Select(Escape));
            sourceHtml.Add(string.Join("; ", parts) + (citation.Where is { } where ? $" ({Escape(where)})" : ""));
        }
        AppendTable(html, block.Caption, ["parameter", "value", "unit", "condition", "source", "confidence", "era"], rows, "table parameters",
            (row, column) => column == 4 ? sourceHtml[row] : null);
        if (works.Count > 0)
        {
            html.Append("<h3 class=\"references\">References</h3>\n<ol class=\"references\">\n");
            for (var i = 0; i < works.Count; i++)
            {
                html.Append("<li id=\"ref-").Append(i + 1).Append("\">").Append(Escape(works[i].Text)).Append("</li>\n");
            }
            html.Append("</ol>\n");
        }
    }

    // rawCell: ready HTML for a (row, column) cell, or null to escape the text cell.
    private static void AppendTable(StringBuilder html, string? caption, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string cssClass,
        Func<int, int, string?>? rawCell = null)
    {
        html.Append("<table class=\"").Append(cssClass).Append("\">\n");
        if (caption is not null)
        {
            html.Append("<caption>").Append(Escape(caption)).Append("</caption>\n");
        }
        html.Append("<thead><tr>");
        foreach (var name in header)
        {
            html.Append("<th scope=\"col\">").Append(Escape(name)).Append("</th>");
        }
        html.Append("</tr></thead>\n<tbody>\n");
        var r = 0;
        foreach (var row in rows)
        {
            if (row.Count != header.Count)
            {
                throw new ArgumentException($"a table row has {row.Count} cells; the header has {header.Count}");
            }
            html.Append("<tr>");
            for (var c = 0; c < row.Count; c++)
            {
                if (rawCell?.Invoke(r, c) is { } raw)
                {
                    html.Append("<td>").Append(raw).Append("</td>");
                    continue;
                }
                var numeric = double.TryParse(row[c], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
                html.Append(numeric ? "<td class=\"num\">" : "<td>").Append(Escape(row[c])).Append("</td>");
            }
            html.Append("</tr>\n");
            r++;
        }
        html.Append("</tbody>\n</table>\n");
    }

    private static void AppendChart(StringBuilder html, ChartBlock chart, int number)
    {
        var id = $"chart-{number}";
        html.Append("<figure class=\"chart\" id=\"").Append(id).Append("\" data-chart=\"").Append(ChartKind(chart)).Append("\">\n")
            .Append("<div class=\"canvas-box\"><canvas role=\"img\" aria-label=\"").Append(Escape(chart.Title)).Append("\"></canvas></div>\n");
        if (chart.Caption is not null)
        {
            html.Append("<figcaption>").Append(Escape(chart.Caption)).Append("</figcaption>\n");
        }
        html.Append("<script type=\"application/json\" class=\"chart-data\">").Append(ChartJson(chart)).Append("</script>\n</figure>\n");
    }

    private static string ChartKind(ChartBlock chart) => chart switch
    {
        LineChart => "line",
        StackedAreaChart => "stacked-area",
        BarChart => "bar",
        ScatterChart => "scatter",
        DotPlotChart => "dotplot",
        _ => throw new ArgumentException($"unknown chart {chart.GetType().Name}"),
    };

    /// <summary>The chart's data and options as JSON; '&lt;', '&gt;' and '&amp;' are escaped, so it cannot close its script element.</summary>
    internal static string ChartJson(ChartBlock chart)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", ChartKind(chart));
            json.WriteString("title", chart.Title);
            json.WriteString("xLabel", chart.XLabel ?? "");
            json.WriteString("yLabel", chart.YLabel ?? "");
            if (chart.YScale == AxisScale.SquareRoot)
            {
                throw new ArgumentException($"chart '{chart.Title}': a square-root scale is for the x axis of a line chart");
            }
            json.WriteBoolean("logY", chart.YScale == AxisScale.Logarithmic);
            var count = chart switch
            {
                LineChart l => l.X.Length,
                StackedAreaChart a => a.X.Length,
                BarChart b => b.Categories.Length,
                _ => 0,
            };
            if (chart is ScatterChart scatter)
            {
                json.WriteNumber("radius", scatter.PointRadius);
                json.WriteStartArray("groups");
                for (var i = 0; i < scatter.Groups.Length; i++)
                {
                    var g = scatter.Groups[i];
                    if (g.X.Length != g.Y.Length)
                    {
                        throw new ArgumentException($"chart '{chart.Title}': group '{g.Name}' has {g.X.Length} x and {g.Y.Length} y values");
                    }
                    json.WriteStartObject();
                    json.WriteString("name", g.Name);
                    json.WriteString("color", g.Color ?? Palette[i % Palette.Count]);
                    Numbers(json, "x", g.X, false);
                    Numbers(json, "y", g.Y, false);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            if (chart is DotPlotChart dot)
            {
                json.WriteString("sizeLabel", dot.SizeLabel);
                json.WriteString("colorLabel", dot.ColorLabel);
                json.WriteStartArray("columns");
                foreach (var c in dot.Columns)
                {
                    json.WriteStringValue(c);
                }
                json.WriteEndArray();
                json.WriteStartArray("rows");
                foreach (var r in dot.Rows)
                {
                    json.WriteStringValue(r);
                }
                json.WriteEndArray();
                json.WriteStartArray("dots");
                for (var r = 0; r < dot.Rows.Length; r++)
                {
                    if (dot.Size[r].Length != dot.Columns.Length || dot.Color[r].Length != dot.Columns.Length)
                    {
                        throw new ArgumentException($"chart '{chart.Title}': row '{dot.Rows[r]}' has the wrong number of values");
                    }
                    for (var c = 0; c < dot.Columns.Length; c++)
                    {
                        json.WriteStartObject();
                        json.WriteNumber("r", r);
                        json.WriteNumber("c", c);
                        json.WriteNumber("size", double.IsFinite(dot.Size[r][c]) ? dot.Size[r][c] : 0);
                        json.WriteNumber("color", double.IsFinite(dot.Color[r][c]) ? dot.Color[r][c] : 0);
                        json.WriteEndObject();
                    }
                }
                json.WriteEndArray();
            }
            switch (chart)
            {
                case LineChart line:
                    Numbers(json, "x", line.X, false);
                    if (line.XScale == AxisScale.SquareRoot)
                    {
                        json.WriteString("xScale", "sqrt");
                    }
                    else if (line.XScale != AxisScale.Linear)
                    {
                        throw new ArgumentException($"chart '{chart.Title}': the x axis is linear or square root");
                    }
                    break;
                case StackedAreaChart area:
                    Numbers(json, "x", area.X, false);
                    json.WriteBoolean("percent", area.AsPercent);
                    break;
                case BarChart bar:
                    json.WriteStartArray("categories");
                    foreach (var category in bar.Categories)
                    {
                        json.WriteStringValue(category);
                    }
                    json.WriteEndArray();
                    json.WriteBoolean("stacked", bar.Stacked);
                    break;
            }
            json.WriteStartArray("series");
            var color = 0;
            foreach (var series in chart.Series)
            {
                Require(chart, series.Name, series.Values.Length, count);
                json.WriteStartObject();
                json.WriteString("name", series.Name);
                json.WriteString("color", series.Color ?? Palette[color++ % Palette.Count]);
                if (series.Style != LineStyle.Solid)
                {
                    json.WriteString("style", series.Style == LineStyle.Dashed ? "dashed" : "dotted");
                }
                Numbers(json, "y", series.Values, chart.YScale == AxisScale.Logarithmic);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (chart is LineChart { Ranges.IsEmpty: false } ranged)
            {
                json.WriteStartArray("ranges");
                foreach (var range in ranged.Ranges)
                {
                    json.WriteStartObject();
                    json.WriteString("name", range.Name);
                    json.WriteString("color", range.Color ?? Palette[color++ % Palette.Count]);
                    json.WriteStartArray("bands");
                    // Outermost first, so each inner band is drawn over the outer one.
                    foreach (var band in range.Bands.OrderByDescending(b => b.UpperPercentile - b.LowerPercentile))
                    {
                        Require(chart, $"{range.Name} {band.LowerPercentile}–{band.UpperPercentile}", band.Lower.Length, count);
                        Require(chart, $"{range.Name} {band.LowerPercentile}–{band.UpperPercentile}", band.Upper.Length, count);
                        json.WriteStartObject();
                        json.WriteNumber("lowerP", band.LowerPercentile);
                        json.WriteNumber("upperP", band.UpperPercentile);
                        if (band.Label is not null)
                        {
                            json.WriteString("label", band.Label);
                        }
                        Numbers(json, "lower", band.Lower, chart.YScale == AxisScale.Logarithmic);
                        Numbers(json, "upper", band.Upper, chart.YScale == AxisScale.Logarithmic);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    if (!range.Median.IsDefault)
                    {
                        Require(chart, range.Name + " median", range.Median.Length, count);
                        Numbers(json, "median", range.Median, chart.YScale == AxisScale.Logarithmic);
                    }
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            if (!chart.Marks.IsEmpty)
            {
                json.WriteStartArray("marks");
                foreach (var marks in chart.Marks)
                {
                    json.WriteStartObject();
                    json.WriteString("name", marks.Name);
                    json.WriteString("color", marks.Color ?? Palette[color++ % Palette.Count]);
                    Numbers(json, "x", marks.X, false);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteStartArray("bands");
            foreach (var band in chart.Bands)
            {
                json.WriteStartObject();
                json.WriteNumber("from", band.From);
                json.WriteNumber("to", band.To);
                json.WriteString("label", band.Label);
                json.WriteString("color", band.Color ?? "rgba(213, 94, 0, 0.15)");
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Require(ChartBlock chart, string name, int length, int count)
    {
        if (length != count)
        {
            throw new ArgumentException($"chart '{chart.Title}': series '{name}' has {length} values for {count} x values");
        }
    }

    private static void Numbers(Utf8JsonWriter json, string name, IReadOnlyList<double> values, bool positiveOnly)
    {
        json.WriteStartArray(name);
        foreach (var v in values)
        {
            if (!double.IsFinite(v) || (positiveOnly && v <= 0))
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteNumberValue(v);
            }
        }
        json.WriteEndArray();
    }

    private static string Script(string code)
    {
        if (code.Contains("</script", StringComparison.OrdinalIgnoreCase) || code.Contains("<!--", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("an inlined script contains '</script' or '<!--' and would break the page");
        }
        return "<script>\n" + code.TrimEnd() + "\n</script>\n";
    }

    private static string Resource(string name)
    {
        using var stream = typeof(ReportHtml).Assembly.GetManifestResourceStream("MilkCells.Reports." + name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing: build MilkCells.Reports with npm available (it runs npm ci)");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
        // Source-map comments would point at files that are not shipped; drop them so nothing ever asks for one.
        var lines = text.Split('\n').Where(l => !l.StartsWith("//# sourceMappingURL=", StringComparison.Ordinal));
        return string.Join('\n', lines);
    }
}
