using System.Collections.Immutable;
using MilkCells.Core.Provenance;

namespace MilkCells.Reports;

/// <summary>A report: a title, the run's metadata, and sections of blocks. Render it with <see cref="ReportHtml"/>.</summary>
/// <remarks>
/// Design: the report is a pure value built by the caller (the simulation, the cohort reference builder);
/// <see cref="ReportHtml.Render"/> turns it into one self-contained HTML file. Equal reports render to equal bytes:
/// nothing reads the clock, the culture or the machine.
/// </remarks>
/// <param name="Title">The report's title.</param>
/// <param name="Metadata">Seed, scenario, profile and versions, shown at the top.</param>
/// <param name="Sections">The sections, in order.</param>
public sealed record Report(string Title, ReportMetadata Metadata, ImmutableArray<ReportSection> Sections)
{
    /// <summary>A report with no sections yet.</summary>
    public Report(string title, ReportMetadata metadata) : this(title, metadata, [])
    {
    }

    /// <summary>This report with one more section.</summary>
    public Report With(ReportSection section) => this with { Sections = Sections.Add(section) };

    /// <summary>This report with one more section built from a heading and blocks.</summary>
    public Report With(string heading, params ReportBlock[] blocks) => With(new ReportSection(heading, [.. blocks]));
}

/// <summary>What the report is of: shown in a metadata block at the top; a non-default profile is flagged in a banner.</summary>
/// <param name="Profile">The calibration profile.</param>
/// <param name="Seed">The root seed, if the run is seeded.</param>
/// <param name="Scenario">The scenario name.</param>
/// <param name="Extra">Further (label, value) lines, in order (scenario hash, model and code versions, times).</param>
public sealed record ReportMetadata(CalibrationProfile Profile, ulong? Seed = null, string? Scenario = null, ImmutableArray<KeyValuePair<string, string>> Extra = default)
{
    /// <summary>The extra lines, never default.</summary>
    public ImmutableArray<KeyValuePair<string, string>> ExtraLines => Extra.IsDefault ? [] : Extra;
}

/// <summary>A calibration profile as the report shows it.</summary>
/// <param name="Name">Its name (for example <c>default</c>, <c>microscopy-era</c>, <c>lay-claims</c>).</param>
/// <param name="IsDefault">Whether it is the default calibration; any other is marked in a banner and the title.</param>
/// <param name="Description">What it follows (for example "modern flow cytometry"), if known.</param>
public sealed record CalibrationProfile(string Name, bool IsDefault, string? Description = null);

/// <summary>A section: a heading and its blocks.</summary>
public sealed record ReportSection(string Heading, ImmutableArray<ReportBlock> Blocks);

/// <summary>One piece of a section: text, a table or a chart.</summary>
public abstract record ReportBlock;

/// <summary>A paragraph of plain text (escaped; blank lines start new paragraphs).</summary>
public sealed record TextBlock(string Text) : ReportBlock;

/// <summary>A table of text cells; cells that parse as numbers are right-aligned.</summary>
/// <param name="Caption">A caption above the table, if any.</param>
/// <param name="Header">The column names.</param>
/// <param name="Rows">The rows, each as long as the header.</param>
public sealed record TableBlock(string? Caption, ImmutableArray<string> Header, ImmutableArray<ImmutableArray<string>> Rows) : ReportBlock;

/// <summary>The parameter table: every model value with its unit, condition, source, confidence and era.</summary>
public sealed record ParameterTableBlock(ImmutableArray<ParameterRow> Parameters, string? Caption = "Parameters and their sources") : ReportBlock;

/// <summary>One parameter: a name, its value as text, its unit and where it comes from.</summary>
/// <remarks>With <see cref="Citation"/> the source column cites by number into one reference list under the table;
/// without it, it shows <see cref="Provenance.Source"/> as text.</remarks>
public sealed record ParameterRow(string Name, string Value, string Unit, Provenance Source)
{
    /// <summary>The source as cited works and notes, when known; the works are numbered once for the whole table.</summary>
    public SourceCitation? Citation { get; init; }
}

/// <summary>A parameter's source, structured: the works it cites, free notes (an assumption's reasoning), and where in the works.</summary>
/// <param name="Works">The cited works, in order.</param>
/// <param name="Notes">Notes shown after the numbers (for example "assumption: …").</param>
/// <param name="Where">Where in the works (a table, a figure), if given.</param>
public sealed record SourceCitation(ImmutableArray<CitedWork> Works, ImmutableArray<string> Notes, string? Where = null);

/// <summary>A cited work: a key that identifies it (rows citing the same key share its number) and its full citation.</summary>
public sealed record CitedWork(string Key, string Text);

/// <summary>How an axis maps values.</summary>
public enum AxisScale
{
    /// <summary>Linear.</summary>
    Linear,

    /// <summary>Base-10 logarithmic; values ≤ 0 are left out (gaps), as a log axis cannot place them.</summary>
    Logarithmic,

    /// <summary>Square root, for the x axis of a line chart over lactation days: the first weeks, where milk changes
    /// fastest, get room (days 0–14 take a fifth of a year's width), and day 0 still has a place. Ticks at 0, 3, 7, 14, 30, 60, 90, 180, …</summary>
    SquareRoot,
}

/// <summary>How a series' line is drawn.</summary>
public enum LineStyle
{
    /// <summary>A solid line.</summary>
    Solid,

    /// <summary>Long dashes: for a line that runs on top of, or close to, another (a total over its largest part).</summary>
    Dashed,

    /// <summary>Short dots.</summary>
    Dotted,
}

/// <summary>A named series of y values, one per x value (NaN or infinities are gaps).</summary>
/// <param name="Name">The legend label.</param>
/// <param name="Values">The y values.</param>
/// <param name="Color">A CSS colour; null for the next colour of the colour-blind-safe palette.</param>
public sealed record Series(string Name, ImmutableArray<double> Values, string? Color = null)
{
    /// <summary>How the line is drawn. Series are drawn in order, so a later one lies on top: give it dashes where it may hide an earlier one.</summary>
    public LineStyle Style { get; init; } = LineStyle.Solid;
}

/// <summary>Instants marked along the top of a chart (feeds, samples), in a strip of their own: marks never cover data or each other's labels.</summary>
/// <param name="Name">The legend label (for example "feed, left breast").</param>
/// <param name="X">Where the marks are on the x axis.</param>
/// <param name="Color">A CSS colour; null for the next colour of the palette after the series'.</param>
public sealed record MarkSeries(string Name, ImmutableArray<double> X, string? Color = null);

/// <summary>Percentile bands of a population drawn as nested shaded areas, with the median as a line: a reference range.</summary>
/// <remarks>
/// Bands are drawn from the outermost in, each shade darker, behind the chart's series (a single run drawn over its
/// cohort's range, say). The values share the chart's x values; NaN is a gap.
/// </remarks>
/// <param name="Name">What the bands are of (the legend prefixes each band with it, for example "cohort: 10–90th percentile").</param>
/// <param name="Bands">The bands, any order; each names its lower and upper percentile.</param>
/// <param name="Median">The median (50th percentile), or default for none.</param>
/// <param name="Color">A CSS colour (#rrggbb) for the shades and the median; null for the next colour of the palette.</param>
public sealed record PercentileBands(string Name, ImmutableArray<PercentileBand> Bands, ImmutableArray<double> Median = default, string? Color = null);

/// <summary>One band: the values of a lower and an upper percentile at each x.</summary>
/// <param name="LowerPercentile">The lower percentile (for example 2.5).</param>
/// <param name="UpperPercentile">The upper percentile (for example 97.5).</param>
/// <param name="Lower">The lower percentile's values.</param>
/// <param name="Upper">The upper percentile's values.</param>
public sealed record PercentileBand(double LowerPercentile, double UpperPercentile, ImmutableArray<double> Lower, ImmutableArray<double> Upper)
{
    /// <summary>The legend's words for the band (for example "lowest to highest in each 5 days"); null for "P–Qth percentile".</summary>
    public string? Label { get; init; }
}

/// <summary>A shaded x interval (an illness episode, a stage), drawn behind the data with a label.</summary>
/// <param name="From">Where it starts on the x axis.</param>
/// <param name="To">Where it ends on the x axis.</param>
/// <param name="Label">Its label.</param>
/// <param name="Color">A CSS colour; null for translucent red.</param>
public sealed record Band(double From, double To, string Label, string? Color = null);

/// <summary>A chart; the chart library draws it in the browser from data embedded as JSON.</summary>
public abstract record ChartBlock : ReportBlock
{
    /// <summary>The chart's title.</summary>
    public required string Title { get; init; }

    /// <summary>The series, drawn in order.</summary>
    public required ImmutableArray<Series> Series { get; init; }

    /// <summary>The x axis label.</summary>
    public string? XLabel { get; init; }

    /// <summary>The y axis label (with its unit).</summary>
    public string? YLabel { get; init; }

    /// <summary>The y axis scale.</summary>
    public AxisScale YScale { get; init; } = AxisScale.Linear;

    /// <summary>Shaded intervals on the x axis, labelled in a strip above the plot (labels never overlap: they take rows).</summary>
    public ImmutableArray<Band> Bands { get; init; } = [];

    /// <summary>Instants marked in a strip above the plot, one row per mark series.</summary>
    public ImmutableArray<MarkSeries> Marks { get; init; } = [];

    /// <summary>A caption under the chart (what it shows, its source), if any.</summary>
    public string? Caption { get; init; }
}

/// <summary>Lines over a numeric x axis (a time series: days, hours), optionally over percentile bands.</summary>
public sealed record LineChart : ChartBlock
{
    /// <summary>The x values, shared by every series and band (repeat an x to draw a step).</summary>
    public required ImmutableArray<double> X { get; init; }

    /// <summary>Percentile bands drawn behind the series.</summary>
    public ImmutableArray<PercentileBands> Ranges { get; init; } = [];

    /// <summary>The x axis scale (linear or square root).</summary>
    public AxisScale XScale { get; init; } = AxisScale.Linear;
}

/// <summary>Series stacked as filled areas over a numeric x axis (composition over time).</summary>
public sealed record StackedAreaChart : ChartBlock
{
    /// <summary>The x values, shared by every series.</summary>
    public required ImmutableArray<double> X { get; init; }

    /// <summary>Whether each x is normalised to 100 % (shares) rather than stacked in the series' units.</summary>
    public bool AsPercent { get; init; }
}

/// <summary>Bars over categories, grouped or stacked.</summary>
public sealed record BarChart : ChartBlock
{
    /// <summary>The category labels, one per value of each series.</summary>
    public required ImmutableArray<string> Categories { get; init; }

    /// <summary>Whether the series stack rather than stand side by side.</summary>
    public bool Stacked { get; init; }
}

/// <summary>Points in a plane, one series per group (an embedding coloured by cell type or cluster).</summary>
/// <remarks><see cref="ChartBlock.Series"/> is unused (empty); the points are in <see cref="Groups"/>.</remarks>
public sealed record ScatterChart : ChartBlock
{
    /// <summary>The groups: a name, a colour (null for the palette) and their points' x and y.</summary>
    public required ImmutableArray<ScatterGroup> Groups { get; init; }

    /// <summary>Point radius in pixels.</summary>
    public double PointRadius { get; init; } = 1.5;
}

/// <summary>One group of a scatter chart.</summary>
public sealed record ScatterGroup(string Name, ImmutableArray<double> X, ImmutableArray<double> Y, string? Color = null);

/// <summary>A dot plot: rows × columns of dots whose size and colour carry two values (marker genes × clusters).</summary>
/// <remarks><see cref="ChartBlock.Series"/> is unused (empty).</remarks>
public sealed record DotPlotChart : ChartBlock
{
    /// <summary>Column labels (genes).</summary>
    public required ImmutableArray<string> Columns { get; init; }

    /// <summary>Row labels (clusters or cell types).</summary>
    public required ImmutableArray<string> Rows { get; init; }

    /// <summary>Dot size values (0–1, e.g. the share of cells expressing), rows × columns.</summary>
    public required ImmutableArray<ImmutableArray<double>> Size { get; init; }

    /// <summary>Dot colour values (e.g. scaled mean expression), rows × columns.</summary>
    public required ImmutableArray<ImmutableArray<double>> Color { get; init; }

    /// <summary>What the size means.</summary>
    public string SizeLabel { get; init; } = "fraction of cells expressing";

    /// <summary>What the colour means.</summary>
    public string ColorLabel { get; init; } = "mean expression (scaled)";
}
