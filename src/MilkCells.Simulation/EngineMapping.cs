using System.Collections.Immutable;
using System.Globalization;
using MilkCells.Core.Provenance;
using MilkCells.Engine.Model;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using MilkCells.Model.Structure;
using EngineNetwork = MilkCells.Engine.Model.Network;

namespace MilkCells.Simulation;

/// <summary>Maps a run plan's engine-agnostic network onto the stochastic engine's <see cref="EngineNetwork"/>.</summary>
/// <remarks>
/// Species keep their ids and become integer counts (amounts in expressions); parameters take the plan's values (the
/// mother's own); drivers carry the plan's whole schedule, so the engine stops exactly at each change. Every element
/// carries its provenance and description as annotations, which the SBML exporter writes out. Interventions are not
/// part of the network: <see cref="MotherSimulation"/> schedules them as engine host interventions.
/// </remarks>
public static class EngineMapping
{
    /// <summary>The engine network of <paramref name="plan"/> with its initial counts and driver schedule (at daily resolution, its driver table as changes).</summary>
    public static EngineNetwork ToEngine(RunPlan plan)
    {
        var changes = plan.DriverChanges.GroupBy(c => c.Driver).ToDictionary(g => g.Key, g => g.Select(c => (c.Hours, c.Value)).ToArray());
        if (plan.DriverTable is { } table)
        {
            for (var i = 0; i < table.Drivers.Length; i++)
            {
                changes[table.Drivers[i]] = [.. Enumerable.Range(0, table.Times.Length).Select(k => (table.Times[k], table[k, i]))];
            }
        }
        return Build(plan.Network, plan.Scenario, plan.Seed, plan.Parameters, plan.InitialCounts, changes);
    }

    /// <summary>The engine network of <paramref name="spec"/> without a run's values: the network's constants, counts of 0, drivers at their defaults and unscheduled.</summary>
    /// <remarks>For compiling once and running many mothers, each with her own <see cref="Engine.Simulation.DriverSchedule"/> (daily resolution, whose network has no mother-specific constant).</remarks>
    public static EngineNetwork ToEngine(NetworkSpec spec, Scenario scenario) =>
        Build(spec, scenario, null, spec.Parameters, ImmutableSortedDictionary<string, long>.Empty, []);

    /// <summary>Milk quanta per mL: a whole number when the quantum divides 1 mL (counts / 10 prints 30.7 where counts × 0.1 prints 30.700000000000003).</summary>
    public static double QuantaPerMl(double quantumMl) =>
        Math.Round(1 / quantumMl) is var r && Math.Abs(r * quantumMl - 1) < 1e-12 ? r : 1 / quantumMl;

    private static EngineNetwork Build(NetworkSpec spec, Scenario scenario, ulong? seed, IEnumerable<ParameterSpec> parameters,
        IReadOnlyDictionary<string, long> initialCounts, Dictionary<string, (double Hours, double Value)[]> changes)
    {
        var builder = new MilkCells.Engine.Model.NetworkBuilder($"milkcells_{Sanitise(scenario.Name)}", scenario.Origin);
        var annotations = new List<(string, string)>
        {
            ("model_version", spec.ModelVersion), ("profile", spec.ProfileId), ("profile_marking", spec.ProfileMarking),
            ("scenario", scenario.Name), ("scenario_sha256", scenario.Hash),
        };
        if (seed is { } value)
        {
            annotations.Add(("seed", value.ToString(CultureInfo.InvariantCulture)));
        }
        annotations.Add(("time_unit", "hour"));
        annotations.Add(("volume_quantum_ml", F(spec.VolumeQuantumMl)));
        builder.Info(ElementInfo.With(
            $"MilkCells milk model {spec.ModelVersion}, scenario '{scenario.Name}'",
            $"{scenario.Description} Calibration: {spec.ProfileMarking}. Time in hours; milk counted in quanta of {F(spec.VolumeQuantumMl)} mL.",
            [.. annotations]));
        foreach (var c in spec.Compartments)
        {
            builder.Compartment(c.Id, 1.0, info: ElementInfo.With(notes: c.Description, annotations: ("nominal_size", "true")));
        }
        foreach (var s in spec.Species)
        {
            annotations = [("role", s.Role.ToString()), ("count_unit", s.CountUnit)];
            if (s.CellType is not null) annotations.Add(("cell_type", s.CellType));
            if (s.Class is not null) annotations.Add(("class", s.Class.Value.ToString().ToLowerInvariant()));
            if (s.Viability is not null) annotations.Add(("viability", Names.Of(s.Viability.Value)));
            if (s.Breast is not null) annotations.Add(("breast", Names.Of(s.Breast.Value)));
            if (s.Container is not null) annotations.Add(("container", s.Container));
            if (s.Organ is not null) annotations.Add(("organ", s.Organ));
            if (s.Fate is not null) annotations.Add(("fate", s.Fate));
            if (s.AnimalDerived) annotations.Add(("evidence", "animal-derived"));
            builder.Species(s.Id, initialCounts.GetValueOrDefault(s.Id), s.Compartment, info: ElementInfo.With(annotations: [.. annotations]));
        }
        foreach (var p in parameters)
        {
            builder.Parameter(p.Id, p.Value, info: ProvenanceInfo(p));
        }
        foreach (var d in spec.Drivers)
        {
            var list = changes.GetValueOrDefault(d.Id) ?? [];
            builder.Driver(d.Id, d.Default, list, ElementInfo.With(notes: d.Description, annotations: ("unit", UnitSpec.CanonicalText(d.Unit))));
        }
        foreach (var r in spec.Reactions)
        {
            var equation = $"{Side(r.Reactants)} -> {Side(r.Products)}";
            builder.Reaction(r.Id, equation, r.Rate, ElementInfo.With(notes: r.Description, annotations: ("process", r.Process.ToString())));
        }
        return builder.ToNetwork();

        static string Side(IEnumerable<Stoichiometry> side) => string.Join(" + ", side.Select(s => s.Coefficient == 1 ? s.Species : $"{s.Coefficient} {s.Species}"));
    }

    /// <summary>The annotations that carry a parameter's value, unit and provenance.</summary>
    public static ElementInfo ProvenanceInfo(ParameterSpec p)
    {
        var list = new List<(string, string)>
        {
            ("unit", UnitSpec.CanonicalText(p.Unit)),
            ("parameter", p.Key is null ? p.ParameterId : $"{p.ParameterId}[{p.Key}]"),
            ("source", p.Provenance.Source),
            ("condition", p.Provenance.Condition),
            ("confidence", p.Provenance.Confidence.ToString().ToLowerInvariant()),
            ("era", EraText(p.Provenance.Era)),
        };
        if (p.MotherSpecific)
        {
            list.Add(("mother_specific", "true"));
        }
        return ElementInfo.With(annotations: [.. list]);
    }

    /// <summary>The era as written in data files (kebab case).</summary>
    public static string EraText(MeasurementEra era) => era switch
    {
        MeasurementEra.FlowCytometry => "flow-cytometry",
        MeasurementEra.SingleCellRnaSeq => "single-cell-rna-seq",
        MeasurementEra.InVitro => "in-vitro",
        MeasurementEra.LayClaim => "lay-claim",
        _ => era.ToString().ToLowerInvariant(),
    };

    private static string Sanitise(string name) => new([.. name.Select(c => char.IsLetterOrDigit(c) ? c : '_')]);

    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
