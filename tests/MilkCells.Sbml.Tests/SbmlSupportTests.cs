using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using MilkCells.Sbml;
using MilkCells.TestSupport;

namespace MilkCells.Sbml.Tests;

public class SbmlSupportTests
{
    /// <summary>CI must exercise the real libSBML importer and exporter: the binding must be found at run time.</summary>
    private static void RequireBinding()
    {
        if (SbmlSupport.Available)
        {
            return;
        }
        var message = $"libSBML's C# binding was not found in {SbmlSupport.Folder} (Debian libsbml5-cil; ./test.sh installs it)";
        if (Shared.Required)
        {
            Assert.Fail(message);
        }
        Assert.Skip(message);
    }

    [Fact]
    public void LibSBML_is_found_at_run_time()
    {
        RequireBinding();
        Assert.Matches(@"^5\.\d+\.\d+$", LibSbml.Version);
    }

    /// <summary>
    /// MilkCells.Sbml is compiled against declarations of the binding (MilkCells.Sbml.Reference): every type and member
    /// it references must exist, with the same signature, in the installed binding, or a call would fail at run time.
    /// </summary>
    [Fact]
    public void Every_binding_member_MilkCells_calls_exists_in_the_installed_binding()
    {
        RequireBinding();
        var module = typeof(SbmlImporter).Module;
        using var pe = new PEReader(File.OpenRead(typeof(SbmlImporter).Assembly.Location));
        var metadata = pe.GetMetadataReader();
        bool FromBinding(EntityHandle scope) => scope.Kind == HandleKind.AssemblyReference
            && metadata.GetString(metadata.GetAssemblyReference((AssemblyReferenceHandle)scope).Name) == "libsbmlcsP";
        var types = metadata.TypeReferences.Where(h => FromBinding(metadata.GetTypeReference(h).ResolutionScope)).ToList();
        var members = metadata.MemberReferences.Where(h => metadata.GetMemberReference(h).Parent is { Kind: HandleKind.TypeReference } parent
            && FromBinding(metadata.GetTypeReference((TypeReferenceHandle)parent).ResolutionScope)).ToList();
        Assert.True(types.Count > 15 && members.Count > 100, $"{types.Count} types, {members.Count} members");
        foreach (var type in types)
        {
            var resolved = module.ResolveType(MetadataTokens.GetToken(type));
            Assert.Equal("libsbmlcsP", resolved.Assembly.GetName().Name);
            Assert.NotEqual(new Version(0, 0, 0, 0), resolved.Assembly.GetName().Version); // the real binding, not the declarations
        }
        foreach (var member in members)
        {
            var token = MetadataTokens.GetToken(member);
            var resolved = module.ResolveMember(token); // throws MissingMethodException for a signature the binding lacks
            Assert.NotNull(resolved);
        }
    }

    [Fact]
    public void Issues_at_error_severity_are_errors()
    {
        Assert.True(new SbmlIssue(SbmlIssue.ErrorSeverity, 1, "x").IsError);
        Assert.False(new SbmlIssue(1, 1, "x").IsError);
    }
}
