using System.Diagnostics;
using System.Text.RegularExpressions;
using MilkCells.TestSupport;

namespace MilkCells.Docs.Tests;

/// <summary>
/// Docs that run: every command README.md and docs/*.md show is run in a temporary folder (in order, one folder per
/// file), or its benchmark filters are listed, or <see cref="DocCoverage.Covered"/> names the test that covers it. The
/// output a <c>console</c> block shows must be what the command prints. New files in docs/ are picked up by themselves.
/// </summary>
public sealed partial class DocsTests
{
    /// <summary>README.md and every docs/*.md, as paths relative to the repository.</summary>
    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string> { "README.md" };
        foreach (var file in Directory.GetFiles(Shared.InRepo("docs"), "*.md").Order(StringComparer.Ordinal))
        {
            data.Add("docs/" + Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_command_the_document_shows_runs_and_prints_what_it_shows(string document)
    {
        var commands = DocCommands.Extract(document, File.ReadAllText(Shared.InRepo(document)));
        var plans = commands.Select(DocCoverage.Plan).ToArray();
        var uncovered = plans.Where(p => p.Handling == Handling.Uncovered).ToArray();
        Assert.True(uncovered.Length == 0, "commands neither run nor covered (run them with milkcells, or add the covering test to DocCoverage.Covered):\n"
            + string.Join("\n", uncovered.Select(p => p.Command.ToString())));
        var runnable = plans.Where(p => p.Handling is Handling.Run or Handling.Benchmark).ToArray();
        if (runnable.Length == 0)
        {
            return;
        }
        if (runnable.Any(p => p.Shell.Contains("../shared", StringComparison.Ordinal)) && !Directory.Exists(Shared.Root))
        {
            Shared.Require("."); // skips, or fails under MILKCELLS_REQUIRE_SHARED=1
        }

        using var workspace = new DocWorkspace();
        foreach (var plan in runnable)
        {
            if (plan.Handling == Handling.Benchmark)
            {
                Benchmark(plan, workspace);
                continue;
            }
            if (!workspace.LinkFixtures(plan.Shell))
            {
                Shared.Require(DocWorkspace.Fixtures.First(f => plan.Shell.Contains(f.Key, StringComparison.Ordinal)).Value);
            }
            var clock = Stopwatch.StartNew();
            var (code, output) = workspace.Run(plan.Shell);
            TestContext.Current.SendDiagnosticMessage($"{plan.Command} ({clock.Elapsed.TotalSeconds:0.0} s{(plan.Changes.IsEmpty ? "" : "; " + string.Join(", ", plan.Changes))})");
            Assert.True(code == 0, $"{plan.Command}\nexited {code}:\n{string.Join("\n", output.TakeLast(30))}");
            if (plan.Command.ShowsOutput)
            {
                Assert.True(DocCommands.Shows(output, plan.Command.Expected),
                    $"{plan.Command}\nshows:\n{string.Join("\n", plan.Command.Expected)}\nbut prints:\n{string.Join("\n", output)}");
            }
        }
    }

    /// <summary>A benchmark command: <c>fcs-synth</c> runs (without <c>--gigabyte</c>); every <c>--filter</c> pattern must
    /// select at least one benchmark of the benchmark project (listed with <c>--list flat</c>, not run).</summary>
    private static void Benchmark(DocPlan plan, DocWorkspace workspace)
    {
        var dll = BenchmarkDll();
        var args = plan.Shell;
        if (args.StartsWith("fcs-synth ", StringComparison.Ordinal))
        {
            var (code, output) = workspace.Run($"dotnet '{dll}' {args.Replace(" --gigabyte", "", StringComparison.Ordinal)}");
            Assert.True(code == 0, $"{plan.Command}\nexited {code}:\n{string.Join("\n", output)}");
            return;
        }
        var filter = FilterArgument().Match(args);
        Assert.True(filter.Success, $"{plan.Command}: a benchmark command names what it measures with --filter");
        foreach (var pattern in Quoted().Matches(filter.Groups[1].Value).Select(m => m.Groups[1].Value))
        {
            var (code, output) = workspace.Run($"dotnet '{dll}' --list flat --filter '{pattern}'");
            Assert.True(code == 0, $"{plan.Command}\n--list exited {code}:\n{string.Join("\n", output)}");
            Assert.True(output.Any(l => l.StartsWith("MilkCells.Benchmarks.", StringComparison.Ordinal)),
                $"{plan.Command}: --filter '{pattern}' selects no benchmark:\n{string.Join("\n", output)}");
        }
    }

    private static string BenchmarkDll()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Shared.InRepo($"bench/MilkCells.Benchmarks/bin/{configuration}/net10.0/MilkCells.Benchmarks.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing (this test project builds it)");
        return dll;
    }

    [Fact]
    public void Every_covering_rule_still_covers_a_documented_command()
    {
        var plans = Documents().Select(d => (string)d.Data).SelectMany(d => DocCommands.Extract(d, File.ReadAllText(Shared.InRepo(d)))).Select(DocCoverage.Plan).ToArray();
        foreach (var (pattern, why) in DocCoverage.Covered)
        {
            Assert.True(plans.Any(p => p.Handling == Handling.Covered && pattern.IsMatch(p.Shell)), $"stale rule /{pattern}/ ({why}): no documented command needs it");
        }
    }

    [Fact]
    public void The_README_is_short_has_the_two_commands_a_tour_and_a_map_of_every_doc()
    {
        var lines = File.ReadAllLines(Shared.InRepo("README.md"));
        Assert.True(lines.Length <= 150, $"README.md has {lines.Length} lines (at most 150: usage detail belongs in docs/)");
        var text = string.Join('\n', lines);
        Assert.Contains("dotnet run --project src/MilkCells.Cli -c Release -- simulate", text);
        Assert.Contains("./test.sh", text);
        foreach (var doc in Directory.GetFiles(Shared.InRepo("docs"), "*.md"))
        {
            Assert.Contains($"(docs/{Path.GetFileName(doc)})", text);
        }
        var tour = DocCommands.Extract("README.md", text).Where(c => c.ShowsOutput).ToArray();
        Assert.True(tour.Length >= 4, "the tour shows commands with their real output");
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void A_document_names_no_issue_numbers_and_every_relative_link_resolves(string document)
    {
        var text = File.ReadAllText(Shared.InRepo(document));
        var issue = IssueNumber().Match(text);
        Assert.False(issue.Success, $"{document} names '{issue.Value}': say what, not which issue");
        var folder = Path.GetDirectoryName(Shared.InRepo(document))!;
        foreach (Match link in RelativeLink().Matches(text))
        {
            var target = link.Groups[1].Value.Split('#')[0];
            Assert.True(File.Exists(Path.Combine(folder, target)) || Directory.Exists(Path.Combine(folder, target)), $"{document}: the link to {target} leads nowhere");
        }
    }

    [GeneratedRegex(@"--filter\s+((?:'[^']*'\s*)+)")]
    private static partial Regex FilterArgument();

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex Quoted();

    /// <summary>"issue 5", "Issue #12" — but not a journal's ("Milk Genomics issue 20"): a capitalised word before it.</summary>
    [GeneratedRegex(@"(?<![A-Z][a-z]+ )\b[Ii]ssues? #?\d+\b")]
    private static partial Regex IssueNumber();

    [GeneratedRegex(@"\]\((?!https?:|mailto:|#)([^)\s]+)\)")]
    private static partial Regex RelativeLink();
}
