using System.Collections.Immutable;
using System.Globalization;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Derivation;
using MilkCells.Model.Scenarios;
using static MilkCells.Model.Catalogue.ModelParameters;

namespace MilkCells.Model.Structure;

/// <summary>The identifiers of species, drivers and parameters, shared by the builder, the planner and phase 2.</summary>
public static class Names
{
    /// <summary>Both breasts, left first.</summary>
    public static readonly ImmutableArray<Breast> Breasts = [Breast.Left, Breast.Right];

    /// <summary>"left" or "right".</summary>
    public static string Of(Breast b) => b == Breast.Left ? "left" : "right";

    /// <summary>"alive" or "dead".</summary>
    public static string Of(Viability v) => v == Viability.Alive ? "alive" : "dead";

    /// <summary>"epithelial", "leucocyte" or "stem".</summary>
    public static string Of(CellClass c) => CellType.ClassKeyOf(c);

    public static string Milk(Breast b) => $"milk_{Of(b)}";
    public static string Cells(CellType t, Viability v, Breast b) => $"c_{t.Symbol}_{Of(v)}_{Of(b)}";
    public static string Gut(CellType t) => $"gut_{t.Symbol}";
    public static string Blood(CellClass c) => $"blood_{Of(c)}";
    public static string Organ(string organ, CellClass c) => $"organ_{organ}_{Of(c)}";
    public static string Fate(string fate) => $"fate_{fate}";
    public static string ContainerMilk(ContainerSpec k) => $"ctr_{k.Symbol}_milk";
    public static string ContainerCells(ContainerSpec k, CellType t, Viability v) => $"ctr_{k.Symbol}_{t.Symbol}_{Of(v)}";
    public const string IntakeMilk = "intake_milk";
    public const string FormulaMilk = "formula_milk";
    public static string Ingested(CellType t, Viability v) => $"ingested_{t.Symbol}_{Of(v)}";
    public static string IntakeFrom(Breast b) => $"intake_milk_{Of(b)}";
    public static string IngestedFrom(CellType t, Viability v, Breast b) => $"ingested_{t.Symbol}_{Of(v)}_{Of(b)}";

    public static string SynthMax(Breast b) => $"synth_max_{Of(b)}";
    public static string ClearFlow(Breast b) => $"clear_flow_{Of(b)}";
    public static string BoostNorm(Breast b) => $"boost_norm_{Of(b)}";
    public static string ShedBoost(Breast b) => $"shed_boost_{Of(b)}";
    public static string EpiFactor(Breast b) => $"epi_factor_{Of(b)}";
    public static string Conc(CellType t) => $"conc_{t.Symbol}";
    public static string Inflammation(CellType t, Breast b) => $"infl_{t.Symbol}_{Of(b)}";
    public static string ContainerDeath(ContainerSpec k) => $"ctr_death_{k.Symbol}";
    public static string ContainerLoss(ContainerSpec k) => $"ctr_loss_{k.Symbol}";
    public static string DrinkFlow(Breast b) => $"drink_flow_{Of(b)}";
    public static string DrunkConc(CellType t, Viability v, Breast b) => $"drunk_{t.Symbol}_{Of(v)}_{Of(b)}";

    public const string MotherCapacity = "mother_capacity";
    public const string GutOpen = "gut_open";

    /// <summary>The symbol of a parameter, or of one entry of a table parameter.</summary>
    public static string Param(string id, string? key = null) =>
        key is null ? Parameter.ToSymbol(id) : $"{Parameter.ToSymbol(id)}__{Parameter.ToSymbol(key)}";
}

/// <summary>Builds the reaction-network structure of the milk model for a scenario (its containers) and a calibration.</summary>
/// <remarks>
/// Species: per breast, milk volume and each cell type alive and dead; the infant's gut (each type, viable), blood
/// and organs (stem and leucocyte classes), differentiated fates; each container's milk and cells; tallies.
/// Reactions: milk synthesis with fullness feedback; shedding (epithelial and stem cells, raised after a feed) and
/// migration (leucocytes, raised by illness) into milk; death; return of free cells to the alveolar lining; the infant's
/// gut loss, passage to blood, clearance, homing, organ loss, differentiation; storage death and loss in containers.
/// docs/model.md §2 lists them with their rate laws.
/// </remarks>
public static class NetworkBuilder
{
    /// <summary>The network for <paramref name="scenario"/>'s containers under <paramref name="model"/>'s calibration.</summary>
    public static NetworkSpec Build(CalibratedModel model, Scenario scenario) => Build(model, DerivedParameters.From(model), scenario.Containers);

    /// <summary>The network for the given containers.</summary>
    /// <summary>The differentiations of stem types into epithelial types in the breast: (stem, target, share of the stem's rate), share &gt; 0 only.</summary>
    /// <remarks>docs/model.md §4d: a stem type differentiates at <c>breast.differentiation_rate</c>, a share
    /// <c>breast.differentiation_lactocyte_share</c> into LC1 lactocytes and the rest into myoepithelial cells.</remarks>
    public static IEnumerable<(CellType Stem, CellType Target, double Share)> StemDifferentiations(CalibratedModel model)
    {
        var m = model.Model;
        var (lactocyte, myoepithelial) = (m.CellType(LactocyteTarget), m.CellType(MyoepithelialTarget));
        foreach (var stem in m.OfClass(CellClass.Stem))
        {
            if (model.Value(StemDifferentiation, stem.Id) <= 0)
            {
                continue;
            }
            var toLactocyte = model.Value(StemLactocyteShare, stem.Id);
            if (toLactocyte > 0)
            {
                yield return (stem, lactocyte, toLactocyte);
            }
            if (toLactocyte < 1)
            {
                yield return (stem, myoepithelial, 1 - toLactocyte);
            }
        }
    }

    public static NetworkSpec Build(CalibratedModel model, DerivedParameters derived, ImmutableArray<ContainerSpec> containers)
    {
        var m = model.Model;
        var quantum = model.Value(VolumeQuantum);
        var quantumText = $"{quantum.ToString(CultureInfo.InvariantCulture)} mL";
        var compartments = new List<CompartmentSpec>();
        var species = new List<SpeciesSpec>();
        var parameters = new Dictionary<string, ParameterSpec>();
        var drivers = new List<DriverSpec>();
        var reactions = new List<ReactionSpec>();

        string P(string id, string? key = null)
        {
            var symbol = Names.Param(id, key);
            if (!parameters.ContainsKey(symbol))
            {
                var p = derived.All.TryGetValue(id, out var d) ? d : model[id];
                parameters[symbol] = new ParameterSpec(symbol, key is null ? p.Value : p[key], p.Unit, id, key, p.Provenance);
            }
            return symbol;
        }
        double V(string id, string key) => model[id][key];
        void R(string id, ProcessKind kind, string[] reactants, string[] products, string rate, string description) =>
            reactions.Add(new ReactionSpec(id, kind, [.. reactants.Select(s => new Stoichiometry(s))], [.. products.Select(s => new Stoichiometry(s))], rate, description));

        var capacity = model[StorageCapacity];
        parameters[Names.MotherCapacity] = new ParameterSpec(Names.MotherCapacity, capacity.Value, capacity.Unit, StorageCapacity, null, capacity.Provenance, MotherSpecific: true);
        var q = P(VolumeQuantum);
        var retention = P(RetentionRate);
        var death = P(BreastDeathRate);
        var entry = P(DerivedParameters.EntryViable);

        // --- breasts ------------------------------------------------------------------------------------------------
        foreach (var cellType in m.CellTypes)
        {
            drivers.Add(new DriverSpec(Names.Conc(cellType), CanonicalUnit.CellsPerMillilitre,
                $"target concentration of {cellType.Name} in the milk the infant drinks (stage composition × mother × day effects); daily", 0));
        }
        foreach (var b in Names.Breasts)
        {
            var side = Names.Of(b);
            compartments.Add(new CompartmentSpec($"breast_{side}", $"milk stored in the {side} breast"));
            species.Add(new SpeciesSpec(Names.Milk(b), $"breast_{side}", SpeciesRole.BreastMilk, quantumText, Breast: b));
            drivers.Add(new DriverSpec(Names.SynthMax(b), CanonicalUnit.MillilitresPerHour, $"synthesis rate of the empty {side} breast, a (docs/model.md §3); daily, × illness factor", 0, b));
            drivers.Add(new DriverSpec(Names.ClearFlow(b), CanonicalUnit.MillilitresPerHour, $"clearance flow Q of the {side} breast: influx per unit target concentration (§4); daily", 0, b));
            drivers.Add(new DriverSpec(Names.BoostNorm(b), CanonicalUnit.Multiplier, $"1/B: keeps the post-feed boost from changing what the infant drinks (§4); daily", 1, b));
            drivers.Add(new DriverSpec(Names.ShedBoost(b), CanonicalUnit.Multiplier, $"post-feed epithelial shedding multiplier m(τ), set at each feed of the {side} breast (§4)", 1, b));
            drivers.Add(new DriverSpec(Names.EpiFactor(b), CanonicalUnit.Multiplier, $"illness factor on epithelial shedding in the {side} breast (onset–plateau–recovery)", 1, b));
            var milk = Names.Milk(b);
            R($"synthesis_{side}", ProcessKind.MilkSynthesis, [], [milk],
                $"{Names.SynthMax(b)} * max(0, 1 - {milk} * {q} / {Names.MotherCapacity}) / {q}",
                $"milk synthesis in the {side} breast, slowing as it fills (quanta per hour)");
            foreach (var t in m.CellTypes)
            {
                var alive = Names.Cells(t, Viability.Alive, b);
                var dead = Names.Cells(t, Viability.Dead, b);
                species.Add(new SpeciesSpec(alive, $"breast_{side}", SpeciesRole.BreastCells, "cell", t.Id, t.Class, Viability.Alive, b));
                species.Add(new SpeciesSpec(dead, $"breast_{side}", SpeciesRole.BreastCells, "cell", t.Id, t.Class, Viability.Dead, b));
                string influx;
                ProcessKind kind;
                if (t.Class == CellClass.Leucocyte)
                {
                    var infl = Names.Inflammation(t, b);
                    drivers.Add(new DriverSpec(infl, CanonicalUnit.CellsPerMillilitre, $"added {t.Name} per mL from illness in the {side} breast (severity × kinetics × share)", 0, b));
                    influx = $"({Names.Conc(t)} + {infl}) * {Names.ClearFlow(b)}";
                    kind = ProcessKind.Migration;
                }
                else
                {
                    influx = $"{Names.Conc(t)} * {Names.ClearFlow(b)} * {Names.BoostNorm(b)} * {Names.ShedBoost(b)} * {Names.EpiFactor(b)}";
                    kind = ProcessKind.Shedding;
                }
                var verb = kind == ProcessKind.Migration ? "migration from maternal blood" : "shedding from the epithelium";
                R($"enter_{t.Symbol}_alive_{side}", kind, [], [alive], $"{entry} * {influx}", $"{t.Name}: {verb} into the {side} breast's milk, viable");
                R($"enter_{t.Symbol}_dead_{side}", kind, [], [dead], $"(1 - {entry}) * {influx}", $"{t.Name}: {verb}, arriving dead");
                R($"death_{t.Symbol}_{side}", ProcessKind.Death, [alive], [dead], $"{death} * {alive}", $"{t.Name} dying in stored milk (37 °C)");
                R($"retention_{t.Symbol}_alive_{side}", ProcessKind.Retention, [alive], [], $"{retention} * {alive}", $"free {t.Name} returning to the alveolar lining");
                R($"retention_{t.Symbol}_dead_{side}", ProcessKind.Retention, [dead], [], $"{retention} * {dead}", $"dead {t.Name} returning to the alveolar lining or fragmenting");
            }
            foreach (var (stem, target, share) in StemDifferentiations(model))
            {
                var from = Names.Cells(stem, Viability.Alive, b);
                var rate = share == 1 ? P(StemDifferentiation, stem.Id) : $"{P(StemDifferentiation, stem.Id)} * {(target.Id == LactocyteTarget ? "" : "(1 - ")}{P(StemLactocyteShare, stem.Id)}{(target.Id == LactocyteTarget ? "" : ")")}";
                R($"differentiate_{stem.Symbol}_{target.Symbol}_{side}", ProcessKind.Differentiation, [from], [Names.Cells(target, Viability.Alive, b)], $"{rate} * {from}",
                    $"{stem.Name} in the {side} breast's milk becoming a {target.Name} (in vitro path, assumed rate)");
            }
        }

        // --- infant (animal-derived) --------------------------------------------------------------------------------
        compartments.Add(new CompartmentSpec("infant_gut", "the infant's gut lumen (animal-derived dynamics)"));
        compartments.Add(new CompartmentSpec("infant_blood", "the infant's circulation, transit (animal-derived)"));
        foreach (var organ in m.Organs)
        {
            compartments.Add(new CompartmentSpec($"infant_organ_{organ}", $"maternal cells engrafted in the infant's {organ} (animal-derived)"));
        }
        drivers.Add(new DriverSpec(Names.GutOpen, CanonicalUnit.Multiplier,
            "permeability of the infant gut relative to the first day of life (gut closure, infant.gut_permeability); daily", 1));
        var transferClasses = new[] { CellClass.Leucocyte, CellClass.Stem };
        foreach (var cls in transferClasses)
        {
            species.Add(new SpeciesSpec(Names.Blood(cls), "infant_blood", SpeciesRole.BloodCells, "cell", Class: cls, AnimalDerived: true));
            foreach (var organ in m.Organs)
            {
                species.Add(new SpeciesSpec(Names.Organ(organ, cls), $"infant_organ_{organ}", SpeciesRole.OrganCells, "cell", Class: cls, Organ: organ, AnimalDerived: true));
            }
        }
        foreach (var fate in m.Fates)
        {
            species.Add(new SpeciesSpec(Names.Fate(fate.Id), $"infant_organ_{fate.Organ}", SpeciesRole.FateCells, "cell", Class: CellClass.Stem, Organ: fate.Organ, Fate: fate.Id, AnimalDerived: true));
        }
        foreach (var t in m.CellTypes)
        {
            var gut = Names.Gut(t);
            species.Add(new SpeciesSpec(gut, "infant_gut", SpeciesRole.GutCells, "cell", t.Id, t.Class, Viability.Alive, AnimalDerived: true));
            R($"gut_loss_{t.Symbol}", ProcessKind.GutLoss, [gut], [], $"{P(GutLoss, t.ClassKey)} * {gut}", $"swallowed {t.Name} digested or passed out");
            if (V(GutPassage, t.ClassKey) > 0)
            {
                R($"gut_passage_{t.Symbol}", ProcessKind.GutPassage, [gut], [Names.Blood(t.Class)], $"{P(GutPassage, t.ClassKey)} * {Names.GutOpen} * {gut}",
                    $"swallowed {t.Name} crossing the gut wall into the blood (animal-derived)");
            }
        }
        foreach (var cls in transferClasses)
        {
            var key = Names.Of(cls);
            var blood = Names.Blood(cls);
            R($"blood_clearance_{key}", ProcessKind.BloodClearance, [blood], [], $"{P(BloodClearance, key)} * {blood}", $"circulating maternal {key} cells cleared");
            var homing = cls == CellClass.Stem ? HomingStem : HomingLeucocyte;
            foreach (var organ in m.Organs)
            {
                var engrafted = Names.Organ(organ, cls);
                if (V(homing, organ) > 0)
                {
                    R($"homing_{organ}_{key}", ProcessKind.Homing, [blood], [engrafted], $"{P(homing, organ)} * {blood}", $"maternal {key} cells engrafting in the {organ}");
                }
                R($"organ_loss_{organ}_{key}", ProcessKind.OrganLoss, [engrafted], [], $"{P(OrganLoss, key)} * {engrafted}", $"engrafted maternal {key} cells lost from the {organ}");
            }
        }
        foreach (var fate in m.Fates)
        {
            var source = Names.Organ(fate.Organ, CellClass.Stem);
            var target = Names.Fate(fate.Id);
            R($"differentiate_{fate.Id}", ProcessKind.Differentiation, [source], [target], $"{P(Differentiation)} * {P(FateEvidenceWeight, fate.Id)} * {source}",
                $"engrafted maternal stem cells in the {fate.Organ} becoming {fate.Name} (animal-derived)");
            R($"fate_loss_{fate.Id}", ProcessKind.FateLoss, [target], [], $"{P(FateLoss)} * {target}", $"loss of maternal {fate.Name}");
        }

        // --- containers ----------------------------------------------------------------------------------------------
        foreach (var k in containers)
        {
            compartments.Add(new CompartmentSpec($"container_{k.Symbol}", $"container '{k.Id}' ({k.Kind.ToString().ToLowerInvariant()})"));
            species.Add(new SpeciesSpec(Names.ContainerMilk(k), $"container_{k.Symbol}", SpeciesRole.ContainerMilk, quantumText, Container: k.Id));
            if (k.Kind == ContainerKind.Formula)
            {
                continue; // formula carries no cells (the zero-cell comparator)
            }
            drivers.Add(new DriverSpec(Names.ContainerDeath(k), CanonicalUnit.PerHour, $"death rate of cells in '{k.Id}' at its current temperature (§6)", 0, Container: k.Id));
            drivers.Add(new DriverSpec(Names.ContainerLoss(k), CanonicalUnit.PerHour, $"loss rate of phagocytes from '{k.Id}' (adhesion, cytolysis) at its current temperature (§6)", 0, Container: k.Id));
            foreach (var t in m.CellTypes)
            {
                var alive = Names.ContainerCells(k, t, Viability.Alive);
                var dead = Names.ContainerCells(k, t, Viability.Dead);
                species.Add(new SpeciesSpec(alive, $"container_{k.Symbol}", SpeciesRole.ContainerCells, "cell", t.Id, t.Class, Viability.Alive, Container: k.Id));
                species.Add(new SpeciesSpec(dead, $"container_{k.Symbol}", SpeciesRole.ContainerCells, "cell", t.Id, t.Class, Viability.Dead, Container: k.Id));
                R($"ctr_death_{k.Symbol}_{t.Symbol}", ProcessKind.StorageDeath, [alive], [dead], $"{Names.ContainerDeath(k)} * {alive}", $"{t.Name} dying in '{k.Id}'");
                if (t.Class == CellClass.Leucocyte && V(FridgeLossTypes, t.Id) > 0)
                {
                    R($"ctr_loss_{k.Symbol}_{t.Symbol}_alive", ProcessKind.StorageLoss, [alive], [], $"{Names.ContainerLoss(k)} * {alive}", $"{t.Name} lost from '{k.Id}'");
                    R($"ctr_loss_{k.Symbol}_{t.Symbol}_dead", ProcessKind.StorageLoss, [dead], [], $"{Names.ContainerLoss(k)} * {dead}", $"dead {t.Name} lost from '{k.Id}'");
                }
            }
        }

        // --- tallies --------------------------------------------------------------------------------------------------
        compartments.Add(new CompartmentSpec("tally", "running totals changed only by interventions"));
        species.Add(new SpeciesSpec(Names.IntakeMilk, "tally", SpeciesRole.Tally, quantumText));
        species.Add(new SpeciesSpec(Names.FormulaMilk, "tally", SpeciesRole.Tally, quantumText));
        foreach (var t in m.CellTypes)
        {
            species.Add(new SpeciesSpec(Names.Ingested(t, Viability.Alive), "tally", SpeciesRole.Tally, "cell", t.Id, t.Class, Viability.Alive));
            species.Add(new SpeciesSpec(Names.Ingested(t, Viability.Dead), "tally", SpeciesRole.Tally, "cell", t.Id, t.Class, Viability.Dead));
        }

        return new NetworkSpec(m.Version, model.Profile.Id, model.Profile.Marking, quantum, [.. compartments], [.. species],
            [.. parameters.Values.OrderBy(p => p.Id, StringComparer.Ordinal)], [.. drivers], [.. reactions]);
    }

    /// <summary>The daily (cohort) resolution's network: what the infant drinks and swallows from each breast, at feed-cycle averages.</summary>
    /// <remarks>
    /// docs/model.md §4b. The breasts' milk and cells relax within hours of every feed (1/β = 40 min, a/C ≈ 6 h) and
    /// are linear between feeds, so their means over each planned feed cycle have closed forms; the planner
    /// (<see cref="Planning.SimulationResolution.Daily"/>) integrates them exactly and sets, per breast and day, the
    /// mean milk flow drunk (<c>drink_flow_b</c>, mL/h) and the volume-weighted mean concentration of each cell type and
    /// viability in that milk (<c>drunk_t_v_b</c>, cells/mL). What remains stochastic is what the infant drinks and
    /// swallows: zero-order reactions into per-breast tallies. The infant's gut, blood and organs and the containers
    /// are left out: daily rows never read them and they do not act back on the breasts.
    /// </remarks>
    public static NetworkSpec BuildDaily(CalibratedModel model)
    {
        var m = model.Model;
        var quantum = model.Value(VolumeQuantum);
        var quantumText = $"{quantum.ToString(CultureInfo.InvariantCulture)} mL";
        var q = model[VolumeQuantum];
        var qSymbol = Names.Param(VolumeQuantum);
        var species = new List<SpeciesSpec>();
        var drivers = new List<DriverSpec>();
        var reactions = new List<ReactionSpec>();
        foreach (var b in Names.Breasts)
        {
            var side = Names.Of(b);
            var flow = Names.DrinkFlow(b);
            drivers.Add(new DriverSpec(flow, CanonicalUnit.MillilitresPerHour,
                $"milk drunk from the {side} breast per hour this day: the day's feeds' removal fractions times the mean stored volume before each (docs/model.md §4b); daily", 0, b));
            var intake = Names.IntakeFrom(b);
            species.Add(new SpeciesSpec(intake, "tally", SpeciesRole.Tally, quantumText, Breast: b));
            reactions.Add(new ReactionSpec($"drinking_{side}", ProcessKind.Drinking, [], [new Stoichiometry(intake)], $"{flow} / {qSymbol}",
                $"milk drunk from the {side} breast (quanta per hour)"));
        }
        foreach (var b in Names.Breasts)
        {
            var side = Names.Of(b);
            foreach (var t in m.CellTypes)
            {
                foreach (var v in new[] { Viability.Alive, Viability.Dead })
                {
                    var conc = Names.DrunkConc(t, v, b);
                    var tally = Names.IngestedFrom(t, v, b);
                    drivers.Add(new DriverSpec(conc, CanonicalUnit.CellsPerMillilitre,
                        $"{Names.Of(v)} {t.Name} per mL of the milk drunk from the {side} breast this day, volume-weighted over its feeds: exact means of the linear entry, death and return of free cells over each feed cycle (docs/model.md §4b); daily", 0, b));
                    species.Add(new SpeciesSpec(tally, "tally", SpeciesRole.Tally, "cell", t.Id, t.Class, v, b));
                    reactions.Add(new ReactionSpec($"swallowing_{t.Symbol}_{Names.Of(v)}_{side}", ProcessKind.Swallowing, [], [new Stoichiometry(tally)],
                        $"{conc} * {Names.DrinkFlow(b)}", $"{Names.Of(v)} {t.Name} swallowed with milk from the {side} breast"));
                }
            }
        }
        species.Add(new SpeciesSpec(Names.FormulaMilk, "tally", SpeciesRole.Tally, quantumText));
        var parameters = new[] { new ParameterSpec(qSymbol, quantum, q.Unit, VolumeQuantum, null, q.Provenance) };
        return new NetworkSpec(m.Version, model.Profile.Id, model.Profile.Marking, quantum,
            [new CompartmentSpec("tally", "running totals: milk and cells the infant drank from each breast, formula")], [.. species],
            [.. parameters], [.. drivers], [.. reactions]);
    }
}
