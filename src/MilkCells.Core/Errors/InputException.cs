namespace MilkCells.Core.Errors;

/// <summary>Where in a user's input a problem sits: a file and a line, a byte offset, or an element id.</summary>
/// <remarks>
/// Exactly the pieces that are known are set. <see cref="ToString"/> renders the one prefix style of every MilkCells
/// error message: <c>file:line:column</c> or <c>file @ byte N</c>, then the element, each part ": "-separated.
/// </remarks>
public sealed record InputLocation(
    string? File = null,
    int? Line = null,
    int? Column = null,
    long? ByteOffset = null,
    string? Element = null)
{
    public static InputLocation InFile(string? file) => new(File: file);

    public static InputLocation AtLine(string? file, int line, int? column = null) => new(file, line, column);

    public static InputLocation AtByte(string? file, long offset) => new(File: file, ByteOffset: offset);

    public static InputLocation AtElement(string? file, string element) => new(File: file, Element: element);

    /// <summary>The place as a message prefix: <c>file:line:col</c>, <c>file @ byte N</c>, then the element (an option such as <c>--days</c>); empty when nothing is known.</summary>
    public override string ToString()
    {
        var parts = new List<string>(2);
        if (File is not null)
        {
            var head = File;
            if (Line is { } line)
            {
                head += Column is { } col ? $":{line}:{col}" : $":{line}";
            }
            if (ByteOffset is { } at)
            {
                head += $" @ byte {at}";
            }
            parts.Add(head);
        }
        else if (ByteOffset is { } at)
        {
            parts.Add($"byte {at}");
        }
        if (Element is not null)
        {
            parts.Add(Element);
        }
        return string.Join(": ", parts);
    }
}

/// <summary>
/// A problem with what the user gave us (a file, a scenario, an option, a parameter), as opposed to a bug.
/// </summary>
/// <remarks>
/// The CLI turns it into one clear message and exit code 2, never a stack trace. Subsystems derive
/// their own typed errors from it (for example the FCS reader's format error with its byte offset).
/// </remarks>
public class InputException : Exception
{
    public InputException(InputLocation location, string problem, string? hint = null, Exception? inner = null)
        : base(Format(location, problem, hint), inner)
    {
        Location = location;
        Problem = problem;
        Hint = hint;
    }

    public InputLocation Location { get; }

    public string Problem { get; }

    public string? Hint { get; }

    private static string Format(InputLocation location, string problem, string? hint)
    {
        var where = location.ToString();
        var text = where.Length == 0 ? problem : $"{where}: {problem}";
        return hint is null ? text : $"{text} (hint: {hint})";
    }
}

/// <summary>Several input problems found at once, reported together (validation returns every problem).</summary>
public sealed class InputProblemsException : InputException
{
    public InputProblemsException(IReadOnlyList<InputException> problems)
        : base(problems.Count > 0 ? problems[0].Location : new InputLocation(),
               problems.Count == 1 ? problems[0].Problem : $"{problems.Count} problems:\n  " + string.Join("\n  ", problems.Select(p => p.Message)),
               problems.Count == 1 ? problems[0].Hint : null)
    {
        Problems = problems;
    }

    public IReadOnlyList<InputException> Problems { get; }

    public override string Message => Problems.Count == 1
        ? Problems[0].Message
        : $"{Problems.Count} problems:\n  " + string.Join("\n  ", Problems.Select(p => p.Message));
}
