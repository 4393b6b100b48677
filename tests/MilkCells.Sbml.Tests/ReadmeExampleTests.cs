using MilkCells.Core.Random;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Model;
using MilkCells.Engine.Simulation;

namespace MilkCells.Sbml.Tests;

/// <summary>The README's engine example, as code that must keep compiling and doing what the README says.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_runs_a_year_with_three_hourly_feeds_and_exports_valid_sbml()
    {
        const ulong seed = 1;
        var network = new NetworkBuilder("breast")
            .Parameter("shed", 2e4, info: ElementInfo.With(notes: "cells/h after a feed", annotations: ("source", "doi:…")))
            .Parameter("death", 0.1)
            .Driver("stage", 1, [(5 * 24, 0.5), (14 * 24, 0.2)])
            .Species("Lactocytes", 1e5).Species("Infant", 0)
            .MassAction("shedding", "-> Lactocytes", "shed * stage")
            .MassAction("dying", "Lactocytes ->", "death")
            .Build();
        var compiled = CompiledNetwork.Compile(network);
        int lc = compiled.SlotOf("Lactocytes"), infant = compiled.SlotOf("Infant");
        var feeds = 0;
        void Feed(InterventionContext ctx)
        {
            var removed = Samplers.Binomial(ref ctx.Random, (long)ctx[lc], 0.3);
            ctx[lc] -= removed;
            ctx[infant] += removed;
            feeds++;
            ctx.Schedule(ctx.Time + 3, Feed);
        }
        var sim = new Simulator(compiled, Algorithm.Auto);
        var rng = RandomStream.Derive(seed, 0);
        var observed = new List<double>();
        var run = sim.Run(ref rng, new RunOptions
        {
            EndTime = 365 * 24,
            RecordTimes = RunOptions.EvenlySpaced(0, 365 * 24, 366),
            Interventions = [new Intervention(3, Feed, "feed")],
            Observer = (in Observation o) => observed.Add(o.Species[0]),
        });
        Assert.Equal(365 * 24 / 3, feeds);
        Assert.Equal(366, observed.Count);
        Assert.True(run.Leaps > 0, "a year of 10⁵ cells should leap");
        // Between feeds the count relaxes towards shed·stage/death; with 30 % removed every 3 h it stays below that.
        Assert.InRange(run.FinalAmounts[0], 0, 2e4 * 0.2 / 0.1);
        Assert.True(run.FinalAmounts[1] > 1e6);
        var errors = SbmlExporter.Validate(SbmlExporter.Write(network)).Where(e => e.IsError);
        Assert.Empty(errors);
    }
}
