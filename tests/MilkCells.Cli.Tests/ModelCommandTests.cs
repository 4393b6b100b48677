using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

public class ModelCommandTests
{
    [Fact]
    public void Model_show_prints_cell_types_with_ontology_ids_and_parameters_with_sources()
    {
        var (code, output, error) = CliHarness.Run("model", "show");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("default calibration: modern flow cytometry", output);
        Assert.Contains("CL:0000235", output);
        Assert.Contains("milk.storage_capacity", output);
        Assert.Contains("doi:10.1542/peds.2005-1417", output);
        Assert.Contains("derived.entry_viable", output);
    }

    [Theory]
    [InlineData("microscopy-era", "MICROSCOPY-ERA CALIBRATION")]
    [InlineData("lay-claims", "LAY-CLAIMS CALIBRATION")]
    public void Model_show_marks_non_default_profiles(string profile, string marking)
    {
        var (code, output, _) = CliHarness.Run("model", "show", "--profile", profile);
        Assert.Equal(0, code);
        Assert.Contains(marking, output);
        Assert.Contains($"[{profile}]", output);
    }

    [Fact]
    public void Model_show_with_an_unknown_profile_exits_2_with_a_hint()
    {
        var (code, _, error) = CliHarness.Run("model", "show", "--profile", "microscopy");
        Assert.Equal(2, code);
        Assert.Contains("did you mean 'microscopy-era'?", error);
    }

    [Fact]
    public void Model_validate_accepts_built_ins_and_files()
    {
        var (code, output, _) = CliHarness.Run("model", "validate", "mastitis");
        Assert.Equal(0, code);
        Assert.Contains("valid scenario 'mastitis'", output);
        Assert.Contains("mastitis (moderate, left)", output);
        var (fileCode, fileOutput, _) = CliHarness.Run("model", "validate", Shared.InRepo("scenarios/donor-milk.yaml"));
        Assert.Equal(0, fileCode);
        Assert.Contains("valid scenario 'donor-milk'", fileOutput);
    }

    [Fact]
    public void Model_validate_reports_every_problem_with_file_line_and_hint_and_exit_2()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.yaml");
        File.WriteAllText(path, "name: bad\ndurationDays: 10\nfeding: { mode: on-demand }\nparameters:\n  breast.death_rate: -0.1\n");
        var (code, output, error) = CliHarness.Run("model", "validate", path);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains($"{path}:3:1: feding: unknown key 'feding' (hint: did you mean 'feeding'?)", error);
        Assert.Contains($"{path}:5:22: parameters.breast.death_rate: negative rate", error);
        Assert.DoesNotContain(" at MilkCells", error);
    }

    [Fact]
    public void Model_schema_prints_the_json_schema()
    {
        var (code, output, _) = CliHarness.Run("model", "schema");
        Assert.Equal(0, code);
        Assert.Contains("\"$schema\": \"https://json-schema.org/draft/2020-12/schema\"", output);
    }
}
