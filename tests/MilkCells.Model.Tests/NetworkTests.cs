using System.Text.RegularExpressions;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using MilkCells.Model.Structure;
using MilkCells.Model;

namespace MilkCells.Model.Tests;

public class NetworkTests
{
    private static readonly CalibratedModel Default = MilkModel.Embedded.Calibrate();

    private static RunPlan Plan(string scenario, ulong seed = 1, SimulationResolution resolution = SimulationResolution.Feed) =>
        RunPlanner.Plan(Default, ScenarioLoader.BuiltIn(scenario, MilkModel.Embedded), seed, resolution);

    public static TheoryData<string> Scenarios() => [.. ScenarioLoader.BuiltInNames];

    public static TheoryData<string, SimulationResolution> ScenariosByResolution() =>
        [.. ScenarioLoader.BuiltInNames.SelectMany(s => new[] { (s, SimulationResolution.Feed), (s, SimulationResolution.Daily) })];

    [Theory]
    [MemberData(nameof(ScenariosByResolution))]
    public void Identifiers_are_unique_sbml_ids(string scenario, SimulationResolution resolution)
    {
        var n = Plan(scenario, resolution: resolution).Network;
        var ids = n.Species.Select(s => s.Id).Concat(n.Parameters.Select(p => p.Id)).Concat(n.Drivers.Select(d => d.Id))
            .Concat(n.Reactions.Select(r => r.Id)).Concat(n.Compartments.Select(c => c.Id)).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches(new Regex("^[A-Za-z_][A-Za-z0-9_]*$"), id));
    }

    [Theory]
    [MemberData(nameof(ScenariosByResolution))]
    public void Every_rate_parses_and_uses_only_known_symbols_and_every_driver_and_constant_is_used(string scenario, SimulationResolution resolution)
    {
        var n = Plan(scenario, resolution: resolution).Network;
        var symbols = n.Symbols;
        var used = new HashSet<string>();
        foreach (var r in n.Reactions)
        {
            var e = RateExpression.Parse(r.Rate);
            Assert.All(e.Identifiers, id => Assert.True(symbols.Contains(id), $"{r.Id}: unknown identifier '{id}'"));
            used.UnionWith(e.Identifiers);
            var species = n.Species.Select(s => s.Id).ToHashSet();
            Assert.All(r.Reactants.Concat(r.Products), s => Assert.Contains(s.Species, species));
            // Mass action in its reactant: a reaction that consumes a species must vanish when that species is 0.
            foreach (var reactant in r.Reactants)
            {
                Assert.Contains(reactant.Species, e.Identifiers);
            }
        }
        Assert.All(n.Drivers, d => Assert.Contains(d.Id, used));
        Assert.All(n.Parameters, p => Assert.Contains(p.Id, used));
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Every_rate_is_non_negative_at_every_driver_setting(string scenario)
    {
        var plan = Plan(scenario);
        var n = plan.Network;
        var values = n.Parameters.ToDictionary(p => p.Id, p => p.Value);
        foreach (var d in n.Drivers)
        {
            values[d.Id] = d.Default;
        }
        foreach (var s in n.Species)
        {
            values[s.Id] = plan.InitialCounts.GetValueOrDefault(s.Id, 100);
        }
        var rates = n.Reactions.Select(r => (r.Id, Expression: RateExpression.Parse(r.Rate))).ToArray();
        foreach (var group in plan.DriverChanges.GroupBy(c => c.Hours).Take(2000))
        {
            foreach (var c in group)
            {
                values[c.Driver] = c.Value;
            }
            foreach (var (id, e) in rates)
            {
                var v = e.Evaluate(x => values[x]);
                Assert.True(double.IsFinite(v) && v >= 0, $"{id} = {v} at t = {group.Key} h");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Every_daily_rate_is_non_negative_on_every_day(string scenario)
    {
        var plan = Plan(scenario, resolution: SimulationResolution.Daily);
        var n = plan.Network;
        var table = plan.DriverTable!;
        var values = n.Parameters.ToDictionary(p => p.Id, p => p.Value);
        var rates = n.Reactions.Select(r => (r.Id, Expression: RateExpression.Parse(r.Rate))).ToArray();
        Assert.Equal(plan.Days.Length, table.Times.Length);
        for (var k = 0; k < table.Times.Length; k++)
        {
            for (var i = 0; i < table.Drivers.Length; i++)
            {
                values[table.Drivers[i]] = table[k, i];
            }
            foreach (var (id, e) in rates)
            {
                var v = e.Evaluate(x => values[x]);
                Assert.True(double.IsFinite(v) && v >= 0, $"{id} = {v} on day {k}");
            }
        }
    }

    [Fact]
    public void Each_breast_has_milk_and_every_cell_type_alive_and_dead()
    {
        var n = Plan("healthy").Network;
        foreach (var b in Names.Breasts)
        {
            Assert.Single(n.Species, s => s.Role == SpeciesRole.BreastMilk && s.Breast == b);
            foreach (var t in MilkModel.Embedded.CellTypes)
            {
                Assert.Single(n.Species, s => s.Role == SpeciesRole.BreastCells && s.Breast == b && s.CellType == t.Id && s.Viability == Viability.Alive);
                Assert.Single(n.Species, s => s.Role == SpeciesRole.BreastCells && s.Breast == b && s.CellType == t.Id && s.Viability == Viability.Dead);
            }
        }
        Assert.Contains(n.Reactions, r => r.Process == ProcessKind.MilkSynthesis);
        Assert.Contains(n.Reactions, r => r.Process == ProcessKind.Shedding);
        Assert.Contains(n.Reactions, r => r.Process == ProcessKind.Migration);
        Assert.All(n.Species.Where(s => s.Role is SpeciesRole.GutCells or SpeciesRole.BloodCells or SpeciesRole.OrganCells or SpeciesRole.FateCells),
            s => Assert.True(s.AnimalDerived, s.Id));
    }

    [Fact]
    public void Infant_organs_and_fates_are_all_represented()
    {
        var n = Plan("healthy").Network;
        foreach (var organ in new[] { "blood", "thymus", "liver", "pancreas", "spleen", "kidney", "brain" })
        {
            Assert.Contains(n.Species, s => s.Role == SpeciesRole.OrganCells && s.Organ == organ && s.Class == CellClass.Stem);
        }
        Assert.Equal(["neural", "insulin", "albumin"], n.Species.Where(s => s.Role == SpeciesRole.FateCells).Select(s => s.Fate));
    }

    [Fact]
    public void Feeds_thin_every_species_of_their_breast_and_send_viable_cells_to_the_gut()
    {
        var plan = Plan("healthy");
        var breastSpecies = plan.Network.Species.Where(s => s.Breast == Breast.Left).Select(s => s.Id).Order().ToArray();
        var feed = plan.Interventions.First(i => i.Kind == InterventionKind.Feed && i.Breast == Breast.Left);
        Assert.Equal(breastSpecies, feed.Moves.Select(m => m.From).Order());
        Assert.All(feed.Moves.Where(m => m.From.Contains("_alive_")), m => Assert.StartsWith("gut_", m.To));
        Assert.All(feed.Moves.Where(m => m.From.Contains("_dead_")), m => Assert.Null(m.To));
        Assert.All(feed.Moves, m => Assert.NotNull(m.Tally));
        Assert.All(plan.Interventions, i => Assert.InRange(i.Fraction, 0, 1));
        var species = plan.Network.Species.Select(s => s.Id).ToHashSet();
        Assert.All(plan.Interventions.SelectMany(i => i.Moves), m => Assert.Contains(m.From, species));
    }

    [Fact]
    public void Donor_milk_plan_stores_thaws_and_pasteurises()
    {
        var plan = Plan("donor-milk");
        var kinds = plan.Interventions.Where(i => i.Container is not null).Select(i => i.Kind).ToArray();
        Assert.Equal(4, kinds.Count(k => k == InterventionKind.Pump));
        Assert.Contains(InterventionKind.Thaw, kinds);
        Assert.Equal(2, kinds.Count(k => k == InterventionKind.Pasteurise));
        Assert.All(plan.Interventions.Where(i => i.Kind == InterventionKind.Pasteurise), i => Assert.Equal(1, i.Fraction));
        Assert.DoesNotContain(plan.Network.Species, s => s.Container == "formula" && s.Role == SpeciesRole.ContainerCells);
        Assert.Contains(plan.Interventions, i => i.Kind == InterventionKind.FormulaFill);
    }

    [Fact]
    public void Driver_changes_are_sorted_and_set_every_driver_at_time_zero()
    {
        var plan = Plan("mastitis");
        Assert.Equal(plan.DriverChanges.OrderBy(c => c.Hours), plan.DriverChanges);
        var atZero = plan.DriverChanges.Where(c => c.Hours == 0).Select(c => c.Driver).ToHashSet();
        Assert.All(plan.Network.Drivers, d => Assert.Contains(d.Id, atZero));
        Assert.All(plan.DriverChanges, c => Assert.InRange(c.Hours, 0, plan.Scenario.DurationHours));
    }

    [Fact]
    public void Mastitis_raises_leucocyte_inflow_in_the_left_breast_only()
    {
        var plan = Plan("mastitis");
        var left = plan.DriverChanges.Where(c => c.Driver == "infl_t_cd4_left").Max(c => c.Value);
        var right = plan.DriverChanges.Where(c => c.Driver == "infl_t_cd4_right").Max(c => c.Value);
        Assert.True(left > 1e5);
        Assert.Equal(0, right);
        Assert.Equal(0, plan.DriverChanges.Last(c => c.Driver == "infl_t_cd4_left").Value); // back to baseline after recovery
        Assert.Contains(plan.Days, d => d.Events.Any(e => e.StartsWith("mastitis", StringComparison.Ordinal)));
    }

    [Fact]
    public void Plans_are_deterministic_for_a_seed_and_differ_between_seeds()
    {
        var a = Plan("healthy", 11);
        var b = Plan("healthy", 11);
        var c = Plan("healthy", 12);
        Assert.Equal(a.Feeds, b.Feeds);
        Assert.Equal(a.DriverChanges, b.DriverChanges);
        Assert.NotEqual(a.Feeds.Select(f => f.Hours), c.Feeds.Select(f => f.Hours));
    }

    [Fact]
    public void A_sampled_mother_differs_from_the_median_mother()
    {
        const string yaml = "name: s\ndurationDays: 5\nmother: { mode: sampled }\n";
        var scenario = ScenarioLoader.Parse("s.yaml", yaml, "test", MilkModel.Embedded);
        var mother = RunPlanner.Plan(Default, scenario, 3).Mother;
        Assert.True(mother.Sampled);
        Assert.NotEqual(1.0, mother.ProductionFactor);
        Assert.NotEqual(Default.Value(ModelParameters.StorageCapacity), mother.CapacityMl);
        var plan = RunPlanner.Plan(Default, scenario, 3);
        Assert.Equal(mother.CapacityMl, plan.Parameters.Single(p => p.Id == Names.MotherCapacity).Value);
    }

    [Fact]
    public void Healthy_feeds_per_day_stay_in_the_observed_range_from_1_to_6_months()
    {
        var check = MilkModel.Embedded.Checks.Single(c => c.Id == "feeds-per-day"); // Kent 2006: 11 ± 3 (range 6–18)
        var plan = Plan("healthy", 2024);
        var perDay = plan.Feeds.GroupBy(f => (int)(f.Hours / 24)).ToDictionary(g => g.Key, g => g.Count());
        var days = Enumerable.Range(check.FirstDay!.Value, check.LastDay!.Value - check.FirstDay.Value + 1).ToArray();
        var counts = days.Select(d => perDay.GetValueOrDefault(d)).ToArray();
        Assert.InRange(counts.Average(), 9, 13);
        // Meals are random; allow the rare day outside the range (< 2 % of days).
        Assert.True(counts.Count(n => n < check.Min || n > check.Max) <= days.Length / 50, $"days outside 6–18: {string.Join(",", counts.Where(n => n < 6 || n > 18))}");
    }
}

public class ModelRunTests
{
    [Fact]
    public void One_call_plans_the_default_scenario_under_the_default_profile()
    {
        var plan = ModelRun.Plan(null, null, 5);
        Assert.Equal("healthy", plan.Scenario.Name);
        Assert.Equal("default", plan.Network.ProfileId);
        Assert.Equal(365, plan.Days.Length);
        Assert.Equal("colostrum", plan.Days[0].Stage);
        Assert.Equal("mature", plan.Days[100].Stage);
    }

    [Fact]
    public void A_feeding_schedule_sets_the_feeds_and_the_synthesis_frequency()
    {
        const string yaml = """
            name: sched
            startDay: 30
            durationDays: 3
            feeding:
              mode: schedule
              schedule: { times: ["06:00", "10:00", "14:00", "18:00", "22:00", "02:00"], breasts: both }
            """;
        var scenario = ScenarioLoader.Parse("sched.yaml", yaml, "test", MilkModel.Embedded);
        var plan = RunPlanner.Plan(MilkModel.Embedded.Calibrate(), scenario, 1);
        Assert.Equal(36, plan.Feeds.Length); // 6 meals × 2 breasts × 3 days
        Assert.Equal(18, plan.Feeds.Count(f => f.Breast == Breast.Left));
    }
}
