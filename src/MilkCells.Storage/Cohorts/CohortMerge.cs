using MilkCells.Core.Errors;

namespace MilkCells.Storage.Cohorts;

/// <summary>What a merge did.</summary>
/// <param name="MothersCopied">Mothers copied into the target.</param>
/// <param name="MothersSkipped">Mothers the target already held complete (a repeated or resumed merge).</param>
/// <param name="MothersPresent">Complete mothers in the target afterwards.</param>
/// <param name="MothersExpected">N from the run metadata.</param>
/// <param name="Shards">The shards the target now holds.</param>
public sealed record MergeSummary(long MothersCopied, long MothersSkipped, long MothersPresent, int MothersExpected, IReadOnlyList<ShardSpec> Shards);

/// <summary>Merges shard stores into one store: <c>milkcells cohort merge --store STORE SHARD_STORE...</c>.</summary>
/// <remarks>
/// Every source is checked before a row moves: the same run metadata and columns, the same K, no mother in two
/// sources. Mothers stream from each source in key order and are committed whole, so an interrupted merge leaves
/// complete mothers only and running it again finishes it (mothers already in the target are skipped: the metadata
/// check guarantees they are the same computation).
/// </remarks>
public static class CohortMerge
{
    /// <summary>Merges the stores at <paramref name="sourceUris"/> into <paramref name="target"/>.</summary>
    public static MergeSummary Merge(ICohortStore target, IReadOnlyList<string> sourceUris, IProgress<long>? progress = null, CancellationToken cancellation = default)
    {
        if (sourceUris.Count == 0)
        {
            throw new InputException(InputLocation.AtElement(null, "SHARD_URI"), "no shard stores to merge", "milkcells cohort merge --store sqlite:all.db sqlite:shard0.db sqlite:shard1.db");
        }
        var sources = new List<ICohortStore>();
        try
        {
            foreach (var uri in sourceUris)
            {
                sources.Add(CohortStore.OpenForRead(uri));
            }
            return Merge(target, sources, progress, cancellation);
        }
        finally
        {
            foreach (var source in sources)
            {
                source.Dispose();
            }
        }
    }

    /// <summary>Merges open stores into <paramref name="target"/>.</summary>
    public static MergeSummary Merge(ICohortStore target, IReadOnlyList<ICohortStore> sources, IProgress<long>? progress = null, CancellationToken cancellation = default)
    {
        var first = sources[0];
        var owner = new Dictionary<long, string>();
        foreach (var source in sources)
        {
            var differences = first.Metadata!.Differences(source.Metadata!, first.Name, source.Name);
            if (differences.Count > 0)
            {
                throw new InputException(InputLocation.InFile(source.Name), "this shard belongs to a different run than " + first.Name + ": " + string.Join("; ", differences),
                    "merge only shards of one run (same scenario, seed, size, profile and versions)");
            }
            if (!source.Schema!.Equals(first.Schema))
            {
                throw new InputException(InputLocation.InFile(source.Name), $"this shard's columns differ from {first.Name}'s: {source.Schema} vs {first.Schema}");
            }
            foreach (var id in source.CompletedMothers())
            {
                if (!owner.TryAdd(id, source.Name))
                {
                    throw new InputException(InputLocation.InFile(source.Name), $"mother {id} is also in {owner[id]}: the shards overlap",
                        "each mother belongs to one shard; were two stores given twice, or split differently?");
                }
            }
        }
        foreach (var shard in sources.SelectMany(s => s.Shards).Distinct().OrderBy(s => s.Count).ThenBy(s => s.Index))
        {
            target.StartRun(first.Metadata!, first.Schema!, shard, resume: true);
        }
        var already = target.CompletedMothers();
        long copied = 0, skipped = 0;
        using (var writer = new CohortWriter(target))
        {
            foreach (var source in sources)
            {
                using var reader = source.ReadRows();
                MotherRows? current = null;
                long lastSkipped = long.MinValue;
                while (reader.Read())
                {
                    var id = reader.MotherId;
                    if (already.Contains(id))
                    {
                        skipped += id == lastSkipped ? 0 : 1;
                        lastSkipped = id;
                        continue;
                    }
                    if (current is null || current.MotherId != id)
                    {
                        if (current is not null)
                        {
                            writer.Add(current, cancellation);
                            copied++;
                            progress?.Report(copied);
                        }
                        current = writer.Rent(id);
                    }
                    Copy(reader, current.Add(reader.Day), reader.Schema);
                }
                if (current is not null)
                {
                    writer.Add(current, cancellation);
                    copied++;
                    progress?.Report(copied);
                }
            }
            writer.Complete();
        }
        return new MergeSummary(copied, skipped, target.CompletedMothers().Count, target.Metadata!.Mothers, target.Shards);
    }

    private static void Copy(ICohortRowReader reader, MotherRows.RowSetter row, CohortSchema schema)
    {
        for (var c = 0; c < schema.Count; c++)
        {
            if (reader.IsNull(c))
            {
                continue;
            }
            _ = schema.Columns[c].Kind switch
            {
                ColumnKind.Integer => row.Integer(c, reader.GetInteger(c)),
                ColumnKind.Real => row.Real(c, reader.GetReal(c)),
                _ => row.Text(c, reader.GetText(c)),
            };
        }
    }
}
