using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using MilkCells.Analysis;
using MilkCells.Core.Errors;

namespace MilkCells.Storage.Cohorts;

/// <summary>Where DuckDB finds a store's rows: a connection and a relation (a table, or a scan of Parquet files).</summary>
/// <param name="Connection">An open DuckDB connection.</param>
/// <param name="Relation">SQL that names the rows as a relation: <c>cohort_rows</c>, or <c>read_parquet([...])</c>.</param>
/// <param name="Name">The store's name, for messages.</param>
/// <param name="InMemory">Whether the connection is to an in-memory database (a scan of files), which a second connection shares through <see cref="DuckDBConnection.Duplicate"/> rather than its connection string.</param>
internal sealed record AnalyticalSource(DuckDBConnection Connection, string Relation, string Name, bool InMemory = false);

/// <summary>A store whose rows DuckDB queries in place (the DuckDB store's table; the Parquet store's files).</summary>
internal interface IAnalyticalCohortStore : ICohortStore
{
    /// <summary>The rows as a DuckDB relation (complete mothers only).</summary>
    AnalyticalSource Rows();
}

/// <summary>Percentiles of numeric columns per (bin of an integer column, value of a text column), computed by the store's engine.</summary>
/// <param name="BinColumn">The integer column binned (for reference ranges: lactation_day); NULL counts as 0.</param>
/// <param name="Bins">Inclusive, non-overlapping ranges of non-negative values of <paramref name="BinColumn"/>; rows in none are counted, not grouped.</param>
/// <param name="GroupColumn">The text column grouped by (stage); NULL groups as the empty string.</param>
/// <param name="Measures">The numeric columns (integers are taken as doubles); NULLs are left out.</param>
/// <param name="Probabilities">The quantile probabilities, in [0, 1].</param>
/// <param name="MaxRows">The most rows in bins whose values are held in memory (a few columns of them at a time); past it there is no answer (stream the rows instead).</param>
/// <param name="BatchBytes">The most bytes of values read per query: as many measures as fit, at least one (<see cref="CohortAnalytics.DefaultBatchBytes"/> unless a test asks for fewer).</param>
public sealed record GroupedQuantileQuery(string BinColumn, ImmutableArray<(long First, long Last)> Bins, string GroupColumn,
    ImmutableArray<string> Measures, ImmutableArray<double> Probabilities, long MaxRows = int.MaxValue, long BatchBytes = CohortAnalytics.DefaultBatchBytes);

/// <summary>One (bin, group): its extent, sizes and the quantiles of each measure.</summary>
/// <param name="Bin">The index into <see cref="GroupedQuantileQuery.Bins"/>.</param>
/// <param name="Group">The text value ("" for NULL).</param>
/// <param name="FirstBinValue">The smallest bin-column value seen in the group.</param>
/// <param name="LastBinValue">The largest bin-column value seen in the group.</param>
/// <param name="Rows">Rows in the group.</param>
/// <param name="Mothers">Distinct mothers in the group.</param>
/// <param name="Counts">Non-NULL values per measure.</param>
/// <param name="Quantiles">Per measure, the quantiles in probability order (empty when the count is 0).</param>
public sealed record QuantileGroup(int Bin, string Group, long FirstBinValue, long LastBinValue, long Rows, long Mothers,
    ImmutableArray<long> Counts, ImmutableArray<ImmutableArray<double>> Quantiles);

/// <summary>What <see cref="CohortAnalytics.GroupedQuantiles"/> returns.</summary>
/// <param name="RowsRead">Rows in the store.</param>
/// <param name="RowsOutside">Rows in no bin.</param>
/// <param name="Groups">Every non-empty (bin, group), unordered.</param>
public sealed record GroupedQuantiles(long RowsRead, long RowsOutside, ImmutableArray<QuantileGroup> Groups);

/// <summary>Queries that columnar stores (DuckDB, Parquet) answer from DuckDB's column scans instead of streaming every row to the caller.</summary>
/// <remarks>
/// Quantiles are Hyndman &amp; Fan (1996, Am Stat 50:361) definition 7, exact. DuckDB counts each (bin, group) —
/// rows, mothers, first and last bin value — then scans a few measures at a time (as many as fit in
/// <see cref="GroupedQuantileQuery.BatchBytes"/>), handing each row's bin value, its stage's place among the groups' stages and its values to this
/// code, which gathers each measure's values group by group and selects the type-7 order statistics in memory
/// (<see cref="OrderStatistics.Type7InPlace"/>), the measures of a batch on all cores. Selection gives the values a sort
/// would, and they are combined by <see cref="Quantiles.Combine"/> as the streaming pass combines them (NULL and NaN
/// left out, −0 taken as +0), so the result is the streaming pass's bit for bit (checked by the reference tests).
/// DuckDB's own <c>quantile_cont</c> is not used: it interpolates equal neighbours too, v·(1 − w) + v·w, which can be
/// v ± 1 ulp where R and <see cref="Quantiles.Type7"/> return v; and sorting each group's list in SQL
/// (<c>list_sort(list(x))</c>, one query per measure) took as long as streaming every row. With more than one core,
/// each batch is read by two queries at once on two connections, one per half of the mothers by id, into the two
/// parts of the batch that the first count sized; each part must fill exactly. Memory is the batch's
/// columns and one gathered column per core, whatever the number of measures; DuckDB's buffer pool is held to
/// <see cref="QueryMemoryLimit"/> meanwhile.
/// </remarks>
public static class CohortAnalytics
{
    /// <summary>Whether <paramref name="store"/> computes <see cref="GroupedQuantiles"/> itself.</summary>
    public static bool IsAnalytical(ICohortStore store) => store is IAnalyticalCohortStore;

    /// <summary>The grouped quantiles of <paramref name="store"/>, or null when it is not a columnar store or its bins hold more than <see cref="GroupedQuantileQuery.MaxRows"/> rows (stream its rows instead).</summary>
    /// <remarks><paramref name="rowsDone"/> hears the store's rows times the share of measures done (the engine reads columns, not rows).</remarks>
    public static GroupedQuantiles? GroupedQuantiles(ICohortStore store, GroupedQuantileQuery query, IProgress<long>? rowsDone = null, CancellationToken cancellation = default)
    {
        if (store is not IAnalyticalCohortStore analytical)
        {
            return null;
        }
        var schema = store.Schema ?? throw new InputException(InputLocation.InFile(store.Name), "the store holds no run yet");
        foreach (var column in query.Measures.Append(query.BinColumn).Append(query.GroupColumn))
        {
            if (!schema.Contains(column))
            {
                throw new InputException(InputLocation.InFile(store.Name), $"the store has no column '{column}'", $"its columns: {schema}");
            }
        }
        var source = analytical.Rows();
        // Only a few columns' values are held at a time (in Batch); DuckDB's buffer pool would otherwise keep every block it
        // read, up to its 2 GB limit (a 10,000 × 365 DuckDB store's columns: ~0.7 GB), so it is held lower while reading.
        try
        {
            SetMemoryLimit(source.Connection, QueryMemoryLimit);
        }
        catch (DuckDBException)
        {
            // DuckDB refuses a limit below what it has pinned now (a connection busy elsewhere): read at the usual limit.
        }
        try
        {
            return Compute(source, query, rowsDone, cancellation);
        }
        finally
        {
            SetMemoryLimit(source.Connection, DuckDbSession.MemoryLimit);
        }
    }

    /// <summary>DuckDB's memory ceiling while <see cref="GroupedQuantiles"/> reads (its aggregates are a few rows per group): 64 MB left a 10,000 × 365 DuckDB store's build at 0.42 GB peak against 0.60 GB at 256 MB, and no slower.</summary>
    private const string QueryMemoryLimit = "64MB";

    private static void SetMemoryLimit(DuckDBConnection connection, string limit)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SET memory_limit = '{limit}'";
        command.ExecuteNonQuery();
    }

    private static GroupedQuantiles? Compute(AnalyticalSource source, GroupedQuantileQuery query, IProgress<long>? rowsDone, CancellationToken cancellation)
    {
        // The bin of each value of the bin column, looked up in a constant list (cheaper per row than a CASE chain).
        var last = query.Bins.Max(b => b.Last);
        var binOf = new int[last + 1];
        Array.Fill(binOf, -1);
        for (var b = 0; b < query.Bins.Length; b++)
        {
            for (var v = Math.Max(0, query.Bins[b].First); v <= query.Bins[b].Last; v++)
            {
                binOf[v] = b;
            }
        }
        var table = binOf.Select(b => b < 0 ? "NULL" : b.ToString(CultureInfo.InvariantCulture));
        var bin = new StringBuilder("CASE WHEN d BETWEEN 0 AND ").Append(last.ToString(CultureInfo.InvariantCulture)).Append(" THEN [")
            .AppendJoin(',', table).Append("][d + 1] END");
        // Each batch is read by two queries at once where there are two cores, one per half of the mothers (by id: DuckDB's
        // table and the Parquet parts' row groups are in mother order, so each query skips most of the other half's
        // blocks). Reading a batch row by row is otherwise the serial part. Selection does not depend on the order of the
        // values, so the result is the same.
        var split = Environment.ProcessorCount > 1 ? MotherSplit(source) : long.MaxValue;
        var rowsSql = $"SELECT mother_id, coalesce({Quote(query.BinColumn)}, 0) AS d, coalesce({Quote(query.GroupColumn)}, '') AS g FROM {source.Relation}";
        var binned = $"SELECT *, {bin} AS bin FROM ({{0}}) WHERE bin IS NOT NULL";

        long total;
        using (var count = source.Connection.CreateCommand())
        {
            count.CommandText = $"SELECT count(*) FROM {source.Relation}";
            total = Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        var groups = new Dictionary<(int Bin, string Group), (long First, long Last, long Rows, long Mothers)>();
        var halfRows = new long[2];
        using (var stats = source.Connection.CreateCommand())
        {
            // Counted per half of the mothers too (the halves share no mother, so their distinct mothers add up).
            stats.CommandText = $"SELECT bin, g, min(d), max(d), count(*), count(DISTINCT mother_id), (mother_id >= {split})::INTEGER AS half " +
                $"FROM ({string.Format(CultureInfo.InvariantCulture, binned, rowsSql)}) GROUP BY bin, g, half";
            using var reader = stats.ExecuteReader();
            while (reader.Read())
            {
                var key = (reader.GetInt32(0), reader.GetString(1));
                var (lowest, highest, rows, mothers) = (reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
                halfRows[reader.GetInt32(6)] += rows;
                groups[key] = groups.TryGetValue(key, out var other)
                    ? (Math.Min(lowest, other.First), Math.Max(highest, other.Last), rows + other.Rows, mothers + other.Mothers)
                    : (lowest, highest, rows, mothers);
            }
        }
        if (groups.Count == 0)
        {
            return new GroupedQuantiles(total, total, []);
        }
        // Each row's group: its bin (looked up here from the bin column) × stages + its stage's place (found by DuckDB, which
        // holds the text), an index into slots; computing the bin in the query as well took half as long again per batch.
        var keys = groups.Keys.ToArray();
        var stages = keys.Select(k => k.Group).Distinct().Order(StringComparer.Ordinal).ToArray();
        var slots = new int[query.Bins.Length * stages.Length];
        Array.Fill(slots, -1);
        foreach (var (key, i) in keys.Select((k, i) => (k, i)))
        {
            slots[(key.Bin * stages.Length) + Array.BinarySearch(stages, key.Group, StringComparer.Ordinal)] = i;
        }
        var rowKey = $"coalesce({Quote(query.BinColumn)}, 0)::BIGINT, " +
            $"coalesce(list_position([{string.Join(", ", stages.Select(DuckDbSession.Literal))}], coalesce({Quote(query.GroupColumn)}, '')), 0)::INTEGER";
        var layout = new GroupLayout(binOf, stages.Length, slots, source.Name);
        var capacity = groups.Values.Sum(g => g.Rows);
        if (capacity > Math.Min(query.MaxRows, Array.MaxLength))
        {
            return null;
        }
        var counts = keys.Select(_ => new long[query.Measures.Length]).ToArray();
        var quantiles = keys.Select(_ => new ImmutableArray<double>[query.Measures.Length]).ToArray();
        var batch = new Batch(capacity, (int)Math.Max(1, Math.Min(query.BatchBytes / Math.Max(1, capacity * sizeof(double)), query.Measures.Length)));
        var selectors = Enumerable.Range(0, Math.Min(Environment.ProcessorCount, batch.Measures)).Select(_ => new GroupSelector(keys.Length, capacity, query.Probabilities)).ToArray();
        // The second half's query runs on a second connection to the same database (a connection runs one query at a time):
        // DuckDB.NET shares a database file's instance between connections with the same connection string, and duplicates
        // an in-memory one's.
        using var second = halfRows[1] > 0 && halfRows[0] > 0 ? (source.InMemory ? source.Connection.Duplicate() : new DuckDBConnection(source.Connection.ConnectionString)) : null;
        second?.Open();
        (DuckDBConnection Connection, string Where, long Start, long End)[] halves = second is null
            ? [(source.Connection, "", 0, capacity)]
            : [(source.Connection, $" WHERE mother_id < {split}", 0, halfRows[0]), (second, $" WHERE mother_id >= {split}", halfRows[0], capacity)];
        for (var first = 0; first < query.Measures.Length; first += batch.Measures)
        {
            cancellation.ThrowIfCancellationRequested();
            var measures = query.Measures.Skip(first).Take(batch.Measures).ToArray();
            // NULL comes as NaN (left out, as a stored NaN is by the streaming pass): one call per value, not two.
            var select = $"SELECT {rowKey}, {string.Join(", ", measures.Select(m => $"coalesce({Quote(m)}::DOUBLE, 'NaN'::DOUBLE)"))} FROM {source.Relation}";
            Parallel.For(0, halves.Length, new ParallelOptions { CancellationToken = cancellation }, h =>
            {
                using var command = halves[h].Connection.CreateCommand();
                command.CommandText = select + halves[h].Where;
                command.UseStreamingMode = true;
                using var reader = command.ExecuteReader();
                batch.Read(reader, measures.Length, layout, halves[h].Start, halves[h].End);
            });
            // The batch's measures are independent: each core selects every selectors.Length-th one, into its own buffer.
            var offset = first;
            Parallel.For(0, selectors.Length, new ParallelOptions { CancellationToken = cancellation }, w =>
            {
                for (var i = w; i < measures.Length; i += selectors.Length)
                {
                    selectors[w].Select(batch, i, offset + i, counts, quantiles);
                }
            });
            rowsDone?.Report(total * (first + measures.Length) / query.Measures.Length);
        }
        var result = keys.Select((k, i) => new QuantileGroup(k.Bin, k.Group, groups[k].First, groups[k].Last, groups[k].Rows, groups[k].Mothers,
            [.. counts[i]], [.. quantiles[i].Select(q => q.IsDefault ? [] : q)])).ToImmutableArray();
        return new GroupedQuantiles(total, total - result.Sum(g => g.Rows), result);
    }

    /// <summary>The mother id that splits the store's mothers into two halves of the id range (long.MaxValue, so one part, when it is empty).</summary>
    private static long MotherSplit(AnalyticalSource source)
    {
        using var command = source.Connection.CreateCommand();
        command.CommandText = $"SELECT min(mother_id), max(mother_id) FROM {source.Relation}";
        using var reader = command.ExecuteReader();
        if (!reader.Read() || reader.IsDBNull(0))
        {
            return long.MaxValue;
        }
        var (low, high) = (reader.GetInt64(0), reader.GetInt64(1));
        return low + ((high - low + 1) / 2);
    }

    private static string Quote(string identifier) => "\"" + identifier + "\"";

    /// <summary>Where a row belongs: its bin from the bin column's value, then the group of (bin, stage), the stage found by its 1-based place among the groups' stages (0 for none).</summary>
    private sealed class GroupLayout(int[] binOf, int stages, int[] slots, string storeName)
    {
        /// <summary>The group's index, or −1 for a row in no bin.</summary>
        public int GroupOf(long binValue, int stagePlace)
        {
            var bin = binValue >= 0 && binValue < binOf.Length ? binOf[binValue] : -1;
            if (bin < 0)
            {
                return -1;
            }
            var group = stagePlace > 0 ? slots[(bin * stages) + stagePlace - 1] : -1;
            return group >= 0 ? group : throw Changed();
        }

        public InvalidOperationException Changed() => new($"{storeName} changed while its quantiles were computed: a row of no counted group");
    }

    /// <summary>Rows read per query are at most this many bytes of values (a few measures at a time: one query per measure costs 3–4 times as much, all at once holds every column).</summary>
    public const long DefaultBatchBytes = 160L << 20;

    /// <summary>A few measures' values as read, row by row: each row's group (an index into the groups) and its values, NaN for NULL, −0 read as +0 (as the streaming pass stores it).</summary>
    private sealed class Batch(long capacity, int measures)
    {
        public int Measures => measures;

        public int[] Groups { get; } = new int[capacity];

        public double[][] Values { get; } = [.. Enumerable.Range(0, measures).Select(_ => new double[capacity])];

        public int Count => Groups.Length;

        /// <summary>Reads rows into [<paramref name="start"/>, <paramref name="end"/>), which they must fill exactly (else the store changed since its rows were counted).</summary>
        public void Read(System.Data.Common.DbDataReader reader, int read, GroupLayout layout, long start, long end)
        {
            var at = start;
            while (reader.Read())
            {
                var group = layout.GroupOf(reader.GetInt64(0), reader.GetInt32(1));
                if (group < 0)
                {
                    continue; // in no bin
                }
                if (at == end)
                {
                    throw layout.Changed();
                }
                Groups[at] = group;
                for (var m = 0; m < read; m++)
                {
                    var x = reader.GetDouble(m + 2);
                    Values[m][at] = x == 0 ? 0.0 : x;
                }
                at++;
            }
            if (at != end)
            {
                throw layout.Changed();
            }
        }
    }

    /// <summary>Gathers a column's values group by group (a counting sort on the group) and selects each group's quantiles in place.</summary>
    private sealed class GroupSelector(int groups, long capacity, ImmutableArray<double> probabilities)
    {
        private readonly double[] _gathered = new double[capacity];
        private readonly int[] _starts = new int[groups + 1];

        public void Select(Batch batch, int column, int measure, long[][] counts, ImmutableArray<double>[][] quantiles)
        {
            Array.Clear(_starts);
            var of = batch.Groups.AsSpan(0, batch.Count);
            var values = batch.Values[column].AsSpan(0, batch.Count);
            for (var i = 0; i < of.Length; i++)
            {
                if (!double.IsNaN(values[i]))
                {
                    _starts[of[i] + 1]++;
                }
            }
            for (var g = 0; g < groups; g++)
            {
                _starts[g + 1] += _starts[g];
            }
            var next = _starts[..groups];
            for (var i = 0; i < of.Length; i++)
            {
                if (!double.IsNaN(values[i]))
                {
                    _gathered[next[of[i]]++] = values[i];
                }
            }
            for (var g = 0; g < groups; g++)
            {
                var n = _starts[g + 1] - _starts[g];
                counts[g][measure] = n;
                if (n > 0)
                {
                    quantiles[g][measure] = [.. OrderStatistics.Type7InPlace(_gathered.AsSpan(_starts[g], n), probabilities)];
                }
            }
        }
    }
}
