using System.Collections.Immutable;
using System.Globalization;
using MilkCells.Core.Errors;
using MilkCells.Core.Random;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Planning;
using MilkCells.Model.Scenarios;
using MilkCells.Samples.Analysis;
using MilkCells.Samples.Input;
using MilkCells.Samples.Panels;
using MilkCells.Simulation;

namespace MilkCells.Samples.Cytometer;

/// <summary>What <c>sample synthesize</c> is asked for.</summary>
/// <param name="Scenario">The scenario (its mother, events and days).</param>
/// <param name="Seed">The root seed.</param>
/// <param name="Days">Lactation days to sample, ascending, distinct.</param>
/// <param name="MotherId">A cohort mother (drawn from the population with <see cref="MotherSimulation.MotherSeed"/>), or null for the scenario's own mother with <paramref name="Seed"/> as the run seed.</param>
/// <param name="Events">Expected events per file.</param>
/// <param name="Panel">The panel to stain with.</param>
/// <param name="Breast">The breast sampled: left, right, or null for the breast of the scenario's first one-breast illness (left when none).</param>
public sealed record SynthesisRequest(Scenario Scenario, ulong Seed, ImmutableArray<int> Days, long? MotherId, int Events, Panel Panel, Breast? Breast);

/// <summary>One synthesized sample: its truth, the tube, the events and the manifest row.</summary>
/// <param name="Info">Sample id, mother, day, breast.</param>
/// <param name="FileName">The FCS file name.</param>
/// <param name="Truth">True values of the sampled milk by measure (cells/mL by type, class and total; % leucocytes; viable fraction; the model's bacteria, sodium, potassium and Na:K).</param>
/// <param name="MilkUl">µL of milk whose cells are in the tube (the test volume over the dilution).</param>
/// <param name="Counting">Beads per test, test volume and dilution, as the manifest gives them.</param>
/// <param name="Tube">What the tube held.</param>
/// <param name="Acquisition">The events.</param>
public sealed record SynthesizedSample(SampleInfo Info, string FileName, ImmutableSortedDictionary<string, double> Truth, double MilkUl,
    CountingInfo Counting, TubeContents Tube, Acquisition Acquisition);

/// <summary>The virtual sampling of a simulated mother: her milk on the given days, into counting tubes, through the virtual cytometer.</summary>
/// <remarks>
/// The mother is simulated at the cohort (daily) resolution; the truth of a sample is what the sampled breast gave that
/// day (cells swallowed from it by type and viability over the milk drunk from it, docs/model.md §4b; its bacteria,
/// sodium and potassium, volume-weighted over those feeds, go into the manifest as the lab's measures). The virtual
/// technician concentrates or dilutes the cells so the tube's expected events equal the request (beads a fixed share of
/// them): the tube then holds Poisson(c·v) cells of each type and viability, c the true concentration and v the milk
/// volume behind the test; the dilution is written to 4 significant digits and v follows from it exactly. Each sample
/// draws from its own stream <c>Derive(seed, "sample-synthesis", mother, day)</c>, so samples do not depend on each other.
/// </remarks>
public static class SampleSynthesizer
{
    private static readonly ulong StreamLabel = RandomStream.Label("sample-synthesis");

    /// <summary>Simulates the mother and synthesizes every sample.</summary>
    /// <exception cref="InputException">Days outside the scenario's run, too few events, a breast that gave no milk that day.</exception>
    public static ImmutableArray<SynthesizedSample> Synthesize(SynthesisRequest request, CalibratedModel calibration, VirtualCytometerSettings settings, CancellationToken cancellation)
    {
        var scenario = request.Scenario;
        var where = InputLocation.AtElement(null, "--days");
        if (request.Days.IsDefaultOrEmpty)
        {
            throw new InputException(where, "no days given", "for example --days 30,31,32");
        }
        foreach (var day in request.Days)
        {
            if (day < scenario.StartDay || day > scenario.LastDay)
            {
                throw new InputException(where, $"lactation day {day} is outside scenario '{scenario.Name}' (days {scenario.StartDay}-{scenario.LastDay})", "sample days inside the scenario's run");
            }
        }
        if (request.Days.Distinct().Count() != request.Days.Length)
        {
            throw new InputException(where, "a day is given twice", "list each day once");
        }
        if (request.Events < 100)
        {
            throw new InputException(InputLocation.AtElement(null, "--events"), $"{request.Events} events are too few for a sample", "give at least 100");
        }
        var cytometer = new VirtualCytometer(request.Panel, settings, calibration.Model);
        var breast = request.Breast ?? scenario.Events.OfType<IllnessEvent>().FirstOrDefault(e => e.Breast is not null)?.Breast ?? Breast.Left;
        var runDays = request.Days.Max() - scenario.StartDay + 1;
        var options = new SimulationOptions { Resolution = SimulationResolution.Daily, Detail = true, Days = runDays };
        SimulationResult run;
        if (request.MotherId is { } id)
        {
            var sampled = scenario with { Mother = scenario.Mother with { Mode = MotherMode.Sampled } };
            run = MotherSimulation.Simulate(calibration, sampled, MotherSimulation.MotherSeed(request.Seed, id), options, cancellation);
        }
        else
        {
            run = MotherSimulation.Simulate(calibration, scenario, request.Seed, options, cancellation);
        }
        var model = calibration.Model;
        var motherTag = request.MotherId is { } m ? $"m{m.ToString(CultureInfo.InvariantCulture)}" : $"{scenario.Name}-{request.Seed}";
        var samples = ImmutableArray.CreateBuilder<SynthesizedSample>();
        foreach (var day in request.Days)
        {
            cancellation.ThrowIfCancellationRequested();
            var row = run.BreastDays.Single(b => b.Day == day - scenario.StartDay && b.Breast == breast);
            if (!(row.MilkMl > 0))
            {
                throw new InputException(where, $"the {Side(breast)} breast gave no milk on lactation day {day}, so there is nothing to sample", "sample the other breast (--breast) or another day");
            }
            var rng = RandomStream.Derive(request.Seed, StreamLabel, request.MotherId is { } mm ? (ulong)mm : ulong.MaxValue, (ulong)day);
            var sampleId = $"{motherTag}-d{day}-{Side(breast)}";
            samples.Add(One(sampleId, request.MotherId is { } mo ? mo.ToString(CultureInfo.InvariantCulture) : motherTag, day, breast, row, model, settings, cytometer, request.Events, ref rng));
        }
        return samples.ToImmutable();
    }

    private static SynthesizedSample One(string id, string motherId, int day, Breast breast, BreastDayRow row, MilkModel model,
        VirtualCytometerSettings settings, VirtualCytometer cytometer, int events, ref RandomStream rng)
    {
        var types = model.CellTypes;
        var alivePerMl = new double[types.Length];
        var deadPerMl = new double[types.Length];
        for (var t = 0; t < types.Length; t++)
        {
            alivePerMl[t] = row.Counts[2 * t] / row.MilkMl;
            deadPerMl[t] = row.Counts[2 * t + 1] / row.MilkMl;
        }
        var cellsPerUl = (alivePerMl.Sum() + deadPerMl.Sum()) / 1000.0;
        var beads = (long)Math.Round(settings.BeadShare * events);
        var wantedMilkUl = (events - beads) / (cellsPerUl * (1 + settings.DebrisPerCell));
        var dilution = Significant(settings.TestVolumeUl / wantedMilkUl, 4);
        var milkUl = settings.TestVolumeUl / dilution;
        var alive = ImmutableArray.CreateBuilder<long>(types.Length);
        var dead = ImmutableArray.CreateBuilder<long>(types.Length);
        for (var t = 0; t < types.Length; t++)
        {
            alive.Add(Samplers.Poisson(ref rng, alivePerMl[t] * milkUl / 1000.0));
            dead.Add(Samplers.Poisson(ref rng, deadPerMl[t] * milkUl / 1000.0));
        }
        var debris = Samplers.Poisson(ref rng, settings.DebrisPerCell * cellsPerUl * milkUl);
        var tube = new TubeContents(alive.ToImmutable(), dead.ToImmutable(), debris, beads);
        var acquisition = cytometer.Acquire(tube, ref rng);

        var truth = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        double total = 0, viable = 0;
        var byClass = new Dictionary<string, double>(StringComparer.Ordinal) { ["epithelial"] = 0, ["leucocyte"] = 0, ["stem"] = 0 };
        for (var t = 0; t < types.Length; t++)
        {
            var c = alivePerMl[t] + deadPerMl[t];
            truth[Measures.OfType(types[t].Id)] = c;
            byClass[types[t].ClassKey] += c;
            total += c;
            viable += alivePerMl[t];
        }
        truth[Measures.Total] = total;
        foreach (var (cls, c) in byClass)
        {
            truth[Measures.OfClass(cls)] = c;
        }
        truth[Measures.PctLeucocyte] = 100 * byClass["leucocyte"] / total;
        truth[Measures.PctStem] = 100 * byClass["stem"] / total;
        truth[Measures.Viable] = viable / total;
        // The lab's measures are the model's chemistry of the same milk (volume-weighted over the breast's feeds that day),
        // given as they are: the virtual cytometer models counting noise, not the lab's culture or electrode error.
        var lab = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        lab[Measures.Bacteria] = row.Chemistry.BacteriaCfuPerMl;
        lab[Measures.Sodium] = row.Chemistry.SodiumMmolL;
        lab[Measures.Potassium] = row.Chemistry.PotassiumMmolL;
        foreach (var (measure, value) in lab)
        {
            truth[measure] = value;
        }
        truth[Measures.NaK] = row.Chemistry.NaKRatio;
        var info = new SampleInfo(id, motherId, day, Side(breast), null, InputLocation.InFile(id + ".fcs"));
        var counting = new CountingInfo(beads, settings.TestVolumeUl, null, dilution, lab.ToImmutable());
        return new SynthesizedSample(info, id + ".fcs", truth.ToImmutable(), milkUl, counting, tube, acquisition);
    }

    /// <summary>"left" or "right".</summary>
    public static string Side(Breast breast) => breast == Breast.Left ? "left" : "right";

    private static double Significant(double value, int digits)
    {
        var scale = Math.Pow(10, digits - 1 - (int)Math.Floor(Math.Log10(value)));
        return Math.Round(value * scale) / scale;
    }
}
