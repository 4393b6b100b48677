using MilkCells.Core.Errors;

namespace MilkCells.Cli.Commands;

/// <summary>The one place <c>sample</c> commands open their output folder: built beside, moved into place, never destroying what MilkCells did not write.</summary>
/// <remarks>
/// A folder output is created if absent, replaced only if it holds a previous MilkCells output (the <see cref="Marker"/>
/// file), otherwise refused unless forced; with force, MilkCells' files are written into it and nothing else there is
/// touched. Everything is first written to a hidden sibling, so a failure or Ctrl+C leaves the previous state. The
/// decision is taken by <see cref="Open"/> before any work starts. (Issue 9's shared output policy will replace this class.)
/// </remarks>
internal sealed class OutputFolder
{
    /// <summary>The marker file that says a folder is a MilkCells output.</summary>
    public const string Marker = ".milkcells-output";

    private readonly bool _merge;

    private OutputFolder(string target, string temp, bool merge, string what)
    {
        Target = target;
        Temp = temp;
        _merge = merge;
        What = what;
    }

    /// <summary>The folder the user asked for.</summary>
    public string Target { get; }

    /// <summary>The hidden sibling being written.</summary>
    public string Temp { get; }

    /// <summary>What wrote it (the marker's text).</summary>
    public string What { get; }

    /// <summary>Checks that <paramref name="path"/> may be written, before any work.</summary>
    /// <exception cref="InputException">The folder holds something else and <paramref name="force"/> is not set, or a file is in the way.</exception>
    public static OutputFolder Open(string path, bool force, string what)
    {
        var target = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        var where = new InputLocation(File: path, Element: "-o/--out");
        if (System.IO.File.Exists(target))
        {
            throw new InputException(where, "is a file, not a folder", "give a folder for the outputs");
        }
        var merge = false;
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !System.IO.File.Exists(Path.Combine(target, Marker)))
        {
            if (!force)
            {
                throw new InputException(where, "the folder exists and was not written by MilkCells (it has no " + Marker + " file)",
                    "choose a new folder, or pass --force to write into it (nothing already there is deleted)");
            }
            merge = true;
        }
        var parent = Path.GetDirectoryName(target)!;
        try
        {
            Directory.CreateDirectory(parent);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(where, $"cannot create {parent}: {ex.Message}");
        }
        var temp = Path.Combine(parent, $".{Path.GetFileName(target)}.tmp-{Environment.ProcessId}");
        if (Directory.Exists(temp))
        {
            Directory.Delete(temp, true);
        }
        Directory.CreateDirectory(temp);
        return new OutputFolder(target, temp, merge, what);
    }

    /// <summary>A file's path inside the folder being written.</summary>
    public string File(string name) => Path.Combine(Temp, name);

    /// <summary>Moves the finished files into place.</summary>
    public void Commit()
    {
        System.IO.File.WriteAllText(Path.Combine(Temp, Marker), $"MilkCells output: {What}\n");
        if (_merge)
        {
            foreach (var file in Directory.EnumerateFiles(Temp))
            {
                System.IO.File.Move(file, Path.Combine(Target, Path.GetFileName(file)), overwrite: true);
            }
            Directory.Delete(Temp, true);
            return;
        }
        if (Directory.Exists(Target))
        {
            var old = Target + $".old-{Environment.ProcessId}";
            Directory.Move(Target, old);
            Directory.Move(Temp, Target);
            Directory.Delete(old, true);
        }
        else
        {
            Directory.Move(Temp, Target);
        }
    }

    /// <summary>Removes the half-written sibling (after a failure).</summary>
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
            // Best effort: the error being reported matters more.
        }
    }
}
