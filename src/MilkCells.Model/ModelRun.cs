using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;

namespace MilkCells.Model;

/// <summary>The one call that turns a scenario name or file, a profile and a seed into a <see cref="RunPlan"/>.</summary>
/// <remarks>
/// Equivalent to <c>RunPlanner.Plan(model.Calibrate(profile), ScenarioLoader.Load(scenario, model), seed)</c> on the
/// embedded model (or the model in a data folder). Bad input throws
/// <see cref="Core.Errors.InputException"/> (one problem) or <see cref="Core.Errors.InputProblemsException"/> (several).
/// </remarks>
public static class ModelRun
{
    /// <summary>Plans a run of <paramref name="scenario"/> (built-in name or YAML path; null: the default) under <paramref name="profile"/> (null: default).</summary>
    public static RunPlan Plan(string? scenario, string? profile, ulong seed, string? dataDirectory = null)
    {
        var model = dataDirectory is null ? MilkModel.Embedded : MilkModel.LoadFrom(dataDirectory);
        var calibrated = model.Calibrate(profile);
        return RunPlanner.Plan(calibrated, ScenarioLoader.Load(scenario ?? ScenarioLoader.DefaultName, model), seed);
    }
}
