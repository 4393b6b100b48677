using System.Text;
using MathNet.Numerics.Statistics;
using MilkCells.Cohorts.Reference;
using MilkCells.Core.Errors;
using MilkCells.Storage.Cohorts;
using MilkCells.Storage.Testing;
using MilkCells.TestSupport;

namespace MilkCells.Cohorts.Tests;

/// <summary>One small real cohort (8 mothers × 20 days) shared by the reference tests.</summary>
public sealed class SmallCohort : IDisposable
{
    private readonly TempDir _dir = new("milkcells-reference");

    public SmallCohort()
    {
        Uri = Cohorts.Run(_dir, "cohort", Cohorts.Spec(mothers: 8, days: 20, seed: 3));
    }

    public string Uri { get; }

    public TempDir Dir => _dir;

    public void Dispose() => _dir.Dispose();
}

public sealed class ReferenceBuilderTests(SmallCohort cohort) : IClassFixture<SmallCohort>
{
    private static readonly ReferenceOptions Windows = new() { Windows = DayWindows.Parse("0-2,3-5,6-9,10-14,15-30") };

    private ReferenceSet Build(ReferenceOptions? options = null)
    {
        using var store = CohortStore.OpenForRead(cohort.Uri);
        return ReferenceBuilder.Build(store, options ?? Windows, cancellation: TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Percentiles_are_type_7_of_the_mother_days_of_each_window_and_stage()
    {
        var set = Build();
        // Independently: every row read back, grouped by window and stage, quantiles by MathNet's R7 definition.
        using var store = CohortStore.OpenForRead(cohort.Uri);
        var rows = new List<(long Mother, int Day, string Stage, Dictionary<string, double> Values)>();
        using (var reader = store.ReadRows())
        {
            var names = reader.Schema.Columns;
            while (reader.Read())
            {
                var values = new Dictionary<string, double>();
                for (var c = 0; c < names.Length; c++)
                {
                    values[names[c].Name] = reader.IsNull(c) ? double.NaN : names[c].Kind switch
                    {
                        ColumnKind.Integer => reader.GetInteger(c),
                        ColumnKind.Real => reader.GetReal(c),
                        _ => double.NaN,
                    };
                }
                rows.Add((reader.MotherId, (int)values["lactation_day"], reader.GetText(names.IndexOf(names.First(n => n.Name == "stage")))!, values));
            }
        }
        var measures = ReferenceMeasure.For(store.Schema!);
        Assert.Contains(measures, m => m.Column == "cells_per_ml_macrophage");
        var expected = new List<ReferenceRow>();
        foreach (var measure in measures)
        {
            foreach (var window in Windows.Windows)
            {
                foreach (var group in rows.Where(r => r.Day >= window.First && r.Day <= window.Last).GroupBy(r => r.Stage).OrderBy(g => g.Min(r => r.Day)))
                {
                    var values = group.Select(r => r.Values[measure.Column]).Where(v => !double.IsNaN(v)).Order().ToArray();
                    if (values.Length == 0)
                    {
                        continue;
                    }
                    expected.Add(new ReferenceRow(measure, group.Key, window, group.Min(r => r.Day), group.Max(r => r.Day), values.Length, group.Select(r => r.Mother).Distinct().Count(),
                        [.. Windows.Percentiles.Select(p => SortedArrayStatistics.QuantileCustom(values, p / 100, QuantileDefinition.R7))]));
                }
            }
        }
        Assert.Equal(expected.Select(r => (r.Measure, r.Stage, r.Window, r.FirstDay, r.LastDay, r.N, r.Mothers)),
            set.Rows.Select(r => (r.Measure, r.Stage, r.Window, r.FirstDay, r.LastDay, r.N, r.Mothers)));
        foreach (var (e, a) in expected.Zip(set.Rows))
        {
            for (var k = 0; k < e.Values.Length; k++)
            {
                Assert.Equal(e.Values[k], a.Values[k], Math.Abs(e.Values[k]) * 1e-13);
            }
            Assert.True(a.Values.Zip(a.Values.Skip(1)).All(p => p.First <= p.Second), $"{a.Measure.Column} {a.Window}: percentiles must not decrease");
        }
        Assert.Equal(8 * 20, set.RowsRead);
        Assert.Equal(0, set.RowsOutside);
        Assert.Contains(set.Rows, r => r.Stage == "colostrum");
        Assert.Contains(set.Rows, r => r.Stage == "transitional");
    }

    [Fact]
    public void Selecting_from_disk_gives_exactly_what_sorting_in_memory_gives()
    {
        var inMemory = Build();
        var fromDisk = Build(Windows with { MaxValuesInMemory = 0 });
        Assert.Equal(inMemory.Rows.Length, fromDisk.Rows.Length);
        foreach (var (a, b) in inMemory.Rows.Zip(fromDisk.Rows))
        {
            Assert.Equal(a.Values, b.Values); // bit for bit
        }
    }

    [Fact]
    public void The_csv_names_its_source_and_rebuild_command_and_is_the_same_bytes_each_time()
    {
        string Csv(ReferenceSet set)
        {
            var w = new StringWriter { NewLine = "\n" };
            ReferenceFiles.WriteCsv(set, "out/ref", w);
            return w.ToString();
        }
        var text = Csv(Build());
        Assert.Equal(text, Csv(Build()));
        var lines = text.Split('\n');
        Assert.Equal("# rebuild: milkcells cohort run --scenario healthy --profile default --mothers 8 --days 20 --seed 3 --store sqlite:reference.db && " +
            "milkcells reference build --store sqlite:reference.db --out out/ref --windows 0-2,3-5,6-9,10-14,15-30", lines.Single(l => l.StartsWith("# rebuild:", StringComparison.Ordinal)));
        using var store = CohortStore.OpenForRead(cohort.Uri);
        Assert.Contains($"# fingerprint: {CohortFingerprint.Of(store)} ", text);
        Assert.Contains($"# versions: model {Cohorts.Model.Version}, code {Cohorts.CodeVersion}", text);
        var header = lines.First(l => !l.StartsWith('#'));
        Assert.Equal("measure,unit,stage,first_day,last_day,n,mothers,p2.5,p10,p25,p50,p75,p90,p97.5", header);
        Assert.StartsWith("cells_per_ml_total,cells/mL,colostrum,0,2,24,8,", lines[Array.IndexOf(lines, header) + 1]);
    }

    [Fact]
    public void The_report_plots_every_measure()
    {
        var set = Build();
        var report = ReferenceFiles.Report(set, "out");
        var charts = report.Sections.SelectMany(s => s.Blocks).OfType<Reports.LineChart>().ToArray();
        Assert.Equal(set.Rows.Select(r => r.Measure).Distinct().Select(m => $"{ReferenceFiles.Title(m)} ({m.Unit})"), charts.Select(c => c.Title));
        Assert.DoesNotContain(charts, c => c.Title.Contains('_', StringComparison.Ordinal));
        foreach (var chart in charts)
        {
            // The three central bands and the median, each window's value held over its days: two x per window.
            var range = Assert.Single(chart.Ranges);
            Assert.Equal([(2.5, 97.5), (10, 90), (25, 75)], range.Bands.Select(b => (b.LowerPercentile, b.UpperPercentile)));
            Assert.Equal(chart.X.Length, range.Median.Length);
            Assert.Empty(chart.Series);
        }
        var leucocytes = charts.Single(c => c.Title == "Leucocytes per mL (cells/mL)");
        Assert.Equal(Reports.AxisScale.Logarithmic, leucocytes.YScale);
        var rows = set.Rows.Where(r => r.Measure.Column == "cells_per_ml_leucocyte").OrderBy(r => r.FirstDay).ToArray();
        Assert.Equal(rows.SelectMany(r => new double[] { r.FirstDay, r.LastDay + 1 }), leucocytes.X);
        Assert.Equal(rows.SelectMany(r => new[] { r.Values[3], r.Values[3] }), leucocytes.Ranges[0].Median);
        Assert.Equal(rows.SelectMany(r => new[] { r.Values[0], r.Values[0] }), leucocytes.Ranges[0].Bands[0].Lower);
        Assert.Equal(rows.SelectMany(r => new[] { r.Values[6], r.Values[6] }), leucocytes.Ranges[0].Bands[0].Upper);
        var files = new TempDir("milkcells-reference-out");
        using (files)
        {
            ReferenceFiles.WriteAll(set, files.Path);
            Assert.Contains("Hyndman", File.ReadAllText(files.File(ReferenceFiles.Html)));
            Assert.StartsWith("# what: ", File.ReadAllText(files.File(ReferenceFiles.Csv)));
        }
    }

    [Fact]
    public void A_store_that_is_not_a_milk_cohort_or_windows_that_miss_it_are_refused()
    {
        var synthetic = "sqlite:" + cohort.Dir.File("synthetic.db");
        using (var store = CohortStore.OpenForWrite(synthetic))
        {
            store.StartRun(SyntheticCohort.Metadata(2, 3), SyntheticCohort.Daily, ShardSpec.Whole, resume: false);
            SyntheticCohort.WriteAll(store, [0, 1], 3);
        }
        using (var store = CohortStore.OpenForRead(synthetic))
        {
            Assert.Contains("no 'lactation_day' column", Assert.Throws<InputException>(() => ReferenceBuilder.Build(store, cancellation: TestContext.Current.CancellationToken)).Message);
        }
        Assert.Contains("falls in a window", Assert.Throws<InputException>(() => Build(new ReferenceOptions { Windows = DayWindows.Parse("100-200") })).Message);
        Assert.Contains("overlaps", Assert.Throws<InputException>(() => DayWindows.Parse("0-5,5-9")).Message);
        Assert.Contains("ends before", Assert.Throws<InputException>(() => DayWindows.Parse("9-5")).Message);
        Assert.Contains("not a window", Assert.Throws<InputException>(() => DayWindows.Parse("a-b")).Message);
    }

    [Fact]
    public void Mothers_zero_and_one_fingerprint_alike_in_any_cohort_size()
    {
        var two = Cohorts.Run(cohort.Dir, "two", Cohorts.Spec(mothers: 2, days: 20, seed: 3));
        var otherSeed = Cohorts.Run(cohort.Dir, "other", Cohorts.Spec(mothers: 2, days: 20, seed: 4));
        string Of(string uri)
        {
            using var store = CohortStore.OpenForRead(uri);
            return CohortFingerprint.Of(store);
        }
        Assert.Equal(Of(cohort.Uri), Of(two));
        Assert.NotEqual(Of(two), Of(otherSeed));
        Assert.StartsWith("sha256:", Of(two));
        Assert.Equal(Build().Fingerprint, Of(two));
    }
}
