using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using MilkCells.Samples.Analysis;
using MilkCells.Samples.Findings;
using MilkCells.Samples.Inference;
using MilkCells.Samples.Input;
using MilkCells.Samples.Panels;
using MilkCells.Samples.Reference;

namespace MilkCells.Samples;

/// <summary>How to analyse samples.</summary>
public sealed record AnalysisOptions
{
    /// <summary>The panel FCS files are gated with.</summary>
    public required Panel Panel { get; init; }

    /// <summary>The reference set samples are placed in.</summary>
    public required ReferenceTable Reference { get; init; }

    /// <summary>How many FCS samples get gate density plots in the report (the first ones).</summary>
    public int Plots { get; init; } = 24;

    /// <summary>Whether to infer the states of mothers with a series.</summary>
    public bool States { get; init; } = true;

    /// <summary>The prior over states.</summary>
    public StatePriorKind Prior { get; init; } = StatePriorKind.Evidence;

    /// <summary>The priors of state inference.</summary>
    public StatePriors Priors { get; init; } = StatePriors.Default;

    /// <summary>The state library's build settings.</summary>
    public StateLibraryOptions Library { get; init; } = new();

    /// <summary>Where the state library is cached (null: built in memory each time).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Threads for gating files and building the library (results do not depend on it).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}

/// <summary>One analysed sample with its reference placements and findings.</summary>
/// <param name="Sample">The sample and its measures.</param>
/// <param name="Placements">Each measure's place in the reference set at its lactation day.</param>
/// <param name="Findings">What the literature associates with its values.</param>
public sealed record SampleResult(AnalyzedSample Sample, ImmutableSortedDictionary<string, PercentilePlacement> Placements, ImmutableArray<Finding> Findings);

/// <summary>A mother's series: her samples by day, her own baseline, and her states.</summary>
/// <param name="MotherId">The mother.</param>
/// <param name="Samples">Her samples in day order.</param>
/// <param name="Baseline">Her baseline: the median of each measure over her samples.</param>
/// <param name="States">The posterior of her states, or null.</param>
/// <param name="StatesNote">Why there are no states, or how they were inferred.</param>
public sealed record MotherSeries(string MotherId, ImmutableArray<SampleResult> Samples, ImmutableSortedDictionary<string, double> Baseline, StatePosterior? States, string StatesNote);

/// <summary>Everything <c>sample analyze</c> found.</summary>
/// <param name="Samples">Every sample, in input order.</param>
/// <param name="Mothers">Mothers with at least one sample, by id.</param>
/// <param name="Options">How it was analysed.</param>
/// <param name="Model">The model.</param>
/// <param name="LibraryBuild">How long the state library took to build, or null when cached or not needed.</param>
/// <param name="LibraryKey">The state library used, if any.</param>
public sealed record AnalysisResult(ImmutableArray<SampleResult> Samples, ImmutableArray<MotherSeries> Mothers, AnalysisOptions Options, MilkModel Model,
    TimeSpan? LibraryBuild, string? LibraryKey);

/// <summary>An input of <c>sample analyze</c>: an FCS file with its manifest row, or a counts CSV.</summary>
/// <param name="Path">The file.</param>
/// <param name="Row">The FCS file's manifest row (or defaults), null for a counts CSV.</param>
public sealed record SampleInput(string Path, ManifestRow? Row);

/// <summary><c>sample analyze</c> as a library call: inputs (paths) and options in, a result out; writers are separate (<see cref="Output.SampleOutputs"/>).</summary>
/// <remarks>
/// Every input is checked before any work: files exist, manifest rows point at existing files, sample ids are unique,
/// lactation days lie in the reference set, counts are not negative. FCS files are gated in parallel into a fixed order,
/// so results do not depend on the thread count.
/// </remarks>
public static class SampleAnalysis
{
    /// <summary>Resolves the command's INPUT arguments and manifest into work items, checking files and rows.</summary>
    /// <exception cref="InputException">A missing input, a manifest row whose file is missing, an FCS input without a manifest row.</exception>
    public static ImmutableArray<SampleInput> Resolve(IReadOnlyList<string> inputs, string? manifestPath)
    {
        foreach (var input in inputs)
        {
            if (!File.Exists(input))
            {
                throw new InputException(InputLocation.InFile(input), Directory.Exists(input) ? "is a folder, not an FCS or CSV file" : "no such file",
                    "give FCS files or a counts CSV; FCS files listed in a manifest can be given with --manifest alone");
            }
        }
        var rows = manifestPath is null ? [] : Manifest.Read(manifestPath);
        var byFile = rows.GroupBy(r => r.File, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var items = ImmutableArray.CreateBuilder<SampleInput>();
        if (inputs.Count == 0)
        {
            if (manifestPath is null)
            {
                throw new InputException(new InputLocation(Element: "INPUT"), "nothing to analyse", "give FCS files, a counts CSV, or --manifest FILE.csv");
            }
            items.AddRange(rows.Select(r => new SampleInput(r.File, r)));
            return items.ToImmutable();
        }
        foreach (var input in inputs)
        {
            if (input.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            {
                items.Add(new SampleInput(input, null));
                continue;
            }
            var full = Path.GetFullPath(input);
            if (manifestPath is not null)
            {
                items.Add(new SampleInput(input, byFile.TryGetValue(full, out var row) ? row
                    : throw new InputException(InputLocation.InFile(input), $"the file has no row in the manifest {manifestPath}", "add a row with file, sample_id, lactation_day and the counting columns")));
            }
            else
            {
                var info = new SampleInfo(Path.GetFileNameWithoutExtension(input), null, null, null, null, InputLocation.InFile(input));
                items.Add(new SampleInput(input, new ManifestRow(full, info, new CountingInfo(null, null, null, 1, ImmutableSortedDictionary<string, double>.Empty))));
            }
        }
        return items.ToImmutable();
    }

    /// <summary>Analyses the inputs.</summary>
    /// <exception cref="InputException">Any bad input (see the remarks); nothing has been written.</exception>
    public static AnalysisResult Run(IReadOnlyList<SampleInput> inputs, CalibratedModel calibration, AnalysisOptions options, CancellationToken cancellation = default)
    {
        var model = calibration.Model;
        // Counts CSVs are small: read them first so their problems surface before any gating.
        var counts = inputs.Where(i => i.Row is null).SelectMany(i => CountsCsv.Read(i.Path, model)).ToList();
        var fcs = inputs.Where(i => i.Row is not null).ToArray();
        CheckIds(fcs.Select(f => f.Row!.Info).Concat(counts.Select(c => c.Info)));
        foreach (var info in fcs.Select(f => f.Row!.Info).Concat(counts.Select(c => c.Info)))
        {
            if (info.LactationDay is { } day && !options.Reference.Covers(day))
            {
                throw new InputException(info.Where with { Element = "lactation_day" },
                    $"sample '{info.SampleId}': lactation day {day} is outside the reference set (days {options.Reference.FirstDay}-{options.Reference.LastDay})",
                    "use a reference set that covers it (--reference DIR, built with 'milkcells reference build'), or correct the day");
            }
        }

        foreach (var f in fcs)
        {
            FcsSampleAnalyzer.CheckChannels(f.Path, options.Panel);
        }
        var analysed = new AnalyzedSample[fcs.Length];
        var failures = new Exception?[fcs.Length];
        Parallel.For(0, fcs.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads), CancellationToken = cancellation }, i =>
        {
            var row = fcs[i].Row!;
            try
            {
                analysed[i] = FcsSampleAnalyzer.Analyze(fcs[i].Path, row.Info, row.Counting, options.Panel, model, plots: i < options.Plots);
            }
            catch (Exception ex) when (ex is InputException)
            {
                failures[i] = ex;
            }
        });
        // The first bad file in input order, whatever the threads did.
        if (failures.FirstOrDefault(f => f is not null) is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
        var all = analysed.Concat(counts).ToArray();
        var referenceCitation = ReferenceCitation(options.Reference);
        var measures = Measures.All(model).ToDictionary(m => m.Name, StringComparer.Ordinal);
        var results = all.Select(sample =>
        {
            var placements = ImmutableSortedDictionary.CreateBuilder<string, PercentilePlacement>(StringComparer.Ordinal);
            if (sample.Info.LactationDay is { } day)
            {
                foreach (var (name, value) in sample.Values)
                {
                    if (options.Reference.Place(name, day, value, measures.TryGetValue(name, out var m) && m.LogScale) is { } p)
                    {
                        placements[name] = p;
                    }
                }
            }
            var built = placements.ToImmutable();
            return new SampleResult(sample, built, ClinicalFindings.For(sample, built, referenceCitation));
        }).ToImmutableArray();

        var (mothers, buildTime, key) = Series(results, calibration, options, cancellation);
        return new AnalysisResult(results, mothers, options, model, buildTime, key);
    }

    /// <summary>The citation of a reference set.</summary>
    public static string ReferenceCitation(ReferenceTable reference)
    {
        var cohort = reference.Header.FirstOrDefault(h => h.Key == "cohort").Value;
        return $"MilkCells reference set {reference.Origin}" + (cohort is null ? "" : $" ({cohort})") + "; percentiles by Hyndman & Fan 1996 type 7";
    }

    private static void CheckIds(IEnumerable<SampleInfo> infos)
    {
        var seen = new Dictionary<string, SampleInfo>(StringComparer.Ordinal);
        foreach (var info in infos)
        {
            if (seen.TryGetValue(info.SampleId, out var first))
            {
                throw new InputException(info.Where with { Element = "sample_id" }, $"sample id '{info.SampleId}' is used twice (first at {first.Where})", "give every sample its own id");
            }
            seen[info.SampleId] = info;
        }
    }

    private static (ImmutableArray<MotherSeries>, TimeSpan?, string?) Series(ImmutableArray<SampleResult> results, CalibratedModel calibration, AnalysisOptions options, CancellationToken cancellation)
    {
        var groups = results.Where(r => r.Sample.Info.MotherId is not null)
            .GroupBy(r => r.Sample.Info.MotherId!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Id: g.Key, Samples: g.OrderBy(r => r.Sample.Info.LactationDay ?? int.MaxValue).ThenBy(r => r.Sample.Info.Breast, StringComparer.Ordinal)
                .ThenBy(r => r.Sample.Info.SampleId, StringComparer.Ordinal).ToImmutableArray()))
            .ToArray();
        var observations = groups.Select(g => g.Samples.Select(s => Observation(s.Sample)).OfType<StateObservation>().ToArray()).ToArray();
        StateLibrary? library = null;
        TimeSpan? built = null;
        if (options.States && observations.Any(o => o.Length > 0))
        {
            var lastDay = observations.Where(o => o.Length > 0).Max(o => o.Max(x => x.Day));
            library = StateLibrary.LoadOrBuild(calibration, options.Priors, options.Library with { Threads = options.Threads }, lastDay, options.CacheDirectory, out built, cancellation);
        }
        var series = new MotherSeries[groups.Length];
        Parallel.For(0, groups.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads), CancellationToken = cancellation }, i =>
        {
            var (id, samples) = groups[i];
            var baseline = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
            foreach (var measure in samples.SelectMany(s => s.Sample.Values.Keys).Distinct())
            {
                var values = samples.Select(s => s.Sample.Value(measure)).OfType<double>().OrderBy(v => v).ToArray();
                baseline[measure] = values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
            }
            StatePosterior? states = null;
            string note;
            if (!options.States)
            {
                note = "state inference not asked for";
            }
            else if (observations[i].Length == 0)
            {
                note = "no sample with a lactation day and cells/mL, bacteria or Na:K, so no states";
            }
            else
            {
                states = StateInference.Infer(library!, observations[i], options.Priors, options.Prior);
                note = $"{observations[i].Length} of {samples.Length} samples used; prior: {(options.Prior == StatePriorKind.Uniform ? "uniform" : "onset rates over her sampling window")}";
            }
            series[i] = new MotherSeries(id, samples, baseline.ToImmutable(), states, note);
        });
        return ([.. series], built, library?.Key);
    }

    /// <summary>The relative measurement variance assumed for a concentration given without event counts (a CV of 10 %).</summary>
    public const double DefaultLogVariance = 0.00995033085;

    /// <summary>A sample as state inference sees it (cells, and bacteria and Na:K when given), or null when it lacks a day or any usable feature.</summary>
    public static StateObservation? Observation(AnalyzedSample s)
    {
        if (s.Info.LactationDay is not { } day)
        {
            return null;
        }
        var leuco = s.Value(Measures.Leucocyte);
        double? others = s.Value(Measures.Total) is { } total && leuco is { } l && total > l ? total - l
            : s.Value(Measures.Epithelial) is { } e && s.Value(Measures.Stem) is { } st ? e + st : null;
        double? logL = leuco is > 0 ? Math.Log(leuco.Value) : null;
        double? logN = others is > 0 ? Math.Log(others.Value) : null;
        double? logB = s.Value(Measures.Bacteria) is { } bacteria && bacteria >= 0 ? StateLibrary.Log10Bacteria(bacteria) : null;
        double? logR = s.Value(Measures.NaK) is { } ratio && ratio > 0 ? Math.Log(ratio) : null;
        if (logL is null && logN is null && logB is null && logR is null)
        {
            return null;
        }
        var nL = s.Events.GetValueOrDefault(Measures.Leucocyte);
        var nN = s.Events.TryGetValue(Measures.Total, out var nt) ? nt - nL
            : s.Events.GetValueOrDefault(Measures.Epithelial) + s.Events.GetValueOrDefault(Measures.Stem);
        var breast = s.Info.Breast is "left" or "right" ? s.Info.Breast : null;
        return new StateObservation(day, breast, logL, logN, nL >= 1 ? 1 / nL : DefaultLogVariance, nN >= 1 ? 1 / nN : DefaultLogVariance, logB, logR);
    }
}
