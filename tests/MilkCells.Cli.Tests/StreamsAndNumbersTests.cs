using System.Text.Json.Nodes;
using Json.Schema;
using MilkCells.Sbml;
using MilkCells.TestSupport;
using MilkCells.Workflows;

namespace MilkCells.Cli.Tests;

/// <summary>Data on standard output only when asked for (<c>-o -</c>), everything for people on standard error; numbers people read; typed run.json.</summary>
public sealed class StreamsAndNumbersTests : IDisposable
{
    private readonly CliFixtures _fixtures = new();
    private readonly TempDir _dir = new("milkcells-streams");

    public void Dispose()
    {
        _dir.Dispose();
        _fixtures.Dispose();
    }

    [Fact]
    public void Gate_membership_on_stdout_is_exactly_the_file_and_the_counts_move_to_stderr()
    {
        var file = _dir.File("m.csv");
        var (code, output, error) = CliHarness.Run("fcs", "gate", _fixtures.Fcs, "--gates", _fixtures.Gates, "-o", file);
        Assert.True(code == 0, error);
        Assert.Contains("Cells", output); // the counts are the printout
        var (code2, stdout, stderr) = CliHarness.Run("fcs", "gate", _fixtures.Fcs, "--gates", _fixtures.Gates, "-o", "-");
        Assert.Equal(0, code2);
        Assert.Equal(File.ReadAllText(file), stdout);
        Assert.StartsWith("Cells\n", stdout);
        Assert.Contains("200 events", stderr);
    }

    [Fact]
    public void Writing_commands_keep_stdout_empty_and_say_what_they_did_on_stderr()
    {
        var (code, output, error) = CliHarness.Run("simulate", "--days", "2", "-o", _dir.File("sim"), "--store", _dir.File("runs.db"));
        Assert.True(code == 0, error);
        Assert.Equal("", output);
        Assert.Contains("by stage", error);
        Assert.Contains("  day 2/2", error); // progress, plain when not a terminal

        (code, output, error) = CliHarness.Run("cohort", "export", "--store", _fixtures.Store, "-o", _dir.File("c.csv"));
        Assert.Equal(0, code);
        Assert.Equal("", output);
        Assert.Contains("wrote 12 rows", error);
        (code, output, _) = CliHarness.Run("cohort", "export", "--store", _fixtures.Store, "-o", "-");
        Assert.Equal(0, code);
        Assert.Equal(File.ReadAllText(_dir.File("c.csv")), output);
    }

    [Theory]
    [InlineData(new[] { 126_000.0, 84_000, 539 }, new[] { "126,000", "84,000", "539" })]
    [InlineData(new[] { 3.93e11, 1.26e5, 8.4e4 }, new[] { "3.93×10¹¹", "1.26×10⁵", "8.40×10⁴" })]
    [InlineData(new[] { 0.01234, 12.345, 0, 9.0 }, new[] { "0.0123", "12.3", "0", "9" })]
    [InlineData(new[] { 2.5e-5, 1.0 }, new[] { "2.50×10⁻⁵", "1.00×10⁰" })]
    [InlineData(new[] { double.NaN, 1234.5 }, new[] { "—", "1,230" })]
    public void A_column_has_one_notation_thousands_separators_and_three_significant_digits(double[] values, string[] expected) =>
        Assert.Equal(expected, ConsoleNumbers.Column(values));

    [Fact]
    public void Fcs_info_stats_print_four_significant_digits_not_fifteen()
    {
        var (code, output, _) = CliHarness.Run("fcs", "info", _fixtures.Fcs, "--stats");
        Assert.Equal(0, code);
        var row = output.Split('\n').Single(l => l.Contains("FSC-A", StringComparison.Ordinal));
        Assert.Matches(@"\s0\s+199\s+99\.5$", row.TrimEnd());
        foreach (var channel in new[] { "FSC-A", "SSC-A", "CD45-A" })
        {
            var stats = output.Split('\n').Single(l => l.Contains(channel, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[^3..];
            Assert.All(stats, v => Assert.True(v.Replace(",", "").Replace(".", "").TrimStart('0', '-').Length <= 4, $"{channel}: {v}"));
        }
    }

    [Fact]
    public void Run_json_is_typed_and_valid_against_the_published_schema()
    {
        var schema = JsonSchema.FromText(File.ReadAllText(Shared.InRepo("docs/run.schema.json")));
        foreach (var (scenario, days) in new[] { ("healthy", "3"), ("donor-milk", "2") })
        {
            var outDir = _dir.File(scenario);
            var (code, _, error) = CliHarness.Run("simulate", "-s", scenario, "--days", days, "--seed", "18446744073709551615", "--profile", "lay-claims",
                "-o", outDir, "--store", _dir.File("runs.db"));
            Assert.True(code == 0, error);
            var text = File.ReadAllText(Path.Combine(outDir, "run.json"));
            var json = JsonNode.Parse(text)!;
            var result = schema.Evaluate(Element(json), new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
            Assert.Equal(18446744073709551615UL, json["seed"]!.GetValue<ulong>());
            Assert.Equal("tau", json["engine"]!["algorithm"]!["name"]!.GetValue<string>());
            Assert.Equal(0.03, json["engine"]!["algorithm"]!["epsilon"]!.GetValue<double>());
            Assert.True(json["engine"]!["algorithm"]!["exact_linear"]!.GetValue<bool>());
        }
        // The schema is not vacuous: a seed as text, or an algorithm as a record dump, is refused.
        var bad = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir.File("healthy"), "run.json")))!;
        bad["seed"] = "7";
        Assert.False(schema.Evaluate(Element(bad)).IsValid);
        bad["seed"] = 7;
        bad["engine"]!["algorithm"] = "TauLeaping { Epsilon = 0.15 }";
        Assert.False(schema.Evaluate(Element(bad)).IsValid);
    }

    private static System.Text.Json.JsonElement Element(JsonNode node) => System.Text.Json.JsonSerializer.SerializeToElement(node);
}

/// <summary>libSBML found at run time: the same build with the binding's folder empty, and with the real one.</summary>
public sealed class SbmlRuntimeTests : IDisposable
{
    private readonly TempDir _dir = new("milkcells-sbml-runtime");

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Error) Run(string folder, params string[] args)
    {
        using var process = MilkcellsProcess.StartProgram("dotnet", [MilkcellsProcess.Dll, .. args],
            new Dictionary<string, string> { ["MILKCELLS_LIBSBML_DIR"] = folder, ["MILKCELLS_DEBUG"] = "0" });
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)));
        process.WaitForExit();
        return (process.ExitCode, MilkcellsProcess.ErrorOf(process));
    }

    [Fact]
    public void Without_the_binding_SBML_commands_exit_2_naming_the_package_and_the_rest_works()
    {
        var empty = _dir.File("empty");
        Directory.CreateDirectory(empty);
        var (code, error) = Run(empty, "model", "export-sbml", "-s", "colostrum-week", "-o", _dir.File("m.xml"));
        Assert.Equal(2, code);
        Assert.Contains("libsbml5-cil", error);
        Assert.Contains(empty, error);
        Assert.DoesNotContain("Exception", error);
        Assert.False(File.Exists(_dir.File("m.xml")));
        (code, error) = Run(empty, "simulate", "--days", "1", "-o", _dir.File("sim"), "--store", _dir.File("runs.db"));
        Assert.True(code == 0, error);
    }

    [Fact]
    public void With_the_binding_folder_the_same_build_exports_SBML()
    {
        var folder = MilkCells.Sbml.SbmlSupport.Folder;
        if (!File.Exists(Path.Combine(folder, "libsbmlcsP.dll")))
        {
            const string message = "libSBML's C# binding is not installed (Debian libsbml5-cil; ./test.sh installs it)";
            if (Shared.Required)
            {
                Assert.Fail(message);
            }
            Assert.Skip(message);
        }
        var (code, error) = Run(folder, "model", "export-sbml", "-s", "colostrum-week", "-o", _dir.File("m.xml"));
        Assert.True(code == 0, error);
        Assert.Contains("level=\"3\" version=\"2\"", File.ReadAllText(_dir.File("m.xml")));
        Assert.True(SbmlSupport.Available);
    }
}
