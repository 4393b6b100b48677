using System.Globalization;
using MilkCells.Cli.Commands;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Model;
using MilkCells.Sbml;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

public class EngineCommandTests
{
    private static string Dsmts(string id) => Path.Combine(Shared.Require("conformance/dsmts"), id, $"{id}-sbml-l3v1.xml");

    [Fact]
    public void Run_options_map_to_a_validated_configuration()
    {
        var root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, CancellationToken.None));
        var parse = root.Parse(["engine", "run", "m.xml", "--trajectories", "12", "--until", "5.5", "--points", "3", "--algorithm", "cr", "--seed", "9", "--threads", "2", "--out", "s.csv"]);
        Assert.Empty(parse.Errors);
        var config = EngineCommands.ParseRun(parse);
        Assert.Equal(new EngineRunConfig("m.xml", 12, 5.5, 3, Algorithm.CompositionRejection, 9, 2, "s.csv"), config);
    }

    [Theory]
    [InlineData("engine run m.xml -n 10 -a cr -o s.csv", "cr")]
    [InlineData("engine run m.xml --algorithm direct -o s.csv", "direct")]
    [InlineData("engine run m.xml -o s.csv", "auto")]
    [InlineData("engine run m.xml -a bogus -o s.csv", null)]
    [InlineData("engine run m.xml --help", null)]
    [InlineData("engine run -h", null)]
    [InlineData("engine dsmts dir -a cr", null)]
    [InlineData("simulate --scenario healthy run -o -", null)]
    [InlineData("engine run m.xml --algorithm=cr -o s.csv", null)]
    [InlineData("engine run m.xml -a:cr -o s.csv", null)]
    [InlineData("engine run @options.rsp", null)]
    public void The_early_warm_up_starts_only_for_an_engine_run_and_with_its_algorithm(string line, string? algorithm)
    {
        Assert.Equal(algorithm, EngineCommands.EarlyWarmUp(line.Split(' '))?.Name);
    }

    [Fact]
    public void Run_writes_mean_and_sd_per_species_at_k_points_identically_for_any_thread_count()
    {
        using var dir = new TempDir();
        string RunWith(int threads)
        {
            var path = dir.File($"stats-{threads}.csv");
            var (code, output, error) = CliHarness.Run("engine", "run", Dsmts("00001"), "--trajectories", "300", "--until", "50", "--points", "11",
                "--algorithm", "direct", "--seed", "4", "--threads", threads.ToString(CultureInfo.InvariantCulture), "-o", path);
            Assert.True(code == 0, error);
            Assert.Equal("", output);
            Assert.Contains("300 trajectories", error);
            return File.ReadAllText(path);
        }
        var one = RunWith(1);
        Assert.Equal(one, RunWith(2));
        var lines = one.TrimEnd('\n').Split('\n');
        Assert.Equal("time,X-mean,X-sd", lines[0]);
        Assert.Equal(12, lines.Length);
        Assert.Equal("0,100,0", lines[1]);
        Assert.StartsWith("50,", lines[^1]);
        var times = lines.Skip(1).Select(l => double.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(Enumerable.Range(0, 11).Select(k => 5.0 * k), times);
    }

    [Fact]
    public void Dsmts_prints_a_table_and_the_summary_line()
    {
        var dir = Shared.Require("conformance/dsmts");
        var (code, output, error) = CliHarness.Run("engine", "dsmts", dir, "--trajectories", "2000", "--cases", "00001,00028", "--algorithm", "direct");
        Assert.True(code == 0, error);
        Assert.Contains("00001", output);
        Assert.Contains("00028", output);
        Assert.Equal("DSMTS: 2 passed, 0 failed", output.TrimEnd().Split('\n')[^1].Trim());
    }

    [Fact]
    public void A_file_that_is_not_sbml_exits_2_naming_it_without_a_stack_trace()
    {
        using var dir = new TempDir();
        var bad = dir.File("notes.txt");
        File.WriteAllText(bad, "just some text");
        var (code, _, error) = CliHarness.Run("engine", "run", bad, "--trajectories", "2", "--until", "1", "--points", "2", "--out", dir.File("o.csv"));
        Assert.Equal(2, code);
        Assert.Contains("notes.txt", error);
        Assert.Contains("not a valid SBML document", error);
        Assert.DoesNotContain(" at ", error);
        Assert.False(File.Exists(dir.File("o.csv")));
    }

    [Fact]
    public void Bad_models_and_options_exit_2_naming_the_element()
    {
        using var dir = new TempDir();
        var undefined = dir.File("undefined.xml");
        File.WriteAllText(undefined, SbmlExporter.Write(new NetworkBuilder("u").Species("X", 3).MassAction("decay", "X ->", "1").ToNetwork())
            .Replace("<cn type=\"integer\"> 1 </cn>", "<ci> kk </ci>", StringComparison.Ordinal));
        var (code, _, error) = CliHarness.Run("engine", "run", undefined, "--trajectories", "2", "--until", "1", "--points", "2", "--out", dir.File("o.csv"));
        Assert.Equal(2, code);
        Assert.Contains("reaction 'decay'", error);
        Assert.Contains("'kk'", error);

        var negative = dir.File("negative.xml");
        File.WriteAllText(negative, SbmlExporter.Write(new NetworkBuilder("n")
            .Parameter("k", 1).Species("X", 10).Species("Y", 0)
            .MassAction("decay", "X ->", "k").Reaction("leak", "-> Y", "k * (X - 5)").Build()));
        (code, _, error) = CliHarness.Run("engine", "run", negative, "--trajectories", "2", "--until", "100", "--points", "2", "--out", dir.File("o.csv"));
        Assert.Equal(2, code);
        Assert.Contains("reaction 'leak'", error);
        Assert.Contains("negative", error);

        (code, _, error) = CliHarness.Run("engine", "run", negative, "--trajectories", "2", "--until", "1", "--points", "2", "--algorithm", "magic", "--out", dir.File("o.csv"));
        Assert.Equal(2, code);
        Assert.Contains("unknown algorithm 'magic'", error);

        (code, _, error) = CliHarness.Run("engine", "run", negative, "--trajectories", "0", "--until", "1", "--points", "2", "--out", dir.File("o.csv"));
        Assert.Equal(2, code);
        Assert.Contains("--trajectories", error);
    }
}
