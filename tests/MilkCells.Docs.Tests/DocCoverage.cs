using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MilkCells.Docs.Tests;

/// <summary>How a documented command is exercised.</summary>
public enum Handling
{
    /// <summary>Run in a temporary folder (milkcells, or dotnet run of the command line, rewritten to it).</summary>
    Run,

    /// <summary>A BenchmarkDotNet command: each filter must select benchmarks (listed, not run: they take minutes);
    /// <c>fcs-synth</c> runs.</summary>
    Benchmark,

    /// <summary>Not run here; <see cref="DocCoverage.Covered"/> names the test that covers it, or why it cannot run.</summary>
    Covered,

    /// <summary>Neither run nor covered: a failure.</summary>
    Uncovered,
}

/// <summary>A documented command as it will be exercised.</summary>
/// <param name="Command">The command as the document shows it.</param>
/// <param name="Handling">How it is exercised.</param>
/// <param name="Shell">The shell line actually run (sizes capped, <c>dotnet run</c> of the command line rewritten).</param>
/// <param name="Why">For <see cref="Handling.Covered"/>: the covering test or the reason.</param>
/// <param name="Changes">What was changed to run it small (empty when it runs as shown).</param>
public sealed record DocPlan(DocCommand Command, Handling Handling, string Shell, string? Why, ImmutableArray<string> Changes);

/// <summary>Decides how each documented command is exercised: the rules are here, in one place, for review.</summary>
public static partial class DocCoverage
{
    /// <summary>Commands not run by the docs tests, each with the test that runs it or why it cannot run here.
    /// Every entry must match a command in the docs (a test fails on a stale entry).</summary>
    public static readonly ImmutableArray<(Regex Pattern, string Why)> Covered =
    [
        (new(@"^\./test\.sh\b"), "the test runner itself (CI runs it through .ci/run)"),
        (new(@"^dotnet (pack|tool) "), "packing and installing the .NET tool: ToolPackageTests packs it, installs it into a temporary tool path and runs it"),
        (new(@"^kubectl "), "no Kubernetes cluster here: ClusterDocsTests runs the Indexed Job's container command once per completion index into one PostgreSQL store"),
        (new(@"\bsbatch\b"), "SlurmClusterTests submits docs/cluster's array and merge job to the one-node Slurm cluster ./test.sh starts"),
        (new(@"--store '?postgres://"), "needs a PostgreSQL server named by the reader: ClusterDocsTests and CohortProcessTests run cohorts into ./test.sh's server"),
        (new(@"^valgrind --tool=callgrind\b"), "minutes under valgrind; the instruction counts it gave are in docs/performance.md"),
        (new(@"^(for i in 0 1 2; do|done|wait)$|^cmp cohort\.parquet |--store (parquet|duckdb):cohort\b|--store sqlite:cohort\.db -o (from-sqlite\.parquet|cohort\.arrow)$|--mothers 300 --days 60 --seed 1 --store sqlite:cohort\.db$"),
            "docs/cohorts.md's Parquet, Arrow and DuckDB block (three shard processes at once, byte comparisons): ColumnarDocsTests runs it as written under bash"),
        (new(@"^milkcells sample analyze counts\.csv "), "needs the counts.csv the page shows: SampleDocsTests writes it from docs/sample.md and runs the command"),
        (new(@"^milkcells serve\b"), "runs until Ctrl+C: ServeCommandTests starts 'milkcells serve' as a process, uses it and stops it with SIGINT and SIGTERM; HelpExampleTests runs its help examples the same way"),
        (new(@"^bench/serve-speed\.sh\b"), "a benchmark of milkcells serve (five cold starts, 10,000 runs in the API and in Chromium, a 1 GB upload; a few minutes); the figures it printed are in docs/performance.md"),
        (new(@"^bench/sidebyside\.py\b"), "builds StochKit2 from ../shared/peers and runs for minutes to ~20 min; the table it printed is in docs/performance.md"),
        (new(@"^bench/scripts/columnar-stores\.sh\b"), "a benchmark of whole cohort runs, exports and reference builds into every store (minutes to an hour); the figures it printed are in docs/cohorts.md and docs/performance.md"),
        (new(@"^bench/scripts/sample-speed\.sh\b"), "whole-process timing of sample analyze on 1,000 synthesized files (3 GB, minutes to synthesize); the figures it printed are in docs/sample.md"),
    ];

    /// <summary>Sizes capped so every documented command runs in seconds; the cap is reported with the result.</summary>
    public static readonly ImmutableArray<(string Option, long Cap)> Caps =
    [
        ("--mothers", 50),
        ("--trajectories", 200),
        ("--replicates", 40),
    ];

    /// <summary>Programs a run command may chain with milkcells (through &amp;&amp;, |, ;).</summary>
    private static readonly string[] Helpers = ["milkcells", "/usr/bin/time", "head", "tail", "wc", "cat", "ls", "sort", "grep", "column", "cut"];

    /// <summary>How <paramref name="command"/> is exercised.</summary>
    public static DocPlan Plan(DocCommand command)
    {
        var text = CommandLine().Replace(command.Text, "milkcells ");
        var bench = Bench().Match(text);
        if (bench.Success)
        {
            return new DocPlan(command, Handling.Benchmark, bench.Groups["args"].Value, null, []);
        }
        foreach (var (pattern, why) in Covered)
        {
            if (pattern.IsMatch(text))
            {
                return new DocPlan(command, Handling.Covered, text, why, []);
            }
        }
        var segments = Separators().Split(text).Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();
        if (!text.StartsWith("milkcells ", StringComparison.Ordinal) && !text.StartsWith("/usr/bin/time ", StringComparison.Ordinal)
            || segments.Any(s => !Helpers.Contains(s.Split(' ')[0])))
        {
            return new DocPlan(command, Handling.Uncovered, text, null, []);
        }
        var changes = ImmutableArray.CreateBuilder<string>();
        if (!command.ShowsOutput)
        {
            foreach (var (option, cap) in Caps)
            {
                text = Regex.Replace(text, Regex.Escape(option) + @"(\s+|=)(\d+)\b", m =>
                {
                    var value = long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                    if (value <= cap)
                    {
                        return m.Value;
                    }
                    changes.Add($"{option} {value} → {cap}");
                    return $"{option}{m.Groups[1].Value}{cap.ToString(CultureInfo.InvariantCulture)}";
                });
            }
        }
        return new DocPlan(command, Handling.Run, text, null, changes.ToImmutable());
    }

    /// <summary><c>dotnet run --project src/MilkCells.Cli [-c Release] -- </c>: the command line itself.</summary>
    [GeneratedRegex(@"^dotnet run (?:(?:--project src/MilkCells\.Cli/?|-c Release|--configuration Release)\s+)+--\s+")]
    private static partial Regex CommandLine();

    [GeneratedRegex(@"^dotnet run (?:(?:--project bench/MilkCells\.Benchmarks/?|-c Release|--configuration Release)\s+)+--\s+(?<args>.*)$")]
    private static partial Regex Bench();

    [GeneratedRegex(@"&&|\|\||\||;")]
    private static partial Regex Separators();
}
