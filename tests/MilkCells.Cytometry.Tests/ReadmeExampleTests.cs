using MilkCells.Cytometry.Compensation;
using MilkCells.Cytometry.Gating;
using MilkCells.Cytometry.Transforms;
using MilkCells.TestSupport;

namespace MilkCells.Cytometry.Tests;

/// <summary>The README's code example, run on a real file: read, compensate, transform, gate.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void Read_compensate_transform_and_gate_as_the_readme_shows()
    {
        var sample = CytometrySample.Read(Shared.Require("fcs/compensation/flowkit/test_comp_example.fcs"));
        var spill = SpilloverFile.Read(Shared.Require("fcs/compensation/flowkit/comp_complete_example.csv"));
        var compensated = new Compensator(spill).Apply(sample.Events);
        var pe = new LogicleTransform(t: 262144, w: 0.5, m: 4.5).ApplyColumn(compensated.ColumnMemory(compensated.RequireIndex("PE-A")));

        // The same logicle range written as Gating-ML, compensated by the same matrix through compensation-ref="FCS".
        const string gml = """
            <gating:Gating-ML xmlns:gating="http://www.isac-net.org/std/Gating-ML/v2.0/gating"
                xmlns:transforms="http://www.isac-net.org/std/Gating-ML/v2.0/transformations"
                xmlns:data-type="http://www.isac-net.org/std/Gating-ML/v2.0/datatypes">
              <transforms:transformation transforms:id="L">
                <transforms:logicle transforms:T="262144" transforms:W="0.5" transforms:M="4.5" transforms:A="0" />
              </transforms:transformation>
              <gating:RectangleGate gating:id="PEbright">
                <gating:dimension gating:compensation-ref="FCS" gating:transformation-ref="L" gating:min="0.6">
                  <data-type:fcs-dimension data-type:name="PE-A" />
                </gating:dimension>
              </gating:RectangleGate>
            </gating:Gating-ML>
            """;
        var result = GateEvaluator.Evaluate(GatingMLReader.Parse(gml), sample.Events, spill);
        Assert.Equal(pe.Count(v => v >= 0.6), result.Count("PEbright"));
        Assert.InRange(result.Count("PEbright"), 1, result.EventCount - 1);
    }
}
