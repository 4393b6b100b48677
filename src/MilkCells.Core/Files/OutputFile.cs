using MilkCells.Core.Errors;

namespace MilkCells.Core.Files;

/// <summary>A file output: checked and reserved before the work starts, written to a hidden temporary sibling, renamed into place when complete.</summary>
/// <remarks>
/// <see cref="Create"/> checks the path (not a folder, its parent an existing, writable folder: never created) and
/// creates the temporary file at once, so an unwritable place fails before any work. <see cref="Commit"/> renames it
/// over the target (an existing file is replaced: the user named it); disposing without committing deletes it, so an
/// interrupted or failed run leaves the previous file as it was. Rename is atomic within a file system.
/// </remarks>
public sealed class OutputFile : IDisposable
{
    private readonly string _option;
    private FileStream? _stream;
    private bool _committed;

    private OutputFile(string path, string fullPath, string tempPath, FileStream stream, string option)
    {
        Path = path;
        FullPath = fullPath;
        TempPath = tempPath;
        _stream = stream;
        _option = option;
    }

    /// <summary>The path as the user gave it.</summary>
    public string Path { get; }

    /// <summary>The absolute path of the file.</summary>
    public string FullPath { get; }

    /// <summary>The hidden temporary sibling being written.</summary>
    public string TempPath { get; }

    /// <summary>The stream to write (the temporary file).</summary>
    public Stream Stream => _stream ?? throw new ObjectDisposedException(nameof(OutputFile));

    /// <summary>Checks <paramref name="path"/> as a file output and reserves its temporary sibling; throws an <see cref="InputException"/> naming the problem.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="option">The option that named it, for messages (e.g. <c>--out</c>).</param>
    public static OutputFile Create(string path, string option = "--out")
    {
        var full = Check(path, option);
        var temp = OutputFolder.TempSibling(full);
        var stream = FileSystemErrors.Guard(path, "cannot write", () => new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16), option);
        return new OutputFile(path, full, temp, stream, option);
    }

    /// <summary>Checks <paramref name="path"/> as a file output without writing anything; returns its absolute path.</summary>
    public static string Check(string path, string option = "--out")
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InputException(new InputLocation(Element: option), "the output path is empty", $"{option} FILE");
        }
        var full = FileSystemErrors.Guard(path, "not a usable path", () => System.IO.Path.GetFullPath(path), option);
        var where = new InputLocation(File: path, Element: option);
        if (Directory.Exists(full))
        {
            throw new InputException(where, "is a folder; this output is a file", $"give a file name, e.g. {System.IO.Path.Combine(path, "out.csv")}");
        }
        if (full.EndsWith(System.IO.Path.DirectorySeparatorChar))
        {
            throw new InputException(where, "ends with a folder separator; this output is a file", "give a file name");
        }
        OutputFolder.CheckParent(full, path, option, create: false);
        return full;
    }

    /// <summary>Writes text through a UTF-8 (no BOM) writer with <c>\n</c> line ends, then commits.</summary>
    public static void WriteText(string path, Action<TextWriter> write, string option = "--out")
    {
        using var output = Create(path, option);
        using (var writer = output.TextWriter())
        {
            write(writer);
        }
        output.Commit();
    }

    /// <summary>A UTF-8 (no BOM) writer over <see cref="Stream"/>, lines ending in <c>\n</c>; disposing it does not close the stream.</summary>
    public TextWriter TextWriter() => new StreamWriter(Stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };

    /// <summary>Closes the temporary file and renames it over the target.</summary>
    public void Commit()
    {
        if (_committed)
        {
            return;
        }
        FileSystemErrors.Guard(Path, "cannot write", () =>
        {
            _stream!.Dispose();
            _stream = null;
            File.Move(TempPath, FullPath, overwrite: true);
        }, _option);
        _committed = true;
    }

    /// <summary>Deletes the temporary file unless committed.</summary>
    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        if (!_committed)
        {
            try
            {
                File.Delete(TempPath);
            }
            catch (Exception ex) when (FileSystemErrors.IsFileSystemFault(ex))
            {
                // Best effort: the error being reported matters more.
            }
        }
    }
}
