using System.Runtime.InteropServices;
using libsbmlcs;
using MilkCells.Core.Errors;

namespace MilkCells.Sbml;

/// <summary>Finds libSBML's native library for its C# binding, once per process.</summary>
/// <remarks>
/// Debian's <c>libsbml5-cil</c> installs <c>libsbmlcsP.dll</c> (P/Invoke into <c>libsbmlcs</c>) and
/// <c>libsbmlcs.so</c> beside it under /usr/lib/x86_64-linux-gnu/mono/libsbmlcsP; .NET does not look there, so a
/// resolver tries the managed assembly's folder, the application folder, <c>MILKCELLS_LIBSBMLCS</c> and the Debian
/// path, in that order.
/// </remarks>
internal static class LibSbml
{
    private const string DebianDir = "/usr/lib/x86_64-linux-gnu/mono/libsbmlcsP";
    private static readonly Lazy<string?> Loaded = new(Register, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Makes sure the native library resolves; throws an <see cref="InputException"/> with a fix when it does not.</summary>
    public static void Ensure()
    {
        if (Loaded.Value is { } problem)
        {
            throw new InputException(InputLocation.AtElement(null, "libSBML"), problem,
                "install Debian's libsbml5-cil (sudo apt-get install libsbml5-cil) or set MILKCELLS_LIBSBMLCS to libsbmlcs.so");
        }
    }

    private static string? Register()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("MILKCELLS_LIBSBMLCS") is { Length: > 0 } overridden)
        {
            candidates.Add(overridden);
        }
        var managed = typeof(libsbml).Assembly.Location;
        if (!string.IsNullOrEmpty(managed))
        {
            candidates.Add(Path.Combine(Path.GetDirectoryName(managed)!, "libsbmlcs.so"));
        }
        candidates.Add(Path.Combine(AppContext.BaseDirectory, "libsbmlcs.so"));
        candidates.Add(Path.Combine(DebianDir, "libsbmlcs.so"));
        var path = candidates.FirstOrDefault(File.Exists);
        if (path is null)
        {
            return "libSBML's native C# binding (libsbmlcs.so) was not found in: " + string.Join(", ", candidates.Distinct());
        }
        var handle = IntPtr.Zero;
        try
        {
            handle = NativeLibrary.Load(path);
        }
        catch (DllNotFoundException ex)
        {
            return $"libSBML's native library {path} could not be loaded: {ex.Message}";
        }
        NativeLibrary.SetDllImportResolver(typeof(libsbml).Assembly, (name, _, _) => name.StartsWith("libsbmlcs", StringComparison.Ordinal) ? handle : IntPtr.Zero);
        return null;
    }

    /// <summary>libSBML's version, e.g. 5.19.7.</summary>
    public static string Version
    {
        get
        {
            Ensure();
            return libsbml.getLibSBMLDottedVersion();
        }
    }
}
