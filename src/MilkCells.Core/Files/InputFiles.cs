using MilkCells.Core.Errors;

namespace MilkCells.Core.Files;

/// <summary>Checks a path a user gave as input before it is read, so every reader reports the same clear problems.</summary>
public static class InputFiles
{
    /// <summary>Throws an <see cref="InputException"/> unless <paramref name="path"/> is an existing file; <paramref name="what"/> names it ("FCS file").</summary>
    public static void RequireFile(string path, string what, string? option = null)
    {
        var where = new InputLocation(File: path, Element: option);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InputException(new InputLocation(Element: option), $"no {what} given", $"give the path of the {what}");
        }
        if (Directory.Exists(path))
        {
            throw new InputException(where, $"is a folder, not {Article(what)} {what}", $"give the path of the {what} inside it");
        }
        if (!File.Exists(path))
        {
            var parent = Path.GetDirectoryName(Path.GetFullPath(path));
            throw new InputException(where, $"{what} not found",
                parent is not null && !Directory.Exists(parent) ? $"the folder {parent} does not exist" : "check the path");
        }
    }

    /// <summary>Throws an <see cref="InputException"/> unless <paramref name="path"/> is an existing folder.</summary>
    public static void RequireFolder(string path, string what, string? option = null)
    {
        var where = new InputLocation(File: path, Element: option);
        if (File.Exists(path))
        {
            throw new InputException(where, $"is a file, not a folder ({what})", $"give the {what}");
        }
        if (!Directory.Exists(path))
        {
            throw new InputException(where, $"{what} not found", "check the path");
        }
    }

    /// <summary>"a" or "an" before <paramref name="what"/>, as it is read aloud (an FCS file, an SBML file, a Gating-ML file).</summary>
    public static string Article(string what) =>
        what.Length > 0 && ("aeiouAEIOU".Contains(what[0]) || (what.Length > 1 && char.IsUpper(what[1]) && "FHLMNRSX".Contains(what[0]))) ? "an" : "a";

    /// <summary>Opens an existing file for reading, with every file-system fault an input error naming it.</summary>
    public static FileStream OpenRead(string path, string what, int bufferSize = 4096, FileOptions options = FileOptions.None)
    {
        RequireFile(path, what);
        return FileSystemErrors.Guard(path, "cannot read", () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize, options));
    }

    /// <summary>Reads an existing text file whole, with every file-system fault an input error naming it.</summary>
    public static string ReadAllText(string path, string what)
    {
        RequireFile(path, what);
        return FileSystemErrors.Guard(path, "cannot read", () => File.ReadAllText(path));
    }
}
