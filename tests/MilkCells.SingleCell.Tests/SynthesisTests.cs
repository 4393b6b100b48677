using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.SingleCell.Analysis;
using MilkCells.SingleCell.Annotation;
using MilkCells.SingleCell.Synthesis;

namespace MilkCells.SingleCell.Tests;

/// <summary>Synthetic milk samples from the model, annotated back into the model's cell types.</summary>
public sealed class SynthesisTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(3, 2500)]
    [InlineData(10, 2500)]
    [InlineData(60, 2500)]
    public void Cells_are_annotated_to_their_true_class(int day, int cells)
    {
        var model = MilkModel.Embedded;
        var calibrated = model.Calibrate(null);
        var scenario = ScenarioLoader.Load("healthy", model);
        var sample = Synthesizer.Synthesize(calibrated, scenario, day, cells, 1, Synthesizer.DefaultBackgroundGenes, new Work(2));
        var result = Pipeline.Run(sample.Matrix, MarkerCatalogue.FromModel(model), new PipelineOptions { Seed = 1 }, new Work(2));
        var classOf = model.CellTypes.ToDictionary(t => t.Id, t => t.ClassKey);
        int singlets = 0, rightClass = 0, rightType = 0;
        for (var k = 0; k < result.CellCount; k++)
        {
            var truth = sample.Cells[result.Cells[k]];
            if (truth.IsDoublet)
            {
                continue;
            }
            singlets++;
            var call = result.Annotation.CellType(k);
            rightType += call == truth.Type ? 1 : 0;
            rightClass += call != AnnotationResult.Unassigned && classOf[call] == truth.Class ? 1 : 0;
        }
        var classAccuracy = (double)rightClass / singlets;
        output.WriteLine($"day {day} ({sample.Stage}): {result.CellCount} of {cells} cells after QC, {singlets} singlets, class {classAccuracy:P1}, type {(double)rightType / singlets:P1}, clusters {result.Clusters.Count}");
        foreach (var (type, cls, share, drawn) in sample.Composition)
        {
            var called = Enumerable.Range(0, result.CellCount).Count(k => result.Annotation.CellType(k) == type);
            output.WriteLine($"  {type} ({cls}): share {share:P2}, drawn {drawn}, called {called}");
        }
        foreach (var w in result.Warnings)
        {
            output.WriteLine("  warning: " + w);
        }
        foreach (var (step, time, _) in result.Timings)
        {
            output.WriteLine($"  {step}: {time.TotalMilliseconds:F0} ms");
        }
        Assert.True(classAccuracy >= 0.9, $"class accuracy {classAccuracy:P1}");
        // composition by class within sampling error of the mother's true shares: the count of a class among the N
        // cells analysed is binomial(N, p) if every call were right; allow 3.29 sd (two-sided 99.9 %)
        var n = result.CellCount;
        foreach (var cls in sample.Composition.Select(c => c.Class).Distinct())
        {
            var p = sample.Composition.Where(c => c.Class == cls).Sum(c => c.Share);
            var called = Enumerable.Range(0, n).Count(k => result.Annotation.CellType(k) is var t && t != AnnotationResult.Unassigned && classOf[t] == cls);
            var sd = Math.Sqrt(n * p * (1 - p));
            output.WriteLine($"  class {cls}: true share {p:P2}, called {called} of {n} (expected {n * p:F0} ± {sd:F1})");
            Assert.True(Math.Abs(called - n * p) <= 3.29 * sd + 1, $"{cls}: called {called}, expected {n * p:F1} ± {sd:F1}");
        }
    }
}
