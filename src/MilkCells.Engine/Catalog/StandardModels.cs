using System.Globalization;
using MilkCells.Engine.Model;

namespace MilkCells.Engine.Catalog;

/// <summary>Standard networks with known answers, shared by the tests, the benchmarks and the docs.</summary>
/// <remarks>Modelled on GillesPy2's <c>test/example_models.py</c>: each model names the result a test can derive.</remarks>
public static class StandardModels
{
    /// <summary>Linear birth–death X → 2X (λ), X → ∅ (μ), as DSMTS 00001 (X0 = 100) and 00005 (X0 = 10,000).</summary>
    /// <remarks>
    /// Mean X0·e^{(λ−μ)t}; variance X0·(λ+μ)/(λ−μ)·e^{(λ−μ)t}(e^{(λ−μ)t} − 1) (Bailey 1964, The Elements of
    /// Stochastic Processes, §8.6). Expected firings over [0, T]: (λ+μ)·X0·(e^{(λ−μ)T} − 1)/(λ−μ).
    /// </remarks>
    public static Network BirthDeath(double x0 = 100, double lambda = 0.1, double mu = 0.11) =>
        new NetworkBuilder("birth_death")
            .Compartment("Cell")
            .Parameter("Lambda", lambda)
            .Parameter("Mu", mu)
            .Species("X", x0, "Cell")
            .MassAction("Birth", "X -> 2 X", "Lambda")
            .MassAction("Death", "X ->", "Mu")
            .Build();

    /// <summary>Immigration–death ∅ → X (α), X → ∅ (μ·X), as DSMTS 00020.</summary>
    /// <remarks>From X0 = 0, X(t) is Poisson with mean (α/μ)(1 − e^{−μt}) (so variance = mean).</remarks>
    public static Network ImmigrationDeath(double alpha = 1, double mu = 0.1, double x0 = 0) =>
        new NetworkBuilder("immigration_death")
            .Compartment("Cell")
            .Parameter("Alpha", alpha)
            .Parameter("Mu", mu)
            .Species("X", x0, "Cell")
            .MassAction("Immigration", "-> X", "Alpha")
            .MassAction("Death", "X ->", "Mu")
            .Build();

    /// <summary>Dimerisation 2P → P2 (k1, propensity k1·P(P−1)/2), P2 → 2P (k2), as DSMTS 00030.</summary>
    public static Network Dimerisation(double p0 = 100, double k1 = 0.001, double k2 = 0.01) =>
        new NetworkBuilder("dimerisation")
            .Compartment("Cell")
            .Parameter("k1", k1)
            .Parameter("k2", k2)
            .Species("P", p0, "Cell")
            .Species("P2", 0, "Cell")
            .MassAction("Dimerisation", "2 P -> P2", "k1")
            .MassAction("Disassociation", "P2 -> 2 P", "k2")
            .Build();

    /// <summary>A ring of <paramref name="sites"/> sites, each with immigration, death and hops to both
    /// neighbours: 4·sites reactions (1,200 for 300 sites), the large sparse network of the benchmarks.</summary>
    /// <remarks>
    /// Hops conserve molecules and every site is alike, so each site's count is Poisson with mean
    /// (α/μ)(1 − e^{−μt}) from empty, exactly as immigration–death: hopping moves molecules without changing the
    /// per-site immigration–death balance (the generating function factorises; Gardiner 2009, Stochastic
    /// Methods, §8.2).
    /// </remarks>
    public static Network ReactionDiffusionRing(int sites = 300, double alpha = 10, double mu = 0.1, double hop = 1.0)
    {
        var b = new NetworkBuilder($"ring_{sites}")
            .Compartment("Cell")
            .Parameter("alpha", alpha)
            .Parameter("mu", mu)
            .Parameter("hop", hop);
        string X(int i) => "X" + ((i % sites + sites) % sites).ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < sites; i++)
        {
            b.Species(X(i), 0, "Cell");
        }
        for (var i = 0; i < sites; i++)
        {
            b.MassAction($"in{i}", $"-> {X(i)}", "alpha")
                .MassAction($"out{i}", $"{X(i)} ->", "mu")
                .MassAction($"right{i}", $"{X(i)} -> {X(i + 1)}", "hop")
                .MassAction($"left{i}", $"{X(i)} -> {X(i - 1)}", "hop");
        }
        return b.Build();
    }
}
