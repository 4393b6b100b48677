using MilkCells.Storage.Cohorts;
using MilkCells.Storage.Runs;
using MilkCells.Storage.Testing;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

public sealed class StorageCommandsTests : IDisposable
{
    private readonly TempDir _dir = new("milkcells-cli-store");

    private string Shard(int index, int count, int mothers, int days)
    {
        var uri = "sqlite:" + _dir.File($"shard{index}of{count}.db");
        using var store = CohortStore.OpenForWrite(uri);
        var shard = new ShardSpec(index, count);
        store.StartRun(SyntheticCohort.Metadata(mothers, days), SyntheticCohort.Daily, shard, resume: false);
        SyntheticCohort.WriteAll(store, Enumerable.Range(0, mothers).Select(i => (long)i).Where(shard.Contains), days);
        return uri;
    }

    [Fact]
    public void Cohort_merge_then_export_gives_the_bytes_of_the_unsplit_run()
    {
        var whole = Shard(0, 1, 9, 12);
        var a = Shard(0, 2, 9, 12);
        var b = Shard(1, 2, 9, 12);
        var merged = "sqlite:" + _dir.File("merged.db");
        var (code, _, output) = CliHarness.Run("cohort", "merge", "--store", merged, a, b);
        Assert.True(code == 0, output);
        Assert.Contains("9 mothers copied", output);
        Assert.Contains("9 of 9 mothers complete; shards 0/2, 1/2", output);
        Assert.Equal(0, CliHarness.Run("cohort", "export", "--store", merged, "-o", _dir.File("merged.csv")).Code);
        Assert.Equal(0, CliHarness.Run("cohort", "export", "--store", whole, "--csv", _dir.File("whole.csv")).Code); // the older spelling still works
        Assert.Equal(File.ReadAllBytes(_dir.File("whole.csv")), File.ReadAllBytes(_dir.File("merged.csv")));
        Assert.StartsWith("mother_id,day,stage,", File.ReadAllText(_dir.File("merged.csv")));
        Assert.Equal(["merged.csv", "merged.db", "shard0of1.db", "shard0of2.db", "shard1of2.db", "whole.csv"],
            Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Where(f => !f!.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("mysql://h/db", "unknown store kind 'mysql'")]
    [InlineData("postgres://u:pw@127.0.0.1:1/db", "cannot reach PostgreSQL at 127.0.0.1:1")]
    [InlineData("sqlite:/nonexistent/dir/none.db", "no store at this path")]
    public void Bad_or_unreachable_stores_exit_2_with_one_clear_line(string uri, string expected)
    {
        var (code, _, error) = CliHarness.Run("cohort", "export", "--store", uri, "-o", _dir.File("x.csv"));
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.Single(error.TrimEnd().Split('\n')); // no stack trace
        Assert.DoesNotContain(":pw@", error);
    }

    [Fact]
    public void Merging_shards_of_different_runs_exits_2_naming_the_difference()
    {
        var a = Shard(0, 2, 9, 12);
        var other = "sqlite:" + _dir.File("other.db");
        using (var store = CohortStore.OpenForWrite(other))
        {
            store.StartRun(SyntheticCohort.Metadata(9, 12, seed: 7), SyntheticCohort.Daily, new ShardSpec(1, 2), resume: false);
        }
        var (code, _, error) = CliHarness.Run("cohort", "merge", "--store", "sqlite:" + _dir.File("m.db"), a, other);
        Assert.Equal(2, code);
        Assert.Contains("seed: '42'", error);
    }

    [Fact]
    public void Runs_list_shows_recorded_runs_newest_first()
    {
        var path = _dir.File("runs.db");
        using (var store = RunStore.Open(path))
        {
            var id = store.Start(new RunStart("healthy", "sha256:1", 42, "default", "m1", "c1", "/out/healthy-42", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)));
            store.Finish(id, RunStatus.Succeeded, new DateTimeOffset(2026, 1, 2, 3, 4, 7, TimeSpan.Zero));
            store.Start(new RunStart("mastitis", "sha256:2", 7, "lay-claims", "m1", "c1", "/out/mastitis-7", new DateTimeOffset(2026, 1, 2, 4, 0, 0, TimeSpan.Zero)));
        }
        var (code, output, _) = CliHarness.Run("runs", "list", "--store", path);
        Assert.Equal(0, code);
        var lines = output.TrimEnd().Split('\n');
        Assert.StartsWith("id  status", lines[0]);
        Assert.Matches(@"^2\s+running\s+mastitis\s+7\s+lay-claims\s+2026-01-02 04:00:00\s+-\s+/out/mastitis-7$", lines[1]);
        Assert.Matches(@"^1\s+succeeded\s+healthy\s+42\s+default\s+2026-01-02 03:04:05\s+2026-01-02 03:04:07\s+/out/healthy-42$", lines[2]);
        // Reading a store that does not exist is an error, and creates nothing.
        var (missingCode, _, missing) = CliHarness.Run("runs", "list", "--store", _dir.File("missing.db"));
        Assert.Equal(2, missingCode);
        Assert.Contains("no run store here", missing);
        Assert.False(File.Exists(_dir.File("missing.db")));

        // A failed run shows why.
        using (var store = RunStore.Open(path))
        {
            var id = store.Start(new RunStart("healthy", "sha256:1", 3, "default", "m1", "c1", "/out/x", new DateTimeOffset(2026, 1, 2, 5, 0, 0, TimeSpan.Zero)));
            store.Finish(id, RunStatus.Failed, new DateTimeOffset(2026, 1, 2, 5, 0, 1, TimeSpan.Zero), "/out/x: --out: cannot write: no space left on the file system");
        }
        (code, output, _) = CliHarness.Run("runs", "list", "--store", path);
        Assert.Equal(0, code);
        lines = output.TrimEnd().Split('\n');
        Assert.StartsWith("3   failed", lines[1]);
        Assert.Equal("    reason: /out/x: --out: cannot write: no space left on the file system", lines[2]);
    }

    public void Dispose() => _dir.Dispose();
}
