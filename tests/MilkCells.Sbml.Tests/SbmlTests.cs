using MilkCells.Core.Errors;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Catalog;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Ensembles;
using MilkCells.Engine.Model;
using MilkCells.Engine.Simulation;
using MilkCells.TestSupport;

namespace MilkCells.Sbml.Tests;

public class SbmlTests
{
    private static EnsembleResult Simulate(Network network, int n = 64, double until = 50)
    {
        var times = RunOptions.EvenlySpaced(0, until, 11);
        return Ensemble.Run(CompiledNetwork.Compile(network), Algorithm.Direct, new EnsembleOptions
        {
            Trajectories = n,
            Seed = 2024,
            EndTime = until,
            RecordTimes = times,
        });
    }

    private static long[] Bits(double[] values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();

    [Theory]
    [MemberData(nameof(Cases.All), MemberType = typeof(Cases))]
    public void Level_2_and_level_3_files_of_a_case_simulate_identically(string id)
    {
        var l3 = SbmlImporter.ReadFile(Cases.Model(id, "l3v1"));
        var l2 = SbmlImporter.ReadFile(Cases.Model(id, "l2v4"));
        var a = Simulate(l3);
        var b = Simulate(l2);
        Assert.Equal(a.SpeciesIds, b.SpeciesIds);
        Assert.Equal(Bits(a.Mean), Bits(b.Mean));
        Assert.Equal(Bits(a.StandardDeviation), Bits(b.StandardDeviation));
    }

    [Theory]
    [MemberData(nameof(Cases.All), MemberType = typeof(Cases))]
    public void Every_case_exports_as_valid_sbml_that_reimports_to_the_same_results(string id)
    {
        var original = SbmlImporter.ReadFile(Cases.Model(id));
        AssertRoundTrip(original);
    }

    [Fact]
    public void The_multistate_benchmark_imports_and_round_trips()
    {
        var network = SbmlImporter.ReadFile(Shared.Require("models/multistate.sbml.xml"));
        Assert.Equal(9, network.Species.Count);
        Assert.Equal(18, network.Reactions.Count);
        Assert.Equal("R(a,l)", network.Species[0].Info.Name);
        AssertRoundTrip(network, until: 5);
    }

    [Fact]
    public void A_network_using_every_construct_round_trips_with_its_notes_and_annotations()
    {
        var network = KitchenSink();
        var reimported = AssertRoundTrip(network, until: 20);
        Assert.Equal(network.Info, reimported.Info);
        foreach (var s in network.Species)
        {
            Assert.Equal(s, reimported.Species.Single(x => x.Id == s.Id));
        }
        Assert.Equal(network.Compartments, reimported.Compartments);
        Assert.Equal(network.Parameters, reimported.Parameters);
        var driver = Assert.Single(reimported.Drivers);
        Assert.Equal(network.Drivers[0].Changes, driver.Changes);
        Assert.Equal(network.Drivers[0].Info, driver.Info);
        Assert.Equal(network.Reactions.Select(r => r.Info), reimported.Reactions.Select(r => r.Info));
        Assert.Equal(network.Events.Select(e => (e.Id, e.TriggerInitialValue, e.Info)), reimported.Events.Select(e => (e.Id, e.TriggerInitialValue, e.Info)));
    }

    [Fact]
    public void Catalogue_networks_round_trip()
    {
        AssertRoundTrip(StandardModels.Dimerisation());
        AssertRoundTrip(StandardModels.ReactionDiffusionRing(20), n: 8, until: 2);
    }

    /// <summary>Export, validate with libSBML (no errors), re-import, and simulate: results must be bit-identical.</summary>
    private static Network AssertRoundTrip(Network original, int n = 64, double until = 50)
    {
        var xml = SbmlExporter.Write(original);
        var errors = SbmlExporter.Validate(xml).Where(i => i.IsError).ToArray();
        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => $"line {e.Line}: {e.Message}")));
        var reimported = SbmlImporter.ReadString(xml, "round-trip");
        var a = Simulate(original, n, until);
        var b = Simulate(reimported, n, until);
        Assert.Equal(a.SpeciesIds, b.SpeciesIds);
        Assert.Equal(Bits(a.Mean), Bits(b.Mean));
        Assert.Equal(Bits(a.StandardDeviation), Bits(b.StandardDeviation));
        return reimported;
    }

    internal static Network KitchenSink() => new NetworkBuilder("kitchen_sink")
        .Info(ElementInfo.With("Every construct", "A test model.\nSecond line & <markup>.", ("source", "written for the tests"), ("version", "1")))
        .Compartment("breast", 2, info: ElementInfo.With("Left breast", annotations: ("unit", "mL")))
        .Compartment("gut", 1, constant: false)
        .Function("hill", ["x", "k"], "x^2 / (k^2 + x^2)")
        .Parameter("k_shed", 5, info: ElementInfo.With(notes: "Shedding rate", annotations: [("source", "doi:10.0/x"), ("confidence", "Medium")]))
        .Parameter("k_die", 0.1)
        .Parameter("k_bind", 0.002)
        .Parameter("threshold", 40)
        .Parameter("scale", 1, constant: false)
        .Driver("stage", 1, [(5, 2), (12.5, 0.5)], ElementInfo.With("Lactation stage", annotations: ("unit", "1")))
        .Species("L", 10, "breast", info: ElementInfo.With("Lactocytes"))
        .Species("M", 0, "breast", amountInExpressions: false)
        .Species("D", 0, "breast")
        .Species("Sink", 0, "gut", boundary: true)
        .Species("Total", 0, "breast")
        .Species("Marker", 3, "gut", constant: true)
        .MassAction("shed", "-> L", "k_shed * stage * scale", ElementInfo.With(notes: "Epithelial shedding"))
        .MassAction("die", "L -> D", "k_die")
        .MassAction("pair", "2 L -> M", "k_bind")
        .Reaction("clear", "M -> Sink", "k_clear * M * hill(M, 3) + 0 * Marker", localParameters: [("k_clear", 0.4)])
        .Reaction("leak", "D ->", "piecewise(k_die * D, D > 2, 0) + k_die * sqrt(D) * log10(D + 1) * ln(D + 1)")
        .Rule("Total", "L + D")
        .InitialAssignment("threshold", "20 * 2")
        .Event("burst", "L > threshold", [("L", "1"), ("scale", "scale * 1.5")], info: ElementInfo.With(notes: "Reset after a burst"))
        .Event("late", "time >= 15 && D >= 0", [("D", "0"), ("gut", "2")], triggerInitialValue: true)
        .Build();

    [Fact]
    public void Concentration_species_local_parameters_and_boundary_species_follow_sbml_semantics()
    {
        // 00011: X is a concentration in a compartment of size 2, so Lambda·X is Lambda·amount/2.
        var c11 = CompiledNetwork.Compile(SbmlImporter.ReadFile(Cases.Model("00011")));
        var n11 = c11.Network;
        var lambda = n11.Parameters.Single(p => p.Id == "Lambda").Value;
        var size = n11.Compartments.Single().Size;
        var x = n11.Species.Single().InitialAmount;
        Assert.False(n11.Species.Single().AmountInExpressions);
        Assert.Equal(lambda * x / size, InitialPropensity(c11, "Birth"), 12);

        // 00022: Immigration's local Alpha shadows the global one.
        var c22 = CompiledNetwork.Compile(SbmlImporter.ReadFile(Cases.Model("00022")));
        var local = c22.Network.Reactions.Single(r => r.Id == "Immigration").LocalParameters.Single();
        Assert.NotEqual(c22.Network.Parameters.Single(p => p.Id == local.Id).Value, local.Value);
        Assert.Equal(local.Value, InitialPropensity(c22, "Immigration"));

        // 00024: boundary Source and Sink never change.
        var r24 = Simulate(SbmlImporter.ReadFile(Cases.Model("00024")));
        var source = r24.SpeciesIds.ToList().IndexOf("Source");
        var sink = r24.SpeciesIds.ToList().IndexOf("Sink");
        for (var k = 0; k < r24.Times.Count; k++)
        {
            Assert.Equal(0, r24.MeanAt(k, source));
            Assert.Equal(0, r24.MeanAt(k, sink));
        }
    }

    private static double InitialPropensity(CompiledNetwork c, string reaction) => c.InitialPropensity(reaction);

    private const string Header = """<?xml version="1.0" encoding="UTF-8"?><sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1"><model id="m">""";

    private static string Model(string body) => Header + body + "</model></sbml>";

    private const string Basic = """
        <listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>
        <listOfSpecies><species id="X" compartment="c" initialAmount="5" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/></listOfSpecies>
        <listOfParameters><parameter id="k" value="1" constant="true"/></listOfParameters>
        """;

    private static string Reaction(string stoichiometry, string math) => $"""
        <listOfReactions><reaction id="R" reversible="false" fast="false">
          <listOfReactants><speciesReference species="X" stoichiometry="{stoichiometry}" constant="true"/></listOfReactants>
          <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML">{math}</math></kineticLaw>
        </reaction></listOfReactions>
        """;

    [Fact]
    public void A_file_that_is_not_sbml_is_an_input_error()
    {
        var ex = Assert.Throws<InputException>(() => SbmlImporter.ReadString("this is not XML", "notes.txt"));
        Assert.Contains("notes.txt", ex.Message);
        Assert.Contains("not a valid SBML document", ex.Message);
        var missing = Assert.Throws<InputException>(() => SbmlImporter.ReadFile("/nonexistent/model.xml"));
        Assert.Contains("file not found", missing.Message);
    }

    [Fact]
    public void An_undefined_identifier_names_the_reaction()
    {
        var network = SbmlImporter.ReadString(Model(Basic + Reaction("1", "<apply><times/><ci>kk</ci><ci>X</ci></apply>")), "m.xml");
        var ex = Assert.Throws<InputProblemsException>(() => CompiledNetwork.Compile(network));
        Assert.Contains("m.xml", ex.Message);
        Assert.Contains("reaction 'R'", ex.Message);
        Assert.Contains("undefined identifier 'kk'", ex.Message);
    }

    [Theory]
    [InlineData("rate rule", """<listOfRules><rateRule variable="k"><math xmlns="http://www.w3.org/1998/Math/MathML"><cn>1</cn></math></rateRule></listOfRules>""", "rate rule")]
    [InlineData("delay", """<listOfEvents><event id="e" useValuesFromTriggerTime="true"><trigger initialValue="false" persistent="true"><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><gt/><ci>X</ci><cn>3</cn></apply></math></trigger><delay><math xmlns="http://www.w3.org/1998/Math/MathML"><cn>1</cn></math></delay><listOfEventAssignments><eventAssignment variable="X"><math xmlns="http://www.w3.org/1998/Math/MathML"><cn>0</cn></math></eventAssignment></listOfEventAssignments></event></listOfEvents>""", "event 'e'")]
    public void Unsupported_constructs_are_named(string what, string extra, string element)
    {
        var xml = Model(Basic + Reaction("1", "<apply><times/><ci>k</ci><ci>X</ci></apply>") + extra);
        var ex = Assert.Throws<InputProblemsException>(() => SbmlImporter.ReadString(xml, "m.xml"));
        Assert.Contains(element, ex.Message);
        Assert.Contains("not supported", ex.Message);
        Assert.Contains(what, ex.Message);
    }

    [Fact]
    public void Fractional_stoichiometry_is_refused()
    {
        var ex = Assert.Throws<InputProblemsException>(() =>
            SbmlImporter.ReadString(Model(Basic + Reaction("1.5", "<apply><times/><ci>k</ci><ci>X</ci></apply>")), "m.xml"));
        Assert.Contains("reaction 'R'", ex.Message);
        Assert.Contains("1.5", ex.Message);
    }
}
