using System.Collections.Immutable;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Structure;
using MilkCells.Reports;

namespace MilkCells.Workflows.Simulate;

/// <summary>A run's parameters' sources as citations for the report, which numbers the works into one reference list.</summary>
/// <remarks>
/// A network constant keeps the provenance of the model parameter it comes from (the profile's override where the
/// profile has one), so its source ids name the works. A constant whose provenance differs (set by the scenario, or
/// derived) has no works to number: the report shows its provenance text as it is.
/// </remarks>
public sealed class ParameterCitations(CalibratedModel model)
{
    /// <summary>The citation of <paramref name="spec"/>, or null when its source is not one of the model's parameters'.</summary>
    public SourceCitation? Of(ParameterSpec spec) =>
        model.Parameters.TryGetValue(spec.ParameterId, out var parameter) && parameter.Provenance == spec.Provenance ? Cite(parameter) : null;

    /// <summary>The citation of a parameter a run used, or null when the scenario set it (its source is not the model's).</summary>
    public SourceCitation? Of(Parameter used) =>
        model.Parameters.TryGetValue(used.Id, out var parameter) && parameter.Provenance == used.Provenance ? Cite(parameter) : null;

    private SourceCitation Cite(Parameter parameter)
    {
        var works = ImmutableArray.CreateBuilder<CitedWork>();
        var notes = ImmutableArray.CreateBuilder<string>();
        foreach (var id in parameter.SourceIds)
        {
            switch (id)
            {
                case Sources.Assumption:
                    notes.Add("assumption: " + (parameter.Note ?? "(reasoning missing)"));
                    break;
                case Sources.Derived:
                    notes.Add("derived: " + (parameter.Note ?? "(formula missing)"));
                    break;
                default:
                    works.Add(new CitedWork(id, model.Model.Source(id).Cite()));
                    break;
            }
        }
        return new SourceCitation(works.ToImmutable(), notes.ToImmutable(), parameter.Where);
    }
}
