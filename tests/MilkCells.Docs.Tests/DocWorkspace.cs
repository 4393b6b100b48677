using System.Diagnostics;
using System.Text;
using MilkCells.TestSupport;

namespace MilkCells.Docs.Tests;

/// <summary>A temporary folder where one document's commands run in order, as a reader would run them from a clone:
/// <c>milkcells</c> on PATH (this build), <c>../shared</c> beside it when the machine has it, its own run store.</summary>
public sealed class DocWorkspace : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);
    private readonly TempDir _root = new("milkcells-docs");

    /// <summary>Files a document's commands name without making them, found in ../shared (name → path under it).</summary>
    public static readonly IReadOnlyDictionary<string, string> Fixtures = new Dictionary<string, string>
    {
        ["sample.fcs"] = "conformance/gatingml/data1.fcs",
        ["gates.xml"] = "conformance/gatingml/gml/gml_parent_quadrant_rect_gate.xml",
    };

    /// <summary>The clone's folders a command may name (the model's data with the shipped reference set, the scenarios):
    /// copied, so that commands writing there change nothing in the repository.</summary>
    public static readonly IReadOnlyList<string> CloneFolders = ["data", "scenarios"];

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (var folder in Directory.GetDirectories(from))
        {
            Copy(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }

    public DocWorkspace()
    {
        Work = Path.Combine(_root.Path, "work");
        Directory.CreateDirectory(Work);
        foreach (var folder in CloneFolders)
        {
            Copy(Shared.InRepo(folder), Path.Combine(Work, folder));
        }
        Directory.CreateDirectory(Path.Combine(_root.Path, "home"));
        if (Directory.Exists(Shared.Root))
        {
            File.CreateSymbolicLink(Path.Combine(_root.Path, "shared"), Shared.Root);
        }
        var bin = Path.Combine(_root.Path, "bin");
        Directory.CreateDirectory(bin);
        var wrapper = Path.Combine(bin, "milkcells");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet \"{Path.Combine(AppContext.BaseDirectory, "milkcells.dll")}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        Path_ = bin + ":" + Environment.GetEnvironmentVariable("PATH");
    }

    /// <summary>The working folder (the clone's root, as far as the commands can tell).</summary>
    public string Work { get; }

    private string Path_ { get; }

    /// <summary>Links the fixtures <paramref name="shell"/> names into the working folder; false when ../shared is absent.</summary>
    public bool LinkFixtures(string shell)
    {
        foreach (var (name, relative) in Fixtures)
        {
            var target = Path.Combine(Work, name);
            if (!shell.Contains(name, StringComparison.Ordinal) || File.Exists(target))
            {
                continue;
            }
            if (!Shared.Exists(relative))
            {
                return false;
            }
            File.CreateSymbolicLink(target, Path.Combine(Shared.Root, relative));
        }
        return true;
    }

    /// <summary>Runs <paramref name="shell"/> under bash in the working folder; returns the exit code and the merged
    /// standard output and error, line by line.</summary>
    public (int Code, IReadOnlyList<string> Output) Run(string shell)
    {
        var start = new ProcessStartInfo("/bin/bash") { WorkingDirectory = Work, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("set -o pipefail; exec 2>&1; " + shell);
        start.Environment["PATH"] = Path_;
        start.Environment["MILKCELLS_HOME"] = Path.Combine(_root.Path, "home");
        start.Environment.Remove("MILKCELLS_DEBUG");
        start.Environment["COLUMNS"] = "120";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (output)
                {
                    output.Append(line).Append('\n');
                }
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{shell}' did not finish within {Timeout.TotalMinutes} min (a command that keeps running, such as a "
                + "server, belongs in DocCoverage.Covered with the test that exercises it)");
        }
        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString().TrimEnd('\n').Split('\n'));
        }
    }

    public void Dispose() => _root.Dispose();
}
