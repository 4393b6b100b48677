using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using MilkCells.Samples.Analysis;
using MilkCells.Samples.Findings;
using MilkCells.Samples.Input;
using MilkCells.Samples.Reference;
using MilkCells.TestSupport;

namespace MilkCells.Samples.Tests;

/// <summary>CSV inputs, the reference set and the literature findings.</summary>
public class ReadingTests
{
    private static readonly MilkModel Model = MilkModel.Embedded;

    [Fact]
    public void Csv_reads_quoted_fields_and_skips_comment_lines()
    {
        var table = CsvTable.Parse("# made by hand\nsample_id,collected_at\n\"a,1\",\"said \"\"noon\"\"\"\n\nb,\n", "x.csv");
        Assert.Equal(["sample_id", "collected_at"], table.Header);
        Assert.Equal("a,1", table.Text(table.Rows[0], "sample_id"));
        Assert.Equal("said \"noon\"", table.Text(table.Rows[0], "collected_at"));
        Assert.Null(table.Text(table.Rows[1], "collected_at"));
        Assert.Equal(5, table.Rows[1].Line);
    }

    [Fact]
    public void Counts_with_any_subset_of_columns_are_read_and_what_follows_is_derived()
    {
        var table = CsvTable.Parse("""
            sample_id,mother_id,lactation_day,cells_per_ml_total,pct_leucocyte
            a,m1,30,50000,1
            b,m1,31,,
            """.Replace("\r", "", StringComparison.Ordinal), "counts.csv");
        var samples = CountsCsv.Read(table, Model);
        Assert.Equal(500, samples[0].Value(Measures.Leucocyte)!.Value, 9);
        Assert.Contains(samples[0].Notes, n => n.Contains("leucocytes/mL = total", StringComparison.Ordinal));
        Assert.Empty(samples[1].Values);

        var lab = CountsCsv.Read(CsvTable.Parse("sample_id,sodium_mmol_l,potassium_mmol_l,bacteria_cfu_per_ml\nx,12,15,2000\n", "lab.csv"), Model)[0];
        Assert.Equal(0.8, lab.Value(Measures.NaK)!.Value, 12);
        Assert.Equal(2000, lab.Value(Measures.Bacteria));
    }

    [Theory]
    [InlineData("sample_id,cells_per_ml_leucocytes\na,5\n", "unknown column 'cells_per_ml_leucocytes' (hint: did you mean 'cells_per_ml_leucocyte'?)")]
    [InlineData("sample_id,cells_per_ml_total\na,-5\n", "counts.csv:2: cells_per_ml_total: -5 is negative")]
    [InlineData("sample_id,viable_fraction\na,92\n", "92 is not a fraction")]
    [InlineData("sample_id,lactation_day\na,x\n", "'x' is not a lactation day")]
    [InlineData("file,sample_id\na.fcs,a\n", "it is a manifest of FCS files")]
    public void Bad_counts_are_refused_naming_the_place(string csv, string expected)
    {
        var ex = Assert.Throws<InputException>(() => CountsCsv.Read(CsvTable.Parse(csv, "counts.csv"), Model));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Percentiles_interpolate_between_the_reference_set_and_flag_outside_its_band()
    {
        var reference = ReferenceTable.Default;
        var range = reference.RangeAt(Measures.Leucocyte, 40)!;
        Assert.Equal(50, reference.Place(Measures.Leucocyte, 40, range.Median, logScale: true)!.Percentile, 9);
        Assert.Equal(2.5, reference.Place(Measures.Leucocyte, 40, range.Low, logScale: true)!.Percentile, 9);
        // The geometric mean of two neighbouring percentiles sits half-way between them on the log scale.
        var (p25, p50) = (range.Values[2], range.Values[3]);
        Assert.Equal(37.5, reference.Place(Measures.Leucocyte, 40, Math.Sqrt(p25 * p50), logScale: true)!.Percentile, 6);
        var high = reference.Place(Measures.Leucocyte, 40, range.High * 1.01, logScale: true)!;
        Assert.Equal(("high", 97.5), (high.Flag, high.Percentile));
        Assert.Equal("low", reference.Place(Measures.Leucocyte, 40, range.Low * 0.99, logScale: true)!.Flag);
        Assert.Equal((0, 364), (reference.FirstDay, reference.LastDay));
        Assert.False(reference.Covers(400));
    }

    [Fact]
    public void A_reference_folder_built_elsewhere_is_read_and_a_missing_one_refused()
    {
        using var temp = new TempDir();
        File.Copy(Shared.InRepo("data/reference/reference.csv"), temp.File("reference.csv"));
        Assert.Equal(ReferenceTable.Default.Rows.Length, ReferenceTable.Load(temp.Path).Rows.Length);
        var ex = Assert.Throws<InputException>(() => ReferenceTable.Load(temp.File("nowhere")));
        Assert.Contains("--reference", ex.Message);
    }

    [Theory]
    [InlineData(5e5, 1e2, "stasis")]
    [InlineData(2e6, 1e2, "non-infectious inflammation")]
    [InlineData(2e6, 1e4, "infectious mastitis")]
    public void Thomsen_categories_follow_the_two_thresholds(double leucocytes, double bacteria, string category)
    {
        var f = ClinicalFindings.ThomsenCategory(leucocytes, bacteria);
        Assert.Equal((FindingStatus.Met, category), (f.Status, f.Category));
        Assert.Contains("Thomsen", f.Citation);
        Assert.DoesNotContain("diagnos", f.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Findings_say_what_could_not_be_assessed_and_what_would_allow_it()
    {
        var thomsen = ClinicalFindings.ThomsenCategory(2e6, null);
        Assert.Equal(FindingStatus.NotAssessed, thomsen.Status);
        Assert.Contains("bacteria_cfu_per_ml", thomsen.Text);
        Assert.Equal(FindingStatus.NotAssessed, ClinicalFindings.FurukawaRatio(null).Status);
        Assert.Equal(FindingStatus.Met, ClinicalFindings.PaceThreshold(4.8e5, null).Status);
        Assert.Equal(FindingStatus.NotMet, ClinicalFindings.PaceThreshold(4.7e5, null).Status);
        Assert.Equal(FindingStatus.Met, ClinicalFindings.FurukawaRatio(0.61).Status);
        Assert.Equal(FindingStatus.NotMet, ClinicalFindings.FurukawaRatio(0.6).Status);
    }
}
