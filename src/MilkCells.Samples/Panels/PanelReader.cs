using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using MilkCells.Core.Errors;
using MilkCells.Cytometry.Gating;
using MilkCells.Model.Catalogue;

namespace MilkCells.Samples.Panels;

/// <summary>Reads a panel: the Gating-ML 2.0 gates (<see cref="GatingMLReader"/>) and the MilkCells mapping in their custom_info.</summary>
public static class PanelReader
{
    /// <summary>The XML namespace of the MilkCells elements inside <c>data-type:custom_info</c>.</summary>
    public static readonly XNamespace Namespace = "urn:milkcells:panel:1";

    private static readonly Dictionary<string, PopulationRole> RoleNames = new(StringComparer.Ordinal)
    {
        ["population"] = PopulationRole.Population,
        ["nucleated"] = PopulationRole.Nucleated,
        ["singlets"] = PopulationRole.Singlets,
        ["beads"] = PopulationRole.Beads,
        ["viable"] = PopulationRole.Viable,
    };

    /// <summary>Reads a panel file.</summary>
    /// <exception cref="InputException">The file is missing, not Gating-ML 2.0, or names an unknown cell type or role.</exception>
    public static Panel ReadFile(string path, MilkModel model)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(InputLocation.InFile(path), $"cannot read the panel: {ex.Message}", "give a Gating-ML 2.0 file, or a built-in panel: " + string.Join(", ", BuiltInPanels.Names));
        }
        return Parse(text, path, path, Path.GetFileNameWithoutExtension(path), model);
    }

    /// <summary>Parses panel text; <paramref name="file"/> names it in messages.</summary>
    public static Panel Parse(string xml, string file, string origin, string defaultName, MilkModel model)
    {
        var document = GatingMLReader.Parse(xml, file);
        XDocument tree;
        using (var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null }))
        {
            tree = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        var problems = new List<InputException>();
        var panelElement = tree.Root!.Elements(GatingMLReader.DataTypeNs + "custom_info").Elements(Namespace + "panel").FirstOrDefault();
        var name = (string?)panelElement?.Attribute("name") ?? defaultName;
        var title = (string?)panelElement?.Attribute("title") ?? $"panel {name}";
        var sources = panelElement?.Elements(Namespace + "source").Select(s => s.Value.Trim()).ToImmutableArray() ?? [];
        var stains = panelElement?.Elements(Namespace + "stain").Select(s => new PanelStain(
            (string?)s.Attribute("channel") ?? "", (string?)s.Attribute("marker") ?? "", (string?)s.Attribute("fluorochrome") ?? "", (string?)s.Attribute("role"))).ToImmutableArray() ?? [];

        // Each gate element's own custom_info, by gate id (quadrants inherit nothing: they are mapped by id).
        var infoById = new Dictionary<string, XElement>(StringComparer.Ordinal);
        foreach (var gate in tree.Descendants().Where(e => e.Name.Namespace == GatingMLReader.GatingNs && e.Name.LocalName.EndsWith("Gate", StringComparison.Ordinal)))
        {
            var id = (string?)gate.Attribute(GatingMLReader.GatingNs + "id") ?? (string?)gate.Attribute("id");
            var info = gate.Elements(GatingMLReader.DataTypeNs + "custom_info").Elements(Namespace + "population").FirstOrDefault();
            if (id is not null && info is not null)
            {
                infoById[id] = info;
            }
        }

        var populations = ImmutableArray.CreateBuilder<PanelPopulation>();
        foreach (var id in document.PopulationIds)
        {
            var parent = document.ParentOf(id);
            if (infoById.TryGetValue(id, out var info))
            {
                var at = Where(file, info);
                var roleText = (string?)info.Attribute("role") ?? "population";
                if (!RoleNames.TryGetValue(roleText, out var role))
                {
                    problems.Add(new InputException(at, $"population '{id}': unknown role '{roleText}'", "roles: " + string.Join(", ", RoleNames.Keys)));
                    continue;
                }
                var types = ResolveTypes((string?)info.Attribute("cellTypes") ?? "", model, at, id, problems);
                populations.Add(new PanelPopulation(id, parent, (string?)info.Attribute("label") ?? id, role, types, (string?)info.Attribute("source")));
            }
            else
            {
                var role = RoleNames.TryGetValue(id, out var r) && r != PopulationRole.Population ? r : PopulationRole.Population;
                ImmutableArray<string> types = role is PopulationRole.Singlets or PopulationRole.Nucleated or PopulationRole.Viable
                    ? [.. model.CellTypes.Select(t => t.Id)]
                    : ById(id, model);
                populations.Add(new PanelPopulation(id, parent, id, role, types, null));
            }
        }
        foreach (var role in new[] { PopulationRole.Nucleated, PopulationRole.Singlets, PopulationRole.Beads, PopulationRole.Viable })
        {
            var holders = populations.Where(p => p.Role == role).ToList();
            if (holders.Count > 1)
            {
                problems.Add(new InputException(InputLocation.InFile(file), $"{holders.Count} populations have the role '{role.ToString().ToLowerInvariant()}' ({string.Join(", ", holders.Select(h => h.Id))})", "give each role to one population"));
            }
        }
        var singlets = populations.FirstOrDefault(p => p.Role == PopulationRole.Singlets);
        var nucleated = populations.FirstOrDefault(p => p.Role == PopulationRole.Nucleated);
        if (singlets is not null && nucleated is not null && singlets.ParentId != nucleated.Id)
        {
            problems.Add(new InputException(InputLocation.InFile(file), $"the singlets population '{singlets.Id}' must have the nucleated population '{nucleated.Id}' as its parent",
                "aggregates are counted as nucleated events outside the singlet gate"));
        }
        if (problems.Count > 0)
        {
            throw problems.Count == 1 ? problems[0] : new InputProblemsException(problems);
        }
        return new Panel(name, title, origin, document, stains, sources, populations.ToImmutable(), xml);
    }

    /// <summary>Cell types written as ids, <c>class:NAME</c>, or <c>*</c> (every type).</summary>
    private static ImmutableArray<string> ResolveTypes(string text, MilkModel model, InputLocation at, string id, List<InputException> problems)
    {
        var result = new List<string>();
        foreach (var token in text.Split([' ', ',', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (token == "*")
            {
                result.AddRange(model.CellTypes.Select(t => t.Id));
            }
            else if (token.StartsWith("class:", StringComparison.Ordinal))
            {
                var cls = token["class:".Length..];
                var types = model.CellTypes.Where(t => t.ClassKey == cls).Select(t => t.Id).ToList();
                if (types.Count == 0)
                {
                    problems.Add(new InputException(at, $"population '{id}': unknown cell class '{cls}'", "classes: epithelial, leucocyte, stem"));
                }
                result.AddRange(types);
            }
            else if (model.CellTypes.Any(t => t.Id == token))
            {
                result.Add(token);
            }
            else
            {
                problems.Add(new InputException(at, $"population '{id}': unknown cell type '{token}'",
                    "cell types of data/cell-types.yaml: " + string.Join(", ", model.CellTypes.Select(t => t.Id))));
            }
        }
        var order = model.CellTypes.Select((t, i) => (t.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        return [.. result.Distinct(StringComparer.Ordinal).OrderBy(t => order[t])];
    }

    /// <summary>A gate named like a model cell type or class holds those cells.</summary>
    private static ImmutableArray<string> ById(string id, MilkModel model)
    {
        if (model.CellTypes.Any(t => t.Id == id))
        {
            return [id];
        }
        var cls = id.TrimEnd('s');
        return [.. model.CellTypes.Where(t => t.ClassKey == cls).Select(t => t.Id)];
    }

    private static InputLocation Where(string file, XElement element) =>
        element is IXmlLineInfo info && info.HasLineInfo() ? InputLocation.AtLine(file, info.LineNumber, info.LinePosition) : InputLocation.InFile(file);
}

/// <summary>The panels shipped with the model (data/panels/*.xml, embedded).</summary>
public static class BuiltInPanels
{
    /// <summary>The built-in panel names.</summary>
    public static readonly ImmutableArray<string> Names = ["milk-basic", "milk-leucocytes"];

    /// <summary>The default panel.</summary>
    public const string Default = "milk-basic";

    /// <summary>A built-in panel by name, or a panel file by path.</summary>
    /// <exception cref="InputException">Neither a built-in name nor a readable file.</exception>
    public static Panel Load(string nameOrPath, MilkModel model)
    {
        if (Names.Contains(nameOrPath))
        {
            return Parse(nameOrPath, model);
        }
        if (!File.Exists(nameOrPath))
        {
            var looksLikePath = nameOrPath.Contains('/') || nameOrPath.EndsWith(".xml", StringComparison.OrdinalIgnoreCase);
            throw new InputException(new InputLocation(File: looksLikePath ? nameOrPath : null, Element: "--panel"),
                looksLikePath ? "panel file not found" : $"unknown panel '{nameOrPath}'",
                $"built-in panels: {string.Join(", ", Names)}; or give a Gating-ML 2.0 file");
        }
        return PanelReader.ReadFile(nameOrPath, model);
    }

    /// <summary>The Gating-ML text of a built-in panel.</summary>
    public static string Text(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"MilkCells.Samples.panels.{name}.xml")
            ?? throw new InvalidOperationException($"built-in panel '{name}' is not embedded");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static Panel Parse(string name, MilkModel model) => PanelReader.Parse(Text(name), $"data/panels/{name}.xml", $"builtin:{name}", name, model);
}
