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
}
