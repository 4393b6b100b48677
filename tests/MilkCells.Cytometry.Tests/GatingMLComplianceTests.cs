using MilkCells.Cytometry.Gating;
using MilkCells.TestSupport;

namespace MilkCells.Cytometry.Tests;

/// <summary>The ISAC Gating-ML 2.0 compliance suite, on data1.fcs read by the project's own FCS reader.</summary>
public class GatingMLComplianceTests
{
    [Fact]
    public void Every_gate_of_every_gate_file_matches_its_expected_membership_event_by_event()
    {
        var dir = Shared.Require("conformance/gatingml");
        var sample = CytometrySample.Read(Path.Combine(dir, "data1.fcs"));
        Assert.Null(sample.Spillover); // data1.fcs has no spillover keyword: "FCS" compensation leaves values as measured
        var report = ComplianceSuite.Run(dir, sample.Events);

        var failures = report.Checks.Where(c => !c.Passed)
            .Select(c => $"{c.GateFile} {c.PopulationId}: {c.Error ?? $"{c.Mismatches} events differ (first #{c.FirstMismatch}); expected {c.Expected} inside, found {c.Actual}"}")
            .ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // Every one of the 47 gate files was read and every result file was checked at least once.
        Assert.Equal(Directory.GetFiles(Path.Combine(dir, "gml"), "*.xml").Length, report.Checks.Select(c => c.GateFile).Distinct().Count()
            + report.PopulationsWithoutResults.Select(p => p.Split(':')[0]).Distinct().Count(f => report.Checks.All(c => c.GateFile != f)));
        Assert.Empty(report.UncheckedResultFiles);
        Assert.Equal(["gml_ellipse2_gate.xml: myEllipse2"], report.PopulationsWithoutResults);
        Assert.True(report.Checks.All(c => c.Expected > 0 || c.Actual == 0));
    }

    [Fact]
    public void The_suite_fails_gates_that_are_wrong()
    {
        // Sanity of the checker itself: shifting every event changes the membership of the rectangle gates.
        var dir = Shared.Require("conformance/gatingml");
        var sample = CytometrySample.Read(Path.Combine(dir, "data1.fcs"));
        var shifted = new EventMatrix(sample.Events.Names,
            Enumerable.Range(0, sample.Events.ChannelCount).Select(c => sample.Events.Column(c).ToArray().Select(v => v * 1.05).ToArray()).ToList());
        var report = ComplianceSuite.Run(dir, shifted);
        Assert.True(report.Failed > report.Checks.Count / 2, $"only {report.Failed} of {report.Checks.Count} failed");
    }
}
