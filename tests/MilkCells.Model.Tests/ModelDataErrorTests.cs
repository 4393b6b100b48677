using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using MilkCells.TestSupport;

namespace MilkCells.Model.Tests;

/// <summary>Mistakes in the model's own data files are found at load, all at once, with file, line and hint.</summary>
public class ModelDataErrorTests
{
    private static InputProblemsException LoadWith(params (string File, string Find, string Replace)[] edits)
    {
        using var dir = new TempDir();
        foreach (var path in Directory.GetFiles(Shared.InRepo("data"), "*.yaml"))
        {
            File.Copy(path, Path.Combine(dir.Path, Path.GetFileName(path)));
        }
        foreach (var (file, find, replace) in edits)
        {
            var path = Path.Combine(dir.Path, file);
            var text = File.ReadAllText(path);
            Assert.Contains(find, text);
            File.WriteAllText(path, text.Replace(find, replace));
        }
        return Assert.Throws<InputProblemsException>(() => MilkModel.LoadFrom(dir.Path));
    }

    private static int LineOf(string file, string text) =>
        File.ReadAllLines(Shared.InRepo($"data/{file}")).Select((l, i) => (l, i)).First(x => x.l.Contains(text)).i + 1;

    [Fact]
    public void The_repository_data_folder_loads_like_the_embedded_copy()
    {
        Assert.Equal(MilkModel.Embedded.Version, MilkModel.LoadFrom(Shared.InRepo("data")).Version);
    }

    [Fact]
    public void A_cell_type_typo_in_a_table_is_located_with_a_hint()
    {
        var ex = LoadWith(("composition.yaml", "values: { macrophage: 0.55, neutrophil: 0.355,", "values: { macrophage: 0.55, neutrophl: 0.355,"));
        var typo = Assert.Single(ex.Problems, p => p.Problem.Contains("unknown leucocyte 'neutrophl'"));
        Assert.EndsWith("composition.yaml", typo.Location.File);
        Assert.Equal(LineOf("composition.yaml", "values: { macrophage: 0.55, neutrophil: 0.355,"), typo.Location.Line);
        Assert.Equal("did you mean 'neutrophil'?", typo.Hint);
        Assert.Contains(ex.Problems, p => p.Problem.Contains("no entry for leucocyte 'neutrophil'"));
    }

    [Fact]
    public void A_negative_rate_in_the_data_is_refused()
    {
        var ex = LoadWith(("breast.yaml", "    value: 1.5\n    unit: /h", "    value: -1.5\n    unit: /h"));
        var p = Assert.Single(ex.Problems);
        Assert.Contains("negative rate", p.Problem);
        Assert.Contains("breast.retention_rate", p.Problem);
        Assert.Equal(LineOf("breast.yaml", "- id: breast.retention_rate"), p.Location.Line);
    }

    [Fact]
    public void Missing_provenance_unknown_units_sources_and_keys_are_all_reported_together()
    {
        var ex = LoadWith(
            ("breast.yaml", "    unit: /h\n    condition: \"free cells", "    unit: /hr\n    condition: \"free cells"),
            ("milk.yaml", "    source: kent2006\n    where: \"evidence table §6\"", "    source: kent2060\n    where: \"evidence table §6\""),
            ("storage.yaml", "condition: \"refrigerator\", ", ""),
            ("variability.yaml", "  - id: variability.right_share_sd\n    value: 0.07", "  - id: variability.right_share_sd\n    valeu: 0.07"));
        Assert.Contains(ex.Problems, p => p.Problem == "unknown unit '/hr'" && p.Hint == "did you mean '/h'?");
        Assert.Contains(ex.Problems, p => p.Problem == "unknown source 'kent2060'" && p.Hint == "did you mean 'kent2006'?");
        Assert.Contains(ex.Problems, p => p.Problem == "missing required key 'condition'" && p.Location.File!.EndsWith("storage.yaml"));
        Assert.Contains(ex.Problems, p => p.Problem == "unknown key 'valeu'" && p.Hint == "did you mean 'value'?");
        Assert.All(ex.Problems, p => Assert.NotNull(p.Location.Line));
    }

    [Fact]
    public void An_assumption_without_its_reasoning_is_refused()
    {
        var ex = LoadWith(("breast.yaml",
            "    note: \"Half-life ~35 h. Ex vivo, counts and viability hold for the first 3 h at room temperature (cell-isolation abstract), so death over a milk residence of a few hours is small; most dead cells in milk arrive dead (docs/model.md §5).\"\n",
            ""));
        Assert.Contains(ex.Problems, p => p.Problem.Contains("breast.death_rate") && p.Problem.Contains("must state its reasoning"));
    }

    [Fact]
    public void Shares_that_do_not_add_up_and_unknown_parameter_ids_are_refused()
    {
        var ex = LoadWith(
            ("health.yaml", "values: { neutrophil: 0.60, macrophage: 0.30,", "values: { neutrophil: 0.70, macrophage: 0.30,"),
            ("breast.yaml", "- id: breast.health_step", "- id: breast.helth_step"));
        Assert.Contains(ex.Problems, p => p.Problem.Contains("health.nipple-trauma.leucocyte_shares") && p.Problem.Contains("add up to 1.1"));
        Assert.Contains(ex.Problems, p => p.Problem.Contains("unknown parameter 'breast.helth_step'") && p.Hint == "did you mean 'breast.health_step'?");
        Assert.Contains(ex.Problems, p => p.Problem.Contains("missing parameter 'breast.health_step'"));
    }

    [Fact]
    public void A_missing_data_file_is_reported()
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<InputProblemsException>(() => MilkModel.LoadFrom(dir.Path));
        Assert.Contains(ex.Problems, p => p.Problem == "model data file is missing" && p.Location.File!.EndsWith("sources.yaml"));
    }
}
