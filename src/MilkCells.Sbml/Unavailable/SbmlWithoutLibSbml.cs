using MilkCells.Core.Errors;
using MilkCells.Engine.Model;

namespace MilkCells.Sbml;

// Compiled only when libSBML's C# binding was absent at build time (see MilkCells.Sbml.csproj).

public static partial class SbmlSupport
{
    private const bool IsAvailable = false;

    internal static InputException Missing(string? file) => new(
        InputLocation.AtElement(file, "SBML"),
        "SBML support needs libSBML's C# binding, which was not installed when MilkCells was built",
        "install Debian's libsbml5-cil (sudo apt-get install libsbml5-cil; ./test.sh does it), then build again");
}

/// <summary>SBML import; this build has no libSBML, so every call fails with a clear input error.</summary>
public static class SbmlImporter
{
    /// <summary>Fails: this build has no libSBML.</summary>
    public static Network ReadFile(string path) => throw SbmlSupport.Missing(path);

    /// <summary>Fails: this build has no libSBML.</summary>
    public static Network ReadString(string xml, string? source = null) => throw SbmlSupport.Missing(source);
}

/// <summary>SBML export; this build has no libSBML, so every call fails with a clear input error.</summary>
public static class SbmlExporter
{
    /// <summary>Fails: this build has no libSBML.</summary>
    public static string Write(Network network) => throw SbmlSupport.Missing(null);

    /// <summary>Fails: this build has no libSBML.</summary>
    public static void WriteFile(Network network, string path) => throw SbmlSupport.Missing(path);

    /// <summary>Fails: this build has no libSBML.</summary>
    public static IReadOnlyList<SbmlIssue> Validate(string xml) => throw SbmlSupport.Missing(null);
}
