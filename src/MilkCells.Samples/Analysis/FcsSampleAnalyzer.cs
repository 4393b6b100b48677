using System.Collections.Immutable;
using System.Globalization;
using MilkCells.Core.Errors;
using MilkCells.Cytometry;
using MilkCells.Cytometry.Gating;
using MilkCells.Fcs;
using MilkCells.Model.Catalogue;
using MilkCells.Samples.Input;
using MilkCells.Samples.Panels;

namespace MilkCells.Samples.Analysis;

/// <summary>Gates an FCS sample with a panel and turns event counts into cells per mL of milk in the model's classes.</summary>
/// <remarks>
/// <para>Gating is <see cref="GateEvaluator"/>'s, so every population's events equal <c>milkcells fcs gate</c>'s.</para>
/// <para>Absolute counts. Bead ratio method (the standard single-platform method, as in bead-based CD4 counting):
/// cells/µL of the tube = cell events / bead events × beads per test / test volume. Volumetric method: cell events /
/// acquired volume ($VOL in nL, FCS 3.1, or <c>acquired_volume_ul</c>). Either is multiplied by the dilution back to
/// the milk. Aggregates: nucleated events outside the singlet gate are taken as two cells each with the singlets'
/// composition, so each singlet event stands for (S + 2A)/S cells (S singlets, A aggregates); aggregation that does
/// not depend on cell type leaves every population's share unbiased.</para>
/// <para>Model measures. The total is the nucleated singlets (× the aggregate factor); a class is measured when some
/// disjoint mapped populations hold exactly its cell types (milk-basic's CD45+ gate is the leucocyte class; its basal
/// gate holds myoepithelial and CD49f+ stem cells together, so neither the epithelial nor the stem class is resolved);
/// a cell type when a population holds it alone. % leucocytes and the viable fraction are event ratios within the singlets.</para>
/// </remarks>
public static class FcsSampleAnalyzer
{
    /// <summary>Analyses one FCS file.</summary>
    /// <param name="file">The FCS file.</param>
    /// <param name="info">The sample.</param>
    /// <param name="counting">How to make counts absolute (and lab measures).</param>
    /// <param name="panel">The panel.</param>
    /// <param name="model">The model (cell types and classes).</param>
    /// <param name="plots">Whether to build the gate density plots.</param>
    /// <exception cref="InputException">An unreadable file, a channel the panel needs that the file lacks, or no way to count absolutely when the panel maps cells.</exception>
    public static AnalyzedSample Analyze(string file, SampleInfo info, CountingInfo counting, Panel panel, MilkModel model, bool plots = false)
    {
        var sample = WithHint(() => CytometrySample.Read(file));
        RequireChannels(panel, sample, file);
        GatingResult result;
        try
        {
            result = GateEvaluator.Evaluate(panel.Document, sample.Events, sample.Spillover);
        }
        catch (InputException ex) when (ex.Location.File != file)
        {
            throw new InputException(InputLocation.InFile(file), $"gating with panel {panel.Name}: {ex.Location}: {ex.Problem}", ex.Hint, ex);
        }
        return FromGating(file, info, counting, panel, model, sample, result, plots);
    }

    /// <summary>The counting and measures of an already gated sample.</summary>
    public static AnalyzedSample FromGating(string file, SampleInfo info, CountingInfo counting, Panel panel, MilkModel model,
        CytometrySample sample, GatingResult result, bool plots)
    {
        var notes = new List<string>();
        var counts = panel.Populations.ToDictionary(p => p.Id, p => result.Count(p.Id), StringComparer.Ordinal);
        var nucleated = panel.WithRole(PopulationRole.Nucleated);
        var singlets = panel.WithRole(PopulationRole.Singlets);
        var beads = panel.WithRole(PopulationRole.Beads);
        var viable = panel.WithRole(PopulationRole.Viable);
        var cellBase = singlets ?? nucleated;

        var aggregateFactor = 1.0;
        if (nucleated is not null && singlets is not null && counts[singlets.Id] > 0)
        {
            aggregateFactor = (2.0 * counts[nucleated.Id] - counts[singlets.Id]) / counts[singlets.Id];
        }

        var mapsCells = panel.Populations.Any(p => p.Role == PopulationRole.Population && p.IsMapped) || cellBase is not null;
        var (route, perEvent) = Route(file, counting, panel, sample, counts, beads, mapsCells, notes);
        double? perCellEvent = perEvent is { } pe ? pe * aggregateFactor : null;

        var populations = panel.Populations.Select(p =>
        {
            var parent = p.ParentId is { } pid ? counts[pid] : result.EventCount;
            double? perMl = null;
            if (perCellEvent is { } f && p.Role != PopulationRole.Beads)
            {
                perMl = p.Role == PopulationRole.Nucleated && singlets is not null ? counts[singlets.Id] * f : counts[p.Id] * f;
            }
            return new PopulationResult(p, counts[p.Id], parent, perMl);
        }).ToImmutableArray();

        var values = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        var events = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        if (cellBase is not null)
        {
            events[Measures.Total] = counts[cellBase.Id];
            if (perCellEvent is { } f)
            {
                values[Measures.Total] = counts[cellBase.Id] * f;
            }
            var baseCount = counts[cellBase.Id];
            foreach (var cls in new[] { "epithelial", "leucocyte", "stem" })
            {
                var classTypes = model.CellTypes.Where(t => t.ClassKey == cls).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
                if (Cover(panel, cellBase, classTypes) is { } cover)
                {
                    var n = cover.Sum(p => counts[p.Id]);
                    events[Measures.OfClass(cls)] = n;
                    if (perCellEvent is { } g)
                    {
                        values[Measures.OfClass(cls)] = n * g;
                    }
                    if (baseCount > 0 && cls is "leucocyte" or "stem")
                    {
                        values[cls == "leucocyte" ? Measures.PctLeucocyte : Measures.PctStem] = 100.0 * n / baseCount;
                    }
                }
                else
                {
                    notes.Add($"{cls} cells: not resolved by panel {panel.Name} (no set of its gates holds exactly the {cls} cell types)");
                }
            }
            foreach (var type in model.CellTypes)
            {
                var alone = panel.Populations.FirstOrDefault(p => p.Role == PopulationRole.Population && p.CellTypes.Length == 1 && p.CellTypes[0] == type.Id && Under(panel, p, cellBase));
                if (alone is not null)
                {
                    events[Measures.OfType(type.Id)] = counts[alone.Id];
                    if (perCellEvent is { } h)
                    {
                        values[Measures.OfType(type.Id)] = counts[alone.Id] * h;
                    }
                }
            }
            if (viable is not null && baseCount > 0)
            {
                values[Measures.Viable] = (double)counts[viable.Id] / baseCount;
            }
        }
        else
        {
            notes.Add($"panel {panel.Name} has no nucleated or singlet population, so no model measure is computed: events and % of parent only");
        }
        foreach (var unmapped in panel.Populations.Where(p => p.Role == PopulationRole.Population && !p.IsMapped))
        {
            notes.Add($"population '{unmapped.Id}' is not mapped to the model's cell types");
        }
        AddLab(values, counting.LabMeasures, notes);

        var fcs = new FcsDetails(file, panel.Name, result.EventCount, populations, route, perCellEvent, aggregateFactor,
            plots ? GatePlots.Build(panel.Document, result, sample.Events, sample.Spillover) : [],
            [.. panel.Document.Warnings.Concat(result.Warnings).Concat(sample.Warnings)]);
        return new AnalyzedSample(info, file, fcs, values.ToImmutable(), events.ToImmutable(), [.. notes]);
    }

    /// <summary>Lab measures as given; Na:K from sodium and potassium when not given itself.</summary>
    internal static void AddLab(ImmutableSortedDictionary<string, double>.Builder values, IReadOnlyDictionary<string, double> lab, List<string> notes)
    {
        foreach (var (k, v) in lab)
        {
            values[k] = v;
        }
        if (!values.ContainsKey(Measures.NaK) && values.TryGetValue(Measures.Sodium, out var na) && values.TryGetValue(Measures.Potassium, out var k2) && k2 > 0)
        {
            values[Measures.NaK] = na / k2;
            notes.Add("Na:K computed from sodium and potassium");
        }
    }

    /// <summary>Checks from the file's TEXT segment alone (no events read) that it has every channel the panel reads.</summary>
    /// <exception cref="InputException">A channel is missing: the message lists the file's channels.</exception>
    public static void CheckChannels(string file, Panel panel)
    {
        using var fcs = WithHint(() => FcsFile.Open(file));
        var set = fcs.DataSets[0];
        var spillover = Cytometry.Compensation.SpilloverMatrix.FromFcsKeywords(set.Keywords, file);
        RequireChannels(panel, [.. set.Parameters.Select(p => p.Name)], spillover?.Fluorochromes ?? [], file);
    }

    /// <summary>Reads an FCS file, giving a hint to read errors that have none.</summary>
    private static T WithHint<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InputException ex) when (ex.Hint is null)
        {
            throw new InputException(ex.Location, ex.Problem, "give FCS 2.0, 3.0, 3.1 or 3.2 data files (a cytometer's list-mode export) or counts CSVs (.csv)", ex);
        }
    }

    private static void RequireChannels(Panel panel, CytometrySample sample, string file) =>
        RequireChannels(panel, sample.Events.Names, sample.Spillover?.Fluorochromes ?? [], file);

    private static void RequireChannels(Panel panel, IReadOnlyList<string> names, IReadOnlyList<string> spilled, string file)
    {
        var missing = panel.Channels.Where(c => !names.Contains(c) && !spilled.Contains(c)
            && !panel.Document.SpectrumMatrices.Values.Any(m => m.Fluorochromes.Contains(c))).ToList();
        if (missing.Count > 0)
        {
            throw new InputException(InputLocation.InFile(file),
                $"panel {panel.Name} reads channel{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing.Select(m => $"'{m}'"))} that the file lacks; its channels are: {string.Join(", ", names)}",
                "use a panel written for this file's channels ($PnN names)");
        }
    }

    private static (string Route, double? PerEvent) Route(string file, CountingInfo counting, Panel panel, CytometrySample sample,
        Dictionary<string, int> counts, PanelPopulation? beads, bool mapsCells, List<string> notes)
    {
        var where = InputLocation.InFile(file);
        if (beads is not null && counting.BeadsPerTest is { } perTest && counting.TestVolumeUl is { } testUl)
        {
            var beadEvents = counts[beads.Id];
            if (beadEvents == 0)
            {
                throw new InputException(where, $"the bead gate '{beads.Id}' holds no events, so the bead ratio method cannot count", "check the panel's bead gate, or give acquired_volume_ul instead of beads_per_test");
            }
            if (testUl <= 0)
            {
                throw new InputException(where with { Element = "test_volume_ul" }, "the test volume must be positive");
            }
            return ("beads", perTest / beadEvents / testUl * 1000.0 * counting.Dilution);
        }
        var volumeUl = counting.AcquiredVolumeUl;
        if (volumeUl is null && sample.Keywords.Get("$VOL") is { } vol)
        {
            if (double.TryParse(vol, NumberStyles.Float, CultureInfo.InvariantCulture, out var nl) && nl > 0)
            {
                volumeUl = nl / 1000.0;
            }
            else
            {
                notes.Add($"$VOL '{vol}' is not a positive number of nL and was ignored");
            }
        }
        if (volumeUl is { } ul)
        {
            if (ul <= 0)
            {
                throw new InputException(where with { Element = "acquired_volume_ul" }, "the acquired volume must be positive");
            }
            return ("volume", 1000.0 / ul * counting.Dilution);
        }
        if (!mapsCells)
        {
            notes.Add("no absolute-count route (beads or volume): events and % of parent only");
            return ("none", null);
        }
        var hint = beads is not null
            ? $"give beads_per_test and test_volume_ul in the manifest (the panel's bead gate '{beads.Id}' counts the beads), or acquired_volume_ul"
            : "give acquired_volume_ul in the manifest (the panel has no bead gate, so beads_per_test cannot be used)";
        throw new InputException(where, "no way to make counts absolute: no counting beads in the manifest and no acquired volume ($VOL) in the file", hint);
    }

    /// <summary>Disjoint mapped populations under <paramref name="cellBase"/> whose cell types together are exactly <paramref name="target"/>, or null.</summary>
    private static List<PanelPopulation>? Cover(Panel panel, PanelPopulation cellBase, HashSet<string> target)
    {
        var candidates = panel.Populations
            .Where(p => p.Role == PopulationRole.Population && p.IsMapped && p.CellTypes.All(target.Contains) && Under(panel, p, cellBase))
            .OrderByDescending(p => p.CellTypes.Length).ToList();
        var chosen = new List<PanelPopulation>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in candidates)
        {
            if (p.CellTypes.Any(covered.Contains))
            {
                continue;
            }
            chosen.Add(p);
            covered.UnionWith(p.CellTypes);
            if (covered.SetEquals(target))
            {
                return chosen;
            }
        }
        return null;
    }

    /// <summary>Whether <paramref name="p"/> lies inside <paramref name="ancestor"/> (or is it).</summary>
    private static bool Under(Panel panel, PanelPopulation p, PanelPopulation ancestor)
    {
        for (var id = p.ParentId; id is not null; id = panel.Document.ParentOf(id))
        {
            if (id == ancestor.Id)
            {
                return true;
            }
        }
        return false;
    }
}
