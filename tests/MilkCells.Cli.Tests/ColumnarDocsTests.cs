using System.Diagnostics;
using System.Text.RegularExpressions;
using MilkCells.Storage.Cohorts;
using MilkCells.TestSupport;
using static MilkCells.Cli.Tests.MilkcellsProcess;

namespace MilkCells.Cli.Tests;

/// <summary>docs/cohorts.md's Parquet, Arrow and DuckDB section, run as written: every <c>sh</c> block under bash, in one folder.</summary>
public sealed partial class ColumnarDocsTests : IDisposable
{
    private readonly TempDir _dir = new("milkcells-columnar-docs");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_columnar_section_of_the_cohort_docs_runs_and_does_what_it_says()
    {
        var doc = File.ReadAllText(Shared.InRepo("docs/cohorts.md"));
        var start = doc.IndexOf("## Parquet, Arrow and DuckDB", StringComparison.Ordinal);
        Assert.True(start >= 0, "the section is missing");
        var end = doc.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        var section = doc[start..(end < 0 ? doc.Length : end)];
        var script = string.Join("\n", ShellBlock().Matches(section).Select(m => m.Groups[1].Value));
        Assert.Contains("milkcells cohort export", script);
        foreach (var reader in new[] { "arrow::open_dataset", "pl.scan_parquet", "duckdb.sql", "spark.read.parquet" })
        {
            Assert.Contains(reader, section); // shown, not run: none of these tools is on the build machine
        }

        var work = _dir.File("work");
        Directory.CreateDirectory(work);
        var info = new ProcessStartInfo("bash") { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-euo");
        info.ArgumentList.Add("pipefail");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.Environment["PATH"] = WrapperFolder(_dir) + ":" + Environment.GetEnvironmentVariable("PATH");
        using var bash = Process.Start(info)!;
        var error = bash.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        bash.StandardOutput.ReadToEnd();
        Assert.True(bash.WaitForExit(TimeSpan.FromMinutes(5)), "the docs' commands did not finish in time");
        var stderr = await error;
        Assert.True(bash.ExitCode == 0, $"exit {bash.ExitCode}: {stderr}");

        using (var store = CohortStore.OpenForRead("parquet:" + Path.Combine(work, "cohort")))
        {
            Assert.Equal([new(0, 3), new(1, 3), new(2, 3)], store.Shards);
            Assert.Equal(300, store.CompletedMothers().Count); // every background shard finished
            Assert.Equal(300L * 60, store.CountRows());
        }
        foreach (var file in new[] { "cohort.parquet", "cohort.arrow", "reference/reference.csv", "reference/report.html", "cohort.duckdb", "cohort.db" })
        {
            Assert.True(File.Exists(Path.Combine(work, file)), $"{file} was not written");
        }
    }

    [GeneratedRegex("```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
