using System.Diagnostics;
using System.Text.RegularExpressions;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary>docs/sample.md runs as written: every <c>milkcells</c> line of its sh blocks, in order, in an empty folder; any sample command the README shows is a part of it.</summary>
public class SampleDocsTests
{
    private static IEnumerable<string> Commands(string markdown) =>
        Regex.Matches(markdown, "```sh\n(.*?)```", RegexOptions.Singleline)
            .SelectMany(m => m.Groups[1].Value.Split('\n'))
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("milkcells ", StringComparison.Ordinal));

    [Fact]
    public async Task Every_command_of_docs_sample_md_runs_and_the_walk_ends_with_a_report()
    {
        var docs = File.ReadAllText(Shared.InRepo("docs/sample.md"));
        var commands = Commands(docs).ToList();
        Assert.Contains(commands, c => c.StartsWith("milkcells sample synthesize", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.StartsWith("milkcells sample analyze", StringComparison.Ordinal));
        // Any sample command the README shows is a step of the same walk (the short README points here rather than repeating it).
        var readme = File.ReadAllText(Shared.InRepo("README.md"));
        Assert.Contains("(docs/sample.md)", readme);
        var tour = Commands(readme).Where(c => c.StartsWith("milkcells sample", StringComparison.Ordinal)).ToList();
        Assert.All(tour, c => Assert.Contains(c, commands));

        using var temp = new TempDir("milkcells-sample-docs");
        var counts = Regex.Match(docs, "`counts.csv` is, for example.*?\n```\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        File.WriteAllText(temp.File("counts.csv"), counts);
        var bin = MilkcellsProcess.WrapperFolder(temp);
        foreach (var command in commands)
        {
            var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = temp.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(command);
            start.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
            start.Environment["MILKCELLS_HOME"] = temp.File("home");
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{command}: exit {process.ExitCode}\n{error}");
            await output;
        }
        Assert.True(File.Exists(temp.File("results/report.html")));
        Assert.Contains("mastitis", File.ReadAllText(temp.File("results/states.csv")));
        Assert.Contains("infectious mastitis", File.ReadAllText(temp.File("counts-results/findings.json")));
    }
}
