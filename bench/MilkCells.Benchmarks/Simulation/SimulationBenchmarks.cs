using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Simulation;

namespace MilkCells.Benchmarks.Simulation;

/// <summary>One mother–infant run of the healthy scenario at feed resolution: how cost grows with days and with the cell population.</summary>
/// <remarks>
/// <c>Population</c> multiplies every cell type's concentration (mother cell-type factors), so counts per breast go from
/// ~10⁶–10⁷ (1×) to ~10⁹ (100×). Daily rows only (no feed, infant or within-feed rows); cohorts use the daily
/// resolution instead (<see cref="CohortBenchmarks"/>). Run:
/// <c>dotnet run -c Release --project bench/MilkCells.Benchmarks -- --filter '*SimulationBenchmarks*'</c>.
/// </remarks>
[MemoryDiagnoser]
public class SimulationBenchmarks
{
    private CalibratedModel _model = null!;
    private Scenario _scenario = null!;

    [Params(30, 91, 365)]
    public int Days { get; set; }

    [Params(1, 100)]
    public int Population { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var model = MilkModel.Embedded;
        _model = model.Calibrate(null);
        var healthy = ScenarioLoader.Load("healthy", model);
        _scenario = healthy with
        {
            Mother = healthy.Mother with
            {
                CellTypeFactors = model.CellTypes.ToImmutableSortedDictionary(t => t.Id, _ => (double)Population, StringComparer.Ordinal),
            },
        };
    }

    [Benchmark]
    public long Run()
    {
        var r = MotherSimulation.Simulate(_model, _scenario, 1, new SimulationOptions { Days = Days, Detail = false });
        return r.Stats.Leaps;
    }
}
