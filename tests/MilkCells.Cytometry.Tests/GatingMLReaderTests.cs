using MilkCells.Core.Errors;
using MilkCells.Cytometry.Gating;
using MilkCells.Cytometry.Transforms;
using MilkCells.TestSupport;

namespace MilkCells.Cytometry.Tests;

/// <summary>Reading Gating-ML: the model it builds and the errors it gives for bad documents.</summary>
public class GatingMLReaderTests
{
    private const string Head = """
        <?xml version="1.0" encoding="UTF-8"?>
        <gating:Gating-ML xmlns:gating="http://www.isac-net.org/std/Gating-ML/v2.0/gating"
            xmlns:transforms="http://www.isac-net.org/std/Gating-ML/v2.0/transformations"
            xmlns:data-type="http://www.isac-net.org/std/Gating-ML/v2.0/datatypes">
        """;

    private const string Tail = "\n</gating:Gating-ML>\n";

    private static GatingDocument Read(string body) => GatingMLReader.Parse(Head + "\n" + body + Tail, "test.xml"); // body starts on line 5

    private static InputException Fails(string body) => Assert.ThrowsAny<InputException>(() => Read(body));

    private const string Range = """
        <gating:RectangleGate gating:id="R">
          <gating:dimension gating:compensation-ref="uncompensated" gating:min="1" gating:max="2">
            <data-type:fcs-dimension data-type:name="A" />
          </gating:dimension>
        </gating:RectangleGate>
        """;

    [Fact]
    public void The_all_gates_file_reads_into_its_gates_transformations_and_matrix()
    {
        var doc = GatingMLReader.ReadFile(Path.Combine(Shared.Require("conformance/gatingml/gml"), "gml_all_gates.xml"));
        Assert.Contains(doc.Gates, g => g is QuadrantGate { Id: "Quadrant1", Quadrants.Count: 4 });
        Assert.Contains(doc.Gates, g => g is BooleanGate { Id: "And3" } b && b.Operands.Any(o => o.Complement));
        Assert.Contains(doc.Gates, g => g is EllipsoidGate { Dimensions.Count: 2 });
        Assert.IsType<LogicleTransform>(doc.Transformations["Logicle_10000_0.5_4.5_0"].Scale);
        Assert.Equal(["FITC", "PE", "PerCP"], doc.SpectrumMatrices["MySpill"].Fluorochromes);
        Assert.Contains("FL2P-FL4P", doc.PopulationIds);
        Assert.DoesNotContain("Quadrant1", doc.PopulationIds);
    }

    [Fact]
    public void Elements_outside_gatingml_are_read_through_with_a_warning()
    {
        var doc = GatingMLReader.ReadFile(Path.Combine(Shared.Require("conformance/gatingml/gml"), "gml_range_gate_attr_testing.xml"));
        Assert.Equal(["Range1"], doc.PopulationIds);
        Assert.Contains(doc.Warnings, w => w.Contains("<sample>"));
    }

    [Fact]
    public void Broken_xml_names_the_line()
    {
        var ex = Assert.ThrowsAny<InputException>(() => GatingMLReader.Parse(Head + "<gating:RectangleGate>" + Tail, "bad.xml"));
        Assert.Contains("bad.xml:", ex.Message);
        Assert.Contains("not well-formed XML", ex.Message);
    }

    [Fact]
    public void Gatingml_1_5_is_refused_by_name()
    {
        var ex = Assert.ThrowsAny<InputException>(() => GatingMLReader.Parse("""<Gating-ML xmlns="http://www.isac-net.org/std/Gating-ML/v1.5/gating"/>""", "old.xml"));
        Assert.Contains("Gating-ML 1.5 is not supported", ex.Message);
    }

    [Fact]
    public void Every_problem_is_reported_with_its_line()
    {
        var ex = Fails("""
            <gating:RectangleGate gating:id="R1" gating:parent_id="Nope">
              <gating:dimension gating:compensation-ref="uncompensated" gating:transformation-ref="NoSuchScale" gating:min="1">
                <data-type:fcs-dimension data-type:name="A" />
              </gating:dimension>
            </gating:RectangleGate>
            <gating:PolygonGate gating:id="P1">
              <gating:dimension gating:compensation-ref="uncompensated"><data-type:fcs-dimension data-type:name="A" /></gating:dimension>
              <gating:dimension gating:compensation-ref="uncompensated"><data-type:fcs-dimension data-type:name="B" /></gating:dimension>
              <gating:vertex><gating:coordinate data-type:value="1" /><gating:coordinate data-type:value="1" /></gating:vertex>
              <gating:vertex><gating:coordinate data-type:value="2" /><gating:coordinate data-type:value="1" /></gating:vertex>
            </gating:PolygonGate>
            """);
        // The polygon's problem is found while reading; references are checked only once every element reads.
        Assert.Contains("test.xml:10", ex.Message);
        Assert.Contains("2 vertices", ex.Message);
        var refs = Fails(Range.Replace("gating:id=\"R\"", "gating:id=\"R\" gating:parent_id=\"Nope\"").Replace("compensation-ref=\"uncompensated\"", "compensation-ref=\"uncompensated\" gating:transformation-ref=\"NoSuchScale\""));
        var problems = Assert.IsType<InputProblemsException>(refs);
        Assert.Equal(2, problems.Problems.Count);
        Assert.Contains(problems.Problems, p => p.Message.Contains("parent 'Nope'"));
        Assert.Contains(problems.Problems, p => p.Message.Contains("transformation-ref 'NoSuchScale'"));
        Assert.All(problems.Problems, p => Assert.Equal(5, p.Location.Line));
    }

    [Theory]
    [InlineData("""<gating:RectangelGate gating:id="X"/>""", "is not a Gating-ML 2.0 gate")]
    [InlineData("""<transforms:transformation transforms:id="L"><transforms:logicle transforms:T="1000" transforms:W="3" transforms:M="4" transforms:A="0"/></transforms:transformation>""", "W must lie in [0, M/2]")]
    [InlineData("""<transforms:transformation transforms:id="L"><transforms:flog transforms:T="1000"/></transforms:transformation>""", "needs the numeric attribute M")]
    [InlineData("""<gating:BooleanGate gating:id="B"><gating:not><gating:gateReference gating:ref="R"/><gating:gateReference gating:ref="R"/></gating:not></gating:BooleanGate>""", "takes exactly 1")]
    [InlineData("""<gating:BooleanGate gating:id="B"><gating:and><gating:gateReference gating:ref="R"/><gating:gateReference gating:ref="Zed"/></gating:and></gating:BooleanGate>""", "operand 'Zed' is not a gate")]
    [InlineData("""<gating:RectangleGate gating:id="R"><gating:dimension gating:compensation-ref="uncompensated" gating:min="0"><data-type:fcs-dimension data-type:name="B"/></gating:dimension></gating:RectangleGate>""", "id 'R' is used twice")]
    [InlineData("""<gating:RectangleGate gating:id="S"><gating:dimension gating:compensation-ref="Spill9" gating:min="0"><data-type:fcs-dimension data-type:name="B"/></gating:dimension></gating:RectangleGate>""", "compensation-ref 'Spill9'")]
    [InlineData("""<gating:RectangleGate gating:id="S"><gating:dimension gating:min="0"><data-type:fcs-dimension data-type:name="B"/></gating:dimension></gating:RectangleGate>""", "needs a compensation-ref")]
    [InlineData("""<gating:RectangleGate gating:id="S"><gating:dimension gating:compensation-ref="uncompensated" gating:min="abc"><data-type:fcs-dimension data-type:name="B"/></gating:dimension></gating:RectangleGate>""", "min=\"abc\"")]
    [InlineData("""<gating:BooleanGate gating:id="B1" gating:parent_id="B2"><gating:not><gating:gateReference gating:ref="R"/></gating:not></gating:BooleanGate><gating:BooleanGate gating:id="B2" gating:parent_id="B1"><gating:not><gating:gateReference gating:ref="R"/></gating:not></gating:BooleanGate>""", "cycle")]
    public void Invalid_documents_are_input_errors_that_say_what_is_wrong(string body, string expected)
    {
        var ex = Fails(Range + body);
        Assert.Contains(expected, ex.Message);
        Assert.Contains("test.xml:", ex.Message);
    }

    [Fact]
    public void A_quadrant_gate_itself_is_not_a_population_to_refer_to()
    {
        var doc = GatingMLReader.ReadFile(Path.Combine(Shared.Require("conformance/gatingml/gml"), "gml_quadrant1_gate.xml"));
        var text = File.ReadAllText(Path.Combine(Shared.Require("conformance/gatingml/gml"), "gml_quadrant1_gate.xml"))
            .Replace("</gating:Gating-ML>", """<gating:BooleanGate gating:id="B"><gating:not><gating:gateReference gating:ref="Quadrant1"/></gating:not></gating:BooleanGate></gating:Gating-ML>""");
        var ex = Assert.ThrowsAny<InputException>(() => GatingMLReader.Parse(text, "q.xml"));
        Assert.Contains("is a quadrant gate; refer to one of its quadrants", ex.Message);
        Assert.Equal(4, doc.PopulationIds.Count);
    }
}
