using MilkCells.Core.Errors;

namespace MilkCells.Cytometry.Gating;

/// <summary>Runs the ISAC Gating-ML 2.0 compliance suite: every gate of every gate file against its expected 0/1 per event.</summary>
/// <remarks>
/// The suite (as distributed with FlowKit, <c>data/gate_ref</c>) is a folder with <c>data1.fcs</c>, <c>gml/*.xml</c>
/// gate files and <c>truth/Results_&lt;id&gt;.txt</c> files, one 0 or 1 per event. A check is one population of one
/// gate file that has a result file; it passes only if every event agrees. One gate carries an id other than its result
/// file's name: <c>ParRectangle1</c> is checked against Results_ParQuadRect (as FlowKit's suite pairs them). One gate,
/// <c>myEllipse2</c>, has no result file at all and is listed as unchecked. The caller loads data1.fcs (with $PnE and $PnG applied, uncompensated),
/// keeping file reading out of this pure library.
/// </remarks>
public static class ComplianceSuite
{
    private static readonly IReadOnlyDictionary<string, string> ResultNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        
        ["ParRectangle1"] = "ParQuadRect",
    };

    /// <summary>The result of one population of one gate file.</summary>
    /// <param name="GateFile">The gate file's name.</param>
    /// <param name="PopulationId">The gate or quadrant id.</param>
    /// <param name="ResultFile">The expected-result file's name.</param>
    /// <param name="Mismatches">Events whose membership differs from the expected value.</param>
    /// <param name="FirstMismatch">The first such event (0-based), or -1.</param>
    /// <param name="Expected">Events expected inside.</param>
    /// <param name="Actual">Events found inside.</param>
    /// <param name="Error">Why the gate file could not be evaluated, if it could not.</param>
    public sealed record Check(string GateFile, string PopulationId, string ResultFile, int Mismatches, int FirstMismatch, int Expected, int Actual, string? Error = null)
    {
        /// <summary>Whether every event agrees.</summary>
        public bool Passed => Error is null && Mismatches == 0;
    }

    /// <summary>Every check; the result files no gate was checked against; the populations that have no result file ("file: id").</summary>
    public sealed record Report(IReadOnlyList<Check> Checks, IReadOnlyList<string> UncheckedResultFiles, IReadOnlyList<string> PopulationsWithoutResults, IReadOnlyList<string> Warnings)
    {
        /// <summary>Checks that passed.</summary>
        public int Passed => Checks.Count(c => c.Passed);

        /// <summary>Checks that failed.</summary>
        public int Failed => Checks.Count - Passed;
    }

    /// <summary>The expected-result file name for a population id.</summary>
    public static string ResultFileFor(string populationId) => $"Results_{ResultNames.GetValueOrDefault(populationId, populationId)}.txt";

    /// <summary>The suite's event file, data1.fcs, after checking that <paramref name="directory"/> is laid out as the suite.</summary>
    /// <exception cref="InputException">The folder lacks gml/, truth/ or data1.fcs.</exception>
    public static string DataFile(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var data = Path.Combine(directory, "data1.fcs");
        if (!Directory.Exists(Path.Combine(directory, "gml")) || !Directory.Exists(Path.Combine(directory, "truth")) || !File.Exists(data))
        {
            throw new InputException(InputLocation.InFile(directory), "not a Gating-ML compliance suite: expected data1.fcs and the folders gml/ and truth/",
                "give the folder of the ISAC Gating-ML 2.0 compliance data (FlowKit's data/gate_ref)");
        }
        return data;
    }

    /// <summary>Runs every gate file of <paramref name="directory"/> on <paramref name="events"/> (data1.fcs, scaled, uncompensated).</summary>
    /// <exception cref="InputException">The folder is not laid out as the suite is, or a result file is malformed.</exception>
    public static Report Run(string directory, EventMatrix events)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(events);
        DataFile(directory);
        var gmlDir = Path.Combine(directory, "gml");
        var truthDir = Path.Combine(directory, "truth");
        var truthCache = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var checks = new List<Check>();
        var warnings = new List<string>();
        var withoutResults = new List<string>();
        foreach (var gateFile in Directory.GetFiles(gmlDir, "*.xml").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(gateFile);
            GatingDocument document;
            GatingResult result;
            try
            {
                document = GatingMLReader.ReadFile(gateFile);
                result = GateEvaluator.Evaluate(document, events);
                warnings.AddRange(result.Warnings.Select(w => $"{name}: {w}"));
            }
            catch (InputException ex)
            {
                checks.Add(new Check(name, "(file)", "", 0, -1, 0, 0, ex.Message));
                continue;
            }
            foreach (var id in document.PopulationIds)
            {
                var resultFile = ResultFileFor(id);
                var path = Path.Combine(truthDir, resultFile);
                if (!File.Exists(path))
                {
                    withoutResults.Add($"{name}: {id}");
                    continue;
                }
                used.Add(resultFile);
                if (!truthCache.TryGetValue(resultFile, out var expected))
                {
                    expected = ReadResults(path, events.EventCount);
                    truthCache[resultFile] = expected;
                }
                var actual = result.Membership(id);
                var mismatches = 0;
                var first = -1;
                var expectedCount = 0;
                var actualCount = 0;
                for (var i = 0; i < expected.Length; i++)
                {
                    expectedCount += expected[i] ? 1 : 0;
                    actualCount += actual[i] ? 1 : 0;
                    if (expected[i] != actual[i])
                    {
                        mismatches++;
                        first = first < 0 ? i : first;
                    }
                }
                checks.Add(new Check(name, id, resultFile, mismatches, first, expectedCount, actualCount));
            }
        }
        var unchecked_ = Directory.GetFiles(truthDir, "Results_*.txt").Select(Path.GetFileName).OfType<string>()
            .Where(f => !used.Contains(f)).Order(StringComparer.Ordinal).ToList();
        return new Report(checks, unchecked_, withoutResults, warnings.Distinct().ToList());
    }

    /// <summary>Reads a result file: one 0 or 1 per line, one line per event.</summary>
    public static bool[] ReadResults(string path, int eventCount)
    {
        var lines = File.ReadAllLines(path).Select(l => l.Trim()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }
        if (lines.Count != eventCount)
        {
            throw new InputException(InputLocation.InFile(path), $"{lines.Count} results for {eventCount} events");
        }
        var values = new bool[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            values[i] = lines[i] switch
            {
                "1" => true,
                "0" => false,
                var other => throw new InputException(InputLocation.AtLine(path, i + 1), $"'{SpilloverFileShorten(other)}' is not 0 or 1"),
            };
        }
        return values;
    }

    private static string SpilloverFileShorten(string text) => Compensation.SpilloverMatrix.Shorten(text);
}
