namespace MilkCells.Storage.Cohorts;

/// <summary>A cohort store: rows keyed by (mother_id, day), the run metadata, and which mothers are complete.</summary>
/// <remarks>
/// Open one with <see cref="CohortStore.Open"/>. One instance is one connection: use it from one thread at a time
/// (<see cref="CohortWriter"/> feeds it from many simulation threads).
/// </remarks>
public interface ICohortStore : IDisposable
{
    /// <summary>The store's URI with any password hidden, for messages.</summary>
    string Name { get; }

    /// <summary>The run this store holds, or null when it holds none yet.</summary>
    RunMetadata? Metadata { get; }

    /// <summary>The value columns, or null when the store holds no run yet.</summary>
    CohortSchema? Schema { get; }

    /// <summary>The shards that have written (or been merged) into this store, in order.</summary>
    IReadOnlyList<ShardSpec> Shards { get; }

    /// <summary>Records (or checks) the run before writing; throws <see cref="Core.Errors.InputException"/> when the store holds another run.</summary>
    /// <param name="metadata">The run.</param>
    /// <param name="schema">Its value columns.</param>
    /// <param name="shard">The part this process writes (<see cref="ShardSpec.Whole"/> for all).</param>
    /// <param name="resume">Whether continuing this shard in a store that already holds it is intended.</param>
    void StartRun(RunMetadata metadata, CohortSchema schema, ShardSpec shard, bool resume);

    /// <summary>The ids of the mothers whose rows are all stored (the set <c>--resume</c> skips).</summary>
    IReadOnlySet<long> CompletedMothers();

    /// <summary>Writes each mother's rows and completion marker in one transaction: all of them are stored, or none.</summary>
    /// <remarks>A store that gathers rows into files (Parquet) holds them until <see cref="Flush"/> or a full file; a killed process loses those mothers whole.</remarks>
    void WriteMothers(IReadOnlyList<MotherRows> mothers);

    /// <summary>Makes every mother written so far durable (a no-op for transactional databases, which commit in <see cref="WriteMothers"/>).</summary>
    void Flush()
    {
    }

    /// <summary>Streams rows sorted by mother then day, optionally restricted (columns, day window, a text match).</summary>
    ICohortRowReader ReadRows(CohortQuery? query = null);

    /// <summary>How many rows are stored.</summary>
    long CountRows();
}

/// <summary>A forward-only cursor over cohort rows, sorted by mother then day.</summary>
public interface ICohortRowReader : IDisposable
{
    /// <summary>The value columns this reader returns (all, or those the query selected), indexed from 0.</summary>
    CohortSchema Schema { get; }

    /// <summary>Moves to the next row; false at the end.</summary>
    bool Read();

    /// <summary>The current row's mother.</summary>
    long MotherId { get; }

    /// <summary>The current row's day.</summary>
    int Day { get; }

    /// <summary>Whether a value of the current row is NULL.</summary>
    bool IsNull(int column);

    /// <summary>An integer value of the current row.</summary>
    long GetInteger(int column);

    /// <summary>A real value of the current row (NaN when NULL).</summary>
    double GetReal(int column);

    /// <summary>A text value of the current row (null when NULL).</summary>
    string? GetText(int column);
}

/// <summary>Which rows and columns to read: all by default.</summary>
public sealed record CohortQuery
{
    /// <summary>The value columns to return, in this order; null for all.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>The first day to return (inclusive); null for no lower bound.</summary>
    public int? FromDay { get; init; }

    /// <summary>The last day to return (inclusive); null for no upper bound.</summary>
    public int? ToDay { get; init; }

    /// <summary>The first mother to return (inclusive); null for no lower bound.</summary>
    public long? FromMother { get; init; }

    /// <summary>The last mother to return (inclusive); null for no upper bound.</summary>
    public long? ToMother { get; init; }

    /// <summary>Only rows whose text column equals a value (for example stage = mature); null for all.</summary>
    public ColumnMatch? Where { get; init; }
}

/// <summary>A text column that must equal <see cref="Value"/>.</summary>
public sealed record ColumnMatch(string Column, string Value);
