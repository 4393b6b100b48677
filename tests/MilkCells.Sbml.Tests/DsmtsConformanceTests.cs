using System.Globalization;
using MilkCells.Dsmts;
using MilkCells.Engine.Algorithms;
using MilkCells.TestSupport;

namespace MilkCells.Sbml.Tests;

/// <summary>The 39 DSMTS cases under every algorithm (the CLI runs the suite's full n = 10,000).</summary>
/// <remarks>
/// n = 4,000 keeps the default run to about a minute per exact algorithm on 2 cores. The suite's statistics are
/// scale-free: Z = √n(x̄ − μ)/σ and Y = √(n/2)(s²/σ² − 1) are approximately standard normal at any n (the CLT, and
/// the normal limit of the sample variance), so the limits |Z| &lt; 3 and |Y| &lt; 5 keep their per-point false-alarm
/// rates (0.27 % and ≈ 6e-7) at n = 4,000; only the power drops, by √(4,000/10,000) ≈ 0.63: a bias of 0.05σ
/// still gives |Z| ≈ 3.2. Y's standard deviation is really √((κ−1)/2) with κ the kurtosis, 1 only for κ = 3; the
/// heavy-tailed 00003 (extinction-prone birth–death) reaches κ ≈ 96 at t = 50 (closed form, Bailey 1964 §8.6),
/// so its raw Y fails by chance in about half of all runs even at n = 10,000. The test therefore applies the Y
/// limit to Y/√((κ̂−1)/2) with κ̂ the sample kurtosis (which, underestimating heavy tails, errs towards failing),
/// and the guide's rule per case: at most 3 failing points. The seed is fixed, so the outcome is deterministic.
/// </remarks>
public class DsmtsConformanceTests(ITestOutputHelper output)
{
    private const int N = 4000;

    [Theory]
    [InlineData("direct")]
    [InlineData("cr")]
    public void Exact_algorithms_pass_every_case(string name)
    {
        var results = RunSuite(Algorithm.Parse(name));
        var failing = results.Where(r => !r.PassedAdjusted).Select(Describe).ToArray();
        Assert.True(failing.Length == 0, $"{name}: cases failing the DSMTS rule:\n" + string.Join("\n", failing));
        // The official rule (raw Y) as the CLI reports it; only 00003's heavy tails may break it by chance.
        Assert.All(results.Where(r => !r.Passed), r => Assert.Equal("00003", r.Case.Id));
    }

    [Fact]
    public void Tau_leaping_is_exact_where_it_does_not_leap_and_is_reported_where_it_does()
    {
        var results = RunSuite(Algorithm.TauLeaping);
        // Where no leap was taken tau-leaping ran exact steps only, so the exact rule applies in full.
        var failing = results.Where(r => r.Leaps == 0 && !r.PassedAdjusted).Select(Describe).ToArray();
        Assert.True(failing.Length == 0, "tau-leaping without leaps failed:\n" + string.Join("\n", failing));
        Assert.Contains(results, r => r.Leaps > 0);
    }

    private List<DsmtsCaseResult> RunSuite(Algorithm algorithm)
    {
        var cases = DsmtsSuite.Discover(Shared.Require(Cases.Dsmts));
        Assert.Equal(39, cases.Count);
        var results = cases.Select(c => DsmtsSuite.Run(c, algorithm, N, seed: 1)).ToList();
        output.WriteLine($"{algorithm.Name}, n = {N}: case, mean fails, sd fails (raw / kurtosis-adjusted), max |Z|, max |Y|, leaps");
        foreach (var r in results)
        {
            output.WriteLine(Describe(r));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"DSMTS ({algorithm.Name}): {results.Count(r => r.Passed)} passed, {results.Count(r => !r.Passed)} failed; adjusted: {results.Count(r => r.PassedAdjusted)} passed; {results.Sum(r => r.MeanFailures)} mean and {results.Sum(r => r.SdFailures)} sd failures"));
        return results;
    }

    private static string Describe(DsmtsCaseResult r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Case.Id} {(r.Passed ? "pass" : "FAIL")} mean {r.MeanFailures}, sd {r.SdFailures}/{r.AdjustedSdFailures}, |Z| ≤ {r.MaxAbsZ:F2}, |Y| ≤ {r.MaxAbsY:F2}, leaps {r.Leaps}");
}
