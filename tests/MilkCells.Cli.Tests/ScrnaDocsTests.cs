using System.Text.RegularExpressions;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary>Every command in docs/scrna.md's shell blocks runs, in order, and succeeds.</summary>
public sealed partial class ScrnaDocsTests
{
    [Fact]
    public void Every_command_in_docs_scrna_runs()
    {
        Shared.Require("scrna");
        var text = File.ReadAllText(Shared.InRepo("docs/scrna.md"));
        var commands = ShellBlock().Matches(text).SelectMany(m => m.Groups[1].Value.Split('\n'))
            .Select(l => l.Trim()).Where(l => l.StartsWith("milkcells ", StringComparison.Ordinal)).ToList();
        Assert.True(commands.Count >= 6, $"only {commands.Count} commands found");
        using var temp = new TempDir("milkcells-scrna-docs");
        foreach (var command in commands)
        {
            var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
            var args = words.Select((w, i) => Map(w, i > 0 ? words[i - 1] : null, temp)).ToArray();
            var (code, output, error) = CliHarness.Run(args);
            Assert.True(code == 0, $"{command}\nexit {code}\n{error}\n{output}");
            if (words[1] == "annotate")
            {
                var outDir = args[Array.IndexOf(words, "-o") + 1];
                foreach (var file in new[] { "cells.csv", "clusters.csv", "markers.csv", "composition.csv", "annotated.h5ad", "report.html", "run.json" })
                {
                    Assert.True(File.Exists(Path.Combine(outDir, file)), $"{command}: no {file}");
                }
            }
        }
    }

    /// <summary>Paths in the docs: ../shared/… is the shared test data; any other relative path lives in a temporary folder.</summary>
    private static string Map(string word, string? previous, TempDir temp)
    {
        if (word.StartsWith("../shared/", StringComparison.Ordinal))
        {
            return Path.Combine(Shared.Root, word["../shared/".Length..]);
        }
        if (previous == "-o" || (!word.StartsWith('-') && word.Contains('/', StringComparison.Ordinal)))
        {
            return temp.File(word);
        }
        return word;
    }

    [GeneratedRegex("```sh\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
