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
internal sealed record AnalyticalSource(DuckDBConnection Connection, string Relation, string Name);

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
public sealed record GroupedQuantileQuery(string BinColumn, ImmutableArray<(long First, long Last)> Bins, string GroupColumn,
    ImmutableArray<string> Measures, ImmutableArray<double> Probabilities);

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

/// <summary>Queries that columnar stores (DuckDB, Parquet) answer in DuckDB instead of streaming every row to the caller.</summary>
/// <remarks>
/// Quantiles are Hyndman &amp; Fan (1996, Am Stat 50:361) definition 7, exact: DuckDB sorts each group's values and
/// returns the two order statistics x[⌊h⌋] and x[⌊h⌋+1] at h = (n − 1)p, which <see cref="Quantiles.Type7Ranks"/>
/// and <see cref="Quantiles.Combine"/> combine here, so the result is the streaming pass's bit for bit (checked by the
/// reference tests). DuckDB's own <c>quantile_cont</c> is not used: it interpolates equal neighbours too,
/// v·(1 − w) + v·w, which can be v ± 1 ulp where R and <see cref="Quantiles.Type7"/> return v. One query per measure
/// holds one column's values at a time, so memory is one column of the store, not all of them.
/// </remarks>
public static class CohortAnalytics
{
    /// <summary>Whether <paramref name="store"/> computes <see cref="GroupedQuantiles"/> itself.</summary>
    public static bool IsAnalytical(ICohortStore store) => store is IAnalyticalCohortStore;

    /// <summary>The grouped quantiles of <paramref name="store"/>, or null when it is not a columnar store (stream its rows instead).</summary>
    public static GroupedQuantiles? GroupedQuantiles(ICohortStore store, GroupedQuantileQuery query, IProgress<int>? measuresDone = null, CancellationToken cancellation = default)
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
        // The bin of each value of the bin column, looked up in a constant list (cheaper per row than a CASE chain).
        var last = query.Bins.Max(b => b.Last);
        var table = new string[last + 1];
        Array.Fill(table, "NULL");
        for (var b = 0; b < query.Bins.Length; b++)
        {
            for (var v = Math.Max(0, query.Bins[b].First); v <= query.Bins[b].Last; v++)
            {
                table[v] = b.ToString(CultureInfo.InvariantCulture);
            }
        }
        var bin = new StringBuilder("CASE WHEN d BETWEEN 0 AND ").Append(last.ToString(CultureInfo.InvariantCulture)).Append(" THEN [")
            .AppendJoin(',', table).Append("][d + 1] END");
        var rowsSql = $"SELECT mother_id, coalesce({Quote(query.BinColumn)}, 0) AS d, coalesce({Quote(query.GroupColumn)}, '') AS g FROM {source.Relation}";
        var binned = $"SELECT *, {bin} AS bin FROM ({{0}}) WHERE bin IS NOT NULL";

        long total;
        using (var count = source.Connection.CreateCommand())
        {
            count.CommandText = $"SELECT count(*) FROM {source.Relation}";
            total = Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        var groups = new Dictionary<(int Bin, string Group), (long First, long Last, long Rows, long Mothers)>();
        using (var stats = source.Connection.CreateCommand())
        {
            stats.CommandText = $"SELECT bin, g, min(d), max(d), count(*), count(DISTINCT mother_id) FROM ({string.Format(CultureInfo.InvariantCulture, binned, rowsSql)}) GROUP BY bin, g";
            using var reader = stats.ExecuteReader();
            while (reader.Read())
            {
                groups[(reader.GetInt32(0), reader.GetString(1))] = (reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
            }
        }
        // Per probability, the 0-based lower rank ⌊(n − 1)p⌋ (the IEEE arithmetic of Quantiles.Type7Ranks) and the two order
        // statistics at it and the next rank (capped at n − 1); the rank comes back so that a disagreement is caught, not combined.
        var orderStatistics = new StringBuilder();
        foreach (var p in query.Probabilities)
        {
            var lower = $"CAST(floor((n - 1)::DOUBLE * {p.ToString("R", CultureInfo.InvariantCulture)}::DOUBLE) AS BIGINT)";
            orderStatistics.Append($", {lower}, s[{lower} + 1], s[least({lower} + 1, n - 1) + 1]");
        }
        var counts = groups.Keys.ToDictionary(k => k, _ => new long[query.Measures.Length]);
        var quantiles = groups.Keys.ToDictionary(k => k, _ => new ImmutableArray<double>[query.Measures.Length]);
        for (var m = 0; m < query.Measures.Length; m++)
        {
            cancellation.ThrowIfCancellationRequested();
            var measureRows = $"SELECT mother_id, coalesce({Quote(query.BinColumn)}, 0) AS d, coalesce({Quote(query.GroupColumn)}, '') AS g, {Quote(query.Measures[m])}::DOUBLE AS x FROM {source.Relation}";
            using var command = source.Connection.CreateCommand();
            var sorted = $"SELECT bin, g, count(x) AS n, list_sort(list(x) FILTER (WHERE x IS NOT NULL)) AS s FROM ({string.Format(CultureInfo.InvariantCulture, binned, measureRows)}) GROUP BY bin, g";
            command.CommandText = $"SELECT bin, g, n{orderStatistics} FROM ({sorted}) WHERE n > 0";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var key = (reader.GetInt32(0), reader.GetString(1));
                var n = reader.GetInt64(2);
                counts[key][m] = n;
                var values = new double[query.Probabilities.Length];
                for (var i = 0; i < values.Length; i++)
                {
                    var ranks = Quantiles.Type7Ranks(n, query.Probabilities[i]);
                    var column = 3 + (3 * i);
                    if (reader.GetInt64(column) != ranks.Lower)
                    {
                        throw new InvalidOperationException($"DuckDB chose order statistic {reader.GetInt64(column)} of {n} for p = {query.Probabilities[i]:R}, not {ranks.Lower}");
                    }
                    values[i] = Quantiles.Combine(reader.GetDouble(column + 1), reader.GetDouble(column + 2), ranks.Weight);
                }
                quantiles[key][m] = [.. values];
            }
            measuresDone?.Report(m + 1);
        }
        var result = groups.Select(g => new QuantileGroup(g.Key.Bin, g.Key.Group, g.Value.First, g.Value.Last, g.Value.Rows, g.Value.Mothers,
            [.. counts[g.Key]], [.. quantiles[g.Key].Select(q => q.IsDefault ? [] : q)])).ToImmutableArray();
        return new GroupedQuantiles(total, total - result.Sum(g => g.Rows), result);
    }

    private static string Quote(string identifier) => "\"" + identifier + "\"";
}
