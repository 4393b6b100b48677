using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MilkCells.Core.Errors;
using MilkCells.Core.Files;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Loading;
using MilkCells.Model.Yaml;
using YamlDotNet.RepresentationModel;

namespace MilkCells.Model.Scenarios;

/// <summary>The keys a scenario file may use, per mapping (shared with the JSON Schema test).</summary>
public static class ScenarioKeys
{
    public static readonly string[] Top =
        ["name", "description", "startDay", "durationDays", "resolutionHours", "mother", "feeding", "events", "containers", "parameters"];

    public static readonly string[] Mother = ["mode", "productionFactor", "storageCapacityMl", "rightShare", "cellTypeFactors"];
    public static readonly string[] Feeding = ["mode", "exclusiveUntilDay", "schedule", "removalFraction"];
    public static readonly string[] Schedule = ["times", "breasts"];
    public static readonly string[] Container = ["id", "kind"];

    /// <summary>Keys of each event type (every event also has type, day and time).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Events = new Dictionary<string, string[]>
    {
        ["illness"] = ["state", "breast", "severity", "durationDays"],
        ["pump"] = ["breast", "container", "fraction"],
        ["store"] = ["container", "place"],
        ["thaw"] = ["container"],
        ["pasteurise"] = ["container"],
        ["formula"] = ["volumeMl", "container"],
        ["weaning"] = ["overDays"],
    };

    public static readonly string[] EventCommon = ["type", "day", "time"];
}

/// <summary>Reads scenario YAML (built-in or from a file) into a validated <see cref="Scenario"/>.</summary>
/// <remarks>
/// Every problem is reported at once as an <see cref="InputProblemsException"/>: the file, line and key, and a hint
/// (the nearest known word for typos). Problems: unknown keys, cell types, health states, containers or parameters;
/// negative rates; days outside lactation (day 0 to 4 years); contradictory events (overlapping episodes of one
/// illness, pumping after weaning, pasteurising an empty container…).
/// </remarks>
public static class ScenarioLoader
{
    /// <summary>The built-in scenarios, by name; the first is the default.</summary>
    public static readonly ImmutableArray<string> BuiltInNames =
        ["healthy", "colostrum-week", "mastitis", "infant-infection", "extended-lactation", "donor-milk"];

    /// <summary>The default scenario's name.</summary>
    public const string DefaultName = "healthy";

    /// <summary>A built-in scenario by name, or a scenario file by path (a path that exists wins).</summary>
    public static Scenario Load(string nameOrPath, MilkModel model)
    {
        if (File.Exists(nameOrPath))
        {
            return Parse(nameOrPath, InputFiles.ReadAllText(nameOrPath, "scenario file"), nameOrPath, model);
        }
        if (Directory.Exists(nameOrPath))
        {
            InputFiles.RequireFile(nameOrPath, "scenario file", "--scenario");
        }
        if (BuiltInNames.Contains(nameOrPath))
        {
            return BuiltIn(nameOrPath, model);
        }
        var looksLikePath = nameOrPath.Contains('/') || nameOrPath.Contains('\\') || nameOrPath.EndsWith(".yaml", StringComparison.Ordinal);
        var hint = Spelling.Suggest(nameOrPath, BuiltInNames);
        throw new InputException(new InputLocation(File: looksLikePath ? nameOrPath : null, Element: "--scenario"),
            looksLikePath ? "scenario file not found" : $"unknown scenario '{nameOrPath}'",
            hint is not null ? $"did you mean '{hint}'?" : $"built-in scenarios: {string.Join(", ", BuiltInNames)}; or give a path to a .yaml file");
    }

    /// <summary>The YAML text of a built-in scenario.</summary>
    public static string BuiltInText(string name) =>
        ModelFiles.EmbeddedText($"MilkCells.Model.scenarios.{name}.yaml")
        ?? throw new InvalidOperationException($"built-in scenario '{name}' is not embedded");

    /// <summary>A built-in scenario.</summary>
    public static Scenario BuiltIn(string name, MilkModel model) => Parse($"scenarios/{name}.yaml", BuiltInText(name), $"builtin:{name}", model);

    /// <summary>The published JSON Schema of scenario files.</summary>
    public static string JsonSchema() =>
        ModelFiles.EmbeddedText("MilkCells.Model.scenarios.scenario.schema.json") ?? throw new InvalidOperationException("schema not embedded");

    /// <summary>Parses and validates scenario text; <paramref name="file"/> names it in messages.</summary>
    public static Scenario Parse(string file, string text, string origin, MilkModel model)
    {
        var problems = new InputProblems();
        var root = YamlText.Parse(file, text, problems);
        if (root is not YamlMappingNode rootMap)
        {
            if (root is not null)
            {
                problems.Add(file, root, "", "a scenario must be a mapping of keys to values");
            }
            problems.ThrowIfAny();
            throw new InvalidOperationException("unreachable");
        }
        var m = new YamlMap(file, rootMap, "", problems, ScenarioKeys.Top);
        var reader = new Reader(model, problems, m);
        var scenario = reader.Read(origin, Hash(text));
        problems.ThrowIfAny();
        return scenario!;
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private sealed class Reader(MilkModel model, InputProblems problems, YamlMap root)
    {
        private readonly int _lastDay = model.LastLactationDay;

        public Scenario? Read(string origin, string hash)
        {
            var name = root.String("name", required: true);
            var description = root.String("description") ?? "";
            var startDay = root.Integer("startDay") ?? 0;
            var duration = root.Number("durationDays", required: true);
            var resolution = root.Number("resolutionHours") ?? 1;
            if (startDay < 0 || startDay > _lastDay)
            {
                problems.Add(root.LocationOf("startDay"), $"startDay {startDay} is outside lactation", LactationHint);
            }
            if (duration is <= 0)
            {
                problems.Add(root.LocationOf("durationDays"), $"durationDays must be positive, was {duration}");
            }
            else if (duration is { } d && startDay >= 0 && startDay <= _lastDay && startDay + Math.Ceiling(d) - 1 > _lastDay)
            {
                problems.Add(root.LocationOf("durationDays"),
                    $"the run would reach lactation day {startDay + Math.Ceiling(d) - 1}, outside lactation", LactationHint);
            }
            if (resolution is <= 0 or > 24)
            {
                problems.Add(root.LocationOf("resolutionHours"), $"resolutionHours must be in (0, 24], was {resolution}");
            }
            var mother = ReadMother();
            var feeding = ReadFeeding();
            var containers = ReadContainers();
            var overrides = ReadOverrides();
            var scenarioStub = new Scenario(name ?? "", description, origin, hash, startDay, duration ?? 0, resolution, mother, feeding, [], containers, overrides);
            var events = ReadEvents(scenarioStub);
            if (name is null || duration is null)
            {
                return null;
            }
            var scenario = scenarioStub with { Events = [.. events.OrderBy(e => e.Hours)] };
            CheckContradictions(scenario);
            return scenario;
        }

        private string LactationHint => $"lactation runs from day 0 (the first 24 h) to day {_lastDay} (4 years)";

        private MotherSpec ReadMother()
        {
            var m = root.Map("mother", ScenarioKeys.Mother);
            if (m is null)
            {
                return new MotherSpec(MotherMode.Fixed, null, null, null, ImmutableSortedDictionary<string, double>.Empty, root.Location);
            }
            var mode = m.Choice("mode", ["fixed", "sampled"]) ?? "fixed";
            var production = m.Number("productionFactor");
            var capacity = m.Number("storageCapacityMl");
            var rightShare = m.Number("rightShare");
            if (production is <= 0)
            {
                problems.Add(m.LocationOf("productionFactor"), $"productionFactor must be positive, was {production}");
            }
            if (capacity is <= 0)
            {
                problems.Add(m.LocationOf("storageCapacityMl"), $"storageCapacityMl must be positive, was {capacity}");
            }
            if (rightShare is < 0 or > 1)
            {
                problems.Add(m.LocationOf("rightShare"), $"rightShare must be a fraction in [0, 1], was {rightShare}");
            }
            var factors = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
            var cellIds = model.CellTypes.Select(c => c.Id).ToArray();
            foreach (var (key, value, node) in m.NumberTable("cellTypeFactors"))
            {
                if (!cellIds.Contains(key))
                {
                    var hint = Spelling.Suggest(key, cellIds);
                    problems.Add(m.File, node, $"mother.cellTypeFactors.{key}", $"unknown cell type '{key}'",
                        hint is null ? $"cell types: {string.Join(", ", cellIds)}" : $"did you mean '{hint}'?");
                    continue;
                }
                if (value < 0)
                {
                    problems.Add(m.File, node, $"mother.cellTypeFactors.{key}", $"a cell-type factor must be ≥ 0, was {value}");
                }
                factors[key] = value;
            }
            if (mode == "sampled" && (production ?? capacity ?? rightShare) is not null)
            {
                problems.Add(m.LocationOf("mode"), "a sampled mother draws her production, capacity and right share; fixed values contradict it",
                    "use mode: fixed, or remove the fixed values");
            }
            return new MotherSpec(mode == "sampled" ? MotherMode.Sampled : MotherMode.Fixed, production, capacity, rightShare, factors.ToImmutable(), m.Location);
        }

        private FeedingSpec ReadFeeding()
        {
            var m = root.Map("feeding", ScenarioKeys.Feeding);
            if (m is null)
            {
                return new FeedingSpec(FeedingMode.OnDemand, null, [], MealBreasts.Alternate, null, root.Location);
            }
            var mode = m.Choice("mode", ["on-demand", "schedule", "none"]) ?? "on-demand";
            var exclusive = m.Integer("exclusiveUntilDay");
            var fraction = m.Number("removalFraction");
            if (fraction is < 0 or > 1)
            {
                problems.Add(m.LocationOf("removalFraction"), $"removalFraction must be a fraction in [0, 1], was {fraction}");
            }
            var times = ImmutableArray<double>.Empty;
            var breasts = MealBreasts.Alternate;
            if (m.Map("schedule", ScenarioKeys.Schedule, required: mode == "schedule") is { } s)
            {
                if (mode != "schedule")
                {
                    problems.Add(m.LocationOf("schedule"), $"a feeding schedule is given but mode is '{mode}'", "set mode: schedule");
                }
                var list = new List<double>();
                foreach (var t in s.StringList("times", required: true))
                {
                    if (ClockHours(t) is { } h)
                    {
                        list.Add(h);
                    }
                    else
                    {
                        problems.Add(s.LocationOf("times"), $"'{t}' is not a clock time (HH:MM)");
                    }
                }
                if (list.Distinct().Count() != list.Count)
                {
                    problems.Add(s.LocationOf("times"), "the schedule lists the same time twice");
                }
                if (list.Count == 0)
                {
                    problems.Add(s.LocationOf("times"), "a feeding schedule needs at least one time");
                }
                times = [.. list.Order()];
                breasts = s.Choice("breasts", ["alternate", "both"]) == "both" ? MealBreasts.Both : MealBreasts.Alternate;
            }
            var feedingMode = mode switch { "schedule" => FeedingMode.Schedule, "none" => FeedingMode.None, _ => FeedingMode.OnDemand };
            return new FeedingSpec(feedingMode, exclusive, times, breasts, fraction, m.Location);
        }

        private ImmutableArray<ContainerSpec> ReadContainers()
        {
            var list = new List<ContainerSpec>();
            foreach (var c in root.MapList("containers", ScenarioKeys.Container))
            {
                var id = c.String("id", required: true);
                var kind = c.Choice("kind", ["expressed", "formula"]) ?? "expressed";
                if (id is null)
                {
                    continue;
                }
                if (list.Any(x => x.Id == id))
                {
                    problems.Add(c.LocationOf("id"), $"container '{id}' is declared twice");
                    continue;
                }
                list.Add(new ContainerSpec(id, kind == "formula" ? ContainerKind.Formula : ContainerKind.Expressed, c.Location));
            }
            return [.. list];
        }

        private ImmutableArray<ParameterOverride> ReadOverrides()
        {
            var node = root.Value("parameters");
            if (node is null)
            {
                return [];
            }
            if (node is not YamlMappingNode map)
            {
                problems.Add(root.LocationOf("parameters"), "'parameters' must map parameter ids to values");
                return [];
            }
            var list = new List<ParameterOverride>();
            foreach (var (k, v) in map.Children)
            {
                var id = (k as YamlScalarNode)?.Value ?? "";
                var element = $"parameters.{id}";
                if (!model.Parameters.TryGetValue(id, out var p))
                {
                    var hint = Spelling.Suggest(id, model.Parameters.Keys);
                    problems.Add(root.File, k, element, $"unknown parameter '{id}'", hint is null ? "'milkcells model show' lists them" : $"did you mean '{hint}'?");
                    continue;
                }
                if (p.Shape == ParameterShape.Scalar)
                {
                    if (root.ParseNumber(v, element) is { } value)
                    {
                        Check(p, value, null, v, element, list);
                    }
                }
                else if (p.Shape == ParameterShape.Table && v is YamlMappingNode entries)
                {
                    foreach (var (ek, ev) in entries.Children)
                    {
                        var key = (ek as YamlScalarNode)?.Value ?? "";
                        if (!p.Table.ContainsKey(key))
                        {
                            var hint = Spelling.Suggest(key, p.Table.Keys);
                            problems.Add(root.File, ek, $"{element}.{key}", $"'{id}' has no entry '{key}'", hint is null ? null : $"did you mean '{hint}'?");
                        }
                        else if (root.ParseNumber(ev, $"{element}.{key}") is { } value)
                        {
                            Check(p, value, key, ev, $"{element}.{key}", list);
                        }
                    }
                }
                else
                {
                    problems.Add(root.File, v, element, $"'{id}' is a {p.Shape.ToString().ToLowerInvariant()}: give a number (scalars) or a mapping of entries (tables)");
                }
            }
            return [.. list];
        }

        private void Check(Parameter p, double value, string? key, YamlNode node, string element, List<ParameterOverride> list)
        {
            if (UnitSpec.Problem(p.Unit, value) is { } problem)
            {
                problems.Add(root.File, node, element, $"{problem} for '{p.Id}' ({UnitSpec.CanonicalText(p.Unit)})",
                    UnitSpec.IsRate(p.Unit) ? "rates must be ≥ 0" : null);
                return;
            }
            list.Add(new ParameterOverride(p.Id, key, value, InputProblems.At(root.File, node, element)));
        }

        private List<ScenarioEvent> ReadEvents(Scenario scenario)
        {
            var list = new List<ScenarioEvent>();
            var node = root.Value("events");
            if (node is null)
            {
                return list;
            }
            if (node is not YamlSequenceNode seq)
            {
                problems.Add(root.LocationOf("events"), "'events' must be a list");
                return list;
            }
            var containerIds = scenario.Containers.Select(c => c.Id).ToArray();
            for (var i = 0; i < seq.Children.Count; i++)
            {
                var path = $"events[{i}]";
                if (seq.Children[i] is not YamlMappingNode item)
                {
                    problems.Add(root.File, seq.Children[i], path, "each event must be a mapping of keys to values");
                    continue;
                }
                var type = item.Children.TryGetValue(new YamlScalarNode("type"), out var t) ? (t as YamlScalarNode)?.Value : null;
                if (type is null || !ScenarioKeys.Events.TryGetValue(type, out var keys))
                {
                    var hint = type is null ? null : Spelling.Suggest(type, ScenarioKeys.Events.Keys);
                    problems.Add(root.File, t ?? item, $"{path}.type", type is null ? "event has no 'type'" : $"unknown event type '{type}'",
                        hint is null ? $"one of: {string.Join(", ", ScenarioKeys.Events.Keys)}" : $"did you mean '{hint}'?");
                    continue;
                }
                var m = new YamlMap(root.File, item, path, problems, [.. ScenarioKeys.EventCommon, .. keys]);
                switch (ReadEvent(type, m, scenario, containerIds))
                {
                    case BothBreastsPump both:
                        list.Add(new PumpEvent(both.Hours, both.Location, Breast.Left, both.Container, both.Fraction));
                        list.Add(new PumpEvent(both.Hours, both.Location, Breast.Right, both.Container, both.Fraction));
                        break;
                    case { } e:
                        list.Add(e);
                        break;
                }
            }
            return list;
        }

        private ScenarioEvent? ReadEvent(string type, YamlMap m, Scenario scenario, string[] containerIds)
        {
            var day = m.Number("day", required: true);
            var clock = m.String("time") is { } text ? ClockHours(text) ?? Bad(m, text) : 0;
            if (day is null || clock is null)
            {
                return null;
            }
            if (day < 0 || day > _lastDay)
            {
                problems.Add(m.LocationOf("day"), $"day {day} is outside lactation", LactationHint);
                return null;
            }
            var hours = scenario.HoursAt(day.Value, clock.Value);
            if (hours < 0 || hours > scenario.DurationHours)
            {
                problems.Add(m.LocationOf("day"), $"the event on day {day} is outside the run (days {scenario.StartDay}–{scenario.LastDay})");
                return null;
            }
            string? Container(bool required = true)
            {
                var id = m.String("container", required);
                if (id is not null && !containerIds.Contains(id))
                {
                    var hint = Spelling.Suggest(id, containerIds);
                    problems.Add(m.LocationOf("container"), $"unknown container '{id}'", hint is null ? "declare it under containers:" : $"did you mean '{hint}'?");
                    return null;
                }
                return id;
            }
            switch (type)
            {
                case "illness":
                {
                    var stateIds = model.HealthStates.Select(h => h.Id).ToArray();
                    var stateId = m.String("state", required: true);
                    var state = model.HealthStates.FirstOrDefault(h => h.Id == stateId);
                    if (stateId is not null && state is null)
                    {
                        var hint = Spelling.Suggest(stateId, stateIds);
                        problems.Add(m.LocationOf("state"), $"unknown health state '{stateId}'", hint is null ? $"one of: {string.Join(", ", stateIds)}" : $"did you mean '{hint}'?");
                    }
                    var breast = ReadBreast(m, allowBoth: false);
                    var severity = m.Choice("severity", Severity.Levels, required: true);
                    var durationDays = m.Number("durationDays");
                    if (durationDays is <= 0)
                    {
                        problems.Add(m.LocationOf("durationDays"), $"durationDays must be positive, was {durationDays}");
                        return null;
                    }
                    if (state is null || severity is null)
                    {
                        return null;
                    }
                    if (state.Scope == HealthScope.Breast && breast is null && !m.Has("breast"))
                    {
                        problems.Add(m.Location, $"'{state.Id}' affects one breast: say which (breast: left or right)");
                        return null;
                    }
                    if (state.Scope != HealthScope.Breast && m.Has("breast"))
                    {
                        problems.Add(m.LocationOf("breast"), $"'{state.Id}' affects both breasts; a single breast contradicts it", "remove 'breast'");
                        return null;
                    }
                    var durationHours = durationDays is { } dd ? dd * 24 : model.Parameters[state.ParameterId("duration")].Value;
                    return new IllnessEvent(hours, m.Location, state.Id, breast, severity, durationHours);
                }
                case "pump":
                {
                    var breast = ReadBreast(m, allowBoth: true);
                    var container = Container();
                    var fraction = m.Number("fraction");
                    if (fraction is < 0 or > 1)
                    {
                        problems.Add(m.LocationOf("fraction"), $"fraction must be in [0, 1], was {fraction}");
                        return null;
                    }
                    if (!m.Has("breast"))
                    {
                        problems.Add(m.Location, "say which breast is pumped (left, right or both)");
                    }
                    if (container is null || !m.Has("breast"))
                    {
                        return null;
                    }
                    // "both" is read as two events, one per breast; the second is returned through the list below.
                    return breast is { } b
                        ? new PumpEvent(hours, m.Location, b, container, fraction)
                        : new BothBreastsPump(hours, m.Location, container, fraction);
                }
                case "store":
                {
                    var container = Container();
                    var place = m.Choice("place", ["room", "fridge", "freezer"], required: true);
                    return container is null || place is null
                        ? null
                        : new StoreEvent(hours, m.Location, container, place switch { "fridge" => StoragePlace.Fridge, "freezer" => StoragePlace.Freezer, _ => StoragePlace.Room });
                }
                case "thaw":
                    return Container() is { } c1 ? new ThawEvent(hours, m.Location, c1) : null;
                case "pasteurise":
                    return Container() is { } c2 ? new PasteuriseEvent(hours, m.Location, c2) : null;
                case "formula":
                {
                    var volume = m.Number("volumeMl", required: true);
                    if (volume is <= 0)
                    {
                        problems.Add(m.LocationOf("volumeMl"), $"volumeMl must be positive, was {volume}");
                        return null;
                    }
                    var container = m.Has("container") ? Container() : null;
                    return volume is null || (m.Has("container") && container is null) ? null : new FormulaEvent(hours, m.Location, volume.Value, container);
                }
                case "weaning":
                {
                    var over = m.Number("overDays", required: true);
                    if (over is <= 0)
                    {
                        problems.Add(m.LocationOf("overDays"), $"overDays must be positive, was {over}");
                        return null;
                    }
                    return over is null ? null : new WeaningEvent(hours, m.Location, over.Value);
                }
            }
            return null;
        }

        private Breast? ReadBreast(YamlMap m, bool allowBoth)
        {
            var text = m.Choice("breast", allowBoth ? ["left", "right", "both"] : ["left", "right"]);
            return text switch { "left" => Breast.Left, "right" => Breast.Right, _ => null };
        }

        private double? Bad(YamlMap m, string text)
        {
            problems.Add(m.LocationOf("time"), $"'{text}' is not a clock time (HH:MM)");
            return null;
        }

        private void CheckContradictions(Scenario scenario)
        {
            var events = scenario.Events;
            // Overlapping episodes of the same illness in the same place.
            var illnesses = events.OfType<IllnessEvent>().ToArray();
            for (var i = 0; i < illnesses.Length; i++)
            {
                for (var j = i + 1; j < illnesses.Length; j++)
                {
                    var (a, b) = (illnesses[i], illnesses[j]);
                    if (a.State == b.State && a.Breast == b.Breast && b.Hours < a.EndHours)
                    {
                        problems.Add(b.Location, $"contradictory events: this '{b.State}' episode starts before the one at {a.Location} ends",
                            "merge them into one episode, or start this one later");
                    }
                }
            }
            var weanings = events.OfType<WeaningEvent>().ToArray();
            foreach (var extra in weanings.Skip(1))
            {
                problems.Add(extra.Location, "contradictory events: weaning is given twice");
            }
            if (weanings.FirstOrDefault() is { } weaning)
            {
                foreach (var pump in events.OfType<PumpEvent>().Where(p => p.Hours > weaning.EndHours))
                {
                    problems.Add(pump.Location, "contradictory events: milk is pumped after weaning has ended (involution: no milk)");
                }
                if (scenario.Feeding.Mode == FeedingMode.None)
                {
                    problems.Add(weaning.Location, "contradictory events: weaning an infant who is not breastfed (feeding mode none)");
                }
            }
            foreach (var container in scenario.Containers)
            {
                CheckContainer(scenario, container);
            }
            var sameTime = events.Where(e => e.ContainerId is not null && e is not PumpEvent).GroupBy(e => (e.ContainerId, e.Hours)).Where(g => g.Count() > 1);
            foreach (var group in sameTime)
            {
                problems.Add(group.Last().Location, $"contradictory events: two things happen to container '{group.Key.Item1}' at the same time");
            }
        }

        private void CheckContainer(Scenario scenario, ContainerSpec container)
        {
            var filled = false;
            var place = StoragePlace.Room;
            var pasteurised = false;
            foreach (var e in scenario.Events.Where(e => e.ContainerId == container.Id))
            {
                switch (e)
                {
                    case PumpEvent when container.Kind == ContainerKind.Formula:
                        problems.Add(e.Location, $"contradictory events: breast milk pumped into the formula container '{container.Id}'");
                        break;
                    case FormulaEvent when container.Kind == ContainerKind.Expressed:
                        problems.Add(e.Location, $"contradictory events: formula poured into the expressed-milk container '{container.Id}'");
                        break;
                    case PumpEvent when pasteurised:
                        problems.Add(e.Location, $"contradictory events: raw milk added to '{container.Id}' after it was pasteurised");
                        break;
                    case PumpEvent or FormulaEvent:
                        filled = true;
                        break;
                    case StoreEvent s when !filled:
                        problems.Add(s.Location, $"contradictory events: '{container.Id}' is stored before anything is put in it");
                        break;
                    case StoreEvent s:
                        if (place == StoragePlace.Freezer && s.Place != StoragePlace.Freezer)
                        {
                            problems.Add(s.Location, $"contradictory events: '{container.Id}' leaves the freezer without being thawed", "add a thaw event first");
                        }
                        place = s.Place;
                        break;
                    case ThawEvent when place != StoragePlace.Freezer:
                        problems.Add(e.Location, $"contradictory events: '{container.Id}' is thawed but is not in the freezer");
                        break;
                    case ThawEvent:
                        place = StoragePlace.Room;
                        break;
                    case PasteuriseEvent when !filled:
                        problems.Add(e.Location, $"contradictory events: '{container.Id}' is pasteurised while empty");
                        break;
                    case PasteuriseEvent when place == StoragePlace.Freezer:
                        problems.Add(e.Location, $"contradictory events: '{container.Id}' is pasteurised while frozen", "thaw it first");
                        break;
                    case PasteuriseEvent:
                        pasteurised = true;
                        place = StoragePlace.Fridge;
                        break;
                }
            }
        }

    }

    /// <summary>Parses "HH:MM" into hours after midnight.</summary>
    internal static double? ClockHours(string text)
    {
        var parts = text.Split(':');
        return parts.Length == 2
               && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var h) && h is >= 0 and < 24
               && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var min) && min is >= 0 and < 60
            ? h + min / 60.0
            : null;
    }

    /// <summary>A "both breasts" pump, expanded into one event per breast after reading.</summary>
    private sealed record BothBreastsPump(double Hours, InputLocation Location, string Container, double? Fraction) : ScenarioEvent(Hours, Location)
    {
        public override string Label => $"pump both → {Container}";
    }
}
