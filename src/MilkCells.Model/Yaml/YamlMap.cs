using System.Globalization;
using MilkCells.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MilkCells.Model.Yaml;

// Design: model and scenario files are read through YamlDotNet's representation model, whose nodes carry
// the parser's line and column. Every reader below records problems instead of throwing, so a file with
// several mistakes reports all of them at once (BenchmarkDotNet's validators-as-data).

/// <summary>Collects every problem found while reading or validating input files.</summary>
public sealed class InputProblems
{
    private readonly List<InputException> _problems = [];

    /// <summary>The problems so far, in the order found.</summary>
    public IReadOnlyList<InputException> All => _problems;

    /// <summary>Whether any problem was found.</summary>
    public bool Any => _problems.Count > 0;

    /// <summary>Records a problem at a location.</summary>
    public void Add(InputLocation location, string problem, string? hint = null) =>
        _problems.Add(new InputException(location, problem, hint));

    /// <summary>Records a problem found at a YAML node.</summary>
    public void Add(string file, YamlNode? node, string element, string problem, string? hint = null) =>
        Add(At(file, node, element), problem, hint);

    /// <summary>The location of a YAML node (1-based line and column, as the parser reports them).</summary>
    public static InputLocation At(string file, YamlNode? node, string? element) =>
        node is null
            ? new InputLocation(File: file, Element: element)
            : new InputLocation(File: file, Line: (int)node.Start.Line, Column: (int)node.Start.Column, Element: element);

    /// <summary>Throws <see cref="InputProblemsException"/> with every problem, if there is any.</summary>
    public void ThrowIfAny()
    {
        if (Any)
        {
            throw new InputProblemsException(_problems.ToArray());
        }
    }
}

/// <summary>Reads a YAML text into its root node, turning syntax errors into located input problems.</summary>
public static class YamlText
{
    /// <summary>The root node of <paramref name="text"/>, or null after recording the syntax error.</summary>
    public static YamlNode? Parse(string file, string text, InputProblems problems)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            problems.Add(new InputLocation(File: file, Line: (int)ex.Start.Line, Column: (int)ex.Start.Column),
                "not valid YAML: " + ex.Message.Split('\n')[0].Trim());
            return null;
        }
        if (stream.Documents.Count == 0)
        {
            problems.Add(new InputLocation(File: file), "the file is empty");
            return null;
        }
        return stream.Documents[0].RootNode;
    }
}

/// <summary>A YAML mapping read with its allowed keys: unknown keys are reported with a "did you mean" hint.</summary>
public sealed class YamlMap
{
    private readonly YamlMappingNode _node;
    private readonly Dictionary<string, (YamlNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);

    /// <summary>Wraps <paramref name="node"/>; every key not in <paramref name="allowed"/> is a problem.</summary>
    public YamlMap(string file, YamlMappingNode node, string path, InputProblems problems, IReadOnlyCollection<string> allowed)
    {
        File = file;
        _node = node;
        Path = path;
        Problems = problems;
        foreach (var (key, value) in node.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!allowed.Contains(name))
            {
                var suggestion = Spelling.Suggest(name, allowed);
                problems.Add(file, key, Join(path, name), $"unknown key '{name}'",
                    suggestion is null ? $"allowed keys: {string.Join(", ", allowed)}" : $"did you mean '{suggestion}'?");
                continue;
            }
            _entries[name] = (key, value);
        }
    }

    /// <summary>The file the mapping comes from.</summary>
    public string File { get; }

    /// <summary>The dotted path of this mapping inside the file (for messages).</summary>
    public string Path { get; }

    /// <summary>Where problems go.</summary>
    public InputProblems Problems { get; }

    /// <summary>The mapping's own node.</summary>
    public YamlMappingNode Node => _node;

    /// <summary>The location of the mapping itself.</summary>
    public InputLocation Location => InputProblems.At(File, _node, Path.Length == 0 ? null : Path);

    /// <summary>Whether <paramref name="key"/> is present.</summary>
    public bool Has(string key) => _entries.ContainsKey(key);

    /// <summary>The keys present (allowed ones only), in file order.</summary>
    public IEnumerable<string> Keys => _entries.Keys;

    /// <summary>The value node of <paramref name="key"/>, or null (recording a problem when required).</summary>
    public YamlNode? Value(string key, bool required = false)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            return entry.Value;
        }
        if (required)
        {
            Problems.Add(File, _node, Join(Path, key), $"missing required key '{key}'");
        }
        return null;
    }

    /// <summary>The location of <paramref name="key"/>'s value (or of the mapping when absent).</summary>
    public InputLocation LocationOf(string key) =>
        InputProblems.At(File, _entries.TryGetValue(key, out var e) ? e.Value : _node, Join(Path, key));

    /// <summary>A string value.</summary>
    public string? String(string key, bool required = false)
    {
        var node = Value(key, required);
        if (node is null)
        {
            return null;
        }
        if (node is YamlScalarNode { Value: { } s })
        {
            return s;
        }
        Problems.Add(File, node, Join(Path, key), $"'{key}' must be a text value");
        return null;
    }

    /// <summary>A number (integers and reals; 1e5 notation allowed).</summary>
    public double? Number(string key, bool required = false)
    {
        var node = Value(key, required);
        return node is null ? null : ParseNumber(node, Join(Path, key));
    }

    /// <summary>A whole number.</summary>
    public int? Integer(string key, bool required = false)
    {
        var value = Number(key, required);
        if (value is null)
        {
            return null;
        }
        if (value != Math.Floor(value.Value) || Math.Abs(value.Value) > int.MaxValue)
        {
            Problems.Add(LocationOf(key), $"'{key}' must be a whole number, was {value}");
            return null;
        }
        return (int)value.Value;
    }

    /// <summary>A boolean.</summary>
    public bool? Bool(string key, bool required = false)
    {
        var text = String(key, required);
        return text switch
        {
            null => null,
            "true" or "yes" => true,
            "false" or "no" => false,
            _ => Fail<bool?>(LocationOf(key), $"'{key}' must be true or false, was '{text}'"),
        };
    }

    /// <summary>One of a fixed set of words.</summary>
    public string? Choice(string key, IReadOnlyCollection<string> options, bool required = false)
    {
        var text = String(key, required);
        if (text is null || options.Contains(text))
        {
            return text;
        }
        var suggestion = Spelling.Suggest(text, options);
        Problems.Add(LocationOf(key), $"'{text}' is not a valid {key}",
            suggestion is null ? $"one of: {string.Join(", ", options)}" : $"did you mean '{suggestion}'?");
        return null;
    }

    /// <summary>A nested mapping with its own allowed keys.</summary>
    public YamlMap? Map(string key, IReadOnlyCollection<string> allowed, bool required = false)
    {
        var node = Value(key, required);
        if (node is null)
        {
            return null;
        }
        if (node is YamlMappingNode map)
        {
            return new YamlMap(File, map, Join(Path, key), Problems, allowed);
        }
        Problems.Add(File, node, Join(Path, key), $"'{key}' must be a mapping of keys to values");
        return null;
    }

    /// <summary>The list under <paramref name="key"/>, or null (recording a problem when it is not a list).</summary>
    private YamlSequenceNode? Sequence(string key, bool required)
    {
        var node = Value(key, required);
        if (node is null or YamlSequenceNode)
        {
            return node as YamlSequenceNode;
        }
        Problems.Add(File, node, Join(Path, key), $"'{key}' must be a list");
        return null;
    }

    /// <summary>A list of mappings, each with the allowed keys.</summary>
    public IReadOnlyList<YamlMap> MapList(string key, IReadOnlyCollection<string> allowed, bool required = false)
    {
        if (Sequence(key, required) is not { } seq)
        {
            return [];
        }
        var list = new List<YamlMap>(seq.Children.Count);
        for (var i = 0; i < seq.Children.Count; i++)
        {
            if (seq.Children[i] is YamlMappingNode item)
            {
                list.Add(new YamlMap(File, item, $"{Join(Path, key)}[{i}]", Problems, allowed));
            }
            else
            {
                Problems.Add(File, seq.Children[i], $"{Join(Path, key)}[{i}]", "each item must be a mapping of keys to values");
            }
        }
        return list;
    }

    /// <summary>A list of text values.</summary>
    public IReadOnlyList<string> StringList(string key, bool required = false)
    {
        if (Sequence(key, required) is not { } seq)
        {
            return [];
        }
        var list = new List<string>(seq.Children.Count);
        foreach (var child in seq.Children)
        {
            if (child is YamlScalarNode { Value: { } s })
            {
                list.Add(s);
            }
            else
            {
                Problems.Add(File, child, Join(Path, key), "each item must be a text value");
            }
        }
        return list;
    }

    /// <summary>A mapping of free keys (validated by the caller) to numbers, with each key's node.</summary>
    public IReadOnlyList<(string Key, double Value, YamlNode Node)> NumberTable(string key, bool required = false)
    {
        var node = Value(key, required);
        if (node is null)
        {
            return [];
        }
        if (node is not YamlMappingNode map)
        {
            Problems.Add(File, node, Join(Path, key), $"'{key}' must be a mapping of names to numbers");
            return [];
        }
        var list = new List<(string, double, YamlNode)>();
        foreach (var (k, v) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (ParseNumber(v, Join(Join(Path, key), name)) is { } number)
            {
                list.Add((name, number, k));
            }
        }
        return list;
    }

    /// <summary>Parses a scalar node as a number, recording a problem otherwise.</summary>
    public double? ParseNumber(YamlNode node, string element)
    {
        if (node is YamlScalarNode { Value: { } s }
            && double.TryParse(s.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && double.IsFinite(value))
        {
            return value;
        }
        Problems.Add(File, node, element, $"'{(node as YamlScalarNode)?.Value ?? node.NodeType.ToString()}' is not a number");
        return null;
    }

    private T Fail<T>(InputLocation at, string problem)
    {
        Problems.Add(at, problem);
        return default!;
    }

    /// <summary>Joins a dotted path.</summary>
    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}

/// <summary>Spelling hints: the closest known word to a typo.</summary>
public static class Spelling
{
    /// <summary>The option closest to <paramref name="given"/> by edit distance, if close enough to be a typo.</summary>
    public static string? Suggest(string given, IEnumerable<string> options)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var option in options)
        {
            var d = Distance(given.ToLowerInvariant(), option.ToLowerInvariant());
            if (given.Length >= 3 && (option.StartsWith(given, StringComparison.OrdinalIgnoreCase) || given.StartsWith(option, StringComparison.OrdinalIgnoreCase)))
            {
                d = Math.Min(d, 1); // a truncated or extended word ("microscopy" for "microscopy-era")
            }
            if (d < bestDistance)
            {
                best = option;
                bestDistance = d;
            }
        }
        var limit = Math.Max(2, given.Length / 3);
        return bestDistance <= limit ? best : null;
    }

    /// <summary>Optimal string alignment distance (Levenshtein with adjacent transpositions).</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
