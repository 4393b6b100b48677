using MilkCells.Analysis;
using MilkCells.Storage.Cohorts;
using MilkCells.Storage.Testing;
using MilkCells.TestSupport;

namespace MilkCells.Storage.Tests;

/// <summary>Quantiles computed in DuckDB (<see cref="CohortAnalytics.GroupedQuantiles"/>) are <see cref="Quantiles.Type7"/>'s bit for bit.</summary>
public sealed class GroupedQuantileTests : IDisposable
{
    private static readonly CohortSchema Schema = CohortSchema.Create(("lactation_day", ColumnKind.Integer), ("stage", ColumnKind.Text), ("constant", ColumnKind.Real), ("varying", ColumnKind.Real));
    private readonly TempDir _dir = new("milkcells-grouped-quantiles");

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// 14.700000000000001 (the transitional sodium of a real cohort) interpolated with itself, v·0.7 + v·0.3, is 14.7:
    /// DuckDB's quantile_cont returned that; R and the streaming pass return v, as must the store.
    /// </summary>
    [Theory]
    [InlineData("duckdb")]
    [InlineData("parquet")]
    public void Equal_neighbours_give_the_value_itself_and_every_quantile_is_type7s(string scheme)
    {
        const double Constant = 14.700000000000001;
        var w = Quantiles.Type7Ranks(44, 0.1).Weight; // 44 values (11 mothers × 4 days), p = 0.1
        Assert.NotEqual(Constant, (Constant * (1 - w)) + (Constant * w)); // the trap is real
        var uri = scheme == "duckdb" ? "duckdb:" + _dir.File("q.duckdb") : "parquet:" + _dir.File("q") + "?rows_per_file=7";
        const int Mothers = 11, Days = 4;
        var varying = new List<double>();
        using (var store = CohortStore.OpenForWrite(uri))
        {
            store.StartRun(SyntheticCohort.Metadata(Mothers, Days), Schema, ShardSpec.Whole, resume: false);
            using var writer = new CohortWriter(store, 5);
            for (var m = 0; m < Mothers; m++)
            {
                var rows = writer.Rent(m);
                for (var d = 0; d < Days; d++)
                {
                    var v = Math.Sqrt((m * 7) + (d * 3) + 0.1) / 3;
                    varying.Add(v);
                    rows.Add(d).Integer(0, d).Text(1, "all").Real(2, Constant).Real(3, v);
                }
                writer.Add(rows, TestContext.Current.CancellationToken);
            }
            writer.Complete();
        }
        double[] probabilities = [0, 0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975, 1];
        using (var store = CohortStore.OpenForRead(uri))
        {
            var result = CohortAnalytics.GroupedQuantiles(store, new GroupedQuantileQuery("lactation_day", [(0, Days - 1)], "stage", ["constant", "varying"], [.. probabilities]),
                cancellation: TestContext.Current.CancellationToken)!;
            var group = Assert.Single(result.Groups);
            Assert.Equal([Mothers * Days, Mothers * Days], group.Counts);
            var sorted = varying.Order().ToArray();
            Assert.Equal(probabilities.Select(_ => BitConverter.DoubleToInt64Bits(Constant)), group.Quantiles[0].Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(probabilities.Select(p => BitConverter.DoubleToInt64Bits(Quantiles.Type7(sorted, p))), group.Quantiles[1].Select(BitConverter.DoubleToInt64Bits));
        }
    }

    /// <summary>
    /// Several groups — one of a single value, one of over 16,384 (the size from which values are narrowed by a sample),
    /// a NULL stage, NULL days (binned as day 0) — NULL values, ties, ±0, negatives and an integer measure: every count and
    /// quantile is <see cref="Quantiles.Type7"/> of the group's sorted values, bit for bit.
    /// </summary>
    [Theory]
    [InlineData("duckdb")]
    [InlineData("parquet")]
    public void Every_group_gets_type7_of_its_sorted_values_with_nulls_ties_and_integers(string scheme)
    {
        var schema = CohortSchema.Create(("lactation_day", ColumnKind.Integer), ("stage", ColumnKind.Text), ("real", ColumnKind.Real), ("count", ColumnKind.Integer));
        var uri = scheme == "duckdb" ? "duckdb:" + _dir.File("g.duckdb") : "parquet:" + _dir.File("g") + "?rows_per_file=5000";
        const int Mothers = 60, Days = 400;
        var rows = new List<(long Mother, long? Day, string? Stage, double? Real, long? Count)>();
        using (var store = CohortStore.OpenForWrite(uri))
        {
            store.StartRun(SyntheticCohort.Metadata(Mothers, Days), schema, ShardSpec.Whole, resume: false);
            using var writer = new CohortWriter(store, 7);
            for (var m = 0; m < Mothers; m++)
            {
                var mother = writer.Rent(m);
                for (var d = 0; d < Days; d++)
                {
                    var h = (uint)((m * 7919) + (d * 104729)) % 1000;
                    long? day = h % 97 == 0 ? null : d;
                    var stage = d == 10 ? (m == 0 ? "solo" : null) : h % 10 == 1 ? "early" : "late";
                    double? real = h % 11 == 0 ? null : h % 5 == 0 ? (h % 2 == 0 ? 0.0 : -0.0) : h % 7 == 0 ? Math.Round(h / 100.0) : (h - 500) * Math.Sqrt(2) / 7;
                    long? count = h % 13 == 0 ? null : h % 9;
                    if (d == 10 && m > 0)
                    {
                        real = null; // the stage "solo" group is mother 0's one value; NULL-stage rows of day 10 have counts only
                    }
                    var row = mother.Add(d).Text(1, stage);
                    row = day is { } dd ? row.Integer(0, dd) : row;
                    row = real is { } r ? row.Real(2, r) : row;
                    _ = count is { } c ? row.Integer(3, c) : row;
                    rows.Add((m, day, stage, real, count));
                }
                writer.Add(mother, TestContext.Current.CancellationToken);
            }
            writer.Complete();
        }
        (long First, long Last)[] bins = [(0, 9), (10, 10), (11, Days - 1)];
        double[] probabilities = [0, 0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975, 1];
        using (var store = CohortStore.OpenForRead(uri))
        {
            var query = new GroupedQuantileQuery("lactation_day", [.. bins], "stage", ["real", "count"], [.. probabilities], MaxRows: rows.Count);
            Assert.Null(CohortAnalytics.GroupedQuantiles(store, query with { MaxRows = rows.Count - 1 }, cancellation: TestContext.Current.CancellationToken)); // every row is in a bin
            var result = CohortAnalytics.GroupedQuantiles(store, query, cancellation: TestContext.Current.CancellationToken)!;
            // One measure per query (a query per measure, each batch selected before the next is read) gives the same answer.
            var oneAtATime = CohortAnalytics.GroupedQuantiles(store, query with { BatchBytes = 1 }, cancellation: TestContext.Current.CancellationToken)!;
            static string Describe(GroupedQuantiles q) => string.Join("\n", q.Groups.OrderBy(g => g.Bin).ThenBy(g => g.Group, StringComparer.Ordinal)
                .Select(g => $"{g.Bin} {g.Group} {g.Rows} {g.Mothers} {string.Join(",", g.Counts)} "
                    + string.Join(";", g.Quantiles.Select(m => string.Join(",", m.Select(BitConverter.DoubleToInt64Bits))))));
            Assert.Equal(Describe(result), Describe(oneAtATime));
            var expected = rows.GroupBy(r => (Bin: Array.FindIndex(bins, b => (r.Day ?? 0) >= b.First && (r.Day ?? 0) <= b.Last), Stage: r.Stage ?? "")).ToDictionary(g => g.Key);
            Assert.Equal(expected.Count, result.Groups.Length);
            Assert.Contains(result.Groups, g => g.Group == "" && g.Counts[0] == 0 && g.Counts[1] > 0);
            Assert.Contains(result.Groups, g => g.Group == "solo" && g.Counts[0] == 1);
            Assert.Contains(result.Groups, g => g.Counts[0] > 16_384);
            foreach (var group in result.Groups)
            {
                var want = expected[(group.Bin, group.Group)];
                Assert.Equal(want.Count(), group.Rows);
                Assert.Equal(want.Select(r => r.Mother).Distinct().Count(), group.Mothers);
                Assert.Equal((want.Min(r => r.Day ?? 0), want.Max(r => r.Day ?? 0)), (group.FirstBinValue, group.LastBinValue));
                double[][] columns = [[.. want.Where(r => r.Real is not null).Select(r => r.Real!.Value == 0 ? 0.0 : r.Real.Value).Order()],
                    [.. want.Where(r => r.Count is not null).Select(r => (double)r.Count!.Value).Order()]];
                for (var m = 0; m < columns.Length; m++)
                {
                    Assert.Equal(columns[m].Length, group.Counts[m]);
                    var sorted = columns[m];
                    Assert.Equal(sorted.Length == 0 ? [] : probabilities.Select(p => BitConverter.DoubleToInt64Bits(Quantiles.Type7(sorted, p))),
                        group.Quantiles[m].Select(BitConverter.DoubleToInt64Bits));
                }
            }
        }
    }
}
