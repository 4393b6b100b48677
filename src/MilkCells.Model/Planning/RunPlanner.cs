using System.Collections.Immutable;
using MilkCells.Core.Provenance;
using MilkCells.Core.Random;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Derivation;
using MilkCells.Model.Scenarios;
using MilkCells.Model.Structure;
using static MilkCells.Model.Catalogue.ModelParameters;

namespace MilkCells.Model.Planning;

/// <summary>Turns a calibrated model, a scenario and a seed into a <see cref="RunPlan"/>: the mother, the feeds, the drivers' schedule and the interventions.</summary>
/// <remarks>
/// This samples the scenario's inputs (the mother, meal times, removal fractions, day-to-day effects); it does not
/// simulate the network. Random streams: <c>RandomStream.Derive(seed, Label("mother"|"feeding"|"days"))</c>, so a
/// plan depends only on the seed. Phase 2 derives its engine stream from the same seed with another label.
/// </remarks>
public static class RunPlanner
{
    /// <summary>Plans one run.</summary>
    public static RunPlan Plan(CalibratedModel calibrated, Scenario scenario, ulong seed)
    {
        var model = WithOverrides(calibrated, scenario);
        var derived = DerivedParameters.From(model);
        var network = NetworkBuilder.Build(model, derived, scenario.Containers);
        var mother = Mother(model, derived, scenario, seed);
        var context = new Context(model, derived, scenario, mother, seed);
        var feeds = context.PlanFeeds();
        var drivers = context.PlanDrivers(feeds);
        var interventions = context.PlanInterventions(feeds);
        var parameters = network.Parameters.Select(p => p.MotherSpecific && p.Id == Names.MotherCapacity ? p with { Value = mother.CapacityMl } : p).ToImmutableArray();
        return new RunPlan(network, scenario, seed, mother, parameters, context.InitialCounts(network), drivers, interventions, feeds, context.Days());
    }

    /// <summary>The calibrated model with the scenario's parameter settings applied (provenance says so).</summary>
    public static CalibratedModel WithOverrides(CalibratedModel model, Scenario scenario)
    {
        if (scenario.ParameterOverrides.IsEmpty)
        {
            return model;
        }
        var parameters = model.Parameters;
        foreach (var o in scenario.ParameterOverrides)
        {
            var p = parameters[o.Id];
            var provenance = new Provenance($"set by scenario '{scenario.Name}' ({o.Location})", p.Provenance.Condition, Confidence.Assumption, p.Provenance.Era);
            var updated = o.Key is null
                ? p with { Value = o.Value, Provenance = provenance, Note = "set by the scenario" }
                : p with { Table = p.Table.SetItem(o.Key, o.Value), Provenance = provenance, Note = "entry set by the scenario" };
            parameters = parameters.SetItem(o.Id, updated);
        }
        return model with { Parameters = parameters };
    }

    /// <summary>The run's mother: the median mother with the scenario's fixed values, or a draw from the population.</summary>
    public static MotherEffects Mother(CalibratedModel model, DerivedParameters derived, Scenario scenario, ulong seed)
    {
        var spec = scenario.Mother;
        var classFactors = new Dictionary<CellClass, double> { [CellClass.Epithelial] = 1, [CellClass.Leucocyte] = 1, [CellClass.Stem] = 1 };
        double production = spec.ProductionFactor ?? 1, capacity = spec.StorageCapacityMl ?? model.Value(StorageCapacity);
        double rightShare = spec.RightShare ?? model.Value(RightShare), feeds = 1;
        if (spec.Mode == MotherMode.Sampled)
        {
            var rng = RandomStream.Derive(seed, RandomStream.Label("mother"));
            production = Samplers.LogNormal(ref rng, 0, derived[DerivedParameters.ProductionLogSd]);
            capacity = model.Value(StorageCapacity) * Samplers.LogNormal(ref rng, 0, derived[DerivedParameters.CapacityLogSd]);
            rightShare = Math.Clamp(Samplers.Normal(ref rng, model.Value(RightShare), model.Value(RightShareSd)), 0.2, 0.8);
            feeds = Samplers.LogNormal(ref rng, 0, derived[DerivedParameters.FeedsLogSd]);
            foreach (var cls in classFactors.Keys.ToArray())
            {
                classFactors[cls] = Samplers.LogNormal(ref rng, 0, model.Value(CellsMotherLogSd, CellType.ClassKeyOf(cls)));
            }
        }
        var cells = model.Model.CellTypes.ToImmutableSortedDictionary(t => t.Id,
            t => classFactors[t.Class] * spec.CellTypeFactors.GetValueOrDefault(t.Id, 1.0), StringComparer.Ordinal);
        return new MotherEffects(spec.Mode == MotherMode.Sampled, production, capacity, rightShare, feeds, cells);
    }

    /// <summary>The onset–plateau–recovery shape of an illness, 0 to 1, at <paramref name="hoursSinceOnset"/>.</summary>
    /// <remarks>Linear rise over the onset time, plateau, linear fall over the recovery time; when the episode is shorter
    /// than onset + recovery both are shortened in proportion.</remarks>
    public static double IllnessShape(double hoursSinceOnset, double durationHours, double onsetHours, double recoveryHours)
    {
        if (hoursSinceOnset < 0 || hoursSinceOnset >= durationHours)
        {
            return 0;
        }
        var squeeze = Math.Min(1, durationHours / (onsetHours + recoveryHours));
        var (onset, recovery) = (onsetHours * squeeze, recoveryHours * squeeze);
        if (hoursSinceOnset < onset)
        {
            return hoursSinceOnset / onset;
        }
        return hoursSinceOnset < durationHours - recovery ? 1 : (durationHours - hoursSinceOnset) / recovery;
    }

    private sealed class Context(CalibratedModel model, DerivedParameters derived, Scenario scenario, MotherEffects mother, ulong seed)
    {
        private readonly MilkModel _m = model.Model;
        private readonly int _days = (int)Math.Ceiling(scenario.DurationDays);
        private readonly double[] _dayProduction = DayEffects(seed, scenario, model, "production");
        private readonly double[] _dayCells = DayEffects(seed, scenario, model, "cells");
        private readonly double[] _dayBoost = DayEffects(seed, scenario, model, "boost");
        private FeedCycle[,]? _cycles;

        private static double[] DayEffects(ulong seed, Scenario scenario, CalibratedModel model, string quantity)
        {
            var rng = RandomStream.Derive(seed, RandomStream.Label("days"), RandomStream.Label(quantity));
            var sd = model.Value(DayLogSd, quantity);
            return Enumerable.Range(0, (int)Math.Ceiling(scenario.DurationDays)).Select(_ => Samplers.LogNormal(ref rng, 0, sd)).ToArray();
        }

        private int LactationDay(int runDay) => scenario.StartDay + runDay;

        private double WeaningTaper(double hours) => scenario.Weaning is not { } w || hours < w.Hours
            ? 1
            : Math.Max(0, 1 - (hours - w.Hours) / (w.OverDays * 24));

        private bool Involuting(double hours) => scenario.Weaning is { } w && hours >= w.EndHours;

        public string StageAt(double hours)
        {
            if (Involuting(hours))
            {
                return _m.Stages.First(s => s.AfterWeaning).Id;
            }
            return _m.StageOnDay((int)Math.Floor(scenario.DayAt(hours)))?.Id ?? _m.Stages.Last(s => !s.AfterWeaning).Id;
        }

        /// <summary>The feed cycle of each breast on each run day (production, frequency, synthesis rate).</summary>
        public FeedCycle Cycle(int runDay, Breast b)
        {
            if (_cycles is null)
            {
                _cycles = new FeedCycle[_days, 2];
                var f = scenario.Feeding.RemovalFraction ?? model.Value(RemovalFraction);
                for (var d = 0; d < _days; d++)
                {
                    var day = LactationDay(d);
                    var daily = model[Intake].At(day) * mother.ProductionFactor * _dayProduction[d];
                    var taper = WeaningTaper(d * 24 + 12);
                    var breastfeeds = scenario.Feeding.Mode == FeedingMode.Schedule
                        ? scenario.Feeding.ScheduleTimesHours.Length * (scenario.Feeding.ScheduleBreasts == MealBreasts.Both ? 2 : 1) * taper
                        : model[BreastfeedsPerDay].At(day) * mother.FeedsFactor * taper;
                    foreach (var side in Names.Breasts)
                    {
                        var share = side == Breast.Right ? mother.RightShare : 1 - mother.RightShare;
                        _cycles[d, (int)side] = FeedCycle.Solve(daily * share * taper, breastfeeds / 2, f, mother.CapacityMl, model.Value(MaxFill));
                    }
                }
            }
            return _cycles[Math.Clamp(runDay, 0, _days - 1), (int)b];
        }

        // --- feeds ------------------------------------------------------------------------------------------------------

        public ImmutableArray<PlannedFeed> PlanFeeds()
        {
            var rng = RandomStream.Derive(seed, RandomStream.Label("feeding"));
            var feeds = new List<PlannedFeed>();
            var (alpha, beta) = (derived[DerivedParameters.RemovalBetaAlpha], derived[DerivedParameters.RemovalBetaBeta]);
            double Removal(ref RandomStream r)
            {
                if (scenario.Feeding.RemovalFraction is { } fixedFraction)
                {
                    return fixedFraction;
                }
                var x = Samplers.Gamma(ref r, alpha, 1);
                return x / (x + Samplers.Gamma(ref r, beta, 1));
            }
            var end = scenario.DurationHours;
            var gap = model.Value(PairedGap);
            var paired = derived[DerivedParameters.PairedFraction];
            var next = Breast.Left;
            var meal = 0;
            void Meal(double t, bool both, ref RandomStream r)
            {
                feeds.Add(new PlannedFeed(t, next, Removal(ref r), meal, false));
                var other = next == Breast.Left ? Breast.Right : Breast.Left;
                if (both && t + gap < end)
                {
                    feeds.Add(new PlannedFeed(t + gap, other, Removal(ref r), meal, true));
                }
                next = other; // the next meal starts on the other breast
                meal++;
            }
            switch (scenario.Feeding.Mode)
            {
                case FeedingMode.OnDemand:
                {
                    var cv = model.Value(MealIntervalCv);
                    var shape = 1 / (cv * cv);
                    // The first meal falls uniformly within the first interval, so the run starts mid-cycle.
                    var t = rng.NextDouble() * MeanMealInterval(0);
                    while (t < end && !Involuting(t))
                    {
                        var both = rng.NextDouble() < paired;
                        Meal(t, both, ref rng);
                        var mean = MeanMealInterval(t);
                        if (double.IsInfinity(mean))
                        {
                            break;
                        }
                        t += Samplers.Gamma(ref rng, shape, mean / shape);
                    }
                    break;
                }
                case FeedingMode.Schedule:
                    for (var d = 0; d < _days; d++)
                    {
                        foreach (var clock in scenario.Feeding.ScheduleTimesHours)
                        {
                            var t = d * 24 + clock;
                            if (t < end && rng.NextDouble() < WeaningTaper(t))
                            {
                                Meal(t, scenario.Feeding.ScheduleBreasts == MealBreasts.Both, ref rng);
                            }
                        }
                    }
                    break;
            }
            return [.. feeds.OrderBy(f => f.Hours)];
        }

        /// <summary>Mean time between meals at run time <paramref name="hours"/>: 24 h / meals per day.</summary>
        private double MeanMealInterval(double hours)
        {
            var d = (int)Math.Floor(hours / 24);
            var breastfeeds = Cycle(d, Breast.Left).FeedsPerDay + Cycle(d, Breast.Right).FeedsPerDay;
            var meals = breastfeeds / (1 + derived[DerivedParameters.PairedFraction]);
            return meals <= 0 ? double.PositiveInfinity : 24 / meals;
        }

        // --- drivers ----------------------------------------------------------------------------------------------------

        public ImmutableArray<DriverChange> PlanDrivers(ImmutableArray<PlannedFeed> feeds)
        {
            var changes = new List<DriverChange>();
            var last = new Dictionary<string, double>();
            void Set(double t, string driver, double value)
            {
                if (!last.TryGetValue(driver, out var previous) || previous != value)
                {
                    changes.Add(new DriverChange(t, driver, value));
                    last[driver] = value;
                }
            }
            var k = derived[DerivedParameters.LossRate];
            var steps = DerivedParameters.BoostSteps(model);
            var bin = model.Value(BoostBin);
            var illnesses = scenario.Events.OfType<IllnessEvent>().ToArray();

            // Times at which daily or illness-driven values are recomputed.
            var times = new SortedSet<double>(Enumerable.Range(0, _days).Select(d => d * 24.0));
            var step = model.Value(HealthStep);
            foreach (var e in illnesses)
            {
                for (var t = e.Hours; t < e.EndHours; t += step)
                {
                    times.Add(t);
                }
                times.Add(e.EndHours);
            }
            if (scenario.Weaning is { } w)
            {
                times.Add(w.EndHours);
            }
            FeedCycle? lastCycle = null;
            foreach (var t in times.Where(t => t < scenario.DurationHours))
            {
                var d = (int)Math.Floor(t / 24);
                var involuting = Involuting(t);
                var stage = StageAt(t);
                var mid = t + step / 2; // illness shape at the middle of the step
                foreach (var b in Names.Breasts)
                {
                    var cycle = Cycle(d, b);
                    if (involuting)
                    {
                        cycle = lastCycle ?? cycle;
                    }
                    else if (cycle.PreFeedMl > 0)
                    {
                        lastCycle = cycle;
                    }
                    var (synthesis, epithelial) = (1.0, 1.0);
                    var added = new Dictionary<string, double>();
                    foreach (var e in illnesses.Where(e => Affects(e, b)))
                    {
                        var state = _m.HealthStates.First(h => h.Id == e.State);
                        var shape = IllnessShape(mid - e.Hours, e.DurationHours, model.Value(state.ParameterId("onset")), model.Value(state.ParameterId("recovery")));
                        if (shape <= 0)
                        {
                            continue;
                        }
                        synthesis *= 1 - (1 - model.Value(state.ParameterId("synthesis_factor"), e.Severity)) * shape;
                        epithelial += (model.Value(state.ParameterId("epithelial_factor")) - 1) * shape;
                        var peak = model.Value(state.ParameterId("peak_leucocytes"), e.Severity) * shape;
                        foreach (var (type, share) in model[state.ParameterId("leucocyte_shares")].Table)
                        {
                            added[type] = added.GetValueOrDefault(type) + peak * share;
                        }
                    }
                    var scale = InfluxScale.For(cycle, k, steps, bin);
                    Set(t, Names.SynthMax(b), involuting ? 0 : cycle.MaxSynthesisMlPerHour * synthesis);
                    Set(t, Names.ClearFlow(b), scale.ClearanceFlowMlPerHour);
                    Set(t, Names.BoostNorm(b), scale.BoostNormalisation);
                    Set(t, Names.EpiFactor(b), epithelial);
                    foreach (var type in _m.OfClass(CellClass.Leucocyte))
                    {
                        Set(t, Names.Inflammation(type, b), added.GetValueOrDefault(type.Id) * mother.CellFactors[type.Id]);
                    }
                    if (t == 0)
                    {
                        Set(0, Names.ShedBoost(b), 1);
                    }
                }
                foreach (var (type, conc) in Composition(stage))
                {
                    Set(t, Names.Conc(type), conc * mother.CellFactors[type.Id] * _dayCells[Math.Min(d, _days - 1)]);
                }
            }

            // Post-feed shedding: m1, m2, then 1, until the next feed on the same breast.
            foreach (var b in Names.Breasts)
            {
                var onBreast = feeds.Where(f => f.Breast == b).ToArray();
                for (var i = 0; i < onBreast.Length; i++)
                {
                    var t0 = onBreast[i].Hours;
                    var until = i + 1 < onBreast.Length ? onBreast[i + 1].Hours : double.PositiveInfinity;
                    var g = _dayBoost[Math.Min((int)(t0 / 24), _days - 1)];
                    for (var s = 0; s <= steps.Length; s++)
                    {
                        var at = t0 + s * bin;
                        if (at >= until || at >= scenario.DurationHours)
                        {
                            break;
                        }
                        changes.Add(new DriverChange(at, Names.ShedBoost(b), s < steps.Length ? 1 + (steps[s] - 1) * g : 1));
                    }
                }
            }
            PlanContainerDrivers(changes);
            return [.. changes.OrderBy(c => c.Hours).ThenBy(c => c.Driver, StringComparer.Ordinal)];
        }

        private static bool Affects(IllnessEvent e, Breast b) => e.Breast is null || e.Breast == b;

        /// <summary>Target concentration of each cell type in a stage (cells/mL of milk drunk).</summary>
        public IEnumerable<(CellType Type, double Conc)> Composition(string stage)
        {
            var total = model.Value(ModelParameters.Composition(stage, "total_cells"));
            var leucocytes = model.Value(ModelParameters.Composition(stage, "leucocyte_fraction"));
            var stem = model[ModelParameters.Composition(stage, "stem_fractions")];
            var epithelial = 1 - leucocytes - stem.Table.Values.Sum();
            foreach (var t in _m.CellTypes)
            {
                var share = t.Class switch
                {
                    CellClass.Leucocyte => leucocytes * model.Value(ModelParameters.Composition(stage, "leucocyte_shares"), t.Id),
                    CellClass.Stem => stem[t.Id],
                    _ => epithelial * model.Value(ModelParameters.Composition(stage, "epithelial_shares"), t.Id),
                };
                yield return (t, total * share);
            }
        }

        private void PlanContainerDrivers(List<DriverChange> changes)
        {
            var hold = model.Value(RoomHold);
            var (early, late) = (model.Value(RoomDeathEarly), model.Value(RoomDeathLate));
            var fridgeDeath = derived[DerivedParameters.FridgeDeathRate];
            var fridgeLoss = derived[DerivedParameters.FridgeLossRate];
            foreach (var k in scenario.Containers.Where(c => c.Kind == ContainerKind.Expressed))
            {
                var (death, loss) = (Names.ContainerDeath(k), Names.ContainerLoss(k));
                changes.Add(new DriverChange(0, death, 0));
                changes.Add(new DriverChange(0, loss, 0));
                var roomSince = double.NaN;
                foreach (var e in scenario.Events.Where(e => e.ContainerId == k.Id && e is not FormulaEvent).DistinctBy(e => e.Hours))
                {
                    switch (e)
                    {
                        case PumpEvent when double.IsNaN(roomSince):
                        case ThawEvent:
                        case StoreEvent { Place: StoragePlace.Room }:
                            roomSince = e.Hours;
                            changes.Add(new DriverChange(e.Hours, death, early));
                            changes.Add(new DriverChange(e.Hours, loss, 0));
                            if (e.Hours + hold < scenario.DurationHours)
                            {
                                changes.Add(new DriverChange(e.Hours + hold, death, late)); // superseded below if moved earlier
                            }
                            break;
                        case StoreEvent { Place: StoragePlace.Fridge }:
                        case PasteuriseEvent:
                            roomSince = double.PositiveInfinity;
                            changes.RemoveAll(c => c.Driver == death && c.Hours > e.Hours);
                            changes.Add(new DriverChange(e.Hours, death, fridgeDeath));
                            changes.Add(new DriverChange(e.Hours, loss, fridgeLoss));
                            break;
                        case StoreEvent { Place: StoragePlace.Freezer }:
                            roomSince = double.PositiveInfinity;
                            changes.RemoveAll(c => c.Driver == death && c.Hours > e.Hours);
                            changes.Add(new DriverChange(e.Hours, death, 0));
                            changes.Add(new DriverChange(e.Hours, loss, 0));
                            break;
                    }
                }
            }
        }

        // --- interventions ----------------------------------------------------------------------------------------------

        public ImmutableArray<Intervention> PlanInterventions(ImmutableArray<PlannedFeed> feeds)
        {
            var list = new List<Intervention>();
            var types = _m.CellTypes;
            var viabilities = new[] { Viability.Alive, Viability.Dead };
            foreach (var f in feeds)
            {
                var moves = new List<SpeciesMove> { new(Names.Milk(f.Breast), null, Names.IntakeMilk) };
                foreach (var t in types)
                {
                    foreach (var v in viabilities)
                    {
                        moves.Add(new SpeciesMove(Names.Cells(t, v, f.Breast), v == Viability.Alive ? Names.Gut(t) : null, Names.Ingested(t, v)));
                    }
                }
                list.Add(new Intervention(f.Hours, InterventionKind.Feed, $"feed {Names.Of(f.Breast)}", f.Breast, null, f.RemovalFraction, [.. moves], [], null));
            }
            var quantum = model.Value(VolumeQuantum);
            foreach (var e in scenario.Events)
            {
                var container = scenario.Containers.FirstOrDefault(c => c.Id == e.ContainerId);
                switch (e)
                {
                    case PumpEvent p when container is not null:
                    {
                        var moves = new List<SpeciesMove> { new(Names.Milk(p.Breast), Names.ContainerMilk(container), null) };
                        foreach (var t in types)
                        {
                            foreach (var v in viabilities)
                            {
                                moves.Add(new SpeciesMove(Names.Cells(t, v, p.Breast), Names.ContainerCells(container, t, v), null));
                            }
                        }
                        list.Add(new Intervention(p.Hours, InterventionKind.Pump, p.Label, p.Breast, container.Id,
                            p.Fraction ?? model.Value(RemovalFraction), [.. moves], [], model.Value(RoomTemperature)));
                        break;
                    }
                    case StoreEvent s when container is not null:
                        list.Add(new Intervention(s.Hours, InterventionKind.Store, s.Label, null, container.Id, 0, [], [], Temperature(s.Place)));
                        break;
                    case ThawEvent th when container is not null:
                        list.Add(new Intervention(th.Hours, InterventionKind.Thaw, th.Label, null, container.Id,
                            1 - derived[DerivedParameters.FreezeThawSurvival], KillMoves(container), [], model.Value(RoomTemperature)));
                        break;
                    case PasteuriseEvent ps when container is not null:
                        list.Add(new Intervention(ps.Hours, InterventionKind.Pasteurise, ps.Label, null, container.Id,
                            1 - model.Value(HolderSurvival), KillMoves(container), [], model.Value(HolderTemperature)));
                        break;
                    case FormulaEvent fe:
                    {
                        var count = (long)Math.Round(fe.VolumeMl / quantum);
                        list.Add(container is null
                            ? new Intervention(fe.Hours, InterventionKind.FormulaFeed, fe.Label, null, null, 0, [], [new SpeciesAddition(Names.FormulaMilk, count)], null)
                            : new Intervention(fe.Hours, InterventionKind.FormulaFill, fe.Label, null, container.Id, 0, [],
                                [new SpeciesAddition(Names.ContainerMilk(container), count)], model.Value(RoomTemperature)));
                        break;
                    }
                }
            }
            return [.. list.OrderBy(i => i.Hours)];
        }

        private ImmutableArray<SpeciesMove> KillMoves(ContainerSpec container) =>
            [.. _m.CellTypes.Select(t => new SpeciesMove(Names.ContainerCells(container, t, Viability.Alive), Names.ContainerCells(container, t, Viability.Dead), null))];

        private double Temperature(StoragePlace place) => place switch
        {
            StoragePlace.Fridge => model.Value(FridgeTemperature),
            StoragePlace.Freezer => model.Value(FreezerTemperature),
            _ => model.Value(RoomTemperature),
        };


        // --- initial state and days -------------------------------------------------------------------------------------

        /// <summary>Mean-field counts at t = 0: each breast half-way through a feed cycle, cells at the day's targets.</summary>
        public ImmutableSortedDictionary<string, long> InitialCounts(NetworkSpec network)
        {
            var counts = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
            var quantum = network.VolumeQuantumMl;
            var viable = model.Value(ViableFraction);
            foreach (var b in Names.Breasts)
            {
                var cycle = Cycle(0, b);
                var volume = cycle.PreFeedMl > 0 ? cycle.VolumeAfter(cycle.IntervalHours / 2) : 0;
                counts[Names.Milk(b)] = (long)Math.Round(volume / quantum);
                foreach (var (type, conc) in Composition(StageAt(0)))
                {
                    var cells = conc * mother.CellFactors[type.Id] * _dayCells[0] * volume;
                    counts[Names.Cells(type, Viability.Alive, b)] = (long)Math.Round(cells * viable);
                    counts[Names.Cells(type, Viability.Dead, b)] = (long)Math.Round(cells * (1 - viable));
                }
            }
            return counts.ToImmutable();
        }

        public ImmutableArray<DayPlan> Days()
        {
            var list = new List<DayPlan>();
            for (var d = 0; d < _days; d++)
            {
                var (from, to) = (d * 24.0, (d + 1) * 24.0);
                var labels = new List<string>();
                foreach (var e in scenario.Events)
                {
                    var active = e switch
                    {
                        IllnessEvent i => i.Hours < to && i.EndHours > from,
                        WeaningEvent w => w.Hours < to && w.EndHours > from,
                        _ => e.Hours >= from && e.Hours < to,
                    };
                    if (active && !labels.Contains(e.Label))
                    {
                        labels.Add(e.Label);
                    }
                }
                list.Add(new DayPlan(d, LactationDay(d), StageAt(from + 12), [.. labels]));
            }
            return [.. list];
        }
    }
}
