using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MilkCells.Sbml;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary>Every example every <c>--help</c> shows, run as written by a shell in a folder holding the files they name.</summary>
public sealed class HelpExampleTests : IDisposable
{
    private readonly TempDir _dir = new("milkcells-examples");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Every_help_example_runs_as_written()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("the examples are POSIX shell lines");
        }
        var gatingml = Shared.Require("conformance/gatingml");
        var dsmts = Shared.Require("conformance/dsmts");
        var work = _dir.File("work");
        Directory.CreateDirectory(work);
        // The files the examples name: real inputs from ../shared and the repository's scenarios, read in place.
        File.CreateSymbolicLink(Path.Combine(work, "sample.fcs"), Path.Combine(gatingml, "data1.fcs"));
        File.CreateSymbolicLink(Path.Combine(work, "gates.xml"), Path.Combine(gatingml, "gml", "gml_rect1_gate.xml"));
        File.CreateSymbolicLink(Path.Combine(work, "model.xml"), Path.Combine(dsmts, "00001", "00001-sbml-l3v1.xml"));
        Directory.CreateSymbolicLink(Path.Combine(work, "gatingml"), gatingml);
        Directory.CreateSymbolicLink(Path.Combine(work, "dsmts"), dsmts);
        Directory.CreateSymbolicLink(Path.Combine(work, "scenarios"), Shared.InRepo("scenarios"));
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = MilkcellsProcess.WrapperFolder(_dir) + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["MILKCELLS_HOME"] = _dir.File("home"),
            ["MILKCELLS_DEBUG"] = "0",
        };
        Directory.CreateDirectory(_dir.File("home"));

        var root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, CancellationToken.None));
        var examples = VocabularyTests.Leaves(root).SelectMany(l => CliExamples.Of(l.Command)).ToList();
        // cohort merge's example merges shard0.db (an example writes it) with shard1.db.
        examples.Insert(0, "milkcells cohort run -s healthy --mothers 20 --days 30 --store sqlite:shard1.db --shard 1/2");
        var failures = new List<string>();
        foreach (var example in examples.OrderBy(Order))
        {
            if (!SbmlSupport.Available && (example.Contains("export-sbml", StringComparison.Ordinal) || example.Contains("engine ", StringComparison.Ordinal)))
            {
                continue; // SbmlRuntimeTests covers the build without libSBML
            }
            if (example.StartsWith("milkcells serve", StringComparison.Ordinal))
            {
                if (Serve(example, environment, work) is { } problem)
                {
                    failures.Add($"{example}: {problem}");
                }
                continue;
            }
            using var process = MilkcellsProcess.StartProgram("/bin/sh", ["-c", "set -e; " + example], environment, workingDirectory: work);
            if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                process.Kill(entireProcessTree: true);
                failures.Add($"{example}: still running after 3 minutes");
                continue;
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                failures.Add($"{example}: exit {process.ExitCode}: {MilkcellsProcess.ErrorOf(process)}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(File.Exists(Path.Combine(work, "mastitis-7", "daily.csv")));
        Assert.True(File.Exists(Path.Combine(work, "reference", "reference.csv")));
        Assert.StartsWith("mother_id,day,", File.ReadLines(Path.Combine(work, "cohort.csv")).First());
        Assert.True(File.ReadLines(Path.Combine(work, "events.csv")).Count() > 1000);
        Assert.True(File.Exists(Path.Combine(work, "runs.db")));
        Assert.True(File.Exists(Path.Combine(work, "results", "report.html")));
        Assert.StartsWith("sample_id,", File.ReadLines(Path.Combine(work, "samples.csv")).First());
    }

    /// <summary>
    /// A <c>milkcells serve</c> example runs until Ctrl+C: it is started, must print its address and serve the page
    /// there, then SIGINT must stop it with exit 0. Its port becomes 0 (any free one), so parallel test runs and a
    /// server already on 5080 do not collide; that is the one change to the line as written. Null when it passes.
    /// </summary>
    private static string? Serve(string example, Dictionary<string, string> environment, string work)
    {
        var line = example.Contains(":5080", StringComparison.Ordinal) ? example.Replace(":5080", ":0", StringComparison.Ordinal) : example + " --urls http://127.0.0.1:0";
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = MilkcellsProcess.StartProgram("/bin/sh", ["-c", "exec " + line], environment, workingDirectory: work, onError: l =>
        {
            if (l.StartsWith("milkcells serve: http", StringComparison.Ordinal))
            {
                address.TrySetResult(l["milkcells serve: ".Length..]);
            }
        });
        try
        {
            if (!address.Task.Wait(TimeSpan.FromMinutes(2)))
            {
                return $"printed no address in 2 minutes: {MilkcellsProcess.ErrorOf(process)}";
            }
            using (var client = new HttpClient())
            {
                // An address bound to every interface (0.0.0.0) is reached through loopback.
                var page = client.GetStringAsync(address.Task.Result.Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal)).GetAwaiter().GetResult();
                if (!page.Contains("<title>MilkCells</title>", StringComparison.Ordinal))
                {
                    return $"{address.Task.Result} did not serve the page";
                }
            }
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }
            if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
            {
                return "still running a minute after SIGINT";
            }
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"exit {process.ExitCode} after SIGINT: {MilkcellsProcess.ErrorOf(process)}";
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Examples that read what others write run after them: cohort runs first, then what reads their stores; synthesized tubes before their analysis.</summary>
    private static int Order(string example) => example switch
    {
        _ when example.StartsWith("milkcells cohort run", StringComparison.Ordinal) => 0,
        _ when example.Contains("--store sqlite:cohort.db", StringComparison.Ordinal) || example.StartsWith("milkcells cohort merge", StringComparison.Ordinal) => 1,
        _ when example.StartsWith("milkcells sample synthesize", StringComparison.Ordinal) => 1, // sample analyze reads its tubes
        _ when example.StartsWith("milkcells scrna synthesize", StringComparison.Ordinal) => 1, // scrna info and annotate read its sample
        _ => 2,
    };
}
