using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace MilkCells.Fcs;

/// <summary>The keyword/value pairs of a TEXT segment: looked up case-insensitively, kept in file order.</summary>
/// <remarks>
/// FCS 3.1 §3.2.9 (Spidlen et al. 2010, Cytometry A 77:97): "keywords are case insensitive"; a reader must accept
/// <c>$tot</c> for <c>$TOT</c>. Keys are kept as written (<see cref="Pairs"/>); lookups ignore case. When a keyword
/// appears twice, the later value wins (as fcsparser and FlowIO do) and the reader warns.
/// </remarks>
public sealed class FcsKeywords : IReadOnlyDictionary<string, string>
{
    private readonly Dictionary<string, int> _index = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<KeyValuePair<string, string>> _pairs = [];

    /// <summary>An empty set.</summary>
    public static FcsKeywords Empty { get; } = new();

    /// <summary>The pairs in file order (primary TEXT, then supplemental TEXT), keys as written.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Pairs => _pairs;

    public int Count => _pairs.Count;

    public IEnumerable<string> Keys => _pairs.Select(p => p.Key);

    public IEnumerable<string> Values => _pairs.Select(p => p.Value);

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"FCS keyword {key} is not present");

    public bool ContainsKey(string key) => _index.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        if (_index.TryGetValue(key, out var at))
        {
            value = _pairs[at].Value;
            return true;
        }
        value = null;
        return false;
    }

    /// <summary>The value of <paramref name="key"/>, or null when absent.</summary>
    public string? Get(string key) => TryGetValue(key, out var value) ? value : null;

    /// <summary>The value parsed as an integer (spaces trimmed), or null when absent or not an integer.</summary>
    public long? GetInt64(string key) =>
        TryGetValue(key, out var value) && long.TryParse(value.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>The value parsed as a number (spaces trimmed, invariant culture), or null when absent or not a number.</summary>
    public double? GetDouble(string key) =>
        TryGetValue(key, out var value) && double.TryParse(value.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : null;

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _pairs.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Adds or replaces a pair; returns false when the key was already present.</summary>
    internal bool Set(string key, string value)
    {
        if (_index.TryGetValue(key, out var at))
        {
            _pairs[at] = new(_pairs[at].Key, value);
            return false;
        }
        _index[key] = _pairs.Count;
        _pairs.Add(new(key, value));
        return true;
    }

    /// <summary>A keyword set built from pairs (later duplicates win), for writers and tests.</summary>
    public static FcsKeywords From(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var keywords = new FcsKeywords();
        foreach (var (key, value) in pairs)
        {
            keywords.Set(key, value);
        }
        return keywords;
    }
}
