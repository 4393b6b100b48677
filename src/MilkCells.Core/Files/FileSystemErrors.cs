using MilkCells.Core.Errors;

namespace MilkCells.Core.Files;

/// <summary>Turns file-system faults on a user's path into <see cref="InputException"/>s that name the path and say what to do.</summary>
/// <remarks>
/// A missing folder, a permission, a read-only or full file system are the user's to fix, not defects: every edge
/// that touches a user's path maps them here, so the command line reports one line and exit code 2. .NET reports
/// unmapped Unix errors as <see cref="IOException"/> with the raw errno as HResult (ENOSPC 28, EROFS 30, EDQUOT 122).
/// </remarks>
public static class FileSystemErrors
{
    private const int Enospc = 28, Erofs = 30, Edquot = 122, Eisdir = 21, Enotdir = 20, Eloop = 40, Enametoolong = 36;

    /// <summary>Whether <paramref name="ex"/> is a file-system fault (as opposed to a defect).</summary>
    public static bool IsFileSystemFault(Exception ex) => ex is IOException or UnauthorizedAccessException && ex is not OperationCanceledException;

    /// <summary>An input error for a fault met while <paramref name="doing"/> (e.g. "cannot write") <paramref name="path"/>.</summary>
    public static InputException ToInput(Exception ex, string path, string doing, string? option = null)
    {
        var (problem, hint) = ex switch
        {
            UnauthorizedAccessException => ("permission denied", "choose a place you can write to, or change its permissions"),
            FileNotFoundException or DirectoryNotFoundException => ("it, or a folder on its way, does not exist", "check the path"),
            PathTooLongException => ("the path is too long", "choose a shorter path"),
            IOException { HResult: Enospc or Edquot } => ("no space left on the file system", "free some space or choose another place"),
            IOException { HResult: Erofs } => ("the file system is read-only", "choose a writable place"),
            IOException { HResult: Eisdir } => ("it is a folder", "give a file name"),
            IOException { HResult: Enotdir } => ("a part of the path is a file, not a folder", "check the path"),
            IOException { HResult: Eloop } => ("too many symbolic links", "check the path"),
            IOException { HResult: Enametoolong } => ("a name in the path is too long", "choose a shorter name"),
            _ => (Plain(ex.Message, path), "check the path, its permissions and the free space"),
        };
        return new InputException(new InputLocation(File: path, Element: option), $"{doing}: {problem}", hint, ex);
    }

    /// <summary>Runs <paramref name="action"/>, mapping file-system faults on <paramref name="path"/> to input errors.</summary>
    public static void Guard(string path, string doing, Action action, string? option = null)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (IsFileSystemFault(ex))
        {
            throw ToInput(ex, path, doing, option);
        }
    }

    /// <summary>Runs <paramref name="func"/>, mapping file-system faults on <paramref name="path"/> to input errors.</summary>
    public static T Guard<T>(string path, string doing, Func<T> func, string? option = null)
    {
        try
        {
            return func();
        }
        catch (Exception ex) when (IsFileSystemFault(ex))
        {
            throw ToInput(ex, path, doing, option);
        }
    }

    /// <summary>.NET's message without the path it repeats (ours is already at the front) and without a trailing period.</summary>
    private static string Plain(string message, string path)
    {
        var text = message.Replace($" : '{path}'", "", StringComparison.Ordinal).Replace($" '{path}'", "", StringComparison.Ordinal).Trim();
        return text.EndsWith('.') ? text[..^1] : text;
    }
}
