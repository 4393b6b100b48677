using MilkCells.TestSupport;

namespace MilkCells.Sbml.Tests;

/// <summary>The DSMTS case ids as theory data (a placeholder row when ../shared is absent, which then skips).</summary>
public static class Cases
{
    public const string Dsmts = "conformance/dsmts";

    public static IEnumerable<TheoryDataRow<string>> All()
    {
        if (!Shared.Exists(Dsmts))
        {
            return [new("shared-data-missing")];
        }
        return Directory.GetDirectories(Path.Combine(Shared.Root, Dsmts))
            .Select(Path.GetFileName)
            .Where(id => id!.All(char.IsDigit))
            .Order(StringComparer.Ordinal)
            .Select(id => new TheoryDataRow<string>(id!));
    }

    /// <summary>The SBML file of case <paramref name="id"/> (skips, or fails under MILKCELLS_REQUIRE_SHARED=1, when absent).</summary>
    public static string Model(string id, string level = "l3v1") =>
        Path.Combine(Shared.Require(Dsmts), id, $"{id}-sbml-{level}.xml");
}
