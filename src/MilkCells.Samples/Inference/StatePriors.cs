using System.Collections.Immutable;
using System.Globalization;
using MilkCells.Model.Catalogue;
using MilkCells.Samples.Data;

namespace MilkCells.Samples.Inference;

/// <summary>The priors of state inference (data/inference/state-priors.yaml): onset rates by state, severity, duration.</summary>
/// <remarks>
/// A state's prior over a mother's sampling window of W days is 1 − exp(−λ (W + L̄)), λ its onset rate per day and L̄
/// its mean episode length (the chance that an episode overlaps the window; Poisson onsets); healthy takes the rest.
/// Given the state, severity and the duration factor are drawn from their priors, the onset is uniform over the days
/// whose episode overlaps the window, at 00:00 or 12:00, and a one-breast state affects either breast with probability ½.
/// The file also gives the spreads the chemistry features need beyond the model (which gives every healthy mother the
/// same chemistry): a mother's own level of log10 bacteria and ln Na:K, and the error of one lab measurement.
/// </remarks>
public sealed record StatePriors
{
    /// <summary>Onset rates, episodes per day, by health-state id.</summary>
    public required ImmutableSortedDictionary<string, double> RatePerDay { get; init; }

    /// <summary>Severity probabilities (mild, moderate, severe).</summary>
    public required ImmutableArray<(string Severity, double P)> Severity { get; init; }

    /// <summary>Duration factors (× the state's default duration) and their probabilities.</summary>
    public required ImmutableArray<(double Factor, double P)> Duration { get; init; }

    /// <summary>SD of one lab measurement of log10 bacteria CFU/mL.</summary>
    public required double LabLog10BacteriaSd { get; init; }

    /// <summary>SD of one lab measurement of ln Na:K (and its day-to-day variation).</summary>
    public required double LabLogNaKSd { get; init; }

    /// <summary>SD between healthy mothers of their own log10 bacteria CFU/mL.</summary>
    public required double MotherLog10BacteriaSd { get; init; }

    /// <summary>SD between healthy mothers of their own ln Na:K.</summary>
    public required double MotherLogNaKSd { get; init; }

    /// <summary>Every value with its provenance.</summary>
    public required ImmutableArray<(string Name, SourcedValue Value)> Sourced { get; init; }

    /// <summary>The file's extra sources (id, citation).</summary>
    public required ImmutableArray<(string Id, string Citation)> Sources { get; init; }

    private static readonly Lazy<StatePriors> EmbeddedPriors = new(() => Read(SourcedYaml.Embedded("state-priors.yaml", "data/inference/state-priors.yaml"), MilkModel.Embedded));

    /// <summary>The shipped priors.</summary>
    public static StatePriors Default => EmbeddedPriors.Value;

    /// <summary>Reads priors from YAML text.</summary>
    public static StatePriors Parse(string file, string text, MilkModel model) => Read(SourcedYaml.Parse(file, text), model);

    private static StatePriors Read(SourcedYaml y, MilkModel model)
    {
        var sourced = new List<(string, SourcedValue)>();
        var rates = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        var rateMap = y.Map(y.Root, "rates");
        foreach (var state in model.HealthStates)
        {
            var v = y.Value(rateMap, state.Id);
            sourced.Add(($"rates.{state.Id}", v));
            rates[state.Id] = v.Value / 1000.0 / 7.0;
        }
        var severityMap = y.Map(y.Root, "severity");
        var severity = new List<(string, double)>();
        foreach (var key in model.KeysOf("severity"))
        {
            var v = y.Value(severityMap, key);
            sourced.Add(($"severity.{key}", v));
            severity.Add((key, v.Value));
        }
        var durationMap = y.Map(y.Root, "duration");
        var duration = new List<(double, double)>();
        foreach (var key in durationMap.Children.Keys.Select(k => k.ToString()))
        {
            var v = y.Value(durationMap, key);
            sourced.Add(($"duration.{key}", v));
            duration.Add((double.Parse(key, CultureInfo.InvariantCulture), v.Value));
        }
        var chemistryMap = y.Map(y.Root, "chemistry");
        double Chemistry(string key)
        {
            var v = y.Value(chemistryMap, key);
            sourced.Add(($"chemistry.{key}", v));
            if (!(v.Value > 0))
            {
                throw y.Problem(chemistryMap, $"chemistry.{key} must be above 0, not {v.Value}");
            }
            return v.Value;
        }
        var (labB, labR, motherB, motherR) = (Chemistry("lab_log10_bacteria_sd"), Chemistry("lab_log_na_k_sd"), Chemistry("mother_log10_bacteria_sd"), Chemistry("mother_log_na_k_sd"));
        y.ThrowIfAny();
        var sources = y.Root.Children.TryGetValue(new YamlDotNet.RepresentationModel.YamlScalarNode("sources"), out var node) && node is YamlDotNet.RepresentationModel.YamlMappingNode map
            ? map.Children.Select(c => (c.Key.ToString(), c.Value.ToString())).ToImmutableArray()
            : [];
        foreach (var (what, list) in new[] { ("severity", severity.Select(s => s.Item2)), ("duration", duration.Select(d => d.Item2)) })
        {
            if (Math.Abs(list.Sum() - 1) > 1e-9)
            {
                throw new Core.Errors.InputException(Core.Errors.InputLocation.InFile(y.File), $"the {what} probabilities add to {list.Sum()}, not 1");
            }
        }
        return new StatePriors
        {
            RatePerDay = rates.ToImmutable(),
            Severity = [.. severity],
            Duration = [.. duration],
            LabLog10BacteriaSd = labB,
            LabLogNaKSd = labR,
            MotherLog10BacteriaSd = motherB,
            MotherLogNaKSd = motherR,
            Sourced = [.. sourced],
            Sources = sources,
        };
    }
}
