using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Storage.Cohorts;
using MilkCells.TestSupport;

namespace MilkCells.Cohorts.Tests;

/// <summary>Small real cohorts for tests: the healthy scenario, seeded, a few mothers and days.</summary>
internal static class Cohorts
{
    public const string CodeVersion = "test";

    public static readonly MilkModel Model = MilkModel.Embedded;

    public static CohortSpec Spec(int mothers, int days, ulong seed = 5, string scenario = "healthy") =>
        CohortSpec.Create(Model.Calibrate(null), ScenarioLoader.Load(scenario, Model), seed, mothers, days);

    /// <summary>Runs (a shard of) <paramref name="spec"/> into a new SQLite store in <paramref name="dir"/>; returns its URI.</summary>
    public static string Run(TempDir dir, string name, CohortSpec spec, int threads = 2, ShardSpec? shard = null, string? uri = null)
    {
        uri ??= "sqlite:" + dir.File(name + ".db");
        using var store = CohortStore.OpenForWrite(uri);
        CohortRunner.Run(spec, store, new CohortRunOptions { Threads = threads, Shard = shard ?? ShardSpec.Whole, CodeVersion = CodeVersion }, cancellation: TestContext.Current.CancellationToken);
        return uri;
    }

    public static byte[] Export(string uri)
    {
        using var store = CohortStore.OpenForRead(uri);
        using var buffer = new MemoryStream();
        CohortCsv.Export(store, buffer);
        return buffer.ToArray();
    }
}
