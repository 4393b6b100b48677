using System.Collections.Immutable;
using System.Globalization;
using MathNet.Numerics;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Samples.Analysis;
using MilkCells.Samples.Cytometer;
using MilkCells.Samples.Findings;
using MilkCells.Samples.Inference;
using MilkCells.Samples.Input;
using MilkCells.Samples.Output;
using MilkCells.Samples.Panels;
using MilkCells.Samples.Reference;
using MilkCells.TestSupport;

namespace MilkCells.Samples.Tests;

/// <summary>Synthesized truth, analysed: a mastitis mother (the built-in scenario, 12 days around her episode) and a healthy cohort mother (12 days), 200,000 events a file.</summary>
public sealed class SynthesizedSeries : IDisposable
{
    public const int Events = 200_000;
    private readonly TempDir _dir = new("milkcells-e2e");

    public SynthesizedSeries()
    {
        var model = MilkModel.Embedded;
        var calibration = model.Calibrate(null);
        var panel = BuiltInPanels.Load("milk-basic", model);
        Mastitis = Synthesize(calibration, panel, "mastitis", 1, null, [.. Enumerable.Range(36, 12)], "mastitis");
        Healthy = Synthesize(calibration, panel, "healthy", 11, 3, [.. Enumerable.Range(30, 12)], "healthy");
        // The lab gave bacteria counts for the mastitis mother: above Thomsen's 10^3/mL once her episode began (day 40).
        var manifest = Path.Combine(_dir.Path, "mastitis", "manifest.csv");
        var lines = File.ReadAllLines(manifest);
        var bacteria = Array.IndexOf(lines[0].Split(','), Measures.Bacteria);
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            cells[bacteria] = int.Parse(cells[3], CultureInfo.InvariantCulture) >= 41 ? "20000" : "100";
            lines[i] = string.Join(',', cells);
        }
        File.WriteAllLines(manifest, lines);
        var options = new AnalysisOptions { Panel = panel, Reference = ReferenceTable.Default, Library = TestLibrary.Options, CacheDirectory = TestLibrary.CacheDirectory, Plots = 2 };
        MastitisResult = SampleAnalysis.Run(SampleAnalysis.Resolve([], manifest), calibration, options);
        HealthyResult = SampleAnalysis.Run(SampleAnalysis.Resolve([], Path.Combine(_dir.Path, "healthy", "manifest.csv")), calibration, options);
    }

    public ImmutableArray<SynthesizedSample> Mastitis { get; }

    public ImmutableArray<SynthesizedSample> Healthy { get; }

    public AnalysisResult MastitisResult { get; }

    public AnalysisResult HealthyResult { get; }

    public string Folder => _dir.Path;

    private ImmutableArray<SynthesizedSample> Synthesize(CalibratedModel calibration, Panel panel, string scenario, ulong seed, long? mother, ImmutableArray<int> days, string folder)
    {
        var request = new SynthesisRequest(ScenarioLoader.Load(scenario, calibration.Model), seed, days, mother, Events, panel, null);
        var samples = SampleSynthesizer.Synthesize(request, calibration, VirtualCytometerSettings.Default, TestContext.Current.CancellationToken);
        var dir = Directory.CreateDirectory(Path.Combine(_dir.Path, folder)).FullName;
        SampleOutputs.WriteSynthesis(samples, panel, calibration.Model, dir, []);
        return samples;
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>Issue 11's end-to-end acceptance on synthesized truth.</summary>
public class EndToEndTests(SynthesizedSeries series) : IClassFixture<SynthesizedSeries>
{
    /// <summary>The 99 % Poisson interval of a count with mean λ: [q₀.₀₀₅, q₀.₉₉₅], exact (the CDF is the regularized upper incomplete gamma).</summary>
    private static (long Low, long High) Poisson99(double lambda)
    {
        long Quantile(double p)
        {
            long lo = 0, hi = (long)(lambda + 20 * Math.Sqrt(lambda) + 20);
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (SpecialFunctions.GammaUpperRegularized(mid + 1, lambda) >= p)
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }
            return lo;
        }
        return (Quantile(0.005), Quantile(0.995));
    }

    /// <summary>Every (sample, class or population) the milk-basic panel resolves: its estimate and its truth (sums of the types its gate holds).</summary>
    private static IEnumerable<(string Sample, string What, double Estimate, double Truth, double MilkUl)> Comparisons(AnalysisResult result, ImmutableArray<SynthesizedSample> truth)
    {
        foreach (var r in result.Samples)
        {
            var t = truth.Single(s => s.Info.SampleId == r.Sample.Info.SampleId);
            yield return (t.Info.SampleId, "total", r.Sample.Value(Measures.Total)!.Value, t.Truth[Measures.Total], t.MilkUl);
            yield return (t.Info.SampleId, "leucocyte", r.Sample.Value(Measures.Leucocyte)!.Value, t.Truth[Measures.Leucocyte], t.MilkUl);
            foreach (var p in r.Sample.Fcs!.Populations.Where(p => p.Population.Role == PopulationRole.Population))
            {
                var sum = p.Population.CellTypes.Sum(type => t.Truth[Measures.OfType(type)]);
                yield return (t.Info.SampleId, p.Population.Id, p.CellsPerMl!.Value, sum, t.MilkUl);
            }
        }
    }

    [Fact]
    public void Every_resolved_class_lies_in_its_Poisson_99_percent_interval_of_truth()
    {
        // Counts are the cells of the milk behind the tube (milk_ul): Poisson with mean truth × volume. Each of the
        // 144 comparisons (24 samples × total, leucocytes and 4 populations) misses its 99 % interval with probability 0.01
        // (slightly more: the aggregate correction and the bead count add a little variance), so misses are
        // Binomial(144, ~0.01): mean 1.4, P(≥ 7) < 0.001.
        var all = Comparisons(series.MastitisResult, series.Mastitis).Concat(Comparisons(series.HealthyResult, series.Healthy)).ToList();
        var misses = new List<string>();
        foreach (var (sample, what, estimate, truth, milkUl) in all)
        {
            var volume = milkUl / 1000;
            var (lo, hi) = Poisson99(truth * volume);
            var count = estimate * volume;
            if (count < lo - 0.5 || count > hi + 0.5)
            {
                misses.Add(string.Create(CultureInfo.InvariantCulture, $"{sample} {what}: {count:0.0} cells outside [{lo}, {hi}]"));
            }
        }
        Assert.Equal(144, all.Count);
        Assert.True(misses.Count < 7, string.Join("\n", misses));
        // And no bias: the mean standardized difference over all comparisons is within 3 standard errors of 0.
        var z = all.Select(c => (c.Estimate - c.Truth) * c.MilkUl / 1000 / Math.Sqrt(c.Truth * c.MilkUl / 1000)).ToArray();
        Assert.InRange(z.Average(), -3 / Math.Sqrt(z.Length), 3 / Math.Sqrt(z.Length));
    }

    [Fact]
    public void Viability_and_leucocyte_share_match_the_truth()
    {
        foreach (var (result, truth) in new[] { (series.MastitisResult, series.Mastitis), (series.HealthyResult, series.Healthy) })
        {
            foreach (var r in result.Samples)
            {
                var t = truth.Single(s => s.Info.SampleId == r.Sample.Info.SampleId);
                // Shares among n singlets are binomial: within 4.5 standard errors √(p(1 − p)/n) of the truth (24 × 2 checks).
                var n = r.Sample.Fcs!.Populations.Single(p => p.Population.Id == "singlets").Events;
                double Se(double p) => Math.Sqrt(p * (1 - p) / n);
                var viable = t.Truth[Measures.Viable];
                Assert.Equal(viable, r.Sample.Value(Measures.Viable)!.Value, 4.5 * Se(viable));
                var share = t.Truth[Measures.PctLeucocyte] / 100;
                Assert.Equal(share, r.Sample.Value(Measures.PctLeucocyte)!.Value / 100, 4.5 * Se(share));
            }
        }
    }

    [Fact]
    public void The_mastitis_peak_is_above_the_97_5th_percentile_with_Thomsen_infectious_mastitis()
    {
        var peak = series.MastitisResult.Samples.MaxBy(s => s.Sample.Value(Measures.Leucocyte))!;
        Assert.True(peak.Sample.Info.LactationDay is >= 41 and <= 49, $"peak on day {peak.Sample.Info.LactationDay}");
        Assert.Equal("high", peak.Placements[Measures.Leucocyte].Flag);
        Assert.Equal("high", peak.Placements[Measures.PctLeucocyte].Flag);
        var thomsen = peak.Findings.Single(f => f.Id == "thomsen1983");
        Assert.Equal("infectious mastitis", thomsen.Category);
        Assert.Equal(FindingStatus.Met, peak.Findings.Single(f => f.Id == "pace2022").Status);
        // Before the episode (days 36-39) the median mother's leucocytes are inside the band, and her milk is Thomsen's normal/stasis.
        foreach (var before in series.MastitisResult.Samples.Where(s => s.Sample.Info.LactationDay < 40))
        {
            Assert.Equal("", before.Placements[Measures.Leucocyte].Flag);
            Assert.Equal("stasis", before.Findings.Single(f => f.Id == "thomsen1983").Category);
        }
    }

    [Fact]
    public void States_name_mastitis_for_the_mastitis_mother_and_healthy_for_the_healthy_one()
    {
        var mastitis = series.MastitisResult.Mothers.Single().States!;
        Assert.Equal("mastitis", mastitis.Map);
        Assert.True(mastitis.Probability[mastitis.States.IndexOf("mastitis")] > 0.9, string.Join(", ", mastitis.States.Zip(mastitis.Probability)));
        var peakDay = mastitis.Days.IndexOf(43);
        Assert.True(mastitis.Daily[peakDay][mastitis.States.IndexOf("mastitis")] > 0.9);
        Assert.True(mastitis.Daily[0][0] > 0.5, "day 36, before the episode, is most probably healthy");
        var healthy = series.HealthyResult.Mothers.Single().States!;
        Assert.Equal(StatePosterior.Healthy, healthy.Map);
    }

    [Fact]
    public void Gate_plots_are_drawn_for_the_first_samples_only_and_hold_their_parent_events()
    {
        var withPlots = series.MastitisResult.Samples.Where(s => s.Sample.Fcs!.Plots.Length > 0).ToList();
        Assert.Equal(2, withPlots.Count);
        var fcs = withPlots[0].Sample.Fcs!;
        var luminal = fcs.Plots.Single(p => p.GateId == "luminal");
        Assert.Equal(fcs.Populations.Single(p => p.Population.Id == "singlets").Events, luminal.ParentEvents);
        Assert.Equal(fcs.Populations.Single(p => p.Population.Id == "luminal").Events, luminal.GateEvents);
        Assert.True(luminal.Counts.Sum() >= 0.99 * luminal.ParentEvents);
    }
}
