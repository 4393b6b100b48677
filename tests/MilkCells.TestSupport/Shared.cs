using Xunit;

namespace MilkCells.TestSupport;

/// <summary>Finds the repository and the ../shared folder beside it, and decides whether a missing input skips or fails.</summary>
/// <remarks>
/// Tests read shared data in place; nothing is copied into the repository. When ../shared is absent (a user's fresh
/// clone) those tests are skipped; with MILKCELLS_REQUIRE_SHARED=1 (set by .ci/run) they fail instead.
/// MILKCELLS_SHARED overrides the location.
/// </remarks>
public static class Shared
{
    private static readonly Lazy<string> RepoRootLazy = new(FindRepoRoot);

    /// <summary>The repository root (the folder holding MilkCells.slnx).</summary>
    public static string RepoRoot => RepoRootLazy.Value;

    /// <summary>Whether missing shared data must fail rather than skip.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("MILKCELLS_REQUIRE_SHARED") == "1";

    /// <summary>The ../shared folder, whether or not it exists.</summary>
    public static string Root =>
        Environment.GetEnvironmentVariable("MILKCELLS_SHARED") is { Length: > 0 } overridden
            ? Path.GetFullPath(overridden)
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));


    /// <summary>The absolute path of a file or folder under ../shared; skips the test, or fails it under MILKCELLS_REQUIRE_SHARED=1, when absent.</summary>
    public static string Require(string relative)
    {
        var full = Path.Combine(Root, relative);
        if (File.Exists(full) || Directory.Exists(full))
        {
            return full;
        }
        var message = $"shared test data not found: {full} (the tests read ../shared beside the repository)";
        if (Required)
        {
            Assert.Fail(message + "; MILKCELLS_REQUIRE_SHARED=1 makes this a failure");
        }
        Assert.Skip(message);
        return full; // unreachable: Assert.Skip throws
    }

    /// <summary>Whether a shared path exists, for theory data sources (which cannot skip).</summary>
    public static bool Exists(string relative)
    {
        var full = Path.Combine(Root, relative);
        return File.Exists(full) || Directory.Exists(full);
    }

    /// <summary>A path inside the repository.</summary>
    public static string InRepo(string relative) => Path.Combine(RepoRoot, relative);

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MilkCells.slnx")))
            {
                return dir.FullName;
            }
            dir = dir.Parent;
        }
        throw new InvalidOperationException($"MilkCells.slnx not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fresh temporary folder deleted when disposed.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "milkcells-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
