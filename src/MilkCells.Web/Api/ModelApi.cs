using MilkCells.Model.Catalogue;
using MilkCells.Model.Structure;

namespace MilkCells.Web.Api;

/// <summary>A cell type with its markers and Cell Ontology term.</summary>
public sealed record CellTypeView(string Id, string Name, string Class, string Origin, string? CellOntology, string? CellOntologyLabel, string? CellOntologyMatch,
    string? CellOntologyUrl, string[] ProteinMarkers, string[] GeneMarkers);

/// <summary>A parameter's value under one profile.</summary>
public sealed record OverrideView(string Profile, string Value, string Source, string Confidence);

/// <summary>A parameter with its value, unit, condition, source, confidence and the profiles that replace it.</summary>
public sealed record ParameterView(string Id, string Value, string Unit, string Condition, string Source, string? Where, string Confidence, string Era, string? Note,
    OverrideView[] Overrides);

/// <summary>The model's evidence, filtered.</summary>
public sealed record ModelView(string Version, string Profile, string ProfileMarking, CellTypeView[] CellTypes, ParameterView[] Parameters, int ParameterTotal);

/// <summary>The model as <c>milkcells model show</c> shows it: cell types with markers and Cell Ontology links, every parameter with its evidence; searchable.</summary>
internal static class ModelApi
{
    public static void Map(WebApplication app) =>
        app.MapGet("/api/model", (string? q, string? profile) => TypedResults.Ok(View(q, profile)))
            .WithSummary("Cell types and parameters; ?q= searches ids, names, markers, units, conditions and sources; ?profile= shows a calibration profile.");

    internal static ModelView View(string? q, string? profile)
    {
        var model = MilkModel.Embedded;
        var calibrated = model.Calibrate(profile);
        var sources = model.Sources.ToDictionary(s => s.Id, s => s.Cite(), StringComparer.Ordinal);
        string Cite(IEnumerable<string> ids) => string.Join("; ", ids.Select(id => sources.TryGetValue(id, out var c) ? c : id));
        var cells = model.CellTypes.Select(t => new CellTypeView(t.Id, t.Name, t.ClassKey, t.Origin.ToString(), t.CellOntology?.Id, t.CellOntology?.Label,
            t.CellOntology?.Match.ToString().ToLowerInvariant(), t.CellOntology is { } term ? "http://purl.obolibrary.org/obo/" + term.Id.Replace(':', '_') : null,
            [.. t.ProteinMarkers], [.. t.GeneMarkers]));
        var parameters = calibrated.Parameters.Values.Select(p => new ParameterView(p.Id, p.Display(), UnitSpec.CanonicalText(p.Unit), p.Provenance.Condition,
            Cite(p.SourceIds), p.Where, p.Provenance.Confidence.ToString(), p.Provenance.Era.ToString(), p.Note,
            [.. model.Profiles.Where(pr => pr.Overrides.ContainsKey(p.Id)).Select(pr => pr.Overrides[p.Id] is var o
                ? new OverrideView(pr.Id, o.Display(), Cite(o.SourceIds), o.Provenance.Confidence.ToString()) : null!)])).ToList();
        var total = parameters.Count;
        if (q is { Length: > 0 })
        {
            bool Has(string? text) => text?.Contains(q, StringComparison.OrdinalIgnoreCase) == true;
            cells = cells.Where(c => Has(c.Id) || Has(c.Name) || Has(c.Class) || Has(c.CellOntology) || Has(c.CellOntologyLabel)
                || c.ProteinMarkers.Any(Has) || c.GeneMarkers.Any(Has));
            parameters = [.. parameters.Where(p => Has(p.Id) || Has(p.Unit) || Has(p.Condition) || Has(p.Source) || Has(p.Where) || Has(p.Note))];
        }
        return new ModelView(model.Version, calibrated.Profile.Id, calibrated.Profile.Marking, [.. cells], [.. parameters], total);
    }
}
