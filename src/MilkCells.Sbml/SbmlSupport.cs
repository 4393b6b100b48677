namespace MilkCells.Sbml;

/// <summary>Whether libSBML's C# binding is installed (Debian's libsbml5-cil, or MILKCELLS_LIBSBML_DIR): looked for at run time.</summary>
/// <remarks>
/// Without the binding the rest of MilkCells (simulate, fcs, cohorts) runs as usual; SBML import and export fail with
/// an input error naming the package. Installing it later needs no rebuild. ./test.sh installs it and a test requires
/// it under MILKCELLS_REQUIRE_SHARED=1, so CI always exercises the real importer and exporter.
/// </remarks>
public static class SbmlSupport
{
    /// <summary>True when SBML import and export can run (loads the binding on first use).</summary>
    public static bool Available => LibSbml.Available;

    /// <summary>The folder searched for the binding.</summary>
    public static string Folder => LibSbml.Folder;
}
