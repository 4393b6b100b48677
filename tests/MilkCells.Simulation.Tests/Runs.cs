using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Simulation;

namespace MilkCells.Simulation.Tests;

/// <summary>The built-in scenarios simulated once per test run with fixed seeds, shared by the evidence checks.</summary>
public sealed class Runs
{
    /// <summary>The seed of every evidence-check run (any seed must pass; this one is fixed for reproducibility).</summary>
    public const ulong Seed = 20_261_122;

    private readonly Lazy<SimulationResult> _healthy = new(() => Simulate("healthy"));
    private readonly Lazy<SimulationResult> _mastitis = new(() => Simulate("mastitis"));
    private readonly Lazy<SimulationResult> _donor = new(() => Simulate("donor-milk"));

    public SimulationResult Healthy => _healthy.Value;

    public SimulationResult Mastitis => _mastitis.Value;

    public SimulationResult Donor => _donor.Value;

    public static MilkModel Model => MilkModel.Embedded;

    public static SimulationResult Simulate(string scenario, int? days = null, ulong seed = Seed, SimulationOptions? options = null) =>
        MotherSimulation.Simulate(Model.Calibrate(null), ScenarioLoader.Load(scenario, Model), seed, (options ?? new SimulationOptions()) with { Days = days });

    public static EvidenceCheck Check(string id) => Model.Checks.Single(c => c.Id == id);
}
