using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
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
    private readonly Lazy<SimulationResult> _healthyDaily = new(() => Simulate("healthy", options: Daily));
    private readonly Lazy<SimulationResult> _mastitisDaily = new(() => Simulate("mastitis", options: Daily));
    private readonly Lazy<SimulationResult> _donorDaily = new(() => Simulate("donor-milk", options: Daily));

    private static SimulationOptions Daily => new() { Resolution = SimulationResolution.Daily };

    public SimulationResult Healthy => _healthy.Value;

    public SimulationResult Mastitis => _mastitis.Value;

    public SimulationResult Donor => _donor.Value;

    /// <summary>The healthy run at <paramref name="resolution"/> (same seed, so the same mother, feeds and days).</summary>
    public SimulationResult HealthyAt(SimulationResolution resolution) => resolution == SimulationResolution.Daily ? _healthyDaily.Value : Healthy;

    /// <summary>The mastitis run at <paramref name="resolution"/>.</summary>
    public SimulationResult MastitisAt(SimulationResolution resolution) => resolution == SimulationResolution.Daily ? _mastitisDaily.Value : Mastitis;

    /// <summary>The donor-milk run at <paramref name="resolution"/>.</summary>
    public SimulationResult DonorAt(SimulationResolution resolution) => resolution == SimulationResolution.Daily ? _donorDaily.Value : Donor;

    public static MilkModel Model => MilkModel.Embedded;

    public static SimulationResult Simulate(string scenario, int? days = null, ulong seed = Seed, SimulationOptions? options = null) =>
        MotherSimulation.Simulate(Model.Calibrate(null), ScenarioLoader.Load(scenario, Model), seed, (options ?? new SimulationOptions()) with { Days = days });

    public static EvidenceCheck Check(string id) => Model.Checks.Single(c => c.Id == id);
}
