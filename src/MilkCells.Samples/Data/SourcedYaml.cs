using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MilkCells.Samples.Data;

/// <summary>A number with its unit and where it comes from, as this project's data files write every value.</summary>
/// <param name="Value">The number.</param>
/// <param name="Unit">Its unit.</param>
/// <param name="Source">A source id of data/sources.yaml or of the file's own <c>sources</c> block, or <c>assumption</c>.</param>
/// <param name="Confidence">high, medium, low or assumption.</param>
/// <param name="Note">Why this value (required for assumptions).</param>
/// <param name="Location">Where it is written.</param>
public sealed record SourcedValue(double Value, string Unit, string Source, string Confidence, string Note, InputLocation Location);

/// <summary>Reads the small YAML data files of this project (virtual cytometer, inference priors), checking provenance.</summary>
/// <remarks>
/// Every leaf value is a mapping <c>{ value, unit, source, confidence, note }</c>; a file may add sources in a top-level
/// <c>sources</c> block (<c>id: citation</c>). Problems are reported together with file and line, as the model's loader does.
/// </remarks>
internal sealed class SourcedYaml
{
    private static readonly string[] Confidences = ["high", "medium", "low", "assumption"];
    private readonly List<InputException> _problems = [];
    private readonly HashSet<string> _sources;

    private SourcedYaml(string file, YamlMappingNode root)
    {
        File = file;
        Root = root;
        _sources = MilkModel.Embedded.Sources.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        _sources.Add("assumption");
        if (root.Children.TryGetValue(new YamlScalarNode("sources"), out var extra) && extra is YamlMappingNode map)
        {
            foreach (var key in map.Children.Keys.OfType<YamlScalarNode>())
            {
                _sources.Add(key.Value!);
            }
        }
    }

    /// <summary>The file name used in messages.</summary>
    public string File { get; }

    /// <summary>The document's top mapping.</summary>
    public YamlMappingNode Root { get; }

    /// <summary>Parses YAML text.</summary>
    public static SourcedYaml Parse(string file, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new InputException(InputLocation.AtLine(file, (int)ex.Start.Line, (int)ex.Start.Column), $"not valid YAML: {ex.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InputException(InputLocation.InFile(file), "expected one YAML document holding a mapping");
        }
        return new SourcedYaml(file, root);
    }

    /// <summary>An embedded data file of this assembly.</summary>
    public static SourcedYaml Embedded(string name, string file)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("MilkCells.Samples." + name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing");
        using var reader = new StreamReader(stream);
        return Parse(file, reader.ReadToEnd());
    }

    /// <summary>A child mapping (required).</summary>
    public YamlMappingNode Map(YamlMappingNode parent, string key)
    {
        if (parent.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlMappingNode map)
        {
            return map;
        }
        throw Problem(parent, $"'{key}' is missing or not a mapping");
    }

    /// <summary>A child sequence (required).</summary>
    public YamlSequenceNode Sequence(YamlMappingNode parent, string key)
    {
        if (parent.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlSequenceNode seq)
        {
            return seq;
        }
        throw Problem(parent, $"'{key}' is missing or not a list");
    }

    /// <summary>The sourced value under <paramref name="key"/> (a mapping with value, unit, source, confidence, note).</summary>
    public SourcedValue Value(YamlMappingNode parent, string key, string valueKey = "value")
    {
        var map = Map(parent, key);
        return Read(map, valueKey, key);
    }

    /// <summary>Reads a sourced value from its own mapping; <paramref name="valueKey"/> names the number (value, fsc, ssc…).</summary>
    public SourcedValue Read(YamlMappingNode map, string valueKey, string what)
    {
        var number = Number(map, valueKey, what);
        var unit = Text(map, "unit") ?? "";
        var source = Text(map, "source");
        var confidence = Text(map, "confidence");
        var note = Text(map, "note") ?? "";
        if (string.IsNullOrEmpty(unit))
        {
            _problems.Add(Problem(map, $"'{what}' has no unit"));
        }
        if (source is null || !_sources.Contains(source))
        {
            _problems.Add(Problem(map, source is null ? $"'{what}' has no source" : $"'{what}': unknown source '{source}'", "use a source id of data/sources.yaml, one of this file's 'sources', or 'assumption'"));
        }
        if (confidence is null || !Confidences.Contains(confidence))
        {
            _problems.Add(Problem(map, $"'{what}': confidence must be one of {string.Join(", ", Confidences)}"));
        }
        if (source == "assumption" && note.Length == 0)
        {
            _problems.Add(Problem(map, $"'{what}' is an assumption without a note saying why"));
        }
        return new SourcedValue(number, unit, source ?? "", confidence ?? "", note, Where(map));
    }

    /// <summary>A required number.</summary>
    public double Number(YamlMappingNode map, string key, string what)
    {
        var text = Text(map, key);
        if (text is null || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Problem(map, $"'{what}': '{key}' must be a number{(text is null ? "" : $", was '{text}'")}");
        }
        return value;
    }

    /// <summary>An optional scalar's text.</summary>
    public static string? Text(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode s ? s.Value : null;

    /// <summary>An optional list of scalars.</summary>
    public static ImmutableArray<string> Strings(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlSequenceNode seq
            ? [.. seq.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "")]
            : [];

    /// <summary>Throws every problem found, at once.</summary>
    public void ThrowIfAny()
    {
        if (_problems.Count > 0)
        {
            throw _problems.Count == 1 ? _problems[0] : new InputProblemsException(_problems);
        }
    }

    /// <summary>Where a node is.</summary>
    public InputLocation Where(YamlNode node) => InputLocation.AtLine(File, (int)node.Start.Line, (int)node.Start.Column);

    /// <summary>A problem at a node.</summary>
    public InputException Problem(YamlNode node, string problem, string? hint = null) => new(Where(node), problem, hint);
}
