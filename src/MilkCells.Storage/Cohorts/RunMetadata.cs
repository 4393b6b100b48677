using System.Globalization;
using MilkCells.Core.Errors;

namespace MilkCells.Storage.Cohorts;

/// <summary>What a cohort run is: everything that decides its rows. Resume and merge require it to be equal.</summary>
/// <param name="Scenario">The scenario name (or file name).</param>
/// <param name="ScenarioHash">A content hash of the scenario as loaded (the simulation chooses the hash).</param>
/// <param name="Seed">The root seed.</param>
/// <param name="Mothers">N, the number of mothers in the whole run (all shards).</param>
/// <param name="Days">Days simulated per mother.</param>
/// <param name="Profile">The calibration profile.</param>
/// <param name="ModelVersion">The milk model's version.</param>
/// <param name="CodeVersion">The code version that computed the rows.</param>
public sealed record RunMetadata(
    string Scenario,
    string ScenarioHash,
    ulong Seed,
    int Mothers,
    int Days,
    string Profile,
    string ModelVersion,
    string CodeVersion)
{
    /// <summary>The metadata as ordered (key, value) text pairs, as stored.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToPairs() =>
    [
        new("scenario", Scenario),
        new("scenario_hash", ScenarioHash),
        new("seed", Seed.ToString(CultureInfo.InvariantCulture)),
        new("mothers", Mothers.ToString(CultureInfo.InvariantCulture)),
        new("days", Days.ToString(CultureInfo.InvariantCulture)),
        new("profile", Profile),
        new("model_version", ModelVersion),
        new("code_version", CodeVersion),
    ];

    /// <summary>Reads metadata back from stored pairs; throws <see cref="InputException"/> when a key is missing or malformed.</summary>
    public static RunMetadata FromPairs(IReadOnlyDictionary<string, string> pairs, string storeName)
    {
        string Get(string key) => pairs.TryGetValue(key, out var v)
            ? v
            : throw new InputException(InputLocation.InFile(storeName), $"the store's run metadata lacks '{key}'", "the store was not written by milkcells, or is damaged");
        T Parse<T>(string key) where T : IParsable<T> => T.TryParse(Get(key), CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new InputException(InputLocation.InFile(storeName), $"the store's run metadata '{key}' is not a number: '{Get(key)}'");
        return new RunMetadata(Get("scenario"), Get("scenario_hash"), Parse<ulong>("seed"), Parse<int>("mothers"), Parse<int>("days"),
            Get("profile"), Get("model_version"), Get("code_version"));
    }

    /// <summary>Each field that differs from <paramref name="other"/>, as "key: this vs other"; empty when equal.</summary>
    public IReadOnlyList<string> Differences(RunMetadata other, string thisName = "store", string otherName = "this run")
    {
        var mine = ToPairs();
        var theirs = other.ToPairs();
        var result = new List<string>();
        for (var i = 0; i < mine.Count; i++)
        {
            if (!string.Equals(mine[i].Value, theirs[i].Value, StringComparison.Ordinal))
            {
                result.Add($"{mine[i].Key}: '{mine[i].Value}' ({thisName}) vs '{theirs[i].Value}' ({otherName})");
            }
        }
        return result;
    }
}

/// <summary>Which part of a run a process computes: shard <see cref="Index"/> of <see cref="Count"/> (0-based; 0/1 is the whole run).</summary>
public readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>The whole run as one shard.</summary>
    public static ShardSpec Whole => new(0, 1);

    /// <summary>Parses <c>i/K</c> with 0 ≤ i &lt; K; throws <see cref="InputException"/> otherwise.</summary>
    public static ShardSpec Parse(string text)
    {
        var slash = text.IndexOf('/');
        if (slash > 0
            && int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count >= 1 && index < count)
        {
            return new ShardSpec(index, count);
        }
        throw new InputException(InputLocation.AtElement(null, "--shard"), $"'{text}' is not a shard i/K with 0 <= i < K",
            "shards count from 0: --shard 0/4 … --shard 3/4 (a Kubernetes completion index or a Slurm array id from 0)");
    }

    /// <summary>Whether mother <paramref name="motherId"/> belongs to this shard (mother ids dealt round-robin).</summary>
    public bool Contains(long motherId) => (motherId % Count + Count) % Count == Index;

    public override string ToString() => $"{Index}/{Count}";
}
