using System.Text;
using MilkCells.Cohorts.Reference;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary><c>cohort run</c>, <c>cohort power</c> and <c>reference build</c> in process: determinism, output, bad input.</summary>
public sealed class CohortCommandTests : IDisposable
{
    private readonly TempDir _dir = new("milkcells-cohort-cli");

    public void Dispose() => _dir.Dispose();

    private string Sqlite(string name) => "sqlite:" + _dir.File(name + ".db");

    private static readonly string[] Small = ["--scenario", "healthy", "--mothers", "7", "--days", "5", "--seed", "21"];

    [Fact]
    public void Any_thread_count_and_any_shard_split_merged_give_the_bytes_of_one_sequential_run()
    {
        var output = CohortFiles.Run([.. Small, "--store", Sqlite("one"), "--threads", "1"]);
        Assert.Contains("cohort 'healthy' (default), seed 21: 7 mothers x 5 days, shard 0/1, 1 threads", output);
        Assert.Contains("simulated 7 mothers (35 mother-days)", output);
        Assert.Contains("7 of 7 mothers complete", output);
        var sequential = CohortFiles.Export(_dir, Sqlite("one"));
        Assert.Equal(36, Encoding.UTF8.GetString(sequential).Count(c => c == '\n'));

        CohortFiles.Run([.. Small, "--store", Sqlite("three"), "--threads", "3"]);
        Assert.Equal(sequential, CohortFiles.Export(_dir, Sqlite("three")));

        foreach (var k in new[] { 2, 4 })
        {
            var shards = Enumerable.Range(0, k).Select(i => Sqlite($"k{k}-{i}")).ToArray();
            for (var i = 0; i < k; i++)
            {
                CohortFiles.Run([.. Small, "--store", shards[i], "--threads", "2", "--shard", $"{i}/{k}"]);
            }
            var (code, _, merged) = CliHarness.Run(["cohort", "merge", "--store", Sqlite($"merged{k}"), .. shards]);
            Assert.True(code == 0, merged);
            Assert.Contains("7 of 7 mothers complete", merged);
            Assert.Equal(sequential, CohortFiles.Export(_dir, Sqlite($"merged{k}")));
        }
    }

    [Fact]
    public void A_second_run_into_the_same_store_needs_resume_and_then_has_nothing_to_do()
    {
        string[] args = ["--mothers", "2", "--days", "2", "--store", Sqlite("again")];
        CohortFiles.Run(args);
        var (code, _, error) = CliHarness.Run(["cohort", "run", .. args]);
        Assert.Equal(2, code);
        Assert.Contains("already holds shard 0/1", error);
        Assert.Contains("--resume", error);
        var resumed = CohortFiles.Run([.. args, "--resume"]);
        Assert.Contains("simulated 0 mothers", resumed);
        Assert.Contains("2 were already complete", resumed);
    }

    [Theory]
    [InlineData("--shard 2/2", "'2/2' is not a shard")]
    [InlineData("--mothers 0", "--mothers: '0' is not a whole number of at least 1")]
    [InlineData("--days 5000", "past the end of lactation")]
    [InlineData("--threads 0", "--threads: '0' is not a whole number of at least 1")]
    [InlineData("--scenario helthy", "helthy")]
    [InlineData("--profile lay", "lay")]
    public void Bad_input_exits_2_with_one_line_naming_it(string options, string expected)
    {
        var args = new List<string> { "cohort", "run", "--store", Sqlite("bad") };
        var given = options.Split(' ');
        args.AddRange(given);
        if (!given.Contains("--mothers"))
        {
            args.AddRange(["--mothers", "2"]);
        }
        var (code, _, error) = CliHarness.Run([.. args]);
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Reference_build_writes_csv_and_report_from_a_complete_store_only()
    {
        CohortFiles.Run("--mothers", "4", "--days", "16", "--seed", "2", "--store", Sqlite("ref"));
        var outDir = _dir.File("reference");
        var (code, _, output) = CliHarness.Run("reference", "build", "--store", Sqlite("ref"), "--out", outDir);
        var error = output;
        Assert.True(code == 0, error);
        Assert.Contains("64 mother-days of 4 mothers", output);
        var csv = File.ReadAllLines(Path.Combine(outDir, "reference.csv"));
        Assert.Contains("# rebuild: milkcells cohort run --scenario healthy --profile default --mothers 4 --days 16 --seed 2 --store sqlite:reference.db && milkcells reference build --store sqlite:reference.db --out " + outDir, csv);
        Assert.Contains(csv, l => l.StartsWith("pct_leucocyte,% of cells,transitional,10,14,20,4,", StringComparison.Ordinal));
        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("cells_per_ml_leucocyte (cells/mL)", html);
        Assert.DoesNotContain(Directory.GetFiles(outDir), f => f.EndsWith(".partial", StringComparison.Ordinal));

        CohortFiles.Run("--mothers", "4", "--days", "3", "--store", Sqlite("half"), "--shard", "0/2");
        (code, _, error) = CliHarness.Run("reference", "build", "--store", Sqlite("half"), "--out", _dir.File("half"));
        Assert.Equal(2, code);
        Assert.Contains("holds 2 of the run's 4 mothers", error);
        (code, _, error) = CliHarness.Run("reference", "build", "--store", Sqlite("ref"), "--out", _dir.File("w"), "--windows", "3-1");
        Assert.Equal(2, code);
        Assert.Contains("ends before it starts", error);
    }

    [Fact]
    public void Power_prints_power_per_N_with_its_error_and_the_smallest_N_whatever_the_threads()
    {
        string[] args = ["cohort", "power", "--effect", "relative:3", "--outcome", "cells_per_ml_total", "--days", "3", "--window", "1-2",
            "--grid", "2,4", "--replicates", "10", "--seed", "5", "--csv", _dir.File("power.csv")];
        var (code, one, error) = CliHarness.Run([.. args, "--threads", "1"]);
        Assert.True(code == 0, error);
        var (_, two, _) = CliHarness.Run([.. args, "--threads", "2"]);
        string Result(string text) => text[text.IndexOf("simulated effect", StringComparison.Ordinal)..];
        Assert.Equal(Result(one), Result(two));
        Assert.Contains("Welch's t test", one);
        Assert.Contains("simulating 80 mothers x 3 days", one);
        Assert.Matches(@"\n\s+2\s+\d\.\d{3}\s+\d\.\d{3}\n\s+4\s+\d\.\d{3}\s+\d\.\d{3}\n", one);
        Assert.Matches(@"(smallest N per arm with power >= 0\.80: [24]|no N in the grid reaches power 0\.80)", one);
        var csv = File.ReadAllLines(_dir.File("power.csv"));
        Assert.Equal("n_per_arm,rejections,replicates,power,mc_se", csv[0]);
        Assert.Equal(3, csv.Length);

        var (bad, _, message) = CliHarness.Run("cohort", "power", "--effect", "relative:2", "--test", "anova");
        Assert.Equal(2, bad);
        Assert.Contains("unknown test 'anova'", message);
    }

    [Fact]
    public void Commands_parse_into_their_configurations()
    {
        var root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, default));
        Assert.Empty(root.Parse("cohort run --mothers 10 --store sqlite:x.db --shard 3/8 --resume --threads 2").Errors);
        Assert.NotEmpty(root.Parse("cohort run --store sqlite:x.db").Errors); // --mothers is required
        Assert.NotEmpty(root.Parse("cohort power --grid 2,4").Errors); // --effect is required
        Assert.Empty(root.Parse("reference build --store sqlite:x.db --out d").Errors);
        var design = Cohort.CohortPowerCommand.Design(new Cohort.PowerConfig("healthy", "scenario:infant-infection", "cells_per_ml_leucocyte", null, null,
            "8,4,4", 100, 0.05, 0.8, "mann-whitney", 1, 1, null, null));
        Assert.Equal([4, 8], design.Grid);
        Assert.Equal(design.Window.Last + 1, design.Days);
        Assert.Equal("mann-whitney", design.Test.Name);
        Assert.Equal(DayWindows.Default, DayWindows.Parse(DayWindows.DefaultText));
    }
}
