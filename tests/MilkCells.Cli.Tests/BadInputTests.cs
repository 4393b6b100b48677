using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary>
/// Every command through a table of bad paths and values: always exit 2 with one line <c>error: … (hint: …)</c>, never
/// a .NET type name or the word "bug", and nothing written anywhere in the working folder.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly CliFixtures _fixtures = new();
    private readonly TempDir _dir = new("milkcells-bad");

    public void Dispose()
    {
        _dir.Dispose();
        _fixtures.Dispose();
    }

    /// <summary>(args, a phrase the message must hold). {DIR} is a folder, {FILE} a text file, {MISSING} a path that does not exist, {RUNS} a fresh run-store path.</summary>
    public static TheoryData<string[], string> Cases => new()
    {
        // Misspelt commands and options.
        { ["simualte"], "did you mean 'simulate'?" },
        { ["fcs", "gait", "{FCS}"], "did you mean 'gate'?" },
        { ["simulate", "--dayz", "3"], "unknown option '--dayz' (hint: did you mean '--days'?)" },
        { ["fcs"], "needs a command" },
        { ["cohort", "run", "--mothers", "3"], "--store is required" },
        // simulate
        { ["simulate", "--days", "abc", "--store", "{RUNS}"], "--days: 'abc' is not a whole number" },
        { ["simulate", "--days", "0", "--store", "{RUNS}"], "--days: '0' is not a whole number of at least 1" },
        { ["simulate", "--days", "2000", "--store", "{RUNS}", "-o", "{DIR}/x"], "past the end of lactation" },
        { ["simulate", "--seed", "-1", "--store", "{RUNS}"], "--seed: '-1' is not a non-negative whole number" },
        { ["simulate", "--seed", "1.5", "--store", "{RUNS}"], "--seed: '1.5' is not a whole number" },
        { ["simulate", "--profile", "microscopy", "--store", "{RUNS}"], "did you mean 'microscopy-era'?" },
        { ["simulate", "-s", "nosuch", "--store", "{RUNS}"], "nosuch" },
        { ["simulate", "-s", "{DIR}", "--store", "{RUNS}"], "folder" },
        { ["simulate", "-s", "{MISSING}.yaml", "--store", "{RUNS}"], "not found" },
        { ["simulate", "--days", "1", "-o", "{FILE}", "--store", "{RUNS}"], "is a file; this output is a folder" },
        { ["simulate", "--days", "1", "-o", "{MISSING}/out", "--store", "{RUNS}"], "does not exist" },
        { ["simulate", "--days", "1", "-o", "-", "--store", "{RUNS}"], "standard output" },
        { ["simulate", "--days", "1", "-o", "/proc/self/milkcells-out", "--store", "{RUNS}"], "/proc/self/milkcells-out" },
        { ["simulate", "--days", "1", "-o", "{DIR}/new", "--store", "{DIR}"], "is a folder, not a run store file" },
        { ["simulate", "--days", "1", "-o", "{DIR}/new", "--store", "{MISSING}/runs.db"], "does not exist" },
        { ["simulate", "--days", "1", "-o", "{DIR}/new", "--store", "{FILE}"], "run store" },
        { ["simulate", "--days", "1", "-o", "{DIR}/new", "--store", "postgres://u@127.0.0.1:1/db"], "the run store is a SQLite file" },
        // runs
        { ["runs", "list", "--store", "{MISSING}.db"], "no run store here" },
        { ["runs", "list", "--store", "{DIR}"], "is a folder" },
        { ["runs", "list", "--store", "{FILE}"], "run store" },
        { ["runs", "list", "--limit", "0", "--store", "{MISSING}.db"], "--limit: '0' is not a whole number of at least 1" },
        // cohort
        { ["cohort", "run", "--mothers", "abc", "--store", "{MISSING}.db"], "--mothers: 'abc' is not a whole number" },
        { ["cohort", "run", "--mothers", "0", "--store", "{MISSING}.db"], "--mothers: '0' is not a whole number of at least 1" },
        { ["cohort", "run", "--mothers", "2", "--threads", "0", "--store", "{MISSING}.db"], "--threads: '0'" },
        { ["cohort", "run", "--mothers", "2", "--store", "{MISSING}/c.db"], "does not exist" },
        { ["cohort", "run", "--mothers", "2", "--store", "{DIR}"], "is a folder, not a store file" },
        { ["cohort", "run", "--mothers", "2", "--store", "mysql://h/db"], "unknown store kind 'mysql'" },
        { ["cohort", "run", "--mothers", "2", "--store", "{MISSING}.db", "--shard", "3/2"], "--shard" },
        { ["cohort", "power", "--effect", "relative:2", "--alpha", "2"], "--alpha: '2' is not a number between 0 and 1" },
        { ["cohort", "power", "--effect", "relative:2", "--replicates", "0"], "--replicates" },
        { ["cohort", "power", "--effect", "nope"], "--effect" },
        { ["cohort", "power", "--effect", "relative:2", "--days", "2", "-o", "{DIR}"], "is a folder; this output is a file" },
        { ["cohort", "merge", "--store", "{MISSING}/m.db", "{STORE}"], "does not exist" },
        { ["cohort", "merge", "--store", "{DIR}/m.db", "{MISSING}.db"], "no store at this path" },
        { ["cohort", "export", "--store", "{MISSING}.db", "-o", "{DIR}/x.csv"], "no store at this path" },
        { ["cohort", "export", "--store", "{STORE}", "-o", "{DIR}"], "is a folder; this output is a file" },
        { ["cohort", "export", "--store", "{STORE}", "-o", "{MISSING}/x.csv"], "does not exist" },
        { ["cohort", "export", "--store", "{STORE}"], "no output given" },
        // reference
        { ["reference", "build", "--store", "{MISSING}.db", "-o", "{DIR}/ref"], "no store at this path" },
        { ["reference", "build", "--store", "{STORE}", "-o", "{FILE}"], "is a file; this output is a folder" },
        { ["reference", "build", "--store", "{STORE}", "-o", "{DIR}/ref", "--windows", "9-2"], "--windows" },
        // fcs
        { ["fcs", "info", "{MISSING}.fcs"], "FCS file not found" },
        { ["fcs", "info", "{DIR}"], "is a folder, not an FCS file" },
        { ["fcs", "info", "{FILE}"], "notes.txt" },
        { ["fcs", "dump", "{FCS}", "--dataset", "0", "-o", "{DIR}/x.csv"], "--dataset: '0' is not a whole number of at least 1" },
        { ["fcs", "dump", "{FCS}", "--dataset", "5", "-o", "{DIR}/x.csv"], "there is no data set 5" },
        { ["fcs", "dump", "{FCS}", "-o", "{DIR}"], "is a folder; this output is a file" },
        { ["fcs", "gate", "{FCS}", "--gates", "{MISSING}.xml"], "Gating-ML file not found" },
        { ["fcs", "gate", "{FCS}", "--gates", "{EMPTY}"], "the file is empty" },
        { ["fcs", "gate", "{FCS}", "--gates", "{NOGATES}"], "defines no gates" },
        { ["fcs", "gate", "{FCS}", "--gates", "{DIR}"], "is a folder, not a Gating-ML file" },
        { ["fcs", "gate", "{DIR}", "--gates", "{GATES}"], "is a folder, not an FCS file" },
        { ["fcs", "gate", "{FCS}", "--gates", "{GATES}", "-o", "{MISSING}/m.csv"], "does not exist" },
        { ["fcs", "gatingml-suite", "{FILE}"], "is a file, not a folder" },
        { ["fcs", "gatingml-suite", "{DIR}"], "not a Gating-ML compliance suite" },
        // sample
        { ["sample", "analyze", "{MISSING}.fcs", "-o", "{DIR}/r"], "no such file" },
        { ["sample", "analyze", "{DIR}", "-o", "{DIR}/r"], "is a folder, not an FCS or CSV file" },
        { ["sample", "analyze", "{FILE}", "-o", "{DIR}/r"], "not an FCS file" },
        { ["sample", "analyze", "{FCS}", "-o", "{DIR}/r"], "that the file lacks; its channels are: FSC-A, SSC-A, CD45-A" },
        { ["sample", "analyze", "{FCS}", "--panel", "milk-basci", "-o", "{DIR}/r"], "unknown panel 'milk-basci'" },
        { ["sample", "analyze", "{FCS}", "--panel", "{MISSING}.xml", "-o", "{DIR}/r"], "{MISSING}.xml" },
        { ["sample", "analyze", "{FCS}", "--panel", "{GATES}", "--prior", "flat", "-o", "{DIR}/r"], "unknown prior 'flat'" },
        { ["sample", "analyze", "{FCS}", "--panel", "{GATES}", "--threads", "0", "-o", "{DIR}/r"], "--threads: '0'" },
        { ["sample", "analyze", "{FCS}", "--panel", "{GATES}", "-o", "{FILE}"], "is a file; this output is a folder" },
        { ["sample", "analyze", "{FCS}", "--panel", "{GATES}", "-o", "{MISSING}/r"], "does not exist" },
        { ["sample", "synthesize", "--days", "40", "-o", "{FILE}"], "is a file; this output is a folder" },
        { ["sample", "synthesize", "--days", "40", "-o", "-"], "standard output" },
        { ["sample", "synthesize", "--days", "4x", "-o", "{DIR}/t"], "'4x' is not a lactation day" },
        { ["sample", "synthesize", "--days", "40", "--events", "0", "-o", "{DIR}/t"], "--events: '0' is not a whole number of at least 1" },
        { ["sample", "synthesize", "--days", "40", "--mother-id", "-1", "-o", "{DIR}/t"], "--mother-id" },
        { ["sample", "synthesize", "-s", "nosuch", "--days", "40", "-o", "{DIR}/t"], "nosuch" },
        { ["sample", "panels", "nope"], "unknown panel 'nope'" },
        // model
        { ["model", "show", "--profile", "nope"], "unknown calibration profile 'nope'" },
        { ["model", "show", "--data", "{MISSING}"], "{MISSING}" },
        { ["model", "validate"], "needs a scenario" },
        { ["model", "validate", "-s", "{DIR}"], "folder" },
        { ["model", "schema", "-o", "{DIR}"], "is a folder; this output is a file" },
        { ["model", "export-sbml", "-s", "nosuch", "-o", "{DIR}/m.xml"], "nosuch" },
        { ["model", "export-sbml", "-o", "{MISSING}/m.xml"], "does not exist" },
        // engine
        { ["engine", "run", "{DIR}", "-n", "2", "--until", "1", "--points", "2", "-o", "{DIR}/o.csv"], "is a folder, not an SBML file" },
        { ["engine", "run", "{MISSING}.xml", "-n", "2", "--until", "1", "--points", "2", "-o", "{DIR}/o.csv"], "SBML file not found" },
        { ["engine", "run", "{SBML}", "-n", "0", "--until", "1", "--points", "2", "-o", "{DIR}/o.csv"], "--trajectories: '0'" },
        { ["engine", "run", "{SBML}", "-n", "2", "--until", "-1", "--points", "2", "-o", "{DIR}/o.csv"], "--until: '-1' is not a positive number" },
        { ["engine", "run", "{SBML}", "-n", "2", "--until", "1", "--points", "1", "-o", "{DIR}/o.csv"], "--points: '1' is not a whole number of at least 2" },
        { ["engine", "run", "{SBML}", "-n", "2", "--until", "1", "--points", "2", "-a", "magic", "-o", "{DIR}/o.csv"], "unknown algorithm 'magic'" },
        { ["engine", "run", "{SBML}", "-n", "2", "--until", "1", "--points", "2", "-o", "{DIR}"], "is a folder; this output is a file" },
        { ["engine", "dsmts", "{MISSING}", "-n", "100"], "DSMTS folder not found" },
        { ["engine", "dsmts", "{DIR}", "-n", "1"], "--trajectories: '1' is not a whole number of at least 2" },
        { ["engine", "dsmts", "{DIR}", "-n", "100", "--level", "l9"], "--level" },
        // scrna (the matrix problems themselves: ScrnaCommandTests)
        { ["scrna", "info", "{MISSING}.h5"], "no such file or folder" },
        { ["scrna", "info", "{DIR}"], "holds no matrix.mtx" },
        { ["scrna", "info", "{SCRNA}", "--genome", "mm10"], "mm10" },
        { ["scrna", "annotate", "{FILE}", "-o", "{DIR}/a"], "notes.txt" },
        { ["scrna", "annotate", "{SCRNA}", "-o", "{FILE}"], "is a file; this output is a folder" },
        { ["scrna", "annotate", "{SCRNA}", "-o", "{MISSING}/a"], "does not exist" },
        { ["scrna", "annotate", "{SCRNA}", "-o", "{DIR}/a", "--resolution", "0"], "--resolution: '0' is not a positive number" },
        { ["scrna", "annotate", "{SCRNA}", "-o", "{DIR}/a", "--markers", "{MISSING}.yaml"], "no such markers file" },
        { ["scrna", "annotate", "{SCRNA}", "-o", "{DIR}/a", "--lactation-day", "2000"], "outside lactation" },
        { ["scrna", "annotate", "{SCRNA}"], "--out" },
        { ["scrna", "synthesize", "--lactation-day", "3", "--cells", "0", "-o", "{DIR}/s"], "--cells: '0' is not a whole number of at least 1" },
        { ["scrna", "synthesize", "--lactation-day", "3", "--cells", "many", "-o", "{DIR}/s"], "--cells: 'many' is not a whole number" },
        { ["scrna", "synthesize", "--lactation-day", "3", "--cells", "10", "--genes", "-1", "-o", "{DIR}/s"], "--genes" },
        { ["scrna", "synthesize", "--lactation-day", "3", "--cells", "10", "-s", "nosuch", "-o", "{DIR}/s"], "nosuch" },
        { ["scrna", "synthesize", "--lactation-day", "3", "--cells", "10", "-o", "{DIR}"], "files MilkCells did not write" },
        { ["scrna", "synthesize", "--cells", "10", "-o", "{DIR}/s"], "--lactation-day" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_exits_2_with_one_clear_line_and_writes_nothing(string[] args, string expected)
    {
        var folder = _dir.File("work");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine");
        var missing = _dir.File("missing");
        var filled = args.Select(a => Fill(a, folder, missing)).ToArray();
        var before = TreeSnapshot.Of(_dir.Path);

        var (code, output, error) = CliHarness.Run(filled);

        var message = Fill(expected, folder, missing);
        Assert.True(code == 2, $"milkcells {string.Join(' ', filled)}: exit {code}: {error}");
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(message, error);
        Assert.Matches(@"\(hint: .+\)\s*$", error);
        Assert.DoesNotMatch(@"System\.|Exception|bug|\bat MilkCells", error);
        Assert.Equal("", output);
        var after = TreeSnapshot.Of(_dir.Path);
        Assert.Empty(after.LostFrom(before));
        Assert.Empty(after.AddedTo(before));
    }

    private string Fill(string text, string folder, string missing) => text
        .Replace("{DIR}", folder, StringComparison.Ordinal)
        .Replace("{FILE}", Path.Combine(folder, "notes.txt"), StringComparison.Ordinal)
        .Replace("{MISSING}", missing, StringComparison.Ordinal)
        .Replace("{RUNS}", _dir.File("runs.db"), StringComparison.Ordinal)
        .Replace("{STORE}", _fixtures.Store, StringComparison.Ordinal)
        .Replace("{FCS}", _fixtures.Fcs, StringComparison.Ordinal)
        .Replace("{GATES}", _fixtures.Gates, StringComparison.Ordinal)
        .Replace("{NOGATES}", _fixtures.NoGates, StringComparison.Ordinal)
        .Replace("{EMPTY}", _fixtures.EmptyFile, StringComparison.Ordinal)
        .Replace("{SBML}", _fixtures.Sbml, StringComparison.Ordinal)
        .Replace("{SCRNA}", text.Contains("{SCRNA}", StringComparison.Ordinal) ? _fixtures.Scrna : "", StringComparison.Ordinal);
}
