using System.Text.Json;
using MilkCells.Core.Errors;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.TestSupport;

namespace MilkCells.Model.Tests;

public class ScenarioTests
{
    private static MilkModel Model => MilkModel.Embedded;

    private static Scenario Parse(string yaml) => ScenarioLoader.Parse("test.yaml", yaml, "test", Model);

    private static InputProblemsException Problems(string yaml) => Assert.Throws<InputProblemsException>(() => Parse(yaml));

    [Fact]
    public void Built_in_scenarios_have_the_exact_names_and_healthy_is_the_default()
    {
        Assert.Equal(["healthy", "colostrum-week", "preterm", "blocked-duct", "mastitis", "infectious-mastitis", "abscess", "maternal-infection",
            "infant-infection", "weaning", "extended-lactation", "donor-milk"], ScenarioLoader.BuiltInNames);
        Assert.Equal("healthy", ScenarioLoader.DefaultName);
        foreach (var name in ScenarioLoader.BuiltInNames)
        {
            var s = ScenarioLoader.Load(name, Model);
            Assert.Equal(name, s.Name);
            Assert.Equal($"builtin:{name}", s.Origin);
            Assert.Equal(64, s.Hash.Length);
        }
    }

    [Fact]
    public void Built_in_files_in_the_repository_match_the_embedded_copies()
    {
        foreach (var name in ScenarioLoader.BuiltInNames)
        {
            Assert.Equal(File.ReadAllText(Shared.InRepo($"scenarios/{name}.yaml")), ScenarioLoader.BuiltInText(name));
        }
    }

    [Fact]
    public void Built_ins_say_what_issue_3_asks()
    {
        var healthy = ScenarioLoader.BuiltIn("healthy", Model);
        Assert.Equal((0, 365.0), (healthy.StartDay, healthy.DurationDays));
        Assert.Equal(182, healthy.Feeding.ExclusiveUntilDay);
        Assert.Empty(healthy.Events);

        var mastitis = Assert.Single(ScenarioLoader.BuiltIn("mastitis", Model).Events.OfType<IllnessEvent>());
        Assert.Equal(("mastitis", Breast.Left, "moderate"), (mastitis.State, mastitis.Breast, mastitis.Severity));
        Assert.Equal(40, (int)(mastitis.Hours / 24));
        Assert.Equal(10 * 24, mastitis.DurationHours);

        var infant = Assert.Single(ScenarioLoader.BuiltIn("infant-infection", Model).Events.OfType<IllnessEvent>());
        Assert.Equal(("infant-infection", (Breast?)null), (infant.State, infant.Breast));
        Assert.Equal(90, (int)(infant.Hours / 24));
        Assert.InRange(infant.DurationHours / 24, 5, 9);

        var extended = ScenarioLoader.BuiltIn("extended-lactation", Model);
        Assert.True(extended.LastDay >= 3 * 365, "extended lactation runs to 36 months");

        var donor = ScenarioLoader.BuiltIn("donor-milk", Model);
        Assert.Contains(donor.Events, e => e is StoreEvent { Place: StoragePlace.Fridge });
        Assert.Contains(donor.Events, e => e is StoreEvent { Place: StoragePlace.Freezer });
        Assert.Equal(2, donor.Events.OfType<PasteuriseEvent>().Count());
        Assert.Contains(donor.Containers, c => c.Kind == ContainerKind.Formula);
    }

    [Fact]
    public void A_scenario_loads_from_a_file_path()
    {
        using var dir = new TempDir();
        var path = dir.File("my.yaml");
        File.WriteAllText(path, ScenarioLoader.BuiltInText("mastitis").Replace("name: mastitis", "name: mine"));
        var s = ScenarioLoader.Load(path, Model);
        Assert.Equal("mine", s.Name);
        Assert.Equal(path, s.Origin);
    }

    [Fact]
    public void A_typo_in_a_key_names_file_line_key_and_the_intended_key()
    {
        var ex = Problems("""
            name: x
            durationDays: 10
            feding:
              mode: on-demand
            """);
        var p = Assert.Single(ex.Problems);
        Assert.Equal(("test.yaml", 3), (p.Location.File, p.Location.Line));
        Assert.Equal("feding", p.Location.Element);
        Assert.Equal("did you mean 'feeding'?", p.Hint);
        Assert.Contains("test.yaml:3:1: feding: unknown key 'feding' (hint: did you mean 'feeding'?)", ex.Message);
    }

    [Fact]
    public void A_typo_in_a_nested_key_is_located_too()
    {
        var p = Assert.Single(Problems("""
            name: x
            durationDays: 10
            feeding:
              mdoe: schedule
            """).Problems);
        Assert.Equal((4, "feeding.mdoe", "did you mean 'mode'?"), (p.Location.Line, p.Location.Element, p.Hint));
    }

    [Fact]
    public void An_unknown_cell_type_gets_the_nearest_cell_type()
    {
        var p = Assert.Single(Problems("""
            name: x
            durationDays: 10
            mother:
              cellTypeFactors: { macrophage: 2, neutrophill: 1.5 }
            """).Problems);
        Assert.Equal(4, p.Location.Line);
        Assert.Equal("mother.cellTypeFactors.neutrophill", p.Location.Element);
        Assert.Contains("unknown cell type 'neutrophill'", p.Problem);
        Assert.Equal("did you mean 'neutrophil'?", p.Hint);
    }

    [Fact]
    public void A_negative_rate_is_refused_with_its_line_and_key()
    {
        var p = Assert.Single(Problems("""
            name: x
            durationDays: 10
            parameters:
              breast.retention_rate: -1.5
            """).Problems);
        Assert.Equal((4, "parameters.breast.retention_rate"), (p.Location.Line, p.Location.Element));
        Assert.Contains("negative rate", p.Problem);
        Assert.Equal("rates must be ≥ 0", p.Hint);
    }

    [Fact]
    public void An_unknown_parameter_id_gets_the_nearest_id()
    {
        var p = Assert.Single(Problems("""
            name: x
            durationDays: 10
            parameters:
              breast.retension_rate: 1
            """).Problems);
        Assert.Equal("did you mean 'breast.retention_rate'?", p.Hint);
    }

    [Fact]
    public void Overlapping_episodes_of_one_illness_are_contradictory()
    {
        var p = Assert.Single(Problems("""
            name: x
            durationDays: 60
            events:
              - { type: illness, state: mastitis, breast: left, severity: mild, day: 10, durationDays: 10 }
              - { type: illness, state: mastitis, breast: left, severity: severe, day: 15, durationDays: 5 }
            """).Problems);
        Assert.Equal(5, p.Location.Line);
        Assert.Contains("contradictory events", p.Problem);
        Assert.NotNull(p.Hint);
    }

    [Fact]
    public void Container_events_out_of_order_are_contradictory()
    {
        var ex = Problems("""
            name: x
            startDay: 30
            durationDays: 10
            containers: [ { id: jar } ]
            events:
              - { type: pasteurise, container: jar, day: 31 }
              - { type: pump, breast: left, container: jar, day: 32 }
              - { type: thaw, container: jar, day: 33 }
            """);
        Assert.Equal(2, ex.Problems.Count);
        Assert.Contains(ex.Problems, p => p.Location.Line == 6 && p.Problem.Contains("pasteurised while empty"));
        Assert.Contains(ex.Problems, p => p.Location.Line == 8 && p.Problem.Contains("not in the freezer"));
    }

    [Fact]
    public void A_breast_for_a_whole_body_illness_is_contradictory()
    {
        var p = Assert.Single(Problems("""
            name: x
            durationDays: 30
            events:
              - { type: illness, state: infant-infection, breast: left, severity: moderate, day: 10 }
            """).Problems);
        Assert.Contains("affects both breasts", p.Problem);
        Assert.Equal("remove 'breast'", p.Hint);
    }

    [Fact]
    public void Days_outside_lactation_are_refused()
    {
        var start = Assert.Single(Problems("name: x\nstartDay: 2000\ndurationDays: 10\n").Problems);
        Assert.Equal((2, "startDay"), (start.Location.Line, start.Location.Element));
        Assert.Contains("outside lactation", start.Problem);
        Assert.Contains("day 1460", start.Hint);

        var end = Assert.Single(Problems("name: x\nstartDay: 1400\ndurationDays: 100\n").Problems);
        Assert.Equal("durationDays", end.Location.Element);
        Assert.Contains("outside lactation", end.Problem);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var ex = Problems("""
            name: x
            durationDays: -3
            feeding:
              mode: sometimes
            events:
              - { type: ilness, day: 3 }
            """);
        Assert.Equal(3, ex.Problems.Count);
        Assert.Equal([2, 4, 6], ex.Problems.Select(p => p.Location.Line!.Value).Order());
        Assert.Contains(ex.Problems, p => p.Hint == "did you mean 'illness'?");
        Assert.StartsWith("3 problems:", ex.Message);
    }

    [Fact]
    public void An_unknown_scenario_name_gets_the_nearest_built_in()
    {
        var ex = Assert.Throws<InputException>(() => ScenarioLoader.Load("mastits", Model));
        Assert.Equal("did you mean 'mastitis'?", ex.Hint);
        var missing = Assert.Throws<InputException>(() => ScenarioLoader.Load("no/such/file.yaml", Model));
        Assert.Equal("no/such/file.yaml", missing.Location.File);
    }

    [Fact]
    public void Invalid_yaml_is_located()
    {
        var p = Assert.Single(Problems("name: x\ndurationDays: [1, 2\n").Problems);
        Assert.Equal("test.yaml", p.Location.File);
        Assert.NotNull(p.Location.Line);
    }

    [Fact]
    public void The_published_schema_allows_exactly_the_keys_the_loader_reads()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Shared.InRepo("scenarios/scenario.schema.json")));
        Assert.Equal(File.ReadAllText(Shared.InRepo("scenarios/scenario.schema.json")), ScenarioLoader.JsonSchema());
        var root = schema.RootElement;
        string[] Keys(JsonElement e) => [.. e.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order()];
        Assert.Equal(ScenarioKeys.Top.Order(), Keys(root));
        var props = root.GetProperty("properties");
        Assert.Equal(ScenarioKeys.Mother.Order(), Keys(props.GetProperty("mother")));
        Assert.Equal(ScenarioKeys.Feeding.Order(), Keys(props.GetProperty("feeding")));
        Assert.Equal(ScenarioKeys.Schedule.Order(), Keys(props.GetProperty("feeding").GetProperty("properties").GetProperty("schedule")));
        Assert.Equal(ScenarioKeys.Container.Order(), Keys(props.GetProperty("containers").GetProperty("items")));
        var defs = root.GetProperty("$defs");
        foreach (var (type, keys) in ScenarioKeys.Events)
        {
            Assert.Equal(ScenarioKeys.EventCommon.Concat(keys).Order(), Keys(defs.GetProperty(type)));
        }
        var states = defs.GetProperty("illness").GetProperty("properties").GetProperty("state").GetProperty("enum").EnumerateArray().Select(e => e.GetString());
        Assert.Equal(Model.HealthStates.Select(h => h.Id), states);
    }
}
