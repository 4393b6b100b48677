using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.Fcs;
using MilkCells.Model.Catalogue;
using MilkCells.Samples.Analysis;
using MilkCells.Samples.Input;
using MilkCells.Samples.Panels;
using MilkCells.TestSupport;

namespace MilkCells.Samples.Tests;

/// <summary>The report's gate plots on user panels: every drawable gate is drawn over exactly its parent's events.</summary>
public class GatePlotTests
{
    private const string Namespaces = "xmlns:gating=\"http://www.isac-net.org/std/Gating-ML/v2.0/gating\" xmlns:data-type=\"http://www.isac-net.org/std/Gating-ML/v2.0/datatypes\"";

    [Fact]
    public void A_one_dimensional_gate_is_drawn_against_side_scatter_over_its_parents_events()
    {
        using var dir = new TempDir("milkcells-gate-plots");
        var fcs = dir.File("tube.fcs");
        const int n = 200;
        var values = new double[3 * n];
        for (var e = 0; e < n; e++)
        {
            values[3 * e] = e;
            values[3 * e + 1] = n - e;
            values[3 * e + 2] = e % 7;
        }
        FcsWriter.Write(fcs, [new FcsWriteParameter("FSC-A"), new FcsWriteParameter("SSC-A"), new FcsWriteParameter("CD45-A")], values);
        var panelFile = dir.File("panel.xml");
        File.WriteAllText(panelFile, $"""
            <gating:Gating-ML {Namespaces}>
              <gating:RectangleGate gating:id="Cells"><gating:dimension gating:compensation-ref="uncompensated" gating:min="50" gating:max="150"><data-type:fcs-dimension data-type:name="FSC-A"/></gating:dimension></gating:RectangleGate>
              <gating:RectangleGate gating:id="Bright" gating:parent_id="Cells"><gating:dimension gating:compensation-ref="uncompensated" gating:min="3"><data-type:fcs-dimension data-type:name="CD45-A"/></gating:dimension></gating:RectangleGate>
            </gating:Gating-ML>
            """);
        var panel = BuiltInPanels.Load(panelFile, MilkModel.Embedded);
        var info = new SampleInfo("tube", null, null, null, null, InputLocation.InFile(fcs));
        var counting = new CountingInfo(null, null, null, 1, ImmutableSortedDictionary<string, double>.Empty);

        var sample = FcsSampleAnalyzer.Analyze(fcs, info, counting, panel, MilkModel.Embedded, plots: true);

        var plots = sample.Fcs!.Plots;
        Assert.Equal(["Cells", "Bright"], plots.Select(p => p.GateId));
        Assert.Equal(n, plots[0].ParentEvents);
        Assert.Equal(100, plots[0].GateEvents); // [50, 150)
        Assert.Equal(100, plots[1].ParentEvents);
        Assert.Equal(Enumerable.Range(50, 100).Count(e => e % 7 >= 3), plots[1].GateEvents);
        Assert.All(plots, p => Assert.InRange(p.Counts.Sum(), 0.99 * p.ParentEvents, p.ParentEvents));
    }
}
