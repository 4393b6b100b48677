using System.Runtime.InteropServices;
using System.Text;
using MilkCells.Core.Errors;

namespace MilkCells.Core.Files;

/// <summary>How an output folder is put in place.</summary>
public enum OutputFolderMode
{
    /// <summary>The folder does not exist: the finished folder is renamed into place.</summary>
    New,

    /// <summary>The folder holds a previous MilkCells output and nothing else: swapped atomically for the new one.</summary>
    Replace,

    /// <summary>The folder is empty, is the working folder, or <c>--force</c> was given: MilkCells' files are moved in one by one and nothing else is touched.</summary>
    WriteInto,
}

/// <summary>A folder output that never deletes or overwrites what MilkCells did not write.</summary>
/// <remarks>
/// Every folder MilkCells writes holds a marker, <see cref="MarkerName"/>, listing the files it wrote. <see cref="Create"/>
/// checks the path before the work starts (its parent an existing, writable folder; not a file) and decides:
/// absent → <see cref="OutputFolderMode.New"/>; holding only a previous output (every file listed in its marker) →
/// <see cref="OutputFolderMode.Replace"/>; anything else is refused with an <see cref="InputException"/> naming what
/// is in the way, unless <c>force</c>, when the new files are moved in and nothing else is touched
/// (<see cref="OutputFolderMode.WriteInto"/>; so is an empty folder, and the working folder, which is never swapped
/// away from under a shell). The work is written into <see cref="WorkPath"/>, a hidden sibling; <see cref="Commit"/>
/// puts it in place, on Linux by one <c>renameat2(RENAME_EXCHANGE)</c> for a replacement, so a reader sees the old
/// folder or the new one, never a mixture; disposing without committing deletes the sibling, so an interrupted or
/// failed run leaves the previous folder as it was. Like git refusing a checkout over untracked files.
/// </remarks>
public sealed class OutputFolder : IDisposable
{
    /// <summary>The marker file in every folder MilkCells writes: a header line, then one written file per line.</summary>
    public const string MarkerName = ".milkcells-output";

    private const string MarkerHeader = "# milkcells output: the files MilkCells wrote here (the next run into this folder may replace them)";
    private readonly string _option;
    private readonly IReadOnlyList<string> _previous;
    private bool _committed;

    private OutputFolder(string path, string fullPath, string workPath, OutputFolderMode mode, IReadOnlyList<string> previous, string option)
    {
        Path = path;
        FullPath = fullPath;
        WorkPath = workPath;
        Mode = mode;
        _previous = previous;
        _option = option;
    }

    /// <summary>The path as the user gave it.</summary>
    public string Path { get; }

    /// <summary>The absolute path of the folder.</summary>
    public string FullPath { get; }

    /// <summary>The hidden sibling folder to write the output into.</summary>
    public string WorkPath { get; }

    /// <summary>How the output will be put in place.</summary>
    public OutputFolderMode Mode { get; }

    /// <summary>Checks <paramref name="path"/> as a folder output and creates its working sibling; throws an <see cref="InputException"/> naming the problem.</summary>
    /// <param name="path">The folder to write.</param>
    /// <param name="force">Write into a folder that holds other files (keeping them).</param>
    /// <param name="option">The option that named it, for messages.</param>
    /// <param name="createParent">Create missing parent folders (only for a default location MilkCells chose itself).</param>
    public static OutputFolder Create(string path, bool force = false, string option = "--out", bool createParent = false)
    {
        var (full, mode, previous) = Check(path, force, option, createParent);
        var work = TempSibling(full);
        FileSystemErrors.Guard(path, "cannot write", () => Directory.CreateDirectory(work), option);
        if (mode == OutputFolderMode.WriteInto)
        {
            // The files will be moved into the folder itself: make sure it takes them before the work starts.
            var probe = System.IO.Path.Combine(full, MarkerName + $".{Environment.ProcessId}.probe");
            try
            {
                FileSystemErrors.Guard(path, "cannot write into the folder", () => File.WriteAllBytes(probe, []), option);
                File.Delete(probe);
            }
            catch
            {
                Directory.Delete(work, true);
                throw;
            }
        }
        return new OutputFolder(path, full, work, mode, previous, option);
    }

    /// <summary>Checks <paramref name="path"/> as a folder output without writing anything.</summary>
    /// <returns>Its absolute path, how it would be put in place, and the files a previous output there lists.</returns>
    public static (string FullPath, OutputFolderMode Mode, IReadOnlyList<string> Previous) Check(string path, bool force = false, string option = "--out", bool createParent = false)
    {
        var where = new InputLocation(File: path, Element: option);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InputException(new InputLocation(Element: option), "the output folder is empty", $"{option} FOLDER");
        }
        if (path == "-")
        {
            throw new InputException(new InputLocation(Element: option), "'-' (standard output) cannot hold a folder of files", $"give a folder, e.g. {option} results");
        }
        var full = FileSystemErrors.Guard(path, "not a usable path", () => System.IO.Path.GetFullPath(path), option);
        full = System.IO.Path.TrimEndingDirectorySeparator(full);
        if (File.Exists(full))
        {
            throw new InputException(where, "is a file; this output is a folder", "choose a folder name (the file is left as it is)");
        }
        CheckParent(full, path, option, createParent);
        if (!Directory.Exists(full))
        {
            return (full, OutputFolderMode.New, []);
        }
        var previous = ReadMarker(full);
        var theirs = FileSystemErrors.Guard(path, "cannot read the folder", () => NotOurs(full, previous), option);
        if (theirs.Count > 0 && !force)
        {
            var shown = string.Join(", ", theirs.Take(3)) + (theirs.Count > 3 ? $" and {theirs.Count - 3} more" : "");
            throw new InputException(where,
                previous is null ? $"the folder holds files MilkCells did not write: {shown}" : $"the folder holds a previous MilkCells output and other files: {shown}",
                "choose a new or empty folder, or add --force to write MilkCells' files into it without deleting anything");
        }
        var empty = previous is null && theirs.Count == 0;
        var mode = force || empty || IsWorkingFolderOrAbove(full) || new DirectoryInfo(full).LinkTarget is not null
            ? OutputFolderMode.WriteInto
            : OutputFolderMode.Replace;
        return (full, mode, previous ?? []);
    }

    /// <summary>Throws an <see cref="InputException"/> unless the parent of <paramref name="full"/> is an existing folder (created when <paramref name="create"/>).</summary>
    public static void CheckParent(string full, string path, string option, bool create)
    {
        var parent = System.IO.Path.GetDirectoryName(full);
        var where = new InputLocation(File: path, Element: option);
        if (parent is null)
        {
            throw new InputException(where, "is the root of the file system", "choose a folder inside it");
        }
        if (File.Exists(parent))
        {
            throw new InputException(where, $"{parent} is a file, not a folder", "check the path");
        }
        if (!Directory.Exists(parent))
        {
            if (!create)
            {
                throw new InputException(where, $"the folder {parent} does not exist", $"create it first (mkdir -p {parent}) or choose another place");
            }
            FileSystemErrors.Guard(path, "cannot create its folder", () => Directory.CreateDirectory(parent), option);
        }
    }

    /// <summary>A fresh hidden sibling name for <paramref name="full"/> (same folder, so a rename is atomic).</summary>
    public static string TempSibling(string full) => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!,
        $".{System.IO.Path.GetFileName(full)}.milkcells-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}.tmp");

    /// <summary>Puts the finished output in place (see the remarks), with its marker listing every file in <see cref="WorkPath"/>.</summary>
    /// <returns>The files written, relative to the folder, '/'-separated, in ordinal order.</returns>
    public IReadOnlyList<string> Commit()
    {
        if (_committed)
        {
            throw new InvalidOperationException("the output folder is already committed");
        }
        var files = Directory.EnumerateFiles(WorkPath, "*", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(WorkPath, f).Replace(System.IO.Path.DirectorySeparatorChar, '/'))
            .Where(f => f != MarkerName)
            .Order(StringComparer.Ordinal)
            .ToList();
        FileSystemErrors.Guard(Path, "cannot write", () =>
        {
            File.WriteAllText(System.IO.Path.Combine(WorkPath, MarkerName), MarkerHeader + "\n" + string.Concat(files.Select(f => f + "\n")), new UTF8Encoding(false));
            switch (Mode)
            {
                case OutputFolderMode.New:
                    Directory.Move(WorkPath, FullPath);
                    break;
                case OutputFolderMode.Replace:
                    Swap(WorkPath, FullPath);
                    Directory.Delete(WorkPath, true); // now the previous output: only files MilkCells wrote (checked)
                    break;
                default:
                    MoveInto(files);
                    break;
            }
        }, _option);
        _committed = true;
        return files;
    }

    /// <summary>Deletes the working sibling unless committed.</summary>
    public void Dispose()
    {
        if (_committed || !Directory.Exists(WorkPath))
        {
            return;
        }
        try
        {
            Directory.Delete(WorkPath, true);
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemFault(ex))
        {
            // Best effort: the error being reported matters more.
        }
    }

    private void MoveInto(IReadOnlyList<string> files)
    {
        foreach (var file in files.Append(MarkerName))
        {
            var target = System.IO.Path.Combine(FullPath, file);
            if (Directory.Exists(target))
            {
                throw new InputException(new InputLocation(File: Path, Element: _option), $"a folder named {file} is in the way of MilkCells' file",
                    "rename or move that folder, or choose another output folder");
            }
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Move(System.IO.Path.Combine(WorkPath, file), target, overwrite: true);
        }
        // Files the previous output listed and this one does not write are MilkCells' own: remove them, so the folder
        // never mixes two runs. Nothing else is touched.
        foreach (var stale in _previous.Except(files, StringComparer.Ordinal))
        {
            var target = System.IO.Path.Combine(FullPath, stale);
            if (File.Exists(target))
            {
                File.Delete(target);
            }
        }
        Directory.Delete(WorkPath, true);
    }

    /// <summary>The files a marker in <paramref name="folder"/> lists (safe relative paths only), or null when there is no marker.</summary>
    internal static IReadOnlyList<string>? ReadMarker(string folder)
    {
        var marker = System.IO.Path.Combine(folder, MarkerName);
        if (!File.Exists(marker))
        {
            return null;
        }
        string[] lines;
        try
        {
            lines = File.ReadAllLines(marker);
        }
        catch (Exception ex) when (FileSystemErrors.IsFileSystemFault(ex))
        {
            return null;
        }
        if (lines.Length == 0 || !lines[0].StartsWith("# milkcells output", StringComparison.Ordinal))
        {
            return null;
        }
        return [.. lines.Skip(1).Where(IsSafeRelative)];
    }

    private static bool IsSafeRelative(string line) =>
        line.Length > 0 && !line.StartsWith('#') && !System.IO.Path.IsPathRooted(line) && !line.Split('/').Any(part => part is "" or "." or "..");

    /// <summary>Everything in <paramref name="folder"/> that is not a file the marker lists (folders shown with a trailing '/').</summary>
    private static List<string> NotOurs(string folder, IReadOnlyList<string>? ours)
    {
        var listed = new HashSet<string>(ours ?? [], StringComparer.Ordinal);
        var theirs = new List<string>();
        void Walk(string dir, string prefix)
        {
            foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var relative = prefix + entry.Name;
                if (ours is null)
                {
                    theirs.Add(entry is DirectoryInfo ? relative + "/" : relative);
                }
                else if (entry is DirectoryInfo { LinkTarget: null } sub && listed.Any(f => f.StartsWith(relative + "/", StringComparison.Ordinal)))
                {
                    Walk(sub.FullName, relative + "/");
                }
                else if (entry is not FileInfo || entry.LinkTarget is not null || (!listed.Contains(relative) && relative != MarkerName))
                {
                    theirs.Add(entry is DirectoryInfo ? relative + "/" : relative);
                }
            }
        }
        Walk(folder, "");
        return theirs;
    }

    private static bool IsWorkingFolderOrAbove(string full)
    {
        var cwd = System.IO.Path.TrimEndingDirectorySeparator(Environment.CurrentDirectory);
        return cwd == full || cwd.StartsWith(full + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>Exchanges two folders atomically (Linux renameat2), else by two renames.</summary>
    private static void Swap(string a, string b)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                if (RenameAt2(AtFdCwd, a, AtFdCwd, b, RenameExchange) == 0)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
            {
                // An old C library: fall back below.
            }
        }
        var aside = TempSibling(b);
        Directory.Move(b, aside);
        Directory.Move(a, b);
        Directory.Move(aside, a);
    }

    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;

    [DllImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    private static extern int RenameAt2(int oldDirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, int newDirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath, uint flags);
}
