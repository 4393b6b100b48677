using System.Collections.Immutable;
using System.Globalization;
using MathNet.Numerics;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using MilkCells.Samples.Analysis;
using MilkCells.Samples.Cytometer;
using MilkCells.Samples.Findings;
using MilkCells.Samples.Inference;
using MilkCells.Samples.Input;
using MilkCells.Samples.Output;
using MilkCells.Samples.Panels;
using MilkCells.Samples.Reference;
using MilkCells.Simulation;
using MilkCells.TestSupport;

namespace MilkCells.Samples.Tests;

/// <summary>Synthesized truth, analysed: a mastitis mother (the built-in scenario, 12 days around her episode) and a healthy cohort mother (12 days), 200,000 events a file; and the infectious-mastitis scenario's mother on the same days, 20,000 events a file, without states.</summary>
public sealed class SynthesizedSeries : IDisposable
{
    public const int Events = 200_000;
    private readonly TempDir _dir = new("milkcells-e2e");

    public SynthesizedSeries()
    {
        var model = MilkModel.Embedded;
        var calibration = model.Calibrate(null);
        var panel = BuiltInPanels.Load("milk-basic", model);
        Mastitis = Synthesize(calibration, panel, "mastitis", 1, null, [.. Enumerable.Range(36, 12)], Events, "mastitis");
        Healthy = Synthesize(calibration, panel, "healthy", 11, 3, [.. Enumerable.Range(30, 12)], Events, "healthy");
        // The infectious-mastitis mother is read for her findings only: fewer events and no states keep the test short.
        Infectious = Synthesize(calibration, panel, "infectious-mastitis", 1, null, [.. Enumerable.Range(36, 12)], InfectiousEvents, "infectious-mastitis");
        // The manifests carry the model's bacteria, sodium and potassium of each sample's milk, as sample synthesize wrote them.
        var options = new AnalysisOptions { Panel = panel, Reference = ReferenceTable.Default, Library = TestLibrary.Options, CacheDirectory = TestLibrary.CacheDirectory, Plots = 2 };
        MastitisResult = SampleAnalysis.Run(SampleAnalysis.Resolve([], Manifest("mastitis")), calibration, options);
        HealthyResult = SampleAnalysis.Run(SampleAnalysis.Resolve([], Manifest("healthy")), calibration, options);
        InfectiousResult = SampleAnalysis.Run(SampleAnalysis.Resolve([], Manifest("infectious-mastitis")), calibration, options with { States = false, Plots = 0 });
    }

    /// <summary>Events a file of the infectious-mastitis mother.</summary>
    public const int InfectiousEvents = 20_000;

    public ImmutableArray<SynthesizedSample> Mastitis { get; }

    public ImmutableArray<SynthesizedSample> Healthy { get; }

    public AnalysisResult MastitisResult { get; }

    public AnalysisResult HealthyResult { get; }

    public ImmutableArray<SynthesizedSample> Infectious { get; }

    public AnalysisResult InfectiousResult { get; }

    public string Folder => _dir.Path;

    private string Manifest(string folder) => Path.Combine(_dir.Path, folder, "manifest.csv");

    private ImmutableArray<SynthesizedSample> Synthesize(CalibratedModel calibration, Panel panel, string scenario, ulong seed, long? mother, ImmutableArray<int> days, int events, string folder)
    {
        var request = new SynthesisRequest(ScenarioLoader.Load(scenario, calibration.Model), seed, days, mother, events, panel, null);
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
    public void The_mastitis_peak_is_above_the_97_5th_percentile_with_Thomsen_non_infectious_inflammation()
    {
        // The model's mastitis scenario is the non-infectious kind: its milk's bacteria stay below Thomsen's 10^3 CFU/mL.
        Assert.All(series.Mastitis, s => Assert.True(s.Truth[Measures.Bacteria] < ClinicalFindings.ThomsenBacteria, $"{s.Info.SampleId}: {s.Truth[Measures.Bacteria]} CFU/mL"));
        var peak = series.MastitisResult.Samples.MaxBy(s => s.Sample.Value(Measures.Leucocyte))!;
        Assert.True(peak.Sample.Info.LactationDay is >= 41 and <= 49, $"peak on day {peak.Sample.Info.LactationDay}");
        Assert.Equal("high", peak.Placements[Measures.Leucocyte].Flag);
        Assert.Equal("high", peak.Placements[Measures.PctLeucocyte].Flag);
        Assert.Equal("non-infectious inflammation", peak.Findings.Single(f => f.Id == "thomsen1983").Category);
        Assert.Equal(FindingStatus.Met, peak.Findings.Single(f => f.Id == "pace2022").Status);
        Assert.Equal(FindingStatus.Met, peak.Findings.Single(f => f.Id == "furukawa2022").Status);
        // Before the episode (days 36-39) the median mother's leucocytes are inside the band, and her milk is Thomsen's normal/stasis.
        foreach (var before in series.MastitisResult.Samples.Where(s => s.Sample.Info.LactationDay < 40))
        {
            Assert.Equal("", before.Placements[Measures.Leucocyte].Flag);
            Assert.Equal("stasis", before.Findings.Single(f => f.Id == "thomsen1983").Category);
        }
    }

    [Fact]
    public void The_infectious_mastitis_peak_is_Thomsen_infectious_mastitis()
    {
        var peak = series.InfectiousResult.Samples.MaxBy(s => s.Sample.Value(Measures.Leucocyte))!;
        Assert.True(peak.Sample.Info.LactationDay is >= 41 and <= 49, $"peak on day {peak.Sample.Info.LactationDay}");
        Assert.Equal("high", peak.Placements[Measures.Leucocyte].Flag);
        Assert.Equal("infectious mastitis", peak.Findings.Single(f => f.Id == "thomsen1983").Category);
        Assert.Equal(FindingStatus.Met, peak.Findings.Single(f => f.Id == "furukawa2022").Status);
    }

    [Fact]
    public void The_lab_measures_are_the_model_s_chemistry_of_the_sampled_breast_that_day()
    {
        // An independent run of the same mother: each analysed sample's bacteria, sodium and potassium (read back from the
        // manifest) are the model's values for that breast and day, and Na:K follows from them.
        var calibration = MilkModel.Embedded.Calibrate(null);
        foreach (var (scenario, result) in new[] { ("mastitis", series.MastitisResult), ("infectious-mastitis", series.InfectiousResult) })
        {
            var loaded = ScenarioLoader.Load(scenario, calibration.Model);
            var run = MotherSimulation.Simulate(calibration, loaded, 1, new SimulationOptions { Resolution = SimulationResolution.Daily, Detail = true, Days = 47 - loaded.StartDay + 1 },
                TestContext.Current.CancellationToken);
            Assert.Equal(12, result.Samples.Length);
            foreach (var r in result.Samples)
            {
                var info = r.Sample.Info;
                var row = run.BreastDays.Single(b => b.Day == info.LactationDay - loaded.StartDay && SampleSynthesizer.Side(b.Breast) == info.Breast);
                Assert.Equal(row.Chemistry.BacteriaCfuPerMl, r.Sample.Value(Measures.Bacteria));
                Assert.Equal(row.Chemistry.SodiumMmolL, r.Sample.Value(Measures.Sodium));
                Assert.Equal(row.Chemistry.PotassiumMmolL, r.Sample.Value(Measures.Potassium));
                Assert.Equal(row.Chemistry.NaKRatio, r.Sample.Value(Measures.NaK)!.Value, 1e-12);
            }
        }
    }

    [Fact]
    public void Thomsen_categories_follow_the_model_s_leucocytes_and_bacteria_day_by_day()
    {
        // The category the model's own milk is in (true leucocytes, the model's bacteria), against the one the analysis
        // finds from the gated counts; days whose true leucocytes lie within 10 % of 10^6/mL are skipped (counting noise
        // could put them either side). Where bacteria exceed 10^3 with leucocytes below 10^6 Thomsen has no category.
        static string? Expected(double leucocytes, double bacteria) => (leucocytes > ClinicalFindings.ThomsenLeucocytes, bacteria > ClinicalFindings.ThomsenBacteria) switch
        {
            (false, false) => "stasis",
            (true, false) => "non-infectious inflammation",
            (true, true) => "infectious mastitis",
            _ => null,
        };
        var seen = new List<string?>();
        foreach (var (result, truth) in new[] { (series.MastitisResult, series.Mastitis), (series.InfectiousResult, series.Infectious) })
        {
            foreach (var r in result.Samples)
            {
                var t = truth.Single(s => s.Info.SampleId == r.Sample.Info.SampleId);
                var leucocytes = t.Truth[Measures.Leucocyte];
                if (Math.Abs(leucocytes / ClinicalFindings.ThomsenLeucocytes - 1) < 0.1)
                {
                    continue;
                }
                var expected = Expected(leucocytes, t.Truth[Measures.Bacteria]);
                Assert.Equal(expected, r.Findings.Single(f => f.Id == "thomsen1983").Category);
                seen.Add(expected);
            }
        }
        // Both mothers together show every category the model reaches: stasis before, non-infectious inflammation in the
        // mastitis mother, infectious mastitis in the infectious one.
        Assert.Contains("stasis", seen);
        Assert.Contains("non-infectious inflammation", seen);
        Assert.True(seen.Count(c => c == "infectious mastitis") >= 3, string.Join(", ", seen));
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
