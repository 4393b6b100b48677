using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using MilkCells.Samples.Data;
using YamlDotNet.RepresentationModel;

namespace MilkCells.Samples.Cytometer;

/// <summary>Median forward and side scatter of a kind of particle.</summary>
public readonly record struct Scatter(double Fsc, double Ssc);

/// <summary>One spillover coefficient: light of the fluorochrome read by <paramref name="From"/> seen by detector <paramref name="Into"/>.</summary>
public sealed record SpilloverEntry(string From, string Into, double Value);

/// <summary>The virtual cytometer's settings (data/cytometer/virtual-cytometer.yaml), each value sourced.</summary>
/// <remarks>Which cell types carry which marker is not here: it comes from the model's cell types (protein markers).</remarks>
public sealed record VirtualCytometerSettings
{
    /// <summary>The channel range ($PnR).</summary>
    public required double Range { get; init; }

    /// <summary>SD of additive detector noise.</summary>
    public required double ElectronicNoiseSd { get; init; }

    /// <summary>Variance of photon noise per unit signal.</summary>
    public required double PhotonNoise { get; init; }

    /// <summary>A singlet's FSC-H / FSC-A, and its SD.</summary>
    public required (double Mean, double Sd) HeightToArea { get; init; }

    /// <summary>Marker-positive median and log10 SD.</summary>
    public required (double Median, double Log10Sd) Positive { get; init; }

    /// <summary>DNA stain of one cell: median and log10 SD.</summary>
    public required (double Median, double Log10Sd) Nuclear { get; init; }

    /// <summary>Dead-cell dye of a dead cell: median and log10 SD.</summary>
    public required (double Median, double Log10Sd) Dead { get; init; }

    /// <summary>Autofluorescence medians by class key, plus "debris" and "bead".</summary>
    public required ImmutableDictionary<string, double> Autofluorescence { get; init; }

    /// <summary>Log10 SD of autofluorescence.</summary>
    public required double AutofluorescenceLog10Sd { get; init; }

    /// <summary>Scatter by cell type id, plus "debris" and "bead".</summary>
    public required ImmutableDictionary<string, Scatter> Scatter { get; init; }

    /// <summary>Log10 SD of cells' scatter, and of debris scatter.</summary>
    public required (double Cells, double Debris) ScatterLog10Sd { get; init; }

    /// <summary>Beads as a share of the expected events.</summary>
    public required double BeadShare { get; init; }

    /// <summary>Bead brightness median and log10 SD, in <see cref="BeadChannels"/>.</summary>
    public required (double Median, double Log10Sd) BeadBrightness { get; init; }

    /// <summary>The channels in which beads are bright.</summary>
    public required ImmutableArray<string> BeadChannels { get; init; }

    /// <summary>µL of suspension in the counting tube.</summary>
    public required double TestVolumeUl { get; init; }

    /// <summary>Non-nucleated particles per nucleated cell.</summary>
    public required double DebrisPerCell { get; init; }

    /// <summary>Share of cells that arrive in two-cell aggregates.</summary>
    public required double Aggregation { get; init; }

    /// <summary>The spillover coefficients.</summary>
    public required ImmutableArray<SpilloverEntry> Spillover { get; init; }

    /// <summary>Every value with its provenance, for reports.</summary>
    public required ImmutableArray<(string Name, SourcedValue Value)> Sourced { get; init; }

    private static readonly Lazy<VirtualCytometerSettings> EmbeddedSettings = new(() => Read(SourcedYaml.Embedded("virtual-cytometer.yaml", "data/cytometer/virtual-cytometer.yaml"), MilkModel.Embedded));

    /// <summary>The shipped settings.</summary>
    public static VirtualCytometerSettings Default => EmbeddedSettings.Value;

    /// <summary>Reads settings from YAML text.</summary>
    public static VirtualCytometerSettings Parse(string file, string text, MilkModel model) => Read(SourcedYaml.Parse(file, text), model);

    private static VirtualCytometerSettings Read(SourcedYaml y, MilkModel model)
    {
        var sourced = new List<(string, SourcedValue)>();
        SourcedValue V(YamlMappingNode parent, string block, string key, string valueKey = "value")
        {
            var v = y.Value(parent, key, valueKey);
            sourced.Add(($"{block}.{key}{(valueKey == "value" ? "" : "." + valueKey)}", v));
            return v;
        }
        var root = y.Root;
        var instrument = y.Map(root, "instrument");
        var staining = y.Map(root, "staining");
        var af = y.Map(root, "autofluorescence");
        var scatter = y.Map(root, "scatter");
        var beads = y.Map(root, "beads");
        var sample = y.Map(root, "sample");

        var afByKey = ImmutableDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        foreach (var key in new[] { "epithelial", "leucocyte", "stem", "debris", "bead" })
        {
            afByKey[key] = V(af, "autofluorescence", key).Value;
        }
        var scatterByKey = new Dictionary<string, (Scatter Scatter, ImmutableArray<string> Types)>(StringComparer.Ordinal);
        foreach (var (keyNode, node) in scatter.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value!;
            if (key is "log10_sd" or "debris_log10_sd")
            {
                continue;
            }
            var map = (YamlMappingNode)node;
            var fsc = V(scatter, "scatter", key, "fsc").Value;
            var ssc = y.Number(map, "ssc", key);
            scatterByKey[key] = (new Scatter(fsc, ssc), SourcedYaml.Strings(map, "types"));
        }
        var byType = ImmutableDictionary.CreateBuilder<string, Scatter>(StringComparer.Ordinal);
        foreach (var type in model.CellTypes)
        {
            var listed = scatterByKey.Values.FirstOrDefault(e => e.Types.Contains(type.Id));
            if (!listed.Types.IsDefaultOrEmpty)
            {
                byType[type.Id] = listed.Scatter;
            }
            else if (scatterByKey.TryGetValue(type.ClassKey, out var byClass))
            {
                byType[type.Id] = byClass.Scatter;
            }
            else
            {
                throw y.Problem(scatter, $"no scatter for cell type '{type.Id}'", $"list it under a scatter entry's types, or add an entry '{type.ClassKey}'");
            }
        }
        foreach (var key in new[] { "debris", "bead" })
        {
            if (!scatterByKey.TryGetValue(key, out var e))
            {
                throw y.Problem(scatter, $"no scatter entry '{key}'");
            }
            byType[key] = e.Scatter;
        }
        var spill = ImmutableArray.CreateBuilder<SpilloverEntry>();
        foreach (var item in y.Sequence(root, "spillover").Children.OfType<YamlMappingNode>())
        {
            var from = SourcedYaml.Text(item, "from") ?? throw y.Problem(item, "a spillover entry needs 'from'");
            var into = SourcedYaml.Text(item, "into") ?? throw y.Problem(item, "a spillover entry needs 'into'");
            var value = y.Read(item, "value", $"spillover {from} -> {into}");
            sourced.Add(($"spillover.{from}->{into}", value));
            if (value.Value is < 0 or >= 1)
            {
                throw y.Problem(item, $"spillover {from} -> {into} must be in [0, 1), was {value.Value}");
            }
            spill.Add(new SpilloverEntry(from, into, value.Value));
        }
        var beadChannels = SourcedYaml.Strings(beads, "channels");
        if (beadChannels.IsEmpty)
        {
            throw y.Problem(beads, "beads need 'channels': the channels in which they are bright");
        }
        var settings = new VirtualCytometerSettings
        {
            Range = V(instrument, "instrument", "range").Value,
            ElectronicNoiseSd = V(instrument, "instrument", "electronic_noise_sd").Value,
            PhotonNoise = V(instrument, "instrument", "photon_noise").Value,
            HeightToArea = (V(instrument, "instrument", "height_to_area").Value, V(instrument, "instrument", "height_to_area_sd").Value),
            Positive = (V(staining, "staining", "positive_median").Value, V(staining, "staining", "positive_log10_sd").Value),
            Nuclear = (V(staining, "staining", "nuclear_median").Value, V(staining, "staining", "nuclear_log10_sd").Value),
            Dead = (V(staining, "staining", "dead_median").Value, V(staining, "staining", "dead_log10_sd").Value),
            Autofluorescence = afByKey.ToImmutable(),
            AutofluorescenceLog10Sd = V(af, "autofluorescence", "log10_sd").Value,
            Scatter = byType.ToImmutable(),
            ScatterLog10Sd = (V(scatter, "scatter", "log10_sd").Value, V(scatter, "scatter", "debris_log10_sd").Value),
            BeadShare = V(beads, "beads", "share_of_events").Value,
            BeadBrightness = (V(beads, "beads", "brightness").Value, V(beads, "beads", "brightness_log10_sd").Value),
            BeadChannels = beadChannels,
            TestVolumeUl = V(sample, "sample", "test_volume_ul").Value,
            DebrisPerCell = V(sample, "sample", "debris_per_cell").Value,
            Aggregation = V(sample, "sample", "aggregation").Value,
            Spillover = spill.ToImmutable(),
            Sourced = [.. sourced],
        };
        y.ThrowIfAny();
        if (settings.BeadShare is <= 0 or >= 1 || settings.Aggregation is < 0 or >= 0.5 || settings.DebrisPerCell < 0 || settings.TestVolumeUl <= 0)
        {
            throw new InputException(InputLocation.InFile(y.File), "beads.share_of_events must be in (0, 1), sample.aggregation in [0, 0.5), debris_per_cell ≥ 0 and test_volume_ul > 0");
        }
        return settings;
    }
}
