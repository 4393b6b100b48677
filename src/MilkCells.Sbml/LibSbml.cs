using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using MilkCells.Core.Errors;

namespace MilkCells.Sbml;

/// <summary>Finds libSBML's C# binding at run time, once per process: the managed <c>libsbmlcsP.dll</c> and its native <c>libsbmlcs.so</c>.</summary>
/// <remarks>
/// MilkCells.Sbml is compiled against declarations of the binding (src/MilkCells.Sbml.Reference), never against the
/// installed copy, so one build works whether libSBML was installed before or after it. The binding is looked for in
/// <c>MILKCELLS_LIBSBML_DIR</c> when that is set (and only there), else in Debian's folder
/// (<c>/usr/lib/x86_64-linux-gnu/mono/libsbmlcsP</c>, package libsbml5-cil). <see cref="Ensure"/> loads it into the
/// default load context, resolves every later reference to it by name, and points its P/Invoke calls at the native
/// library beside it. Every method that touches a libSBML type is called only after <see cref="Ensure"/> (and is not
/// inlined into its caller), so without the binding callers get an <see cref="InputException"/> naming the package.
/// </remarks>
internal static class LibSbml
{
    /// <summary>Debian's folder for the binding (package libsbml5-cil).</summary>
    public const string DebianFolder = "/usr/lib/x86_64-linux-gnu/mono/libsbmlcsP";

    /// <summary>The environment variable naming another folder.</summary>
    public const string FolderVariable = "MILKCELLS_LIBSBML_DIR";

    private const string ManagedFile = "libsbmlcsP.dll", NativeFile = "libsbmlcs.so", AssemblyName = "libsbmlcsP";
    private static readonly Lazy<string?> Problem = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder searched for the binding.</summary>
    public static string Folder => Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } dir ? Path.GetFullPath(dir) : DebianFolder;

    /// <summary>Whether the binding is there and loads (loading it if not yet done).</summary>
    public static bool Available => Problem.Value is null;

    /// <summary>Makes sure the binding is loaded; throws an <see cref="InputException"/> naming the package when it is not there.</summary>
    public static void Ensure()
    {
        if (Problem.Value is { } problem)
        {
            throw new InputException(InputLocation.AtElement(null, "SBML"), problem,
                $"install Debian's package libsbml5-cil: sudo apt-get install libsbml5-cil; or set {FolderVariable} to a folder holding {ManagedFile} and {NativeFile}");
        }
    }

    /// <summary>libSBML's version, e.g. 5.19.7.</summary>
    public static string Version
    {
        get
        {
            Ensure();
            return DottedVersion();
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string DottedVersion() => libsbmlcs.libsbml.getLibSBMLDottedVersion();

    private static string? Load()
    {
        var folder = Folder;
        var managed = Path.Combine(folder, ManagedFile);
        var native = Path.Combine(folder, NativeFile);
        if (!File.Exists(managed) || !File.Exists(native))
        {
            return $"needs libSBML's C# binding ({ManagedFile} and {NativeFile}), which is not in {folder}";
        }
        Assembly assembly;
        IntPtr handle;
        try
        {
            handle = NativeLibrary.Load(native);
            assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(managed);
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException or FileLoadException or IOException)
        {
            return $"libSBML's C# binding in {folder} could not be loaded: {ex.Message}";
        }
        AssemblyLoadContext.Default.Resolving += (_, name) => name.Name == AssemblyName ? assembly : null;
        NativeLibrary.SetDllImportResolver(assembly, (name, _, _) => name.StartsWith("libsbmlcs", StringComparison.Ordinal) ? handle : IntPtr.Zero);
        return null;
    }
}
