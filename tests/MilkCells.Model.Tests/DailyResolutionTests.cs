using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using MilkCells.Model.Structure;

namespace MilkCells.Model.Tests;

/// <summary>The daily resolution is the feed resolution's model reduced exactly: its drivers are the mean field of the feed plan.</summary>
public class DailyResolutionTests
{
    private static readonly CalibratedModel Default = MilkModel.Embedded.Calibrate();

    private static Scenario Load(string name, int days, MotherMode mode)
    {
        var s = ScenarioLoader.BuiltIn(name, MilkModel.Embedded);
        return s with { DurationDays = days, Mother = s.Mother with { Mode = mode } };
    }

    [Fact]
    public void Both_resolutions_plan_the_same_mother_feeds_and_days_for_a_seed()
    {
        var scenario = Load("healthy", 30, MotherMode.Sampled);
        var feed = RunPlanner.Plan(Default, scenario, 5);
        var daily = RunPlanner.Plan(Default, scenario, 5, SimulationResolution.Daily);
        Assert.Equal(feed.Feeds, daily.Feeds);
        Assert.Equal((feed.Mother.ProductionFactor, feed.Mother.CapacityMl, feed.Mother.RightShare, feed.Mother.FeedsFactor),
            (daily.Mother.ProductionFactor, daily.Mother.CapacityMl, daily.Mother.RightShare, daily.Mother.FeedsFactor));
        Assert.Equal(feed.Mother.CellFactors, daily.Mother.CellFactors);
        Assert.Equal(feed.Days.Select(d => (d.Stage, d.LactationDay, string.Join(";", d.Events))), daily.Days.Select(d => (d.Stage, d.LactationDay, string.Join(";", d.Events))));
        Assert.Equal(SimulationResolution.Daily, daily.Resolution);
        Assert.Empty(daily.DriverChanges);
        Assert.Equal(30, daily.DriverTable!.Times.Length);
    }

    [Fact]
    public void The_daily_network_is_per_breast_drinking_and_swallowing_into_tallies_only()
    {
        var n = RunPlanner.Plan(Default, Load("donor-milk", 5, MotherMode.Fixed), 1, SimulationResolution.Daily).Network;
        var types = MilkModel.Embedded.CellTypes;
        Assert.All(n.Species, s => Assert.Equal(SpeciesRole.Tally, s.Role));
        Assert.All(n.Reactions, r => Assert.Empty(r.Reactants));
        Assert.Equal(2 + 2 * 2 * types.Length, n.Reactions.Length);
        Assert.Equal(n.Reactions.Length, n.Drivers.Length);
        Assert.DoesNotContain(n.Species, s => s.Container is not null || s.AnimalDerived);
        foreach (var b in Names.Breasts)
        {
            Assert.Single(n.Reactions, r => r.Process == ProcessKind.Drinking && r.Products.Single().Species == Names.IntakeFrom(b));
            Assert.Equal(2 * types.Length, n.Reactions.Count(r => r.Process == ProcessKind.Swallowing && r.Rate.Contains(Names.DrinkFlow(b))));
        }
    }

    // The reference below re-derives the mean of every breast species from the feed plan alone: its driver schedule,
    // its feed and pumping interventions, and its network's own rate laws read as linear propensities (zero-order
    // entry, first-order loss and conversion, synthesis linear in the stored milk). Each species pair (alive, dead)
    // is solved in closed form between stops, and each removal takes f of the means. The daily plan's drivers must
    // give the same milk and cells drunk per breast and day to rounding (1e-9 relative): the reduction adds no
    // approximation to the means.
    [Theory]
    [InlineData("healthy", 40, MotherMode.Sampled, 3UL)]
    [InlineData("mastitis", 70, MotherMode.Fixed, 20261122UL)]
    [InlineData("infant-infection", 100, MotherMode.Sampled, 8UL)]
    [InlineData("donor-milk", 6, MotherMode.Sampled, 4UL)]
    [InlineData("colostrum-week", 7, MotherMode.Fixed, 1UL)]
    public void The_daily_drivers_are_the_exact_mean_field_of_the_feed_plan(string name, int days, MotherMode mode, ulong seed)
    {
        var scenario = Load(name, days, mode);
        Compare(scenario, seed);
        Assert.Contains(MeanField.Drunk(RunPlanner.Plan(Default, scenario, seed)).Milk.Values, ml => ml > 0);
    }

    // Everything else a scenario can do: scheduled meals on both breasts (one at midnight), overlapping illnesses of
    // both kinds (breast and whole-body), pumping without feeding that day's breast, formula, weaning into
    // involution, and a run that ends mid-day.
    [Fact]
    public void The_daily_drivers_are_the_exact_mean_field_for_schedules_weaning_pumping_and_partial_days()
    {
        const string yaml = """
            name: everything
            startDay: 20
            durationDays: 12.5
            feeding:
              mode: schedule
              schedule: { times: ["00:00", "03:30", "07:00", "11:00", "15:00", "19:00", "22:30"], breasts: both }
            containers:
              - { id: jar, kind: expressed }
            events:
              - { type: illness, state: blocked-duct, breast: right, severity: severe, day: 21, time: "09:00", durationDays: 3 }
              - { type: illness, state: maternal-infection, severity: mild, day: 22, time: "18:00", durationDays: 2 }
              - { type: pump, breast: left, container: jar, day: 23, time: "05:00" }
              - { type: formula, volumeMl: 60, day: 24, time: "12:00" }
              - { type: weaning, day: 27, overDays: 3 }
            """;
        var scenario = ScenarioLoader.Parse("everything.yaml", yaml, "test", MilkModel.Embedded);
        foreach (var seed in new ulong[] { 1, 2 })
        {
            Compare(scenario, seed);
        }
        var daily = RunPlanner.Plan(Default, scenario, 1, SimulationResolution.Daily);
        Assert.Equal(13, daily.DriverTable!.Times.Length);
        Assert.Single(daily.Interventions, i => i.Kind == InterventionKind.FormulaFeed);
        Assert.Equal(0, daily.DriverTable[12, daily.DriverTable.Drivers.IndexOf(Names.DrinkFlow(Breast.Left))]); // involuting: nothing drunk
    }

    private static void Compare(Scenario scenario, ulong seed)
    {
        var days = (int)Math.Ceiling(scenario.DurationDays);
        var feed = RunPlanner.Plan(Default, scenario, seed);
        var daily = RunPlanner.Plan(Default, scenario, seed, SimulationResolution.Daily);
        var reference = MeanField.Drunk(feed);
        var table = daily.DriverTable!;
        var column = table.Drivers.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        for (var d = 0; d < days; d++)
        {
            var hours = Math.Min(24, scenario.DurationHours - 24 * d);
            foreach (var b in Names.Breasts)
            {
                var ml = table[d, column[Names.DrinkFlow(b)]] * hours;
                Close(reference.Milk[(d, b)], ml, $"seed {seed} day {d} {b} milk");
                foreach (var t in MilkModel.Embedded.CellTypes)
                {
                    foreach (var v in new[] { Viability.Alive, Viability.Dead })
                    {
                        Close(reference.Cells[(d, b, Names.Cells(t, v, b))], table[d, column[Names.DrunkConc(t, v, b)]] * ml, $"seed {seed} day {d} {b} {t.Id} {v}");
                    }
                }
            }
        }
    }

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-9 * Math.Abs(expected) + 1e-9, $"{what}: {actual} vs {expected}");

    /// <summary>The mean field of a feed-resolution plan, integrated from its own network, schedule and interventions.</summary>
    private static class MeanField
    {
        public sealed record Result(Dictionary<(int Day, Breast Breast), double> Milk, Dictionary<(int Day, Breast Breast, string Species), double> Cells);

        public static Result Drunk(RunPlan plan)
        {
            var n = plan.Network;
            var days = plan.Days.Length;
            var quantum = n.VolumeQuantumMl;
            var milkDrunk = new Dictionary<(int, Breast), double>();
            var cellsDrunk = new Dictionary<(int, Breast, string), double>();
            foreach (var b in Names.Breasts)
            {
                for (var d = 0; d < days; d++)
                {
                    milkDrunk[(d, b)] = 0;
                }
                var values = plan.Parameters.ToDictionary(p => p.Id, p => p.Value);
                foreach (var dr in n.Drivers)
                {
                    values[dr.Id] = dr.Default;
                }
                var milk = Names.Milk(b);
                var pairs = MilkModel.Embedded.CellTypes.Select(t => (Alive: Names.Cells(t, Viability.Alive, b), Dead: Names.Cells(t, Viability.Dead, b))).ToArray();
                var mean = n.Species.Where(s => s.Breast == b && s.Role is SpeciesRole.BreastMilk or SpeciesRole.BreastCells)
                    .ToDictionary(s => s.Id, s => (double)plan.InitialCounts.GetValueOrDefault(s.Id));
                // Differentiation (alive stem → alive epithelial) feeds a virtual pair per conversion: the target's cells of that
                // origin, alive and dead, drunk with the target's own.
                var conversions = n.Reactions.Where(r => r.Reactants.Length == 1 && r.Products.Length == 1 && pairs.Any(p => p.Alive == r.Reactants[0].Species)
                        && pairs.Any(p => p.Alive == r.Products[0].Species))
                    .Select(r => (From: r.Reactants[0].Species, To: r.Products[0].Species, Virtual: (Alive: $"virtual:{r.Id}:alive", Dead: $"virtual:{r.Id}:dead"))).ToArray();
                foreach (var c in conversions)
                {
                    mean[c.Virtual.Alive] = 0;
                    mean[c.Virtual.Dead] = 0;
                }
                foreach (var (alive, dead) in pairs)
                {
                    for (var d = 0; d < days; d++)
                    {
                        cellsDrunk[(d, b, alive)] = 0;
                        cellsDrunk[(d, b, dead)] = 0;
                    }
                }
                var rates = n.Reactions.Where(r => r.Reactants.Concat(r.Products).Any(s => mean.ContainsKey(s.Species)))
                    .Select(r => (Reaction: r, Expression: RateExpression.Parse(r.Rate))).ToArray();
                var stops = plan.DriverChanges.Select((c, i) => (c.Hours, Order: i, Change: (DriverChange?)c, Removal: (Intervention?)null))
                    .Concat(plan.Interventions.Where(i => i.Breast == b && i.Kind is InterventionKind.Feed or InterventionKind.Pump)
                        .Select((i, k) => (i.Hours, Order: 1_000_000 + k, Change: (DriverChange?)null, Removal: (Intervention?)i)))
                    .OrderBy(s => s.Hours).ThenBy(s => s.Order).ToArray();
                var now = 0.0;
                foreach (var stop in stops)
                {
                    if (stop.Hours > now)
                    {
                        Advance(stop.Hours - now, rates, values, mean, milk, pairs, conversions);
                        now = stop.Hours;
                    }
                    if (stop.Change is { } c)
                    {
                        values[c.Driver] = c.Value;
                        continue;
                    }
                    var removal = stop.Removal!;
                    var day = (int)Math.Floor(removal.Hours / 24);
                    foreach (var id in mean.Keys.ToArray())
                    {
                        if (removal.Kind == InterventionKind.Feed && day < days)
                        {
                            if (id == milk)
                            {
                                milkDrunk[(day, b)] += removal.Fraction * mean[id] * quantum;
                            }
                            else if (id.StartsWith("virtual:", StringComparison.Ordinal))
                            {
                                var conv = conversions.Single(x => x.Virtual.Alive == id || x.Virtual.Dead == id);
                                var target = pairs.Single(p => p.Alive == conv.To);
                                cellsDrunk[(day, b, id == conv.Virtual.Alive ? target.Alive : target.Dead)] += removal.Fraction * mean[id];
                            }
                            else
                            {
                                cellsDrunk[(day, b, id)] += removal.Fraction * mean[id];
                            }
                        }
                        mean[id] *= 1 - removal.Fraction;
                    }
                }
            }
            return new Result(milkDrunk, cellsDrunk);
        }

        /// <summary>Moves the means on by <paramref name="dt"/> with the propensities read as linear in the breast species.</summary>
        private static void Advance(double dt, (ReactionSpec Reaction, RateExpression Expression)[] rates, Dictionary<string, double> values,
            Dictionary<string, double> mean, string milk, (string Alive, string Dead)[] pairs,
            (string From, string To, (string Alive, string Dead) Virtual)[] conversions)
        {
            double Rate(RateExpression e, string? species, double count) =>
                e.Evaluate(x => x == species ? count : mean.ContainsKey(x) ? 0 : values[x]);
            var zero = new Dictionary<string, double>();
            var perCapita = new Dictionary<(string From, string? To), double>();
            double synthesisAtZero = 0, synthesisSlope = 0;
            foreach (var (r, e) in rates)
            {
                if (r.Reactants.IsEmpty && r.Products.Single().Species == milk)
                {
                    var (r0, r1) = (Rate(e, milk, 0), Rate(e, milk, 1));
                    synthesisAtZero += r0;
                    synthesisSlope += r0 - r1; // linear below capacity: a/q − (a/C) m
                }
                else if (r.Reactants.IsEmpty)
                {
                    var to = r.Products.Single().Species;
                    zero[to] = zero.GetValueOrDefault(to) + Rate(e, null, 0);
                }
                else
                {
                    var from = r.Reactants.Single().Species;
                    var to = r.Products.IsEmpty ? null : r.Products.Single().Species;
                    perCapita[(from, to)] = perCapita.GetValueOrDefault((from, to)) + Rate(e, from, 1);
                }
            }
            if (synthesisSlope > 0)
            {
                var full = synthesisAtZero / synthesisSlope;
                mean[milk] = full - (full - mean[milk]) * Math.Exp(-synthesisSlope * dt);
            }
            // Each conversion's source over the step: A(τ) = A∞ + (A0 − A∞) e^{−ka τ}, taken before the pairs move on.
            var sources = new Dictionary<string, (double Infinity, double Start, double Rate)>();
            foreach (var (alive, _) in pairs)
            {
                var out_ = perCapita.Where(kv => kv.Key.From == alive).Sum(kv => kv.Value);
                sources[alive] = (zero.GetValueOrDefault(alive) / out_, mean[alive], out_);
            }
            foreach (var c in conversions)
            {
                // X' = r A(τ) − kx X, Y' = cx X − ky Y, with the target's own rates.
                var r = perCapita[(c.From, c.To)];
                var (aInfS, a0S, aRate) = sources[c.From];
                var target = pairs.Single(p => p.Alive == c.To);
                var cx = perCapita.GetValueOrDefault((target.Alive, target.Dead));
                var kx = cx + perCapita.GetValueOrDefault((target.Alive, null));
                var ky = perCapita.GetValueOrDefault((target.Dead, null));
                var (x0, y0) = (mean[c.Virtual.Alive], mean[c.Virtual.Dead]);
                var xInf = r * aInfS / kx;
                var gamma = r * (a0S - aInfS) / (kx - aRate);
                var rest = x0 - xInf - gamma; // X(τ) = X∞ + rest e^{−kx τ} + γ e^{−a τ}
                mean[c.Virtual.Alive] = xInf + rest * Math.Exp(-kx * dt) + gamma * Math.Exp(-aRate * dt);
                mean[c.Virtual.Dead] = y0 * Math.Exp(-ky * dt) + cx * (xInf * (1 - Math.Exp(-ky * dt)) / ky
                    + rest * (Math.Exp(-kx * dt) - Math.Exp(-ky * dt)) / (ky - kx) + gamma * (Math.Exp(-aRate * dt) - Math.Exp(-ky * dt)) / (ky - aRate));
            }
            foreach (var (alive, dead) in pairs)
            {
                var conversion = perCapita.GetValueOrDefault((alive, dead));
                var ka = perCapita.Where(kv => kv.Key.From == alive && kv.Key.To != dead).Sum(kv => kv.Value) + conversion;
                var kd = perCapita.GetValueOrDefault((dead, null));
                var (inA, inD) = (zero.GetValueOrDefault(alive), zero.GetValueOrDefault(dead));
                var (a0, d0) = (mean[alive], mean[dead]);
                var aInf = inA / ka;
                var a1 = aInf + (a0 - aInf) * Math.Exp(-ka * dt);
                // D' = inD + c A − kd D with A = A∞ + (A0 − A∞) e^{−ka s}.
                var d1 = d0 * Math.Exp(-kd * dt) + (inD + conversion * aInf) * (1 - Math.Exp(-kd * dt)) / kd
                    + conversion * (a0 - aInf) * (Math.Exp(-ka * dt) - Math.Exp(-kd * dt)) / (kd - ka);
                mean[alive] = a1;
                mean[dead] = d1;
            }
        }
    }
}
