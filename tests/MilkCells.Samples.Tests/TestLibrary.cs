using MilkCells.Model.Catalogue;
using MilkCells.Samples.Inference;

namespace MilkCells.Samples.Tests;

/// <summary>A smaller state library than the default (fewer baseline and spread mothers), built once per test run and cached in a temp folder.</summary>
/// <remarks>CI time: the default library simulates 400 + 6 × 108 mothers; this one 120 + 3 × 108, enough for seeded tests.</remarks>
internal static class TestLibrary
{
    public static readonly StateLibraryOptions Options = new() { Mothers = 120, SpreadMothers = 3 };

    public static readonly string CacheDirectory = Path.Combine(Path.GetTempPath(), $"milkcells-test-library-{Environment.ProcessId}");

    private static readonly Lazy<StateLibrary> Library = new(() =>
        StateLibrary.LoadOrBuild(MilkModel.Embedded.Calibrate(null), StatePriors.Default, Options, 100, CacheDirectory, out _));

    /// <summary>The library covering lactation days 0–364.</summary>
    public static StateLibrary Get() => Library.Value;
}
