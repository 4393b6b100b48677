using MilkCells.Core.Errors;
using MilkCells.Core.Files;
using MilkCells.TestSupport;

namespace MilkCells.Core.Tests;

/// <summary>The output policy: files through a temporary sibling, folders replaced only when they hold MilkCells' own output.</summary>
public sealed class OutputPolicyTests : IDisposable
{
    private readonly TempDir _dir = new("milkcells-outputs");

    public void Dispose() => _dir.Dispose();

    private static void Write(OutputFolder folder, params string[] files)
    {
        foreach (var f in files)
        {
            var path = Path.Combine(folder.WorkPath, f);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "new " + f);
        }
    }

    private string[] Siblings() => [.. Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void A_new_folder_is_renamed_into_place_with_a_marker_listing_its_files()
    {
        var target = _dir.File("out");
        using (var output = OutputFolder.Create(target))
        {
            Assert.Equal(OutputFolderMode.New, output.Mode);
            Assert.False(Directory.Exists(target)); // nothing in place before the commit
            Write(output, "a.csv", "sub/b.csv");
            Assert.Equal(["a.csv", "sub/b.csv"], output.Commit());
        }
        Assert.Equal(["out"], Siblings());
        Assert.Equal(["# milkcells output: the files MilkCells wrote here (the next run into this folder may replace them)", "a.csv", "sub/b.csv"],
            File.ReadAllLines(Path.Combine(target, OutputFolder.MarkerName)));
    }

    [Fact]
    public void A_previous_output_is_replaced_whole_and_an_uncommitted_run_leaves_it_as_it_was()
    {
        var target = _dir.File("out");
        using (var first = OutputFolder.Create(target))
        {
            Write(first, "a.csv", "old-only.csv");
            first.Commit();
        }
        using (var failed = OutputFolder.Create(target))
        {
            Assert.Equal(OutputFolderMode.Replace, failed.Mode);
            Write(failed, "a.csv");
        } // disposed without commit: an interrupted run
        Assert.Equal("new a.csv", File.ReadAllText(Path.Combine(target, "a.csv")));
        Assert.True(File.Exists(Path.Combine(target, "old-only.csv")));
        Assert.Equal(["out"], Siblings());

        using (var second = OutputFolder.Create(target))
        {
            File.WriteAllText(Path.Combine(second.WorkPath, "b.csv"), "second");
            second.Commit();
        }
        Assert.Equal([OutputFolder.MarkerName, "b.csv"], Directory.GetFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["out"], Siblings());
    }

    [Fact]
    public void A_folder_with_files_MilkCells_did_not_write_is_refused_naming_them_and_left_untouched()
    {
        var target = _dir.File("thesis");
        Directory.CreateDirectory(Path.Combine(target, "sub"));
        File.WriteAllText(Path.Combine(target, "thesis.docx"), "mine");
        File.WriteAllText(Path.Combine(target, "sub", "data.txt"), "mine too");
        var ex = Assert.Throws<InputException>(() => OutputFolder.Create(target));
        Assert.Contains("files MilkCells did not write: sub/, thesis.docx", ex.Message);
        Assert.Contains("--force", ex.Hint);
        Assert.Equal(["thesis"], Siblings());

        // A previous output the user added a file to is refused too: only a folder of MilkCells' files is replaced.
        var previous = _dir.File("previous");
        using (var o = OutputFolder.Create(previous))
        {
            Write(o, "a.csv");
            o.Commit();
        }
        File.WriteAllText(Path.Combine(previous, "notes.txt"), "mine");
        ex = Assert.Throws<InputException>(() => OutputFolder.Create(previous));
        Assert.Contains("a previous MilkCells output and other files: notes.txt", ex.Message);
    }

    [Fact]
    public void Force_writes_MilkCells_files_in_and_deletes_nothing_else()
    {
        var target = _dir.File("thesis");
        Directory.CreateDirectory(Path.Combine(target, "sub"));
        File.WriteAllText(Path.Combine(target, "thesis.docx"), "mine");
        File.WriteAllText(Path.Combine(target, "sub", "data.txt"), "mine too");
        using (var output = OutputFolder.Create(target, force: true))
        {
            Assert.Equal(OutputFolderMode.WriteInto, output.Mode);
            Write(output, "a.csv", "stale.csv");
            output.Commit();
        }
        using (var again = OutputFolder.Create(target, force: true))
        {
            Write(again, "a.csv");
            again.Commit();
        }
        Assert.Equal("mine", File.ReadAllText(Path.Combine(target, "thesis.docx")));
        Assert.Equal("mine too", File.ReadAllText(Path.Combine(target, "sub", "data.txt")));
        Assert.False(File.Exists(Path.Combine(target, "stale.csv"))); // MilkCells' own file from the run before, by its marker
        Assert.Equal(["thesis"], Siblings());
    }

    [Fact]
    public void An_empty_folder_is_written_into_and_kept()
    {
        var target = _dir.File("empty");
        Directory.CreateDirectory(target);
        using (var output = OutputFolder.Create(target))
        {
            Assert.Equal(OutputFolderMode.WriteInto, output.Mode);
            Write(output, "a.csv");
            output.Commit();
        }
        Assert.True(File.Exists(Path.Combine(target, "a.csv")));
        Assert.Equal(["empty"], Siblings()); // written in place: the folder itself was never swapped
    }

    [Fact]
    public void Wrong_places_are_input_errors_before_anything_is_written()
    {
        File.WriteAllText(_dir.File("file.txt"), "mine");
        Assert.Contains("is a file; this output is a folder", Assert.Throws<InputException>(() => OutputFolder.Create(_dir.File("file.txt"))).Message);
        Assert.Contains("does not exist", Assert.Throws<InputException>(() => OutputFolder.Create(_dir.File("no/such/out"))).Message);
        Assert.Contains("is a folder; this output is a file", Assert.Throws<InputException>(() => OutputFile.Create(_dir.Path)).Message);
        Assert.Contains("does not exist", Assert.Throws<InputException>(() => OutputFile.Create(_dir.File("no/x.csv"))).Message);
        Assert.Contains("is a file, not a folder", Assert.Throws<InputException>(() => OutputFile.Create(_dir.File("file.txt/x.csv"))).Message);
        Assert.Contains("standard output", Assert.Throws<InputException>(() => OutputFolder.Create("-")).Message);
        Assert.Equal(["file.txt"], Siblings());
        Assert.Equal("mine", File.ReadAllText(_dir.File("file.txt")));
    }

    [Fact]
    public void A_file_output_appears_only_when_committed_and_replaces_the_file()
    {
        var target = _dir.File("x.csv");
        File.WriteAllText(target, "old");
        using (var file = OutputFile.Create(target))
        {
            file.Stream.Write("new"u8);
        } // not committed
        Assert.Equal("old", File.ReadAllText(target));
        Assert.Equal(["x.csv"], Siblings());
        OutputFile.WriteText(target, w => w.Write("new"));
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal(["x.csv"], Siblings());
    }

    [Fact]
    public void An_unwritable_place_is_an_input_error_naming_it()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self"))
        {
            Assert.Skip("needs Linux /proc");
        }
        var ex = Assert.Throws<InputException>(() => OutputFolder.Create("/proc/self/milkcells-out"));
        Assert.StartsWith("/proc/self/milkcells-out: --out:", ex.Message);
        Assert.DoesNotContain("Exception", ex.Message);
        ex = Assert.Throws<InputException>(() => OutputFile.Create("/proc/self/milkcells.csv"));
        Assert.StartsWith("/proc/self/milkcells.csv: --out: cannot write:", ex.Message);
    }

    [Fact]
    public void Input_files_that_are_folders_or_missing_say_so()
    {
        Assert.Equal($"{_dir.Path}: is a folder, not an FCS file (hint: give the path of the FCS file inside it)",
            Assert.Throws<InputException>(() => InputFiles.RequireFile(_dir.Path, "FCS file")).Message);
        Assert.Contains("Gating-ML file not found", Assert.Throws<InputException>(() => InputFiles.RequireFile(_dir.File("g.xml"), "Gating-ML file")).Message);
        Assert.Equal("a", InputFiles.Article("Gating-ML file"));
        Assert.Equal("an", InputFiles.Article("SBML file"));
    }

    [Fact]
    public void Locations_have_one_prefix_style()
    {
        Assert.Equal("--days: 'abc' is not a whole number", new InputException(InputLocation.AtElement(null, "--days"), "'abc' is not a whole number").Message);
        Assert.Equal("x.yaml:3:1: feding: unknown key (hint: h)", new InputException(new InputLocation("x.yaml", 3, 1, Element: "feding"), "unknown key", "h").Message);
        Assert.Equal("a.fcs @ byte 58: bad", new InputException(InputLocation.AtByte("a.fcs", 58), "bad").Message);
        Assert.Equal("bad", new InputException(new InputLocation(), "bad").Message);
    }
}
