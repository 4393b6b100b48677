using MilkCells.Sbml;
using MilkCells.TestSupport;

namespace MilkCells.Sbml.Tests;

public class SbmlSupportTests
{
    /// <summary>CI must exercise the real libSBML importer and exporter, never the build without the binding.</summary>
    [Fact]
    public void This_build_carries_libSBML()
    {
        if (SbmlSupport.Available)
        {
            return;
        }
        const string message = "MilkCells.Sbml was built without libSBML's C# binding (Debian libsbml5-cil); ./test.sh installs it";
        if (Shared.Required)
        {
            Assert.Fail(message);
        }
        Assert.Skip(message);
    }

    [Fact]
    public void Issues_at_error_severity_are_errors()
    {
        Assert.True(new SbmlIssue(SbmlIssue.ErrorSeverity, 1, "x").IsError);
        Assert.False(new SbmlIssue(1, 1, "x").IsError);
    }
}
