using MilkCells.Core.Files;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary>
/// Every command that writes, pointed at a folder of the user's own files (nested, and one named like the command's
/// output): afterwards every user byte is still there. Only a new name, or <c>--force</c>, lets MilkCells write there,
/// and then it adds its files and touches nothing else.
/// </summary>
public sealed class OutputSafetyTests : IDisposable
{
    private readonly CliFixtures _fixtures = new();
    private readonly TempDir _dir = new("milkcells-user");

    public void Dispose()
    {
        _dir.Dispose();
        _fixtures.Dispose();
    }

    /// <summary>The user's folder: a document, nested data, and a file named like <paramref name="outputName"/>.</summary>
    private string UserFolder(string outputName)
    {
        var user = _dir.File("thesis");
        Directory.CreateDirectory(Path.Combine(user, "sub", "deeper"));
        File.WriteAllText(Path.Combine(user, "thesis.docx"), "chapter one");
        File.WriteAllText(Path.Combine(user, "sub", "data.txt"), "1,2,3");
        File.WriteAllBytes(Path.Combine(user, "sub", "deeper", "raw.bin"), [0, 1, 2, 255]);
        File.WriteAllText(Path.Combine(user, outputName), "the user's own " + outputName);
        return user;
    }

    /// <summary>Commands whose output is a file: (what, args with {OUT} for the output path).</summary>
    public static TheoryData<string, string[]> FileCommands => new()
    {
        { "cohort export", ["cohort", "export", "--store", "{STORE}", "-o", "{OUT}"] },
        { "cohort power", ["cohort", "power", "--effect", "relative:2", "--days", "2", "--grid", "2", "--replicates", "10", "--threads", "1", "-o", "{OUT}"] },
        { "fcs dump", ["fcs", "dump", "{FCS}", "-o", "{OUT}"] },
        { "fcs gate", ["fcs", "gate", "{FCS}", "--gates", "{GATES}", "-o", "{OUT}"] },
        { "model schema", ["model", "schema", "-o", "{OUT}"] },
        { "model export-sbml", ["model", "export-sbml", "-s", "colostrum-week", "-o", "{OUT}"] },
        { "engine run", ["engine", "run", "{SBML}", "-n", "3", "--until", "5", "--points", "2", "-o", "{OUT}"] },
        { "cohort run (store)", ["cohort", "run", "--mothers", "2", "--days", "2", "--threads", "1", "--store", "{OUT}"] },
        { "cohort merge (store)", ["cohort", "merge", "--store", "{OUT}", "{STORE}"] },
        { "simulate (run store)", ["simulate", "--days", "1", "-o", "{NEW}", "--store", "{OUT}"] },
    };

    private string[] Fill(string[] args, string output) => [.. args.Select(a => a
        .Replace("{OUT}", output, StringComparison.Ordinal)
        .Replace("{NEW}", _dir.File("new-sim"), StringComparison.Ordinal)
        .Replace("{STORE}", _fixtures.Store, StringComparison.Ordinal)
        .Replace("{FCS}", _fixtures.Fcs, StringComparison.Ordinal)
        .Replace("{GATES}", _fixtures.Gates, StringComparison.Ordinal)
        .Replace("{SBML}", _fixtures.Sbml, StringComparison.Ordinal))
        .Select(a => a.Contains("{SCRNA}", StringComparison.Ordinal) ? a.Replace("{SCRNA}", _fixtures.Scrna, StringComparison.Ordinal) : a)];

    [Theory]
    [MemberData(nameof(FileCommands))]
    public void A_file_output_never_costs_the_user_a_byte(string what, string[] args)
    {
        var user = UserFolder("out.csv");
        var before = TreeSnapshot.Of(user);

        // A folder where a file is wanted (the user's folder itself, and a folder inside it), a missing parent, and
        // a user's file that is not a store where a store is wanted: exit 2, nothing touched, nothing created.
        var wrong = new List<string> { user, Path.Combine(user, "sub"), Path.Combine(user, "missing", "x.csv") };
        if (what.Contains("store", StringComparison.Ordinal))
        {
            wrong.Add(Path.Combine(user, "thesis.docx"));
        }
        foreach (var path in wrong)
        {
            var (code, _, error) = CliHarness.Run(Fill(args, path));
            Assert.True(code == 2, $"{what} -o {path}: exit {code}: {error}");
            Assert.StartsWith("error: ", error);
            Assert.Empty(TreeSnapshot.Of(user).LostFrom(before));
            Assert.Empty(TreeSnapshot.Of(user).AddedTo(before));
        }

        // A new file beside the user's: written, and nothing else changes.
        var fresh = Path.Combine(user, "sub", "new-output");
        var (ok, _, err) = CliHarness.Run(Fill(args, fresh));
        if (what.Contains("sbml", StringComparison.OrdinalIgnoreCase) || what == "engine run")
        {
            Assert.True(ok == 0 || (ok == 2 && err.Contains("libsbml5-cil", StringComparison.Ordinal)), $"{what}: exit {ok}: {err}");
        }
        else
        {
            Assert.True(ok == 0, $"{what}: exit {ok}: {err}");
        }
        var after = TreeSnapshot.Of(user);
        Assert.Empty(after.LostFrom(before));
        Assert.All(after.AddedTo(before), added => Assert.StartsWith(Path.Combine("sub", "new-output"), added)); // (SQLite's -wal/-shm beside a store)
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_dir.Path, "*", SearchOption.AllDirectories), p => p.Contains(".milkcells-", StringComparison.Ordinal) && p.EndsWith(".tmp", StringComparison.Ordinal));
    }

    /// <summary>Commands whose output is a folder: (args with {OUT}, a file name the command writes).</summary>
    public static TheoryData<string[], string> FolderCommands => new()
    {
        { ["simulate", "--days", "1", "--store", "{RUNS}", "-o", "{OUT}"], "daily.csv" },
        { ["reference", "build", "--store", "{STORE}", "-o", "{OUT}"], "reference.csv" },
        { ["sample", "synthesize", "-s", "healthy", "--days", "30", "--events", "2000", "-o", "{OUT}"], "manifest.csv" },
        { ["sample", "analyze", "{FCS}", "--panel", "{GATES}", "-o", "{OUT}"], "samples.csv" },
        { ["scrna", "synthesize", "--lactation-day", "30", "--cells", "100", "--genes", "100", "--threads", "1", "-o", "{OUT}"], "truth.csv" },
        { ["scrna", "annotate", "{SCRNA}", "--threads", "1", "-o", "{OUT}"], "cells.csv" },
    };

    [Theory]
    [MemberData(nameof(FolderCommands))]
    public void A_folder_output_never_costs_the_user_a_byte(string[] args, string ownFile)
    {
        var user = UserFolder(ownFile);
        var runs = _dir.File("runs.db");
        string[] With(string output) => [.. Fill(args, output).Select(a => a.Replace("{RUNS}", runs, StringComparison.Ordinal))];
        var before = TreeSnapshot.Of(user);

        // The user's folder, a file where the folder is wanted, a missing parent: refused, nothing touched.
        foreach (var path in new[] { user, Path.Combine(user, "thesis.docx"), Path.Combine(user, "missing", "out") })
        {
            var (code, _, error) = CliHarness.Run(With(path));
            Assert.True(code == 2, $"{string.Join(' ', args)} -o {path}: exit {code}: {error}");
            Assert.Empty(TreeSnapshot.Of(user).LostFrom(before));
            Assert.Empty(TreeSnapshot.Of(user).AddedTo(before));
        }
        var refused = CliHarness.Run(With(user)).Error;
        Assert.Contains("files MilkCells did not write", refused);
        Assert.Contains("thesis.docx", refused);

        // A new folder inside: created; the user's files untouched.
        var (ok, _, err) = CliHarness.Run(With(Path.Combine(user, "sub", "run")));
        Assert.True(ok == 0, err);
        Assert.Empty(TreeSnapshot.Of(user).LostFrom(before));
        Assert.True(File.Exists(Path.Combine(user, "sub", "run", OutputFolder.MarkerName)));

        // --force: MilkCells' files go in (its own name replaced, as asked); every other byte stays.
        (ok, _, err) = CliHarness.Run([.. With(user), "--force"]);
        Assert.True(ok == 0, err);
        var written = File.ReadAllLines(Path.Combine(user, OutputFolder.MarkerName)).Skip(1).ToHashSet();
        Assert.Contains(ownFile, written);
        Assert.Empty(TreeSnapshot.Of(user).LostFrom(before, path => written.Contains(path)));
        Assert.Equal("chapter one", File.ReadAllText(Path.Combine(user, "thesis.docx")));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_dir.Path, "*", SearchOption.AllDirectories), p => p.Contains(".milkcells-", StringComparison.Ordinal) && p.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Simulate_out_dot_in_a_folder_of_user_files_refuses_and_empties_nothing()
    {
        var user = UserFolder("daily.csv");
        var before = TreeSnapshot.Of(user);
        using var run = MilkcellsProcess.StartIn(user, "simulate", "--days", "1", "-o", ".", "--store", _dir.File("runs.db"));
        Assert.True(run.WaitForExit(TimeSpan.FromMinutes(3)));
        run.WaitForExit();
        Assert.True(run.ExitCode == 2, MilkcellsProcess.ErrorOf(run));
        Assert.Contains("files MilkCells did not write", MilkcellsProcess.ErrorOf(run));
        Assert.Empty(TreeSnapshot.Of(user).LostFrom(before));
        Assert.Empty(TreeSnapshot.Of(user).AddedTo(before));
        Assert.False(File.Exists(_dir.File("runs.db"))); // refused before anything was recorded
    }
}
