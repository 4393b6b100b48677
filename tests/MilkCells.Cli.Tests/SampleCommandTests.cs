using System.Globalization;
using System.Text.RegularExpressions;
using MilkCells.Fcs;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary>Tubes synthesized once for the command tests: a mastitis mother on days 38-45, 20,000 events a file.</summary>
public sealed class SampleTubes : IDisposable
{
    public SampleTubes()
    {
        var (code, _, error) = CliHarness.Run("sample", "synthesize", "-s", "mastitis", "--seed", "3", "--days", "38-45", "--events", "20000", "-o", Folder);
        Assert.True(code == 0, error);
    }

    public TempDir Dir { get; } = new("milkcells-sample-cli");

    public string Folder => Path.Combine(Dir.Path, "tubes");

    public string Manifest => Path.Combine(Folder, "manifest.csv");

    /// <summary>The state library cache shared by these tests.</summary>
    public string Cache => Path.Combine(Dir.Path, "cache");

    public void Dispose() => Dir.Dispose();
}

/// <summary><c>milkcells sample analyze | synthesize | panels</c> as users run them.</summary>
public class SampleCommandTests(SampleTubes tubes) : IClassFixture<SampleTubes>
{
    [Fact]
    public void Panels_lists_each_gate_with_its_cell_types_and_source()
    {
        var (code, output, _) = CliHarness.Run("sample", "panels");
        Assert.Equal(0, code);
        Assert.Contains("milk-basic: ", output);
        Assert.Contains("milk-leucocytes: ", output);
        Assert.Matches(@"(?m)^\s+luminal\s+singlets\s+population\s+lactocyte-lc1 lactocyte-lc2 luminal-progenitor\s+EPCAM", output);
        Assert.Contains("Trend", output);
        Assert.Contains("stains: DNA Hoechst 33342 (Hoechst-A)", output);
    }

    [Fact]
    public void Synthesize_writes_fcs_3_1_files_the_manifest_the_panel_and_the_truth()
    {
        var files = Directory.GetFiles(tubes.Folder).Select(Path.GetFileName).ToList();
        Assert.Equal(8, files.Count(f => f!.EndsWith(".fcs", StringComparison.Ordinal)));
        Assert.Contains("manifest.csv", files);
        Assert.Contains("truth.csv", files);
        Assert.Contains("panel.xml", files);
        using var fcs = FcsFile.Open(Path.Combine(tubes.Folder, "mastitis-3-d41-left.fcs"));
        var set = fcs.DataSets[0];
        Assert.Equal("FCS3.1", set.VersionText.Trim());
        Assert.StartsWith("5,Hoechst-A,APC-Cy7-A,FITC-A,PE-A,APC-A,", set.Keywords["$SPILLOVER"]);
        Assert.Equal("100000", set.Keywords["$VOL"]);
        Assert.InRange(set.EventCount, 19_000, 21_000);
        Assert.Equal("CD45 APC", set.Parameters.Single(p => p.Name == "APC-A").Label);
    }

    [Fact]
    public void Synthesize_gives_the_same_bytes_for_the_same_seed()
    {
        using var temp = new TempDir();
        var again = temp.File("again");
        var (code, _, error) = CliHarness.Run("sample", "synthesize", "-s", "mastitis", "--seed", "3", "--days", "38-45", "--events", "20000", "-o", again);
        Assert.True(code == 0, error);
        foreach (var file in Directory.GetFiles(tubes.Folder))
        {
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(again, Path.GetFileName(file))));
        }
    }

    [Fact]
    public void Analyze_writes_every_output_and_the_same_bytes_on_one_thread_or_two()
    {
        using var temp = new TempDir();
        string Run(int threads)
        {
            var output = temp.File($"out{threads}");
            var (code, _, error) = CliHarness.Run("sample", "analyze", "--manifest", tubes.Manifest, "-o", output, "--threads", threads.ToString(CultureInfo.InvariantCulture), "--cache", tubes.Cache);
            Assert.True(code == 0, error);
            Assert.Contains("most probable mastitis", error);
            return output;
        }
        var (one, two) = (Run(1), Run(2));
        foreach (var name in new[] { "samples.csv", "findings.json", "states.csv", "report.html" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(one, name)), File.ReadAllBytes(Path.Combine(two, name)));
        }
        var samples = File.ReadAllLines(Path.Combine(one, "samples.csv"));
        Assert.Equal(9, samples.Length);
        Assert.StartsWith("sample_id,mother_id,lactation_day,breast,collected_at,source,panel,events,count_route,aggregate_factor,cells_per_ml_total,", samples[0]);
        var states = File.ReadAllLines(Path.Combine(one, "states.csv"));
        Assert.Equal("mother_id,day,state,probability", states[0]);
        // Eight sample days, each with healthy and every health state of the model.
        Assert.Equal(1 + 8 * (1 + MilkCells.Model.Catalogue.MilkModel.Embedded.HealthStates.Length), states.Length);
        var report = File.ReadAllText(Path.Combine(one, "report.html"));
        Assert.Contains("data:image/png;base64,", report);
        Assert.Contains("Thomsen", report);
        Assert.True(File.Exists(Path.Combine(one, ".milkcells-output")));
    }

    [Fact]
    public void Analyze_to_standard_output_writes_samples_csv_only()
    {
        var (code, output, error) = CliHarness.Run("sample", "analyze", "--manifest", tubes.Manifest, "-o", "-");
        Assert.True(code == 0, error);
        Assert.StartsWith("sample_id,", output);
        Assert.Equal(9, output.TrimEnd().Split('\n').Length);
    }

    [Fact]
    public void Counts_csv_with_a_subset_of_columns_is_analysed()
    {
        using var temp = new TempDir();
        var counts = temp.File("counts.csv");
        File.WriteAllText(counts, "sample_id,mother_id,lactation_day,breast,cells_per_ml_leucocyte,bacteria_cfu_per_ml\nhemo-1,m9,30,left,600,\nhemo-2,m9,31,left,2400000,50000\n");
        var output = temp.File("out");
        var (code, _, error) = CliHarness.Run("sample", "analyze", counts, "-o", output, "--no-states");
        Assert.True(code == 0, error);
        var json = File.ReadAllText(Path.Combine(output, "findings.json"));
        Assert.Contains("\"category\": \"infectious mastitis\"", json);
        Assert.Contains("the category needs a bacteria count too", json);
        var samples = File.ReadAllLines(Path.Combine(output, "samples.csv"));
        Assert.Contains(",high", samples[2]);
    }

    /// <summary>Runs a command that must fail with exit 2, naming the problem in one line, writing nothing.</summary>
    private static string Refused(TempDir temp, params string[] args)
    {
        var output = temp.File("never");
        var (code, _, error) = CliHarness.Run([.. args, "-o", output]);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error);
        Assert.DoesNotContain(" at MilkCells", error);
        Assert.False(Directory.Exists(output), "an output folder was written");
        Assert.DoesNotContain(Directory.GetFileSystemEntries(temp.Path), e => Path.GetFileName(e).StartsWith(".never", StringComparison.Ordinal));
        return error;
    }

    [Fact]
    public void A_panel_reading_a_channel_the_file_lacks_is_refused_listing_the_files_channels()
    {
        using var temp = new TempDir();
        var error = Refused(temp, "sample", "analyze", "--manifest", tubes.Manifest, "--panel", "milk-leucocytes");
        Assert.Contains("panel milk-leucocytes reads channels 'BV421-A', 'BV605-A', 'BV711-A', 'PE-Cy7-A' that the file lacks", error);
        Assert.Contains("its channels are: FSC-A, FSC-H, SSC-A, Hoechst-A, APC-Cy7-A, FITC-A, PE-A, APC-A", error);
    }

    [Fact]
    public void No_way_to_count_absolutely_names_the_manifest_columns_that_would_do()
    {
        using var temp = new TempDir();
        // The same events without $VOL, and a manifest without bead columns.
        var source = Path.Combine(tubes.Folder, "mastitis-3-d41-left.fcs");
        using (var fcs = FcsFile.Open(source))
        {
            var set = fcs.DataSets[0];
            var parameters = set.Parameters.Select(p => new FcsWriteParameter(p.Name, p.Label, FcsDataType.Float, Range: "262144")).ToList();
            var keywords = set.Keywords.Pairs.Where(k => k.Key == "$SPILLOVER");
            FcsWriter.Write(temp.File("novol.fcs"), parameters, set.ReadEvents().Values, new FcsWriteOptions { Keywords = keywords });
        }
        File.WriteAllText(temp.File("m.csv"), "file,sample_id,lactation_day\nnovol.fcs,s1,41\n");
        var error = Refused(temp, "sample", "analyze", "--manifest", temp.File("m.csv"));
        Assert.Contains("no way to make counts absolute", error);
        Assert.Contains("beads_per_test and test_volume_ul", error);
        Assert.Contains("acquired_volume_ul", error);
    }

    [Theory]
    [InlineData("sample_id,lactation_day,cells_per_ml_total\na,400,50000\n", "lactation day 400 is outside the reference set (days 0-364)")]
    [InlineData("sample_id,lactation_day,cells_per_ml_total\na,30,-50000\n", "counts.csv:2: cells_per_ml_total: -50000 is negative")]
    [InlineData("sample_id,lactation_day,cells_per_ml_total\na,30,50000\na,31,60000\n", "sample id 'a' is used twice")]
    public void Bad_counts_are_refused(string csv, string expected)
    {
        using var temp = new TempDir();
        File.WriteAllText(temp.File("counts.csv"), csv);
        Assert.Contains(expected, Refused(temp, "sample", "analyze", temp.File("counts.csv")));
    }

    [Fact]
    public void A_manifest_row_whose_file_is_missing_is_refused_with_its_line()
    {
        using var temp = new TempDir();
        File.WriteAllText(temp.File("m.csv"), $"file,sample_id,lactation_day\n{Path.Combine(tubes.Folder, "mastitis-3-d41-left.fcs")},s1,41\ngone.fcs,s2,42\n");
        var error = Refused(temp, "sample", "analyze", "--manifest", temp.File("m.csv"));
        Assert.Contains("m.csv:3: file: the file 'gone.fcs' does not exist", error);
    }

    [Theory]
    [InlineData("--days", "9999", "lactation day 9999 is outside scenario 'mastitis' (days 0-69)")]
    [InlineData("--days", "3,x", "'x' is not a lactation day")]
    [InlineData("--events", "10", "10 events are too few")]
    [InlineData("--panel", "milk-basci", "unknown panel 'milk-basci'")]
    public void Synthesize_refuses_bad_options_before_writing(string option, string value, string expected)
    {
        using var temp = new TempDir();
        string[] args = ["sample", "synthesize", "-s", "mastitis", "--days", "40", option, value];
        if (option == "--days")
        {
            args = ["sample", "synthesize", "-s", "mastitis", "--days", value];
        }
        Assert.Contains(expected, Refused(temp, args));
    }

    /// <summary>A user panel for a real file: a rectangle on one channel above its mean, a child below the mean of another, and a polygon.</summary>
    private static string UserPanel(string a, double meanA, string b, double meanB)
    {
        string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return $"""
            <gating:Gating-ML xmlns:gating="http://www.isac-net.org/std/Gating-ML/v2.0/gating" xmlns:data-type="http://www.isac-net.org/std/Gating-ML/v2.0/datatypes">
              <gating:RectangleGate gating:id="high-a"><gating:dimension gating:compensation-ref="uncompensated" gating:min="{N(meanA)}"><data-type:fcs-dimension data-type:name="{a}"/></gating:dimension></gating:RectangleGate>
              <gating:RectangleGate gating:id="low-b" gating:parent_id="high-a"><gating:dimension gating:compensation-ref="uncompensated" gating:max="{N(meanB)}"><data-type:fcs-dimension data-type:name="{b}"/></gating:dimension></gating:RectangleGate>
              <gating:PolygonGate gating:id="corner">
                <gating:dimension gating:compensation-ref="uncompensated"><data-type:fcs-dimension data-type:name="{a}"/></gating:dimension>
                <gating:dimension gating:compensation-ref="uncompensated"><data-type:fcs-dimension data-type:name="{b}"/></gating:dimension>
                <gating:vertex><gating:coordinate data-type:value="0"/><gating:coordinate data-type:value="0"/></gating:vertex>
                <gating:vertex><gating:coordinate data-type:value="{N(2 * meanA)}"/><gating:coordinate data-type:value="0"/></gating:vertex>
                <gating:vertex><gating:coordinate data-type:value="0"/><gating:coordinate data-type:value="{N(2 * meanB)}"/></gating:vertex>
              </gating:PolygonGate>
            </gating:Gating-ML>
            """;
    }

    /// <summary>Each population's events as <c>fcs gate</c> prints them.</summary>
    private static Dictionary<string, string> FcsGateCounts(string file, string gates)
    {
        var (code, output, error) = CliHarness.Run("fcs", "gate", file, "--gates", gates);
        Assert.True(code == 0, error);
        // Counts print with thousands separators (docs/cli.md): 1,582.
        var counts = Regex.Matches(output, @"(?m)^  (\S+)\s+\S+\s+([\d,]+)\s").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Replace(",", "", StringComparison.Ordinal));
        // Every gate of the file is in the table: none skipped by the pattern.
        Assert.Equal(MilkCells.Cytometry.Gating.GatingMLReader.ReadFile(gates).PopulationIds.Count, counts.Count);
        return counts;
    }

    [Theory]
    [InlineData("FlowCal--Data001.fcs")]
    [InlineData("FlowIO--3FITC_4PE_004.fcs")]
    [InlineData("FlowKit--test_comp_example.fcs")]
    [InlineData("fcsparser--FCS_3.0_Fortessa_PBS_Specimen_001_A1_A01.fcs")]
    [InlineData("fcsparser--HTS_BD_LSR_II_Mixed_Specimen_001_D6_D06.fcs")]
    [InlineData("flowCore--0877408774.B08.fcs")]
    public void A_user_panel_on_real_files_counts_every_population_as_fcs_gate_does(string name)
    {
        var file = Path.Combine(Shared.Require("fcs/files"), name);
        using var temp = new TempDir();
        using (var fcs = FcsFile.Open(file))
        {
            var set = fcs.DataSets[0];
            var names = set.Parameters.Select(p => p.Name).Where(n => !n.Contains("Time", StringComparison.OrdinalIgnoreCase)).ToList();
            var stats = FcsStatistics.Compute(set, FcsValues.Scaled, TestContext.Current.CancellationToken);
            var (a, b) = (names[0], names[1]);
            File.WriteAllText(temp.File("panel.xml"), UserPanel(a, stats[set.IndexOf(a)].Mean, b, stats[set.IndexOf(b)].Mean));
        }
        var expected = FcsGateCounts(file, temp.File("panel.xml"));
        AssertAnalyzeCounts(temp, file, temp.File("panel.xml"), expected);
    }

    [Fact]
    public void The_gating_ml_suites_data1_with_all_its_gates_counts_as_fcs_gate_does()
    {
        var suite = Shared.Require("conformance/gatingml");
        var (file, gates) = (Path.Combine(suite, "data1.fcs"), Path.Combine(suite, "gml", "gml_all_gates.xml"));
        using var temp = new TempDir();
        var expected = FcsGateCounts(file, gates);
        Assert.Equal(49, expected.Count); // docs/sample.md: all 49 populations
        AssertAnalyzeCounts(temp, file, gates, expected);
    }

    private static void AssertAnalyzeCounts(TempDir temp, string file, string panel, Dictionary<string, string> expected)
    {
        var (code, output, error) = CliHarness.Run("sample", "analyze", file, "--panel", panel, "-o", "-");
        Assert.True(code == 0, error);
        var lines = output.TrimEnd().Split('\n');
        var header = lines[0].Split(',');
        var row = lines[1].Split(',');
        foreach (var (population, events) in expected)
        {
            var column = Array.IndexOf(header, Model.Catalogue.Parameter.ToSymbol(population) + "_events");
            Assert.True(column >= 0, $"no column for {population}");
            Assert.Equal(events, row[column]);
        }
        _ = temp;
    }
}
