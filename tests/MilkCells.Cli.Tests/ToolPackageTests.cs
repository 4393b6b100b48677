using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary>The CLI as a .NET tool: packed, installed into a tool path, and run as a user would (docs/cli.md, Installing).</summary>
public sealed class ToolPackageTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);
    private readonly TempDir _dir = new("milkcells-tool");

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Output) Run(string file, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in {Timeout}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }

    [Fact]
    public void Dotnet_pack_makes_a_milkcells_tool_that_installs_and_runs()
    {
        // Pack what this test run was built from (no second build), into a temporary folder. A Release build is
        // precompiled for this machine (ReadyToRun), so its tool is a pointer package plus one for this platform
        // (.NET 10's RID-specific tools); other builds pack one portable package.
        var configuration = typeof(ToolPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var packages = _dir.File("pkg");
        string[] pack = ["pack", Shared.InRepo("src/MilkCells.Cli/MilkCells.Cli.csproj"), "-c", configuration, "--no-build", "-o", packages, "-nologo"];
        var (code, output) = Run("dotnet", configuration == "Release" ? pack : [.. pack, "-p:MilkCellsReadyToRun=false"], _dir.Path);
        Assert.True(code == 0, output);
        var all = Directory.GetFiles(packages, "*.nupkg");
        var package = Assert.Single(all, p => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(p), @"^milkcells\.\d"));
        var entries = new HashSet<string>();
        foreach (var file in all)
        {
            using var zip = ZipFile.OpenRead(file);
            entries.UnionWith(zip.Entries.Select(e => e.FullName));
        }
        using (var zip = ZipFile.OpenRead(package))
        {
            Assert.Contains("README.md", zip.Entries.Select(e => e.FullName));
            Assert.Contains("LICENSE", zip.Entries.Select(e => e.FullName));
            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            var text = nuspec.ReadToEnd();
            Assert.Contains("<license type=\"expression\">MIT</license>", text);
            Assert.Contains("<packageType name=\"DotnetTool\" />", text);
        }
        Assert.Contains(entries, e => e.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.EndsWith("/milkcells.dll", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.EndsWith("/libsbmlcsP.dll", StringComparison.Ordinal)); // found at run time, never shipped

        // Install it as a user would, into its own tool path and its own package cache (so no earlier build is reused).
        var tools = _dir.File("tools");
        var dotnetRoot = Path.GetDirectoryName(new FileInfo(Environment.ProcessPath!).ResolveLinkTarget(true)?.FullName ?? Environment.ProcessPath!)!;
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = _dir.File("nuget"),
            ["DOTNET_ROOT"] = dotnetRoot,
            ["MILKCELLS_HOME"] = _dir.File("home"),
        };
        Directory.CreateDirectory(_dir.File("home"));
        (code, output) = Run("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", packages, "milkcells"], _dir.Path, environment);
        Assert.True(code == 0, output);
        var milkcells = Path.Combine(tools, OperatingSystem.IsWindows() ? "milkcells.exe" : "milkcells");
        Assert.True(File.Exists(milkcells), output);

        (code, output) = Run(milkcells, ["--version"], _dir.Path, environment);
        Assert.True(code == 0, output);
        Assert.StartsWith(VersionOf(package), output.Trim());
        (code, output) = Run(milkcells, ["simulate", "--days", "2", "-o", "out"], _dir.Path, environment);
        Assert.True(code == 0, output);
        Assert.Equal(3, File.ReadAllLines(_dir.File(Path.Combine("out", "daily.csv"))).Length);
    }

    private static string VersionOf(string package) => Path.GetFileNameWithoutExtension(package)["milkcells.".Length..];
}
