using MilkCells.Core.Errors;

namespace MilkCells.Cli.Scrna;

/// <summary>One place that opens a command's output folder: built in a hidden sibling, moved into place at the end.</summary>
/// <remarks>
/// The output policy of issue 9 (docs/cli.md): a folder MilkCells wrote carries a marker file and may be replaced; any
/// other existing folder is refused (exit 2, naming what is in it) unless <c>--force</c>, which writes MilkCells' files
/// into it without deleting anything else. Everything is checked before the work starts. When the shared output helpers
/// of the cli-trust branch land, this class is the one to switch over.
/// </remarks>
internal sealed class OutputFolder
{
    public const string Marker = ".milkcells-output";

    private OutputFolder(string target, string temp, bool merge)
    {
        Target = target;
        Temp = temp;
        _merge = merge;
    }

    private readonly bool _merge;

    /// <summary>The folder asked for.</summary>
    public string Target { get; }

    /// <summary>Where the files are written until <see cref="Commit"/>.</summary>
    public string Temp { get; }

    /// <summary>The path of one output file in the working folder.</summary>
    public string File(string name) => Path.Combine(Temp, name);

    /// <summary>Checks the target and creates the working folder; throws an input error if the target cannot be used.</summary>
    public static OutputFolder Open(string? path, bool force, string option = "-o/--out")
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InputException(InputLocation.AtElement(null, option), "no output folder given", "add -o DIR");
        }
        var target = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        if (System.IO.File.Exists(target))
        {
            throw new InputException(InputLocation.AtElement(target, option), "is a file, not a folder", "give a folder path for the outputs");
        }
        var parent = Path.GetDirectoryName(target);
        if (parent is null || !Directory.Exists(parent))
        {
            throw new InputException(InputLocation.AtElement(target, option), $"the parent folder {parent} does not exist", "create it first");
        }
        var merge = false;
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !System.IO.File.Exists(Path.Combine(target, Marker)))
        {
            if (!force)
            {
                var entries = Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(3).ToList();
                throw new InputException(InputLocation.AtElement(target, option), $"the folder exists and was not written by MilkCells (it holds {string.Join(", ", entries)}…)",
                    "choose a new folder, or add --force to write into it (nothing else in it is deleted)");
            }
            merge = true;
        }
        var temp = Path.Combine(parent, $".{Path.GetFileName(target)}.tmp-{Environment.ProcessId}");
        try
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, true);
            }
            Directory.CreateDirectory(temp);
            System.IO.File.WriteAllText(Path.Combine(temp, Marker), "written by milkcells; this folder may be replaced by a later run\n");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(InputLocation.AtElement(parent, option), $"cannot write here ({ex.Message})", "choose a writable folder", ex);
        }
        return new OutputFolder(target, temp, merge);
    }

    /// <summary>Moves the finished files into place.</summary>
    public void Commit()
    {
        if (_merge)
        {
            foreach (var file in Directory.GetFiles(Temp, "*", SearchOption.AllDirectories))
            {
                var to = Path.Combine(Target, Path.GetRelativePath(Temp, file));
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                System.IO.File.Move(file, to, overwrite: true);
            }
            Directory.Delete(Temp, true);
            return;
        }
        if (Directory.Exists(Target))
        {
            var old = Target + $".old-{Environment.ProcessId}";
            Directory.Move(Target, old);
            Directory.Move(Temp, Target);
            Directory.Delete(old, true); // held our marker (checked in Open), so it is ours
        }
        else
        {
            Directory.Move(Temp, Target);
        }
    }

    /// <summary>Removes the working folder after a failure.</summary>
    public void Abandon()
    {
        try
        {
            if (Directory.Exists(Temp))
            {
                Directory.Delete(Temp, true);
            }
        }
        catch (IOException)
        {
        }
    }
}
