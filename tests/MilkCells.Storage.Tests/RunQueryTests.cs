using System.Diagnostics;
using MilkCells.Storage.Runs;
using MilkCells.TestSupport;

namespace MilkCells.Storage.Tests;

/// <summary><see cref="RunStore.Query"/> filters, orders and pages in the database exactly as the same rules applied
/// to every record in memory (the runs page's old path).</summary>
public sealed class RunQueryTests : IDisposable
{
    private readonly TempDir _dir = new("milkcells-runquery");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Every_sort_direction_filter_and_page_matches_the_in_memory_order()
    {
        var path = _dir.File("runs.db");
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "0"))!;
        sleeper.WaitForExit();
        using (var store = RunStore.Open(path))
        {
            string[] scenarios = ["builtin:healthy", "builtin:Mastitis", "b.yaml", "builtin:donor-milk", "Étude.yaml"];
            string[] profiles = ["default", "Hassiotou", "flow"];
            for (var i = 0; i < 60; i++)
            {
                var started = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes((i * 37) % 50); // ties on purpose
                var id = store.Start(new RunStart(scenarios[i % scenarios.Length], "h", (ulong)((i * 7919) % 23) * (i % 4 == 0 ? 1_000_000_007UL : 1UL),
                    profiles[i % profiles.Length], "m", "c", "/tmp/run-" + i, started));
                switch (i % 5)
                {
                    case 0:
                        store.Finish(id, RunStatus.Succeeded, started.AddSeconds(i % 7), "{\"days\":3}");
                        break;
                    case 1:
                        store.Finish(id, RunStatus.Failed, started.AddSeconds(3), i % 2 == 0 ? "scenario line 3: mastitis typo" : null);
                        break;
                    case 2:
                        store.Finish(id, RunStatus.Interrupted, started.AddSeconds(1), "Ctrl+C");
                        break;
                    default:
                        break; // left running: by this process (alive) or, below, by a process that is gone
                }
            }
        }
        using (var raw = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = $"UPDATE runs SET process_id = {sleeper.Id} WHERE status = 'running' AND id % 2 = 0";
            Assert.True(command.ExecuteNonQuery() > 0);
        }
        using var reopened = RunStore.Open(path);
        var all = reopened.List();
        Assert.Contains(all, r => r.Status == RunStatus.Interrupted && r.FinishedAt is null); // vanished
        Assert.Contains(all, r => r.Status == RunStatus.Running);
        string?[] texts = [null, "", "mastitis", "ÉTUDE", "typo", "ctrl", "7", "1000000007", "default", "nothing"];
        RunStatus?[] statuses = [null, RunStatus.Running, RunStatus.Interrupted, RunStatus.Failed, RunStatus.Succeeded];
        var checkedPages = 0;
        foreach (var sort in Enum.GetValues<RunSort>())
        {
            foreach (var descending in new[] { false, true })
            {
                foreach (var text in texts)
                {
                    foreach (var status in statuses)
                    {
                        foreach (var (offset, limit) in new[] { (0, 500), (7, 10), (-3, 5), (1000, 5) })
                        {
                            var expected = Reference(all, text, status, sort, descending, offset, limit);
                            var page = reopened.Query(new RunQuery(text, status, sort, descending, offset, limit));
                            Assert.Equal(expected.Total, page.Total);
                            Assert.Equal(expected.Matching, page.Matching);
                            Assert.Equal(expected.Offset, page.Offset);
                            Assert.Equal(expected.Runs.Select(r => r.Id), page.Runs.Select(r => r.Id));
                            Assert.Equal(expected.Runs, page.Runs);
                            checkedPages++;
                        }
                    }
                }
            }
        }
        Assert.Equal(7 * 2 * texts.Length * statuses.Length * 4, checkedPages);
    }

    private static RunQueryPage Reference(IReadOnlyList<RunRecord> all, string? text, RunStatus? status, RunSort sort, bool descending, int offset, int limit)
    {
        IEnumerable<RunRecord> rows = all;
        if (status is { } s)
        {
            rows = rows.Where(r => r.Status == s);
        }
        if (text is { Length: > 0 } q)
        {
            rows = rows.Where(r => r.Start.Scenario.Contains(q, StringComparison.OrdinalIgnoreCase) || r.Start.Profile.Contains(q, StringComparison.OrdinalIgnoreCase)
                || r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == q || r.Start.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture) == q
                || (r.Status != RunStatus.Succeeded && (r.Summary ?? "").Contains(q, StringComparison.OrdinalIgnoreCase)));
        }
        rows = sort switch
        {
            RunSort.Scenario => Order(rows, r => r.Start.Scenario, descending),
            RunSort.Seed => Order(rows, r => r.Start.Seed, descending),
            RunSort.Profile => Order(rows, r => r.Start.Profile, descending),
            RunSort.Status => Order(rows, r => r.Status.ToString(), descending),
            RunSort.Started => Order(rows, r => r.Start.StartedAt, descending),
            RunSort.Finished => Order(rows, r => r.FinishedAt ?? DateTimeOffset.MaxValue, descending),
            _ => Order(rows, r => r.Id, descending),
        };
        var matching = rows.ToList();
        var from = Math.Clamp(offset, 0, matching.Count);
        return new RunQueryPage(all.Count, matching.Count, from, [.. matching.Skip(from).Take(limit)]);
    }

    private static IOrderedEnumerable<RunRecord> Order<T>(IEnumerable<RunRecord> rows, Func<RunRecord, T> key, bool descending) =>
        (descending ? rows.OrderByDescending(key) : rows.OrderBy(key)).ThenByDescending(r => r.Id);
}
