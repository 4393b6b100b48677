using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MilkCells.Core.Errors;
using MilkCells.Core.Provenance;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Yaml;
using YamlDotNet.RepresentationModel;

namespace MilkCells.Model.Loading;

/// <summary>Reads the model's data files into a validated <see cref="MilkModel"/>, reporting every problem at once.</summary>
internal static partial class ModelLoader
{
    private static readonly string[] ParameterKeys =
        ["id", "value", "values", "keys", "points", "interpolation", "unit", "range", "condition", "source", "where", "confidence", "era", "note", "alternatives", "choice"];

    private static readonly string[] PointKeys = ["day", "value", "unit", "source", "note"];
    private static readonly string[] AlternativeKeys = ["value", "unit", "day", "key", "source", "condition", "confidence", "era", "note"];

    /// <summary>The YAML spelling of each confidence grade.</summary>
    public static readonly IReadOnlyDictionary<string, Confidence> Confidences = new Dictionary<string, Confidence>
    {
        ["high"] = Confidence.High, ["medium"] = Confidence.Medium, ["low"] = Confidence.Low, ["assumption"] = Confidence.Assumption,
    };

    /// <summary>The YAML spelling of each measurement era.</summary>
    public static readonly IReadOnlyDictionary<string, MeasurementEra> Eras = new Dictionary<string, MeasurementEra>
    {
        ["flow-cytometry"] = MeasurementEra.FlowCytometry, ["microscopy"] = MeasurementEra.Microscopy,
        ["scrna-seq"] = MeasurementEra.SingleCellRnaSeq, ["physiology"] = MeasurementEra.Physiology,
        ["animal"] = MeasurementEra.Animal, ["in-vitro"] = MeasurementEra.InVitro,
        ["lay-claim"] = MeasurementEra.LayClaim, ["derived"] = MeasurementEra.Derived,
    };

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]*$")]
    private static partial Regex IdPattern();

    /// <summary>Loads and validates the model; throws <see cref="InputProblemsException"/> listing every problem.</summary>
    public static MilkModel Load(IReadOnlyList<ModelFile> files)
    {
        var problems = new InputProblems();
        var roots = new Dictionary<string, (ModelFile File, YamlMap? Map)>();
        foreach (var file in files)
        {
            if (file.Text is null)
            {
                problems.Add(new InputLocation(File: file.DisplayPath), "model data file is missing");
                roots[file.Name] = (file, null);
                continue;
            }
            var root = YamlText.Parse(file.DisplayPath, file.Text, problems);
            YamlMap? map = null;
            if (root is YamlMappingNode m)
            {
                map = new YamlMap(file.DisplayPath, m, "", problems, TopLevelKeys(file.Name));
            }
            else if (root is not null)
            {
                problems.Add(file.DisplayPath, root, "", "the file must be a mapping of keys to values");
            }
            roots[file.Name] = (file, map);
        }
        YamlMap? Root(string name) => roots.TryGetValue(name, out var r) ? r.Map : null;

        var sources = ReadSources(Root("sources.yaml"));
        var sourceIds = sources.Select(s => s.Id).ToHashSet();
        var cellTypes = ReadCellTypes(Root("cell-types.yaml"), sourceIds);
        var stages = ReadStages(Root("stages.yaml"), sourceIds);
        if (Root("stages.yaml") is not null)
        {
            foreach (var anchor in ModelParameters.CompositionAnchors.Where(a => !stages.Any(s => s.Id == a)))
            {
                problems.Add(new InputLocation(File: "data/stages.yaml", Element: anchor), $"the model needs stage '{anchor}': its composition anchors the lactation curve (docs/model.md §4c)");
            }
        }
        var healthStates = ReadHealthStates(Root("health-states.yaml"));
        var (organs, fates) = ReadInfantAnatomy(Root("infant.yaml"), sourceIds);

        // Key sets need the cell types, organs and fates read above.
        var keySets = new Dictionary<string, IReadOnlyCollection<string>>();
        var partial = new MilkModel("", sources, cellTypes, stages, healthStates, organs, fates,
            ImmutableSortedDictionary<string, Parameter>.Empty, [], []);
        foreach (var set in MilkModel.KeySets)
        {
            keySets[set] = partial.KeysOf(set);
        }
        var context = new ReadContext(sources.ToDictionary(s => s.Id), keySets);

        var parameters = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in ModelFiles.Names)
        {
            if (Root(name) is { } map && map.Has("parameters"))
            {
                foreach (var item in map.MapList("parameters", ParameterKeys))
                {
                    if (item.Node.Children.TryGetValue(new YamlScalarNode("id"), out var idNode) && idNode is YamlScalarNode { Value: { } declaredId })
                    {
                        declared.Add(declaredId);
                    }
                    if (ReadParameter(item, context) is not { } p)
                    {
                        continue;
                    }
                    if (!parameters.TryAdd(p.Id, p))
                    {
                        problems.Add(p.Location, $"parameter '{p.Id}' is defined twice (first at {parameters[p.Id].Location})");
                    }
                }
            }
        }
        var requirements = ModelParameters.Required(stages, healthStates);
        CheckRequirements(parameters, declared, requirements, problems);

        var profiles = ReadProfiles(Root("profiles.yaml"), context, parameters, requirements);
        var checks = ReadChecks(Root("evidence-checks.yaml"), sourceIds);

        problems.ThrowIfAny();
        return new MilkModel(Version(files), sources, cellTypes, stages, healthStates, organs, fates,
            parameters.ToImmutableSortedDictionary(StringComparer.Ordinal), profiles, checks);
    }

    private static string[] TopLevelKeys(string file) => file switch
    {
        "sources.yaml" => ["sources"],
        "cell-types.yaml" => ["cellTypes"],
        "stages.yaml" => ["stages"],
        "health-states.yaml" => ["healthStates"],
        "infant.yaml" => ["organs", "fates", "parameters"],
        "profiles.yaml" => ["profiles"],
        "evidence-checks.yaml" => ["checks"],
        _ => ["parameters"],
    };

    private static string Version(IReadOnlyList<ModelFile> files)
    {
        var text = string.Concat(files.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => f.Name + "\n" + (f.Text ?? "") + "\n"));
        return "model-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
    }

    // --- sources, cell types, stages, health states, anatomy ----------------------------------------------------------

    private static ImmutableArray<Source> ReadSources(YamlMap? root)
    {
        var list = new List<Source>();
        if (root is null)
        {
            return [];
        }
        foreach (var m in root.MapList("sources", ["id", "citation", "doi", "pmid", "evidence", "match", "found", "convention"], required: true))
        {
            var id = m.String("id", required: true);
            var citation = m.String("citation", required: true);
            var evidence = m.String("evidence");
            var match = m.String("match");
            var found = m.String("found");
            var convention = m.Bool("convention") ?? false;
            if (id is null || citation is null)
            {
                continue;
            }
            var kinds = (evidence is not null ? 1 : 0) + (found is not null ? 1 : 0) + (convention ? 1 : 0);
            if (kinds != 1)
            {
                m.Problems.Add(m.Location, $"source '{id}' must say exactly one of: evidence (a row of the evidence table), found (where it was read), convention: true");
            }
            if (evidence is not null && match is null)
            {
                m.Problems.Add(m.Location, $"source '{id}' cites the evidence table but gives no 'match' text to find its row");
            }
            if (id is Sources.Assumption or Sources.Derived)
            {
                m.Problems.Add(m.LocationOf("id"), $"'{id}' is reserved (it marks parameters without a source)");
            }
            if (list.Any(s => s.Id == id))
            {
                m.Problems.Add(m.LocationOf("id"), $"source '{id}' is declared twice");
            }
            list.Add(new Source(id, citation, m.String("doi"), m.String("pmid"), evidence, match, found, convention, m.Location));
        }
        return [.. list];
    }

    private static ImmutableArray<CellType> ReadCellTypes(YamlMap? root, HashSet<string> sourceIds)
    {
        var list = new List<CellType>();
        if (root is null)
        {
            return [];
        }
        var classes = new Dictionary<string, CellClass> { ["epithelial"] = CellClass.Epithelial, ["leucocyte"] = CellClass.Leucocyte, ["stem"] = CellClass.Stem };
        var origins = new Dictionary<string, CellOrigin>
        {
            ["mammary-epithelium"] = CellOrigin.MammaryEpithelium, ["maternal-blood"] = CellOrigin.MaternalBlood, ["stem-niche"] = CellOrigin.StemNiche,
        };
        var matches = new Dictionary<string, OntologyMatch> { ["exact"] = OntologyMatch.Exact, ["broader"] = OntologyMatch.Broader, ["related"] = OntologyMatch.Related };
        foreach (var m in root.MapList("cellTypes",
                     ["id", "name", "class", "origin", "cellOntology", "proteinMarkers", "geneMarkers", "markerSources", "tags", "note"], required: true))
        {
            var id = m.String("id", required: true);
            var name = m.String("name", required: true);
            var cls = m.Choice("class", classes.Keys, required: true);
            var origin = m.Choice("origin", origins.Keys, required: true);
            OntologyTerm? term = null;
            if (m.Map("cellOntology", ["id", "label", "match"]) is { } cl)
            {
                var clId = cl.String("id", required: true);
                var label = cl.String("label", required: true);
                var match = cl.Choice("match", matches.Keys, required: true);
                if (clId is not null && !ClPattern().IsMatch(clId))
                {
                    cl.Problems.Add(cl.LocationOf("id"), $"'{clId}' is not a Cell Ontology id (CL:0000000)");
                }
                if (clId is not null && label is not null && match is not null)
                {
                    term = new OntologyTerm(clId, label, matches[match]);
                }
            }
            var markerSources = m.StringList("markerSources", required: true);
            foreach (var s in markerSources.Where(s => !sourceIds.Contains(s)))
            {
                UnknownSource(m, "markerSources", s, sourceIds);
            }
            if (id is null || name is null || cls is null || origin is null)
            {
                continue;
            }
            if (!IdPattern().IsMatch(id))
            {
                m.Problems.Add(m.LocationOf("id"), $"cell type id '{id}' must be lower-case letters, digits and '-'");
            }
            if (list.Any(c => c.Id == id))
            {
                m.Problems.Add(m.LocationOf("id"), $"cell type '{id}' is declared twice");
            }
            list.Add(new CellType(id, name, classes[cls], origins[origin], term, [.. m.StringList("proteinMarkers", required: true)],
                [.. m.StringList("geneMarkers", required: true)], [.. markerSources], [.. m.StringList("tags")], m.String("note"), m.Location));
        }
        return [.. list];
    }

    [GeneratedRegex("^CL:[0-9]{7}$")]
    private static partial Regex ClPattern();

    private static ImmutableArray<Stage> ReadStages(YamlMap? root, HashSet<string> sourceIds)
    {
        var list = new List<Stage>();
        if (root is null)
        {
            return [];
        }
        foreach (var m in root.MapList("stages", ["id", "name", "firstDay", "lastDay", "afterWeaning", "source", "note"], required: true))
        {
            var id = m.String("id", required: true);
            var name = m.String("name", required: true);
            var after = m.Bool("afterWeaning") ?? false;
            var first = m.Integer("firstDay", required: !after);
            var last = m.Integer("lastDay", required: !after);
            var source = m.String("source", required: true);
            if (source is not null && !sourceIds.Contains(source))
            {
                UnknownSource(m, "source", source, sourceIds);
            }
            if (first is not null && last is not null && last < first)
            {
                m.Problems.Add(m.LocationOf("lastDay"), $"stage '{id}' ends (day {last}) before it starts (day {first})");
            }
            if (list.LastOrDefault(s => s.LastDay is not null) is { } previous && first is not null && previous.LastDay + 1 != first)
            {
                m.Problems.Add(m.LocationOf("firstDay"), $"stage '{id}' must start the day after '{previous.Id}' ends (day {previous.LastDay + 1})");
            }
            if (id is not null && name is not null && source is not null)
            {
                list.Add(new Stage(id, name, first, last, after, source, m.String("note"), m.Location));
            }
        }
        return [.. list];
    }

    private static ImmutableArray<HealthState> ReadHealthStates(YamlMap? root)
    {
        var list = new List<HealthState>();
        if (root is null)
        {
            return [];
        }
        var scopes = new Dictionary<string, HealthScope> { ["breast"] = HealthScope.Breast, ["mother"] = HealthScope.Mother, ["infant"] = HealthScope.Infant };
        foreach (var m in root.MapList("healthStates", ["id", "name", "scope", "description"], required: true))
        {
            var id = m.String("id", required: true);
            var name = m.String("name", required: true);
            var scope = m.Choice("scope", scopes.Keys, required: true);
            var description = m.String("description", required: true);
            if (id is not null && name is not null && scope is not null && description is not null)
            {
                list.Add(new HealthState(id, name, scopes[scope], description, m.Location));
            }
        }
        return [.. list];
    }

    private static (ImmutableArray<string>, ImmutableArray<InfantFate>) ReadInfantAnatomy(YamlMap? root, HashSet<string> sourceIds)
    {
        if (root is null)
        {
            return ([], []);
        }
        var organs = root.StringList("organs", required: true);
        var fates = new List<InfantFate>();
        foreach (var m in root.MapList("fates", ["id", "organ", "name", "source"], required: true))
        {
            var id = m.String("id", required: true);
            var organ = m.Choice("organ", organs.ToArray(), required: true);
            var name = m.String("name", required: true);
            var source = m.String("source", required: true);
            if (source is not null && !sourceIds.Contains(source))
            {
                UnknownSource(m, "source", source, sourceIds);
            }
            if (id is not null && organ is not null && name is not null && source is not null)
            {
                fates.Add(new InfantFate(id, organ, name, source));
            }
        }
        return ([.. organs], [.. fates]);
    }

    // --- parameters -------------------------------------------------------------------------------------------------

    /// <summary>What reading a parameter needs: the sources and the key sets of tables.</summary>
    internal sealed record ReadContext(IReadOnlyDictionary<string, Source> Sources, IReadOnlyDictionary<string, IReadOnlyCollection<string>> KeySets);

    /// <summary>Reads one parameter entry; null after recording its problems.</summary>
    internal static Parameter? ReadParameter(YamlMap m, ReadContext context)
    {
        var problemsBefore = m.Problems.All.Count;
        var id = m.String("id", required: true);
        if (id is not null && !IdPattern().IsMatch(id))
        {
            m.Problems.Add(m.LocationOf("id"), $"parameter id '{id}' must be lower-case letters, digits, '.', '_' and '-'");
        }
        var unitText = m.String("unit", required: true);
        var unit = unitText is null ? null : UnitSpec.Parse(unitText);
        if (unitText is not null && unit is null)
        {
            var hint = Spelling.Suggest(unitText, UnitSpec.Texts);
            m.Problems.Add(m.LocationOf("unit"), $"unknown unit '{unitText}'", hint is null ? $"one of: {string.Join(", ", UnitSpec.Texts)}" : $"did you mean '{hint}'?");
        }
        var condition = m.String("condition", required: true);
        var confidence = m.Choice("confidence", Confidences.Keys.ToArray(), required: true);
        var era = m.Choice("era", Eras.Keys.ToArray(), required: true);
        var sourceIds = ReadSourceIds(m, "source", context, required: true);
        var where = m.String("where");
        var note = m.String("note");

        var hasValue = m.Has("value");
        var hasValues = m.Has("values");
        var hasPoints = m.Has("points");
        if ((hasValue ? 1 : 0) + (hasValues ? 1 : 0) + (hasPoints ? 1 : 0) != 1)
        {
            m.Problems.Add(m.Location, $"parameter '{id}' must have exactly one of 'value', 'values' (a table) or 'points' (a curve)");
        }
        var factor = unit?.Factor ?? 1;
        var shape = hasValues ? ParameterShape.Table : hasPoints ? ParameterShape.Curve : ParameterShape.Scalar;
        var value = double.NaN;
        var table = ImmutableSortedDictionary<string, double>.Empty.WithComparers(StringComparer.Ordinal);
        string? keySet = null;
        var points = ImmutableArray<CurvePoint>.Empty;
        if (hasValue && m.Number("value") is { } v)
        {
            value = v * factor;
        }
        if (hasValues)
        {
            keySet = m.Choice("keys", MilkModel.KeySets, required: true);
            var allowed = keySet is null ? null : context.KeySets[keySet];
            var builder = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
            foreach (var (key, number, node) in m.NumberTable("values"))
            {
                if (allowed is not null && !allowed.Contains(key))
                {
                    var hint = Spelling.Suggest(key, allowed);
                    m.Problems.Add(m.File, node, $"{id}.values.{key}", $"unknown {keySet} '{key}'",
                        hint is null ? $"one of: {string.Join(", ", allowed)}" : $"did you mean '{hint}'?");
                    continue;
                }
                builder[key] = number * factor;
            }
            table = builder.ToImmutable();
            if (allowed is not null)
            {
                foreach (var missing in allowed.Where(k => !table.ContainsKey(k)))
                {
                    m.Problems.Add(m.LocationOf("values"), $"table '{id}' has no entry for {keySet} '{missing}'");
                }
            }
        }
        if (hasPoints)
        {
            if (m.Choice("interpolation", ["linear"]) is null && !m.Has("interpolation"))
            {
                m.Problems.Add(m.Location, $"curve '{id}' must say its interpolation (linear)");
            }
            var list = new List<CurvePoint>();
            foreach (var pm in m.MapList("points", PointKeys))
            {
                var day = pm.Number("day", required: true);
                var pv = pm.Number("value", required: true);
                var pointUnit = PointUnit(pm, unit);
                var ps = pm.String("source", required: true);
                var pnote = pm.String("note");
                if (ps is not null && ps != Sources.Assumption && !context.Sources.ContainsKey(ps))
                {
                    UnknownSource(pm, "source", ps, context.Sources.Keys);
                }
                if (ps == Sources.Assumption && string.IsNullOrWhiteSpace(pnote))
                {
                    pm.Problems.Add(pm.Location, "an assumed point must state its reasoning (note)");
                }
                if (day is not null && pv is not null && ps is not null)
                {
                    if (list.Count > 0 && day <= list[^1].Day)
                    {
                        pm.Problems.Add(pm.LocationOf("day"), $"curve points must be in increasing day order (day {day} after day {list[^1].Day})");
                    }
                    list.Add(new CurvePoint(day.Value, pv.Value * (pointUnit?.Factor ?? factor), ps, pnote));
                }
            }
            if (list.Count < 2)
            {
                m.Problems.Add(m.LocationOf("points"), $"curve '{id}' needs at least two points");
            }
            points = [.. list];
        }
        (double, double)? range = null;
        if (m.Value("range") is YamlSequenceNode { Children.Count: 2 } r
            && m.ParseNumber(r.Children[0], $"{id}.range") is { } lo && m.ParseNumber(r.Children[1], $"{id}.range") is { } hi)
        {
            range = (lo * factor, hi * factor);
            if (lo > hi)
            {
                m.Problems.Add(m.LocationOf("range"), $"range [{lo}, {hi}] is reversed");
            }
        }
        else if (m.Has("range"))
        {
            m.Problems.Add(m.LocationOf("range"), "range must be a list of two numbers: [min, max]");
        }
        var alternatives = new List<ParameterAlternative>();
        foreach (var am in m.MapList("alternatives", AlternativeKeys))
        {
            var av = am.Number("value", required: true);
            var au = PointUnit(am, unit);
            var asrc = ReadSourceIds(am, "source", context, required: true);
            var acond = am.String("condition", required: true);
            var aconf = am.Choice("confidence", Confidences.Keys.ToArray(), required: true);
            var aera = am.Choice("era", Eras.Keys.ToArray(), required: true);
            var akey = am.String("key");
            if (akey is not null && !table.ContainsKey(akey))
            {
                am.Problems.Add(am.LocationOf("key"), $"alternative for '{akey}', which is not an entry of '{id}'",
                    table.IsEmpty ? "'key' is for table parameters" : $"one of: {string.Join(", ", table.Keys)}");
            }
            if (av is not null && asrc.Length > 0 && acond is not null && aconf is not null && aera is not null)
            {
                alternatives.Add(new ParameterAlternative(av.Value * (au?.Factor ?? factor), am.Number("day"),
                    new Provenance(CiteAll(asrc, null, context, am.String("note")), acond, Confidences[aconf], Eras[aera]), asrc[0], akey));
            }
        }
        var choice = m.String("choice");

        if (id is null || unit is null || condition is null || confidence is null || era is null || sourceIds.Length == 0
            || m.Problems.All.Count > problemsBefore)
        {
            return null;
        }
        var provenance = new Provenance(CiteAll(sourceIds, where, context, note), condition, Confidences[confidence], Eras[era]);
        var parameter = new Parameter(id, shape, value, table, keySet, points, unit.Canonical, unitText!, provenance, sourceIds, where, note,
            range, [.. alternatives], choice, m.Location);
        foreach (var problem in parameter.Problems())
        {
            m.Problems.Add(m.Location, $"parameter '{id}': {problem}");
        }
        return parameter;
    }

    private static UnitSpec? PointUnit(YamlMap m, UnitSpec? parentUnit)
    {
        if (m.String("unit") is not { } text)
        {
            return parentUnit;
        }
        var unit = UnitSpec.Parse(text);
        if (unit is null || (parentUnit is not null && unit.Canonical != parentUnit.Canonical))
        {
            m.Problems.Add(m.LocationOf("unit"), $"unit '{text}' does not measure the same thing as '{parentUnit?.Text}'");
            return null;
        }
        return unit;
    }

    private static ImmutableArray<string> ReadSourceIds(YamlMap m, string key, ReadContext context, bool required)
    {
        var node = m.Value(key, required);
        IReadOnlyList<string> ids = node switch
        {
            null => [],
            YamlScalarNode { Value: { } s } => [s],
            YamlSequenceNode => m.StringList(key),
            _ => Array.Empty<string>(),
        };
        foreach (var id in ids)
        {
            if (id is not Sources.Assumption and not Sources.Derived && !context.Sources.ContainsKey(id))
            {
                UnknownSource(m, key, id, context.Sources.Keys);
            }
        }
        return [.. ids];
    }

    private static string CiteAll(ImmutableArray<string> ids, string? where, ReadContext context, string? note)
    {
        var parts = ids.Select(id => id switch
        {
            Sources.Assumption => "assumption: " + (note ?? "(reasoning missing)"),
            Sources.Derived => "derived: " + (note ?? "(formula missing)"),
            _ => context.Sources.TryGetValue(id, out var s) ? s.Cite() : id,
        });
        var text = string.Join("; ", parts);
        return where is null ? text : $"{text} ({where})";
    }

    private static void UnknownSource(YamlMap m, string key, string id, IEnumerable<string> known)
    {
        var hint = Spelling.Suggest(id, known.Append(Sources.Assumption));
        m.Problems.Add(m.LocationOf(key), $"unknown source '{id}'", hint is null ? "declare it in data/sources.yaml" : $"did you mean '{hint}'?");
    }

    private static void CheckRequirements(Dictionary<string, Parameter> parameters, HashSet<string> declared,
        ImmutableArray<ModelParameters.Requirement> requirements, InputProblems problems)
    {
        var required = requirements.ToDictionary(r => r.Id);
        foreach (var p in parameters.Values)
        {
            if (!required.TryGetValue(p.Id, out var req))
            {
                var hint = Spelling.Suggest(p.Id, required.Keys);
                problems.Add(p.Location, $"unknown parameter '{p.Id}': the model does not use it",
                    hint is null ? "see ModelParameters for the ids the model uses" : $"did you mean '{hint}'?");
                continue;
            }
            CheckAgainst(p, req, problems);
        }
        foreach (var req in requirements.Where(r => !declared.Contains(r.Id))) // a declared one that failed to read is reported already
        {
            problems.Add(new InputLocation(File: "data/", Element: req.Id), $"missing parameter '{req.Id}' ({UnitSpec.CanonicalText(req.Unit)}, {req.Shape.ToString().ToLowerInvariant()})");
        }
    }

    private static void CheckAgainst(Parameter p, ModelParameters.Requirement req, InputProblems problems)
    {
        if (p.Unit != req.Unit)
        {
            problems.Add(p.Location, $"parameter '{p.Id}' must be in {UnitSpec.CanonicalText(req.Unit)} (or a unit convertible to it), was '{p.UnitText}'");
        }
        if (p.Shape != req.Shape || p.KeySet != req.Keys)
        {
            problems.Add(p.Location, $"parameter '{p.Id}' must be a {req.Shape.ToString().ToLowerInvariant()}" + (req.Keys is null ? "" : $" keyed by {req.Keys}"));
        }
        if (req.SumsToOne && p.Shape == ParameterShape.Table && Math.Abs(p.Table.Values.Sum() - 1) > 1e-3)
        {
            problems.Add(p.Location, $"the shares in '{p.Id}' add up to {p.Table.Values.Sum():0.####}, not 1");
        }
    }

    // --- profiles and checks ----------------------------------------------------------------------------------------

    private static ImmutableArray<Profile> ReadProfiles(YamlMap? root, ReadContext context, Dictionary<string, Parameter> baseParameters,
        ImmutableArray<ModelParameters.Requirement> requirements)
    {
        var list = new List<Profile>();
        if (root is null)
        {
            return [];
        }
        var required = requirements.ToDictionary(r => r.Id);
        foreach (var m in root.MapList("profiles", ["id", "name", "era", "default", "marking", "description", "overrides"], required: true))
        {
            var id = m.String("id", required: true);
            var name = m.String("name", required: true);
            var era = m.Choice("era", Eras.Keys.ToArray(), required: true);
            var marking = m.String("marking", required: true);
            var description = m.String("description", required: true);
            var isDefault = m.Bool("default") ?? false;
            var overrides = ImmutableSortedDictionary.CreateBuilder<string, Parameter>(StringComparer.Ordinal);
            foreach (var om in m.MapList("overrides", ParameterKeys))
            {
                if (ReadParameter(om, context) is not { } p)
                {
                    continue;
                }
                if (!baseParameters.ContainsKey(p.Id))
                {
                    var hint = Spelling.Suggest(p.Id, baseParameters.Keys);
                    om.Problems.Add(om.LocationOf("id"), $"profile '{id}' overrides '{p.Id}', which the model does not have",
                        hint is null ? null : $"did you mean '{hint}'?");
                    continue;
                }
                if (required.TryGetValue(p.Id, out var req))
                {
                    CheckAgainst(p, req, om.Problems);
                }
                overrides[p.Id] = p;
            }
            if (isDefault && overrides.Count > 0)
            {
                m.Problems.Add(m.Location, "the default profile must not override parameters: it is the model's own values");
            }
            if (id is not null && name is not null && era is not null && marking is not null && description is not null)
            {
                list.Add(new Profile(id, name, Eras[era], isDefault, marking, description, overrides.ToImmutable(), m.Location));
            }
        }
        if (list.Count(p => p.IsDefault) != 1)
        {
            root.Problems.Add(root.Location, $"exactly one profile must be the default (found {list.Count(p => p.IsDefault)})");
        }
        return [.. list];
    }

    private static ImmutableArray<EvidenceCheck> ReadChecks(YamlMap? root, HashSet<string> sourceIds)
    {
        var list = new List<EvidenceCheck>();
        if (root is null)
        {
            return [];
        }
        foreach (var m in root.MapList("checks", ["id", "quantity", "min", "max", "target", "unit", "days", "scenario", "source", "row", "note"], required: true))
        {
            var id = m.String("id", required: true);
            var quantity = m.String("quantity", required: true);
            var unit = m.String("unit", required: true);
            var scenario = m.String("scenario", required: true);
            var source = m.String("source", required: true);
            var row = m.String("row", required: true);
            int? first = null, last = null;
            if (m.Value("days") is YamlSequenceNode { Children.Count: 2 } days)
            {
                first = (int?)m.ParseNumber(days.Children[0], $"{id}.days");
                last = (int?)m.ParseNumber(days.Children[1], $"{id}.days");
            }
            if (source is not null && !sourceIds.Contains(source))
            {
                UnknownSource(m, "source", source, sourceIds);
            }
            var (min, max, target) = (m.Number("min"), m.Number("max"), m.Number("target"));
            if (min is null && max is null && target is null)
            {
                m.Problems.Add(m.Location, $"check '{id}' needs a min, a max or a target");
            }
            if (id is not null && quantity is not null && unit is not null && scenario is not null && source is not null && row is not null)
            {
                list.Add(new EvidenceCheck(id, quantity, min, max, target, unit, first, last, scenario, source, row, m.String("note")));
            }
        }
        return [.. list];
    }
}
