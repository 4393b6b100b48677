using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using YamlDotNet.RepresentationModel;

namespace MilkCells.SingleCell.Annotation;

/// <summary>A cell type to annotate into: its id, name, class, Cell Ontology term and marker genes.</summary>
/// <param name="Id">The type id (a model cell type's id for the model's sets).</param>
/// <param name="Name">A readable name.</param>
/// <param name="Class">The class it is counted under (epithelial, leucocyte, stem for the model; any label in a file).</param>
/// <param name="OntologyId">The Cell Ontology id (CL:…), or empty.</param>
/// <param name="OntologyLabel">The Cell Ontology label, or empty.</param>
/// <param name="Genes">Marker gene symbols.</param>
public sealed record MarkerSet(string Id, string Name, string Class, string OntologyId, string OntologyLabel, ImmutableArray<string> Genes)
{
    /// <summary>Genes the type does not express (optional): expressing them lowers its score.</summary>
    public ImmutableArray<string> NegativeGenes { get; init; } = [];
}

/// <summary>The marker sets to annotate with: the model's cell types (<c>--markers model</c>) or a YAML file.</summary>
/// <remarks>
/// A markers file lists <c>cellTypes:</c>, each with <c>id</c>, <c>geneMarkers</c> and optionally <c>name</c>,
/// <c>class</c> and <c>cellOntology</c> (a CL id, or <c>{ id, label }</c> as in <c>data/cell-types.yaml</c>, whose layout
/// it follows), and optionally <c>negativeMarkers</c>: genes the type does not express.
/// </remarks>
public sealed record MarkerCatalogue(string Origin, ImmutableArray<MarkerSet> Sets)
{
    /// <summary>The model's cell types and their <c>geneMarkers</c>.</summary>
    public static MarkerCatalogue FromModel(MilkModel model) => new("model (data/cell-types.yaml)",
        [.. model.CellTypes.Select(t => new MarkerSet(t.Id, t.Name, t.ClassKey, t.CellOntology?.Id ?? "", t.CellOntology?.Label ?? "", t.GeneMarkers))]);

    /// <summary>The marker files built in (data/markers/*.yaml), by name.</summary>
    public static IReadOnlyList<string> BuiltInNames =>
        typeof(MarkerCatalogue).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..^".yaml".Length]).Order(StringComparer.Ordinal).ToList();

    private const string ResourcePrefix = "MilkCells.SingleCell.markers.";

    /// <summary>The catalogue named by <c>--markers</c>: <c>model</c>, a built-in name, or a YAML file.</summary>
    public static MarkerCatalogue Named(string name, MilkModel model)
    {
        if (name == "model")
        {
            return FromModel(model);
        }
        if (!File.Exists(name) && BuiltInNames.Contains(name))
        {
            using var stream = typeof(MarkerCatalogue).Assembly.GetManifestResourceStream(ResourcePrefix + name + ".yaml")!;
            using var text = new StreamReader(stream);
            return Parse(text, $"{name} (built in: data/markers/{name}.yaml)");
        }
        return FromFile(name);
    }

    /// <summary>Reads a markers YAML file; every problem is an input error naming the file and line.</summary>
    public static MarkerCatalogue FromFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException(InputLocation.InFile(path), "no such markers file", $"give 'model', a built-in set ({string.Join(", ", BuiltInNames)}) or a YAML file with a cellTypes list");
        }
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    private static MarkerCatalogue Parse(TextReader reader, string path)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new InputException(InputLocation.AtLine(path, (int)ex.Start.Line, (int)ex.Start.Column), $"not valid YAML: {ex.Message}");
        }
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root || !root.Children.TryGetValue("cellTypes", out var list) || list is not YamlSequenceNode types)
        {
            throw new InputException(InputLocation.InFile(path), "no 'cellTypes:' list", "a markers file lists cellTypes, each with an id and geneMarkers");
        }
        var sets = ImmutableArray.CreateBuilder<MarkerSet>();
        foreach (var node in types)
        {
            var at = InputLocation.AtLine(path, (int)node.Start.Line, (int)node.Start.Column);
            if (node is not YamlMappingNode map)
            {
                throw new InputException(at, "a cell type is not a mapping", "write '- id: …' with geneMarkers: [...]");
            }
            var id = Scalar(map, "id") ?? throw new InputException(at, "a cell type without an id");
            if (!map.Children.TryGetValue("geneMarkers", out var genesNode) || genesNode is not YamlSequenceNode genes || genes.Children.Count == 0)
            {
                throw new InputException(at, $"cell type '{id}' has no geneMarkers list", "give at least one gene symbol");
            }
            string ontologyId = "", ontologyLabel = "";
            if (map.Children.TryGetValue("cellOntology", out var cl))
            {
                if (cl is YamlScalarNode s)
                {
                    ontologyId = s.Value ?? "";
                }
                else if (cl is YamlMappingNode m)
                {
                    ontologyId = Scalar(m, "id") ?? "";
                    ontologyLabel = Scalar(m, "label") ?? "";
                }
            }
            if (ontologyId.Length > 0 && !ontologyId.StartsWith("CL:", StringComparison.Ordinal))
            {
                throw new InputException(at, $"cell type '{id}': cellOntology '{ontologyId}' is not a Cell Ontology id", "write CL:0000000");
            }
            var negative = map.Children.TryGetValue("negativeMarkers", out var negNode) && negNode is YamlSequenceNode negList
                ? negList.Children.Select(g => ((YamlScalarNode)g).Value ?? "").Where(g => g.Length > 0).ToImmutableArray()
                : [];
            sets.Add(new MarkerSet(id, Scalar(map, "name") ?? id, Scalar(map, "class") ?? id, ontologyId, ontologyLabel,
                [.. genes.Children.Select(g => ((YamlScalarNode)g).Value ?? "").Where(g => g.Length > 0)]) { NegativeGenes = negative });
        }
        var duplicate = sets.GroupBy(s => s.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InputException(InputLocation.InFile(path), $"cell type '{duplicate.Key}' is listed twice");
        }
        return new MarkerCatalogue(path, sets.ToImmutable());
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(key, out var v) && v is YamlScalarNode s ? s.Value : null;
}
