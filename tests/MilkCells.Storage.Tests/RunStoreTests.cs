using System.Diagnostics;
using MilkCells.Storage.Runs;
using MilkCells.TestSupport;

namespace MilkCells.Storage.Tests;

public sealed class RunStoreTests : IDisposable
{
    private readonly TempDir _dir = new("milkcells-runs");

    private static RunStart Start(string scenario, ulong seed) => new(scenario, "sha256:ab", seed, "default", "model-1", "code-1",
        "/tmp/out/" + scenario, new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.FromHours(1)));

    [Fact]
    public void Runs_are_recorded_at_start_and_finish_and_listed_newest_first()
    {
        var path = _dir.File("nested/runs.db");
        // A run store the user names goes in an existing folder: a mistyped path never makes folders.
        Assert.Contains("does not exist", Assert.Throws<MilkCells.Core.Errors.InputException>(() => RunStore.Open(path)).Message);
        Assert.False(Directory.Exists(_dir.File("nested")));
        Assert.Null(RunStore.OpenExisting(path)); // reading creates nothing
        Directory.CreateDirectory(_dir.File("nested"));
        using (var store = RunStore.Open(path))
        {
            var first = store.Start(Start("healthy", 1));
            var second = store.Start(Start("mastitis", 2));
            store.Finish(first, RunStatus.Succeeded, new DateTimeOffset(2025, 3, 1, 11, 0, 2, TimeSpan.Zero), "{\"days\":365}");
            Assert.Equal([second, first], store.List().Select(r => r.Id));
        }
        using var reopened = RunStore.Open(path);
        var runs = reopened.List();
        Assert.Equal(RunStatus.Running, runs[0].Status); // this process is alive
        Assert.Equal(RunStatus.Succeeded, runs[1].Status);
        Assert.Equal(Start("healthy", 1), runs[1].Start with { StartedAt = runs[1].Start.StartedAt.ToOffset(TimeSpan.FromHours(1)) });
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 11, 0, 2, TimeSpan.Zero), runs[1].FinishedAt);
        Assert.Equal("{\"days\":365}", runs[1].Summary);
        Assert.Single(reopened.List(limit: 1));
    }

    [Fact]
    public void A_run_whose_process_died_reads_as_interrupted_and_keeps_its_record()
    {
        var path = _dir.File("runs.db");
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "0"))!;
        sleeper.WaitForExit();
        using (var store = RunStore.Open(path))
        {
            store.Start(Start("healthy", 7));
        }
        using (var raw = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = $"UPDATE runs SET process_id = {sleeper.Id}";
            command.ExecuteNonQuery();
        }
        using var reopened = RunStore.Open(path);
        var run = Assert.Single(reopened.List());
        Assert.Equal(RunStatus.Interrupted, run.Status);
        Assert.Equal(7UL, run.Start.Seed);
        Assert.Null(run.FinishedAt);
    }

    [Fact]
    public void The_default_location_follows_milkcells_home_then_xdg()
    {
        var home = Environment.GetEnvironmentVariable("MILKCELLS_HOME");
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        try
        {
            Environment.SetEnvironmentVariable("MILKCELLS_HOME", "/srv/mc");
            Assert.Equal("/srv/mc/runs.db", RunStore.DefaultPath());
            Environment.SetEnvironmentVariable("MILKCELLS_HOME", null);
            Environment.SetEnvironmentVariable("XDG_DATA_HOME", "/data");
            Assert.Equal("/data/milkcells/runs.db", RunStore.DefaultPath());
            Environment.SetEnvironmentVariable("XDG_DATA_HOME", null);
            Assert.EndsWith("/.local/share/milkcells/runs.db", RunStore.DefaultPath());
        }
        finally
        {
            Environment.SetEnvironmentVariable("MILKCELLS_HOME", home);
            Environment.SetEnvironmentVariable("XDG_DATA_HOME", xdg);
        }
    }

    [Fact]
    public void A_file_that_is_not_a_run_store_is_an_input_error()
    {
        var path = _dir.File("junk.db");
        File.WriteAllText(path, new string('x', 4096));
        Assert.Throws<MilkCells.Core.Errors.InputException>(() => RunStore.Open(path));
    }

    public void Dispose() => _dir.Dispose();
}
