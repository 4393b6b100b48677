using MilkCells.Core.Errors;
using MilkCells.Cytometry.Compensation;
using MilkCells.Cytometry.Gating;
using MilkCells.TestSupport;

namespace MilkCells.Cytometry.Tests;

/// <summary>Gate semantics as laws: bounds, partitions, boolean algebra, parents, compensation references.</summary>
public class GateEvaluatorTests
{
    private static EventMatrix Data1() => CytometrySample.Read(Path.Combine(Shared.Require("conformance/gatingml"), "data1.fcs")).Events;

    private static GatingDocument Gml(string file) => GatingMLReader.ReadFile(Path.Combine(Shared.Require("conformance/gatingml/gml"), file));

    [Fact]
    public void Rectangle_ranges_include_min_and_exclude_max()
    {
        var gate = new RectangleGate("R", null, [new RectangleDimension(new ChannelDimension("A", CompensationRef.Uncompensated), 1, 2)]);
        var doc = new GatingDocument([gate], new Dictionary<string, GmlTransformation>(), new Dictionary<string, SpilloverMatrix>());
        double[] values = [0.5, 1, 1.5, 2, double.NaN, double.PositiveInfinity];
        var result = GateEvaluator.Evaluate(doc, new EventMatrix(["A"], [values]));
        Assert.Equal([false, true, true, false, false, false], result.Membership("R").ToArray());
    }

    public static TheoryData<string> BandedScales => ["logicle", "logicle-a", "logicle-w0", "hyperlog"];

    private static Transforms.ScaleTransform BandedScale(string name) => name switch
    {
        "logicle" => new Transforms.LogicleTransform(262144, 0.5, 4.5),
        "logicle-a" => new Transforms.LogicleTransform(10000, 1, 4.5, 1),
        "logicle-w0" => new Transforms.LogicleTransform(262144, 0, 4.5),
        _ => new Transforms.HyperlogTransform(262144, 0.5, 4.5),
    };

    [Theory]
    [MemberData(nameof(BandedScales))]
    public void A_rectangle_on_a_logicle_or_hyperlog_scale_decides_every_event_as_its_transformed_value_does(string name)
    {
        // The evaluator compares raw data with decision bands around each cut; the reference transforms every value.
        var scale = BandedScale(name);
        double[] cuts = [-0.2, 0, 0.1, 0.46, 0.55, 0.86, 1, 1.3];
        var rng = new Random(11);
        var data = new List<double> { 0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon, 1e300, -1e300 };
        foreach (var cut in cuts)
        {
            // The data value of each cut, its neighbours to the last bit, and the edges of its band.
            var at = scale.Inverse(cut);
            var (below, above) = scale.DecisionBand(cut)!.Value;
            foreach (var v in new[] { at, below, above })
            {
                var (down, up) = (v, v);
                for (var k = 0; k < 4; k++)
                {
                    data.Add(down = Math.BitDecrement(down));
                    data.Add(up = Math.BitIncrement(up));
                }
                data.Add(v);
            }
            for (var k = 0; k < 200; k++)
            {
                data.Add(scale.Inverse(cut + (rng.NextDouble() - 0.5) * 1e-8));
            }
        }
        for (var k = 0; k < 20_000; k++)
        {
            data.Add((rng.Next(2) == 0 ? -1 : 1) * Math.Pow(10, rng.NextDouble() * 9 - 3));
        }
        var values = data.ToArray();
        var transformations = new Dictionary<string, GmlTransformation> { ["t"] = new("t", scale, null) };
        var dimension = new ChannelDimension("A", CompensationRef.Uncompensated, "t");
        var pairs = cuts.SelectMany(lo => cuts.Where(hi => hi > lo).Select(hi => ((double?)lo, (double?)hi)))
            .Concat(cuts.SelectMany(c => new[] { ((double?)c, (double?)null), (null, c) })).Append((null, null)).ToList();
        var gates = pairs.Select((p, k) => (Gate)new RectangleGate($"R{k}", null, [new RectangleDimension(dimension, p.Item1, p.Item2)])).ToList();
        var result = GateEvaluator.Evaluate(new GatingDocument(gates, transformations, new Dictionary<string, SpilloverMatrix>()), new EventMatrix(["A"], [values]));
        var transformed = values.Select(scale.Apply).ToArray();
        for (var k = 0; k < pairs.Count; k++)
        {
            var (lo, hi) = pairs[k];
            var expected = transformed.Select(x => x >= (lo ?? double.NegativeInfinity) && (hi is null || x < hi)).ToArray();
            Assert.Equal(expected, result.Membership($"R{k}").ToArray());
        }
        // The transformed column is still there for drawing, computed on request.
        Assert.Equal(transformed, result.DimensionValues(dimension)!.Value.ToArray());
        Assert.Null(result.DimensionValues(dimension with { TransformationRef = null }));
    }

    [Fact]
    public void The_quadrants_of_a_quadrant_gate_partition_the_events()
    {
        var result = GateEvaluator.Evaluate(Gml("gml_quadrant1_gate.xml"), Data1());
        var quadrants = result.PopulationIds.Select(id => result.Membership(id).ToArray()).ToList();
        for (var e = 0; e < result.EventCount; e++)
        {
            Assert.Equal(1, quadrants.Count(q => q[e]));
        }
    }

    [Fact]
    public void Boolean_gates_obey_boolean_algebra_on_real_data()
    {
        var result = GateEvaluator.Evaluate(Gml("gml_all_gates.xml"), Data1());
        var ellipse = result.Membership("Ellipse1").ToArray();
        var not1 = result.Membership("Not1").ToArray();
        var and3 = result.Membership("And3").ToArray(); // Polygon1 ∧ Range1 ∧ ¬Ellipse1
        var polygon = result.Membership("Polygon1").ToArray();
        var range = result.Membership("Range1").ToArray();
        for (var e = 0; e < result.EventCount; e++)
        {
            Assert.Equal(!ellipse[e], not1[e]);
            Assert.Equal(polygon[e] && range[e] && !ellipse[e], and3[e]);
        }
    }

    [Fact]
    public void A_child_gate_holds_only_its_parents_events()
    {
        var result = GateEvaluator.Evaluate(Gml("gml_parent_quadrant_rect_gate.xml"), Data1());
        var parent = result.Membership("FL2P-FL4P");
        var child = result.Membership("ParRectangle1");
        for (var e = 0; e < result.EventCount; e++)
        {
            Assert.True(!child[e] || parent[e]);
        }
        Assert.InRange(result.Count("ParRectangle1"), 1, result.Count("FL2P-FL4P"));
    }

    [Fact]
    public void Fcs_compensation_uses_the_samples_spillover_matrix()
    {
        // Polygon1 gates FL2-H × FL3-H with compensation-ref="FCS": a strong spillover must change who is inside.
        var doc = Gml("gml_poly1_gate.xml");
        var events = Data1();
        var plain = GateEvaluator.Evaluate(doc, events);
        Assert.Contains(plain.Warnings, w => w.Contains("no spillover matrix"));
        var spill = SpilloverMatrix.ParseFcsKeyword("2,FL2-H,FL3-H,1,0.5,0.2,1");
        var compensated = GateEvaluator.Evaluate(doc, events, spill);
        Assert.Empty(compensated.Warnings);
        Assert.NotEqual(plain.Count("Polygon1"), compensated.Count("Polygon1"));
        // And the compensated gate equals the plain gate on compensated events.
        var viaEvents = GateEvaluator.Evaluate(doc, new Compensator(spill).Apply(events));
        Assert.Equal(viaEvents.Membership("Polygon1").ToArray(), compensated.Membership("Polygon1").ToArray());
    }

    [Fact]
    public void A_gate_on_a_missing_channel_names_the_gate_and_the_channel()
    {
        var doc = Gml("gml_rect1_gate.xml");
        var events = new EventMatrix(["FSC-H", "SSC-H"], [[1.0], [2.0]]);
        var ex = Assert.Throws<InputException>(() => GateEvaluator.Evaluate(doc, events));
        Assert.Contains("RectangleGate 'Rectangle1'", ex.Message);
        Assert.Contains("no channel named 'FL1-H'", ex.Message);
    }

    [Fact]
    public void Gating_many_events_in_parallel_agrees_with_gating_them_in_pieces()
    {
        // Columns above the parallel threshold are split across cores; the result must not depend on it.
        var doc = Gml("gml_all_gates.xml");
        var events = Data1();
        var big = new EventMatrix(events.Names, Enumerable.Range(0, events.ChannelCount)
            .Select(c => Enumerable.Repeat(events.Column(c).ToArray(), 8).SelectMany(x => x).ToArray()).ToList());
        var small = GateEvaluator.Evaluate(doc, events);
        var large = GateEvaluator.Evaluate(doc, big);
        foreach (var id in small.PopulationIds)
        {
            Assert.Equal(8 * small.Count(id), large.Count(id));
            Assert.Equal(small.Membership(id).ToArray(), large.Membership(id).Slice(events.EventCount * 5, events.EventCount).ToArray());
        }
    }

    private const string Ns = """
        xmlns:gating="http://www.isac-net.org/std/Gating-ML/v2.0/gating"
        xmlns:transforms="http://www.isac-net.org/std/Gating-ML/v2.0/transformations"
        xmlns:data-type="http://www.isac-net.org/std/Gating-ML/v2.0/datatypes"
        """;

    [Fact]
    public void Bounded_transformations_clamp_their_results()
    {
        // flin(T=10, A=0) maps 0…10 to 0…1; boundMax 0.5 lowers everything above 5 to 0.5, so [0.5, ∞) holds all x ≥ 5.
        var gml = $"""
            <gating:Gating-ML {Ns}>
              <transforms:transformation transforms:id="L" transforms:boundMin="0.2" transforms:boundMax="0.5">
                <transforms:flin transforms:T="10" transforms:A="0" />
              </transforms:transformation>
              <gating:RectangleGate gating:id="Top"><gating:dimension gating:compensation-ref="uncompensated" gating:transformation-ref="L" gating:min="0.5" gating:max="0.50001">
                <data-type:fcs-dimension data-type:name="X" /></gating:dimension></gating:RectangleGate>
              <gating:RectangleGate gating:id="Bottom"><gating:dimension gating:compensation-ref="uncompensated" gating:transformation-ref="L" gating:max="0.2000001">
                <data-type:fcs-dimension data-type:name="X" /></gating:dimension></gating:RectangleGate>
            </gating:Gating-ML>
            """;
        double[] x = [-3, 0, 1, 2, 4, 5, 7, 100];
        var result = GateEvaluator.Evaluate(GatingMLReader.Parse(gml), new EventMatrix(["X"], [x]));
        Assert.Equal(x.Select(v => v >= 5).ToArray(), result.Membership("Top").ToArray());
        Assert.Equal(x.Select(v => v <= 2).ToArray(), result.Membership("Bottom").ToArray());
    }

    [Fact]
    public void An_already_inverted_spectrum_matrix_compensates_like_its_spillover()
    {
        // The compliance suite's MySpill, and the same matrix given already inverted, must gate identically.
        var doc = Gml("gml_matrix_rect3_gate.xml");
        var spill = doc.SpectrumMatrices["MySpill"];
        var inverse = new Compensator(spill).Matrix;
        string Spectrum(double[,] m, int row) =>
            string.Concat(Enumerable.Range(0, m.GetLength(1)).Select(j => $"<transforms:coefficient transforms:value=\"{m[row, j].ToString("R", System.Globalization.CultureInfo.InvariantCulture)}\" />"));
        var text = File.ReadAllText(Path.Combine(Shared.Require("conformance/gatingml/gml"), "gml_matrix_rect3_gate.xml"));
        var start = text.IndexOf("<transforms:spectrum>", StringComparison.Ordinal);
        var end = text.LastIndexOf("</transforms:spectrum>", StringComparison.Ordinal) + "</transforms:spectrum>".Length;
        var inverted = text[..start]
            + string.Concat(Enumerable.Range(0, 3).Select(i => $"<transforms:spectrum>{Spectrum(inverse, i)}</transforms:spectrum>"))
            + text[end..];
        inverted = inverted.Replace("transforms:id=\"MySpill\"", "transforms:id=\"MySpill\" transforms:matrix-inverted-already=\"true\"");
        var events = Data1();
        var plain = GateEvaluator.Evaluate(doc, events);
        var pre = GateEvaluator.Evaluate(GatingMLReader.Parse(inverted), events);
        Assert.True(GatingMLReader.Parse(inverted).SpectrumMatrices["MySpill"].InvertedAlready);
        Assert.Equal(plain.Membership("Rectangle3").ToArray(), pre.Membership("Rectangle3").ToArray());
        Assert.InRange(plain.Count("Rectangle3"), 1, events.EventCount - 1);
    }
}
