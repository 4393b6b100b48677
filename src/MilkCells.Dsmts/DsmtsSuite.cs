using System.Globalization;
using MilkCells.Core.Errors;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Ensembles;
using MilkCells.Engine.Model;
using MilkCells.Engine.Simulation;
using MilkCells.Sbml;

namespace MilkCells.Dsmts;

/// <summary>A case's settings file: the output grid, the variables and the test ranges.</summary>
public sealed record DsmtsSettings(double Start, double Duration, int Steps, IReadOnlyList<string> Variables,
    IReadOnlyList<string> Concentration, double MeanLimit, double SdLimit)
{
    /// <summary>Output times start + duration·k/steps, k = 0..steps.</summary>
    public double[] Times() => RunOptions.EvenlySpaced(Start, Start + Duration, Steps + 1);
}

/// <summary>One DSMTS case: settings, expected mean and sd per variable and time, and its SBML files.</summary>
public sealed record DsmtsCase(string Id, string Directory, DsmtsSettings Settings,
    IReadOnlyDictionary<string, (double[] Mean, double[] Sd)> Expected)
{
    /// <summary>The SBML file of this case at <paramref name="level"/> (<c>l3v1</c> or <c>l2v4</c>).</summary>
    public string ModelPath(string level = "l3v1") => Path.Combine(Directory, $"{Id}-sbml-{level}.xml");

    /// <summary>Reads the case in folder <paramref name="dir"/> (named by its id).</summary>
    public static DsmtsCase Load(string dir)
    {
        var id = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir));
        var settingsPath = Path.Combine(dir, $"{id}-settings.txt");
        var resultsPath = Path.Combine(dir, $"{id}-results.csv");
        if (!File.Exists(settingsPath) || !File.Exists(resultsPath))
        {
            throw new InputException(InputLocation.InFile(dir), "is not a DSMTS case folder", $"expected {id}-settings.txt and {id}-results.csv");
        }
        var settings = ParseSettings(settingsPath);
        var lines = File.ReadAllLines(resultsPath).Where(l => l.Trim().Length > 0).ToArray();
        var header = lines[0].Split(',').Select(h => h.Trim()).ToArray();
        var rows = lines.Skip(1).Select(l => l.Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var expected = new Dictionary<string, (double[], double[])>(StringComparer.Ordinal);
        foreach (var v in settings.Variables)
        {
            var mi = Array.IndexOf(header, v + "-mean");
            var si = Array.IndexOf(header, v + "-sd");
            if (mi < 0 || si < 0)
            {
                throw new InputException(InputLocation.InFile(resultsPath), $"has no columns {v}-mean and {v}-sd");
            }
            expected[v] = (rows.Select(r => r[mi]).ToArray(), rows.Select(r => r[si]).ToArray());
        }
        if (rows.Length != settings.Steps + 1)
        {
            throw new InputException(InputLocation.InFile(resultsPath), $"has {rows.Length} rows; the settings ask for {settings.Steps + 1}");
        }
        return new DsmtsCase(id, dir, settings, expected);
    }

    private static DsmtsSettings ParseSettings(string path)
    {
        var map = File.ReadAllLines(path)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        string[] List(string key) => map.TryGetValue(key, out var s)
            ? s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : [];
        double Num(string key) => double.Parse(map[key], CultureInfo.InvariantCulture);
        double Limit(string key, double fallback) => map.TryGetValue(key, out var s)
            ? double.Parse(s.Trim('(', ')', ' ').Split(',')[1], CultureInfo.InvariantCulture)
            : fallback;
        return new DsmtsSettings(Num("start"), Num("duration"), (int)Num("steps"), List("variables"), List("concentration"),
            Limit("meanRange", 3), Limit("sdRange", 5));
    }
}

/// <summary>The suite's two tests at one output time of one variable.</summary>
/// <remarks>Z = √n·(mean − μ)/σ must lie inside ±<see cref="DsmtsSettings.MeanLimit"/>; Y = √(n/2)·(s²/σ² − 1)
/// inside ±<see cref="DsmtsSettings.SdLimit"/>. <see cref="AdjustedY"/> divides Y by its own standard deviation
/// √((κ − 1)/2), κ the sample kurtosis: the suite's Y limit assumes κ = 3, but heavy-tailed cases (00003 reaches
/// κ ≈ 96 at t = 50, so sd(Y) ≈ 6.9) exceed it by chance.</remarks>
public sealed record DsmtsCheck(string Variable, double Time, double Mean, double Sd, double ExpectedMean, double ExpectedSd,
    double Z, double Y, bool MeanFails, bool SdFails, double Kurtosis)
{
    /// <summary>Y / √((κ − 1)/2): approximately standard normal whatever the tails.</summary>
    public double AdjustedY => Kurtosis > 1 && double.IsFinite(Y) ? Y / Math.Sqrt((Kurtosis - 1) / 2) : Y;

    /// <summary>Whether |<see cref="AdjustedY"/>| reaches the sd limit.</summary>
    public bool AdjustedSdFails(double limit) => !(Math.Abs(AdjustedY) < limit);
}

/// <summary>The outcome of one case under one algorithm.</summary>
public sealed record DsmtsCaseResult(DsmtsCase Case, string Algorithm, int Trajectories, IReadOnlyList<DsmtsCheck> Checks, long Firings, long Leaps)
{
    /// <summary>Failing mean tests.</summary>
    public int MeanFailures => Checks.Count(c => c.MeanFails);

    /// <summary>Failing standard-deviation tests.</summary>
    public int SdFailures => Checks.Count(c => c.SdFails);

    /// <summary>Points (variable × time) failing either test.</summary>
    public int FailingPoints => Checks.Count(c => c.MeanFails || c.SdFails);

    /// <summary>Whether the case passes: at most <see cref="DsmtsSuite.MaxFailingPoints"/> failing points.</summary>
    public bool Passed => FailingPoints <= DsmtsSuite.MaxFailingPoints;

    /// <summary>Standard-deviation failures with Y scaled by its kurtosis-derived sd (<see cref="DsmtsCheck.AdjustedY"/>).</summary>
    public int AdjustedSdFailures => Checks.Count(c => c.AdjustedSdFails(Case.Settings.SdLimit));

    /// <summary>The pass rule with the kurtosis-adjusted sd test.</summary>
    public bool PassedAdjusted => Checks.Count(c => c.MeanFails || c.AdjustedSdFails(Case.Settings.SdLimit)) <= DsmtsSuite.MaxFailingPoints;

    /// <summary>The largest |Z| over the case.</summary>
    public double MaxAbsZ => Checks.Select(c => Math.Abs(c.Z)).Where(double.IsFinite).DefaultIfEmpty(0).Max();

    /// <summary>The largest |Y| over the case.</summary>
    public double MaxAbsY => Checks.Select(c => Math.Abs(c.Y)).Where(double.IsFinite).DefaultIfEmpty(0).Max();
}

/// <summary>Runs DSMTS cases (Evans, Gillespie &amp; Wilkinson 2008, Bioinformatics 24:285, doi:10.1093/bioinformatics/btm566).</summary>
/// <remarks>
/// At each output time, with n trajectories, expected mean μ and sd σ: Z = √n(x̄ − μ)/σ must lie in (−3, 3) and
/// Y = √(n/2)(s²/σ² − 1) in (−5, 5). Both are approximately standard normal under a correct simulator (Y through the
/// normal approximation of the sample variance), so at any n a point fails by chance with probability ≈ 0.27 %
/// (Z) and far less (Y, heavier-tailed for skewed counts). A case passes with at most
/// <see cref="MaxFailingPoints"/> failing points, the suite guide's threshold for "a bug, not chance". Where σ = 0
/// the distribution is a point: the test is that every trajectory hit μ exactly.
/// </remarks>
public static class DsmtsSuite
{
    /// <summary>A case with more failing points than this fails.</summary>
    public const int MaxFailingPoints = 3;

    /// <summary>Every case folder under <paramref name="root"/>, in id order.</summary>
    public static IReadOnlyList<DsmtsCase> Discover(string root)
    {
        if (!System.IO.Directory.Exists(root))
        {
            throw new InputException(InputLocation.InFile(root), "folder not found", "point at the DSMTS folder (cases 00001–00039)");
        }
        var cases = System.IO.Directory.GetDirectories(root)
            .Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + "-settings.txt")))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal)
            .Select(DsmtsCase.Load)
            .ToArray();
        if (cases.Length == 0)
        {
            throw new InputException(InputLocation.InFile(root), "contains no DSMTS cases", "each case is a folder like 00001/ with 00001-settings.txt");
        }
        return cases;
    }

    /// <summary>Simulates <paramref name="dsmtsCase"/> with <paramref name="trajectories"/> trajectories and tests it.</summary>
    public static DsmtsCaseResult Run(DsmtsCase dsmtsCase, Algorithm algorithm, int trajectories, ulong seed = 1, int? threads = null, string level = "l3v1")
    {
        var network = SbmlImporter.ReadFile(dsmtsCase.ModelPath(level));
        var compiled = CompiledNetwork.Compile(network);
        var times = dsmtsCase.Settings.Times();
        var variables = dsmtsCase.Settings.Variables.Select(v => (Index: IndexOf(compiled.SpeciesIds, v, dsmtsCase), Mu: dsmtsCase.Expected[v].Mean)).ToArray();
        // Power sums of (x − μ) per variable and time, in trajectory order, for the sample kurtosis.
        var sums = new double[4, variables.Length, times.Length];
        var width = compiled.SpeciesCount;
        var result = Ensemble.Run(compiled, algorithm, new EnsembleOptions
        {
            Trajectories = trajectories,
            Seed = seed,
            Threads = threads,
            StartTime = dsmtsCase.Settings.Start,
            EndTime = dsmtsCase.Settings.Start + dsmtsCase.Settings.Duration,
            RecordTimes = times,
            OnTrajectory = (_, series) =>
            {
                for (var v = 0; v < variables.Length; v++)
                {
                    for (var k = 0; k < times.Length; k++)
                    {
                        var d = series[k * width + variables[v].Index] - variables[v].Mu[k];
                        var d2 = d * d;
                        sums[0, v, k] += d;
                        sums[1, v, k] += d2;
                        sums[2, v, k] += d2 * d;
                        sums[3, v, k] += d2 * d2;
                    }
                }
            },
        });
        var kurtosis = new double[variables.Length, times.Length];
        for (var v = 0; v < variables.Length; v++)
        {
            for (var k = 0; k < times.Length; k++)
            {
                double n = trajectories, m = sums[0, v, k] / n, s2 = sums[1, v, k] / n, s3 = sums[2, v, k] / n, s4 = sums[3, v, k] / n;
                var m2 = s2 - m * m;
                var m4 = s4 - 4 * m * s3 + 6 * m * m * s2 - 3 * m * m * m * m;
                kurtosis[v, k] = m2 > 0 ? m4 / (m2 * m2) : 3;
            }
        }
        return new DsmtsCaseResult(dsmtsCase, algorithm.Name, trajectories, Evaluate(dsmtsCase, network, result, kurtosis), result.Firings, result.Leaps);
    }

    /// <summary>Applies the Z and Y tests to an ensemble's statistics.</summary>
    public static IReadOnlyList<DsmtsCheck> Evaluate(DsmtsCase dsmtsCase, Network network, EnsembleResult result, double[,]? kurtosis = null)
    {
        var n = result.Trajectories;
        var checks = new List<DsmtsCheck>();
        for (var vi = 0; vi < dsmtsCase.Settings.Variables.Count; vi++)
        {
            var variable = dsmtsCase.Settings.Variables[vi];
            var s = IndexOf(result.SpeciesIds, variable, dsmtsCase);
            // Concentration outputs divide the amount by the (constant) compartment size.
            var scale = 1.0;
            if (dsmtsCase.Settings.Concentration.Contains(variable))
            {
                var species = network.Species.First(x => x.Id == variable);
                scale = 1 / network.Compartments.First(c => c.Id == species.Compartment).Size;
            }
            var (mu, sigma) = dsmtsCase.Expected[variable];
            for (var k = 0; k < result.Times.Count; k++)
            {
                var mean = result.MeanAt(k, s) * scale;
                var sd = result.SdAt(k, s) * scale;
                var (z, y) = Statistics(n, mean, sd, mu[k], sigma[k]);
                checks.Add(new DsmtsCheck(variable, result.Times[k], mean, sd, mu[k], sigma[k], z, y,
                    !(Math.Abs(z) < dsmtsCase.Settings.MeanLimit), !(Math.Abs(y) < dsmtsCase.Settings.SdLimit), kurtosis?[vi, k] ?? 3));
            }
        }
        return checks;
    }

    /// <summary>Z = √n(x̄ − μ)/σ and Y = √(n/2)(s²/σ² − 1); for σ = 0, 0 when the sample is exactly μ, else ±∞.</summary>
    public static (double Z, double Y) Statistics(int n, double mean, double sd, double mu, double sigma)
    {
        if (sigma == 0)
        {
            var tolerance = 1e-9 * Math.Max(1, Math.Abs(mu));
            var z = Math.Abs(mean - mu) <= tolerance ? 0 : double.PositiveInfinity;
            var y = sd <= tolerance ? 0 : double.PositiveInfinity;
            return (z, y);
        }
        return (Math.Sqrt(n) * (mean - mu) / sigma, Math.Sqrt(n / 2.0) * (sd * sd / (sigma * sigma) - 1));
    }

    private static int IndexOf(IReadOnlyList<string> species, string variable, DsmtsCase c)
    {
        for (var i = 0; i < species.Count; i++)
        {
            if (species[i] == variable)
            {
                return i;
            }
        }
        throw new InputException(InputLocation.AtElement(c.ModelPath(), $"'{variable}'"), "the settings ask for a variable the model has no species for");
    }
}
