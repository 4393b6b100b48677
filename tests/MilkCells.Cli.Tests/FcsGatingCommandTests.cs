using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary>The gating commands as users script them: <c>fcs gate</c> and <c>fcs gatingml-suite</c>.</summary>
public class FcsGatingCommandTests
{
    private static string Suite => Shared.Require("conformance/gatingml");

    [Fact]
    public void Gatingml_suite_passes_every_check_and_ends_with_the_summary_line()
    {
        var (code, output, error) = CliHarness.Run("fcs", "gatingml-suite", Suite);
        Assert.True(code == 0, error + output);
        var last = output.TrimEnd().Split('\n')[^1];
        Assert.Matches(@"^Gating-ML: \d+ passed, 0 failed$", last);
        Assert.DoesNotContain("FAIL", output);
    }

    [Fact]
    public void Gate_counts_every_population_and_writes_membership_that_matches_the_suite()
    {
        using var temp = new TempDir();
        var csv = temp.File("membership.csv");
        var (code, output, error) = CliHarness.Run("fcs", "gate", Path.Combine(Suite, "data1.fcs"),
            "--gates", Path.Combine(Suite, "gml", "gml_all_gates.xml"), "--membership", csv);
        Assert.True(code == 0, error);
        Assert.Contains("13,367 events", output);

        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',');
        Assert.Equal(13367, lines.Length - 1);
        Assert.Contains("FL2P-FL4P", header);
        Assert.DoesNotContain("Quadrant1", header); // a quadrant gate contributes its quadrants, not itself
        // Each column equals the suite's expected results, and the printed count equals the column's sum.
        foreach (var (id, column) in header.Select((id, c) => (id, c)))
        {
            var expected = File.ReadAllLines(Path.Combine(Suite, "truth", $"Results_{id}.txt")).Where(l => l.Length > 0).ToArray();
            var ones = 0;
            for (var e = 0; e < expected.Length; e++)
            {
                var value = lines[e + 1].Split(',')[column];
                Assert.Equal(expected[e].Trim(), value);
                ones += value == "1" ? 1 : 0;
            }
            Assert.Matches($@"(?m)^\s+{System.Text.RegularExpressions.Regex.Escape(id)}\s+\S+\s+{ones.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}\s", output);
        }
    }

    [Fact]
    public void A_gate_file_that_is_not_xml_is_exit_2_naming_file_and_line()
    {
        using var temp = new TempDir();
        var gates = temp.File("gates.xml");
        File.WriteAllText(gates, "<gating:Gating-ML>\n<oops");
        var (code, _, error) = CliHarness.Run("fcs", "gate", Path.Combine(Suite, "data1.fcs"), "--gates", gates);
        Assert.Equal(2, code);
        Assert.Contains("gates.xml:", error);
        Assert.DoesNotContain(" at ", error);
    }

    [Fact]
    public void Gates_on_channels_the_file_lacks_are_exit_2_naming_gate_and_channel()
    {
        var (code, _, error) = CliHarness.Run("fcs", "gate", Shared.Require("fcs/compensation/flowkit/test_comp_example.fcs"),
            "--gates", Path.Combine(Suite, "gml", "gml_rect1_gate.xml"));
        Assert.Equal(2, code);
        Assert.Contains("RectangleGate 'Rectangle1'", error);
        Assert.Contains("no channel named 'SSC-H'", error);
    }

    [Fact]
    public void A_folder_that_is_not_the_suite_is_exit_2()
    {
        using var temp = new TempDir();
        var (code, _, error) = CliHarness.Run("fcs", "gatingml-suite", temp.Path);
        Assert.Equal(2, code);
        Assert.Contains("not a Gating-ML compliance suite", error);
    }

    [Fact]
    public void A_missing_fcs_file_is_exit_2()
    {
        var (code, _, error) = CliHarness.Run("fcs", "gate", "no-such.fcs", "--gates", Path.Combine(Suite, "gml", "gml_rect1_gate.xml"));
        Assert.Equal(2, code);
        Assert.Contains("no-such.fcs", error);
    }
}
