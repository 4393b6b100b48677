using System.Text;
using MilkCells.Simulation;
using MilkCells.Storage.Cohorts;
using MilkCells.TestSupport;

namespace MilkCells.Cohorts.Tests;

public sealed class CohortRunnerTests : IDisposable
{
    private readonly TempDir _dir = new("milkcells-cohort");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Any_thread_count_and_any_shard_split_export_the_bytes_of_one_sequential_run()
    {
        var spec = Cohorts.Spec(mothers: 7, days: 4);
        var sequential = Cohorts.Export(Cohorts.Run(_dir, "sequential", spec, threads: 1));
        Assert.Equal(sequential, Cohorts.Export(Cohorts.Run(_dir, "threads3", spec, threads: 3)));

        // K = 3 shards into their own stores, merged; K = 2 shards into one store.
        var shards = Enumerable.Range(0, 3).Select(i => Cohorts.Run(_dir, $"shard{i}", spec, threads: 2, shard: new ShardSpec(i, 3))).ToArray();
        var merged = "sqlite:" + _dir.File("merged.db");
        using (var target = CohortStore.OpenForWrite(merged))
        {
            CohortMerge.Merge(target, shards, cancellation: TestContext.Current.CancellationToken);
        }
        Assert.Equal(sequential, Cohorts.Export(merged));
        var shared = "sqlite:" + _dir.File("shared.db");
        Cohorts.Run(_dir, "", spec, threads: 1, shard: new ShardSpec(1, 2), uri: shared);
        Cohorts.Run(_dir, "", spec, threads: 2, shard: new ShardSpec(0, 2), uri: shared);
        Assert.Equal(sequential, Cohorts.Export(shared));

        // The bytes are a real cohort: every mother and day once, and mothers that differ.
        var lines = Encoding.UTF8.GetString(sequential).TrimEnd('\n').Split('\n');
        Assert.Equal("mother_id,day," + string.Join(',', DailyTable.Columns(Cohorts.Model).Skip(1).Select(c => c.Name)), lines[0]);
        Assert.Equal(Enumerable.Range(0, 7).SelectMany(m => Enumerable.Range(0, 4).Select(d => $"{m},{d}")), lines.Skip(1).Select(l => string.Join(',', l.Split(',').Take(2))));
        Assert.Equal(7, lines.Skip(1).Where(l => l.Split(',')[1] == "2").Select(l => l.Split(',')[4]).Distinct().Count()); // milk_ml on day 2
    }

    [Fact]
    public void Stored_rows_are_the_simulations_daily_rows_of_that_mother()
    {
        var spec = Cohorts.Spec(mothers: 3, days: 3, seed: 8);
        var uri = Cohorts.Run(_dir, "rows", spec);
        var expected = MotherSimulation.Run(spec.Calibration, spec.Scenario, 8, 2, 3, TestContext.Current.CancellationToken);
        using var store = CohortStore.OpenForRead(uri);
        using var reader = store.ReadRows();
        var row = 0;
        while (reader.Read())
        {
            if (reader.MotherId != 2)
            {
                continue;
            }
            var values = DailyTable.Values(expected[row++]);
            Assert.Equal(values[0].Integer, reader.Day);
            for (var c = 0; c < spec.Schema.Count; c++)
            {
                var v = values[c + 1];
                switch (v.Kind)
                {
                    case DailyValueKind.Integer:
                        Assert.Equal(v.Integer, reader.GetInteger(c));
                        break;
                    case DailyValueKind.Real:
                        Assert.Equal(double.IsNaN(v.Real), reader.IsNull(c)); // NaN is stored as NULL
                        Assert.Equal(v.Real, reader.GetReal(c));
                        break;
                    default:
                        Assert.Equal(v.Text, reader.GetText(c));
                        break;
                }
            }
        }
        Assert.Equal(3, row);
    }

    [Fact]
    public void A_cancelled_run_keeps_complete_mothers_and_resume_finishes_it_identically()
    {
        var spec = Cohorts.Spec(mothers: 6, days: 3);
        var uri = "sqlite:" + _dir.File("cancelled.db");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using (var store = CohortStore.OpenForWrite(uri))
        {
            var options = new CohortRunOptions { Threads = 1, CodeVersion = Cohorts.CodeVersion };
            Assert.ThrowsAny<OperationCanceledException>(() => CohortRunner.Run(spec, store, options, p =>
            {
                if (p.Simulated == 3)
                {
                    cancel.Cancel();
                }
            }, cancel.Token));
        }
        using (var store = CohortStore.OpenForRead(uri))
        {
            Assert.Equal([0L, 1, 2], store.CompletedMothers().Order());
            Assert.Equal(3 * 3, store.CountRows());
        }
        using (var store = CohortStore.OpenForWrite(uri))
        {
            var again = Assert.Throws<Core.Errors.InputException>(() => CohortRunner.Run(spec, store, new CohortRunOptions { CodeVersion = Cohorts.CodeVersion }, cancellation: TestContext.Current.CancellationToken));
            Assert.Contains("--resume", again.Message);
            var summary = CohortRunner.Run(spec, store, new CohortRunOptions { Resume = true, CodeVersion = Cohorts.CodeVersion }, cancellation: TestContext.Current.CancellationToken);
            Assert.Equal((6L, 3L, 3L, 6L), (summary.InShard, summary.AlreadyComplete, summary.Simulated, summary.CompleteInStore));
        }
        Assert.Equal(Cohorts.Export(Cohorts.Run(_dir, "whole", spec)), Cohorts.Export(uri));
    }

    [Fact]
    public void A_store_of_another_run_is_refused_naming_the_difference()
    {
        var uri = Cohorts.Run(_dir, "seed5", Cohorts.Spec(mothers: 2, days: 2));
        using var store = CohortStore.OpenForWrite(uri);
        var ex = Assert.Throws<Core.Errors.InputException>(() =>
            CohortRunner.Run(Cohorts.Spec(mothers: 2, days: 2, seed: 6), store, new CohortRunOptions { Resume = true, CodeVersion = Cohorts.CodeVersion }, cancellation: TestContext.Current.CancellationToken));
        Assert.Contains("seed: '5'", ex.Message);
    }

    [Fact]
    public void Progress_reports_every_mother_of_the_shard()
    {
        var seen = new List<long>();
        var spec = Cohorts.Spec(mothers: 5, days: 2);
        using var store = CohortStore.OpenForWrite("sqlite:" + _dir.File("progress.db"));
        var summary = CohortRunner.Run(spec, store, new CohortRunOptions { Threads = 2, Shard = new ShardSpec(1, 2), CodeVersion = Cohorts.CodeVersion }, p =>
        {
            lock (seen)
            {
                seen.Add(p.Simulated);
                Assert.Equal(2, p.ToSimulate); // ids 1 and 3
            }
        }, TestContext.Current.CancellationToken);
        Assert.Equal([1L, 2, 2], seen.Order());
        Assert.Equal([1L, 3], store.CompletedMothers().Order());
        Assert.Equal(2, summary.InShard);
    }

    [Fact]
    public void Cohorts_outside_lactation_or_without_mothers_are_refused()
    {
        Assert.Contains("past the end of lactation", Assert.Throws<Core.Errors.InputException>(() => Cohorts.Spec(mothers: 1, days: 2000)).Message);
        Assert.Contains("not a cohort", Assert.Throws<Core.Errors.InputException>(() => Cohorts.Spec(mothers: 0, days: 2)).Message);
    }
}
