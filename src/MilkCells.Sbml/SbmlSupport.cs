namespace MilkCells.Sbml;

/// <summary>Whether this build carries libSBML's C# binding (Debian's libsbml5-cil, present at build time).</summary>
/// <remarks>
/// Without the binding the project still builds, so <c>milkcells simulate</c> runs on a machine that lacks it;
/// SBML import and export then fail with an input error naming the package to install. ./test.sh installs it and
/// a test requires it under MILKCELLS_REQUIRE_SHARED=1, so CI always exercises the real importer and exporter.
/// </remarks>
public static partial class SbmlSupport
{
    /// <summary>True when SBML import and export are available in this build.</summary>
    public static bool Available => IsAvailable;
}
