using System.Globalization;
using MilkCells.Cli;
using MilkCells.Fcs;
using MilkCells.Fcs.Tests.RealFiles;
using MilkCells.TestSupport;

namespace MilkCells.Fcs.Tests.Cli;

/// <summary><c>milkcells fcs info</c> and <c>milkcells fcs dump</c>, run in process.</summary>
public class FcsCliTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Info_shows_version_instrument_events_channels_and_warnings()
    {
        var path = Path.Combine(Shared.Require("fcs/files"), "FlowIO--coulter.lmd");
        var (code, output, error) = Run("fcs", "info", path);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        using var fcs = FcsFile.Open(path);
        Assert.Contains($"{fcs.DataSets.Count} data sets", output);
        foreach (var set in fcs.DataSets)
        {
            Assert.Contains($"version     {set.VersionText}", output);
            Assert.Contains($"events      {set.EventCount.ToString("N0", CultureInfo.InvariantCulture)}", output);
            foreach (var p in set.Parameters)
            {
                Assert.Contains(p.Name, output);
            }
            foreach (var w in set.Warnings)
            {
                Assert.Contains(w.ToString(), output);
            }
        }
        Assert.Contains($"instrument  {fcs.First.Cytometer}", output);
    }

    [Fact]
    public void Info_stats_agree_with_the_reference_sums_minima_and_maxima()
    {
        const string name = "FlowCal--Data003.fcs";
        var path = Path.Combine(Shared.Require("fcs/files"), name);
        var (code, output, _) = Run("fcs", "info", path, "--stats");
        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Shared.Require("fcs/reference"), name + ".json")));
        var r = doc.RootElement.GetProperty("readers").GetProperty("fcsparser-0.2.8/data_set=0");
        var events = r.GetProperty("events").GetDouble();
        var lines = output.Split('\n');
        var sums = r.GetProperty("col_sum").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var mins = r.GetProperty("col_min").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var maxs = r.GetProperty("col_max").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        using var fcs = FcsFile.Open(path);
        var exact = FcsStatistics.Compute(fcs.DataSets[0], cancellation: TestContext.Current.CancellationToken);
        for (var c = 0; c < sums.Length; c++)
        {
            // The statistics themselves, exactly; the console shows them to 4 significant digits (docs/cli.md).
            Assert.Equal(maxs[c], exact[c].Max);
            Assert.Equal(mins[c], exact[c].Min);
            Assert.Equal(sums[c] / events, exact[c].Mean, 1e-12 * Math.Max(1, Math.Abs(exact[c].Mean)));
            var row = lines.Single(l => l.TrimStart().StartsWith((c + 1).ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal));
            var cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(sums[c] / events, Console(cells[^1]), 5e-4 * Math.Abs(sums[c] / events));
            Assert.Equal(maxs[c], Console(cells[^2]), 5e-4 * Math.Abs(maxs[c]));
            Assert.Equal(mins[c], Console(cells[^3]), 5e-4 * Math.Abs(mins[c]));
        }
    }

    /// <summary>A console number (<c>1,023</c>, <c>239.4</c>, <c>2.62×10⁵</c>) as a double.</summary>
    private static double Console(string text)
    {
        var parts = text.Replace(",", "", StringComparison.Ordinal).Split("×10");
        var mantissa = double.Parse(parts[0], CultureInfo.InvariantCulture);
        if (parts.Length == 1)
        {
            return mantissa;
        }
        var exponent = int.Parse(string.Concat(parts[1].Select(ch => ch == '⁻' ? '-' : (char)('0' + "⁰¹²³⁴⁵⁶⁷⁸⁹".IndexOf(ch)))), CultureInfo.InvariantCulture);
        return mantissa * Math.Pow(10, exponent);
    }

    [Fact]
    public void Dump_writes_names_and_shortest_round_trip_values()
    {
        using var dir = new TempDir();
        var fcsPath = dir.File("tenth.fcs");
        var value = (double)0.1f;
        FcsWriter.Write(fcsPath, [new FcsWriteParameter("x,1"), new FcsWriteParameter("y")], [value, 3, 1e20f, -0.0]);
        var csv = dir.File("out.csv");
        var (code, _, error) = Run("fcs", "dump", fcsPath, "--csv", csv);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("\"x,1\",y", lines[0]);
        var cell = lines[1].Split(',')[0];
        // Round-trips to the float widened to double, and no shorter decimal does.
        Assert.Equal(value, double.Parse(cell, CultureInfo.InvariantCulture));
        var digits = cell.TrimStart('0', '.').Length;
        Assert.NotEqual(value, double.Parse(value.ToString("E" + (digits - 2), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void Dump_matches_the_reader_for_every_data_set_of_a_real_file()
    {
        var path = Path.Combine(Shared.Require("fcs/files"), "FlowIO--coulter.lmd");
        using var dir = new TempDir();
        using var fcs = FcsFile.Open(path);
        foreach (var set in fcs.DataSets)
        {
            var csv = dir.File($"set{set.Index}.csv");
            Assert.Equal(0, Run("fcs", "dump", path, "--dataset", (set.Index + 1).ToString(CultureInfo.InvariantCulture), "--csv", csv).Code);
            var values = File.ReadLines(csv).Skip(1).SelectMany(l => l.Split(',')).Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(set.ReadEvents().Values, values);
        }
    }

    [Theory]
    [InlineData("fcsparser--corrupted.fcs")]
    [InlineData("fcsparser--sample_header.fcs")]
    public void Bad_files_exit_2_with_file_offset_and_problem_and_no_stack_trace(string name)
    {
        var path = Path.Combine(Shared.Require("fcs/files"), name);
        foreach (var args in new[] { new[] { "fcs", "info", path }, new[] { "fcs", "dump", path, "--csv", "-" } })
        {
            var (code, output, error) = Run(args);
            Assert.Equal(2, code);
            var ex = Assert.Throws<FcsFormatException>(() => FcsFile.Open(path));
            Assert.StartsWith($"error: {ex.Message}", error);
            Assert.Contains("(hint: ", error);
            Assert.Single(error.TrimEnd().Split('\n'));
            Assert.Contains($"{path} @ byte {ex.ByteOffset}: ", error);
            Assert.DoesNotContain(" at MilkCells", error);
            Assert.Equal("", output);
        }
    }

    [Fact]
    public void Missing_files_and_bad_data_set_numbers_exit_2()
    {
        Assert.Equal(2, Run("fcs", "info", "/no/such/file.fcs").Code);
        var path = Path.Combine(Shared.Require("fcs/files"), "FlowIO--data1.fcs");
        var (code, _, error) = Run("fcs", "dump", path, "--dataset", "2", "--csv", "-");
        Assert.Equal(2, code);
        Assert.Contains("--dataset: there is no data set 2", error);
    }
}
