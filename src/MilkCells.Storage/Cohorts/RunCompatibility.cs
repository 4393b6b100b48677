using MilkCells.Core.Errors;

namespace MilkCells.Storage.Cohorts;

/// <summary>The rules every store applies before a process writes into a store that already holds a run.</summary>
internal static class RunCompatibility
{
    /// <summary>Throws an <see cref="InputException"/> unless <paramref name="shard"/> of this run may be written into a store holding <paramref name="stored"/>.</summary>
    /// <param name="storeName">The store, for messages.</param>
    /// <param name="stored">The run the store holds.</param>
    /// <param name="storedSchema">Its columns.</param>
    /// <param name="shards">The shards it holds.</param>
    /// <param name="metadata">The run about to write.</param>
    /// <param name="schema">Its columns.</param>
    /// <param name="shard">Its shard.</param>
    /// <param name="resume">Whether continuing a shard already there is intended.</param>
    /// <param name="mothersComplete">Counts the complete mothers (only for the message).</param>
    public static void Check(string storeName, RunMetadata stored, CohortSchema storedSchema, IReadOnlyList<ShardSpec> shards,
        RunMetadata metadata, CohortSchema schema, ShardSpec shard, bool resume, Func<long> mothersComplete)
    {
        var where = InputLocation.InFile(storeName);
        var differences = stored.Differences(metadata);
        if (differences.Count > 0)
        {
            throw new InputException(where, "the store holds a different run: " + string.Join("; ", differences),
                "use a new store, or the store's own scenario, seed, size, profile and versions");
        }
        if (!schema.Equals(storedSchema))
        {
            throw new InputException(where, $"the store's columns differ from this run's: store has {storedSchema}; this run has {schema}",
                "the model's output columns changed; use a new store");
        }
        if (shards.Count > 0 && shards.Any(s => s.Count != shard.Count))
        {
            throw new InputException(where, $"the store holds shards {string.Join(", ", shards)} and this is shard {shard}: the run was split differently",
                "split every shard of one run the same way (the same K)");
        }
        if (shards.Contains(shard) && !resume)
        {
            throw new InputException(where, $"the store already holds shard {shard} of this run ({mothersComplete()} mothers complete)",
                "pass --resume to continue it, or use a new store");
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a mother's rows have other columns than the store.</summary>
    public static void CheckColumns(IReadOnlyList<MotherRows> mothers, CohortSchema schema)
    {
        foreach (var m in mothers)
        {
            if (!m.Schema.Equals(schema))
            {
                throw new ArgumentException($"mother {m.MotherId}'s rows have columns {m.Schema}; the store has {schema}");
            }
        }
    }

    /// <summary>The error for a batch holding a mother the store already has, or one mother twice: nothing of it is written.</summary>
    public static InputException Duplicates(string storeName, IReadOnlyList<MotherRows> mothers, IReadOnlySet<long> done, Exception? inner = null)
    {
        var present = mothers.Select(m => m.MotherId).Where(done.Contains).Take(5).ToList();
        var duplicated = mothers.GroupBy(m => m.MotherId).Where(g => g.Count() > 1).Select(g => g.Key).Take(5).ToList();
        return new InputException(InputLocation.InFile(storeName),
            present.Count > 0 ? $"mother(s) {string.Join(", ", present)} are already in the store; nothing of this batch was written"
                              : $"mother(s) {string.Join(", ", duplicated)} were given twice; nothing of this batch was written",
            "skip the mothers in CompletedMothers() (what --resume does)", inner);
    }
}
