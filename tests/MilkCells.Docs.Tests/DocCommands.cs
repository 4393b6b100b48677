using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;

namespace MilkCells.Docs.Tests;

/// <summary>A command shown in a Markdown file: where, the command line, and the output the file shows for it.</summary>
/// <param name="File">The file, relative to the repository (README.md, docs/cohorts.md).</param>
/// <param name="Line">The 1-based line the command starts on.</param>
/// <param name="Text">The command line, continuation lines joined, comments removed.</param>
/// <param name="Expected">The output shown under it in a <c>console</c> block (empty in an <c>sh</c> block).</param>
/// <param name="ShowsOutput">Whether it comes from a <c>console</c> block, whose output lines must be real.</param>
public sealed record DocCommand(string File, int Line, string Text, ImmutableArray<string> Expected, bool ShowsOutput)
{
    public override string ToString() => $"{File}:{Line}: {Text}";
}

/// <summary>Finds the commands of a Markdown file: every line of a fenced <c>sh</c>/<c>bash</c>/<c>shell</c> block, and
/// every <c>$ </c> line of a <c>console</c> block with the output lines under it.</summary>
/// <remarks>
/// A trailing <c>\</c> joins the next line; <c># …</c> outside quotes is a comment. In a console block, the lines after a
/// command up to the next <c>$ </c> line are its output as shown: a line <c>…</c> stands for lines left out, and <c>…</c>
/// inside a line for any text (a path, a time).
/// </remarks>
public static partial class DocCommands
{
    private static readonly string[] ShellLanguages = ["sh", "bash", "shell"];

    /// <summary>The commands of <paramref name="markdown"/>, in order.</summary>
    public static ImmutableArray<DocCommand> Extract(string file, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var commands = ImmutableArray.CreateBuilder<DocCommand>();
        for (var i = 0; i < lines.Length; i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }
            var fence = open.Groups["fence"].Value;
            var language = open.Groups["lang"].Value.ToLowerInvariant();
            var body = new List<(int Line, string Text)>();
            for (i++; i < lines.Length && !(lines[i].TrimStart().StartsWith(fence, StringComparison.Ordinal) && lines[i].Trim().Trim(fence[0]).Length == 0); i++)
            {
                body.Add((i + 1, lines[i]));
            }
            if (ShellLanguages.Contains(language))
            {
                commands.AddRange(Shell(file, body));
            }
            else if (language == "console")
            {
                commands.AddRange(Console(file, body));
            }
        }
        return commands.ToImmutable();
    }

    private static IEnumerable<DocCommand> Shell(string file, List<(int Line, string Text)> body)
    {
        for (var k = 0; k < body.Count; k++)
        {
            var (start, text) = body[k];
            var command = new StringBuilder();
            while (true)
            {
                var line = StripComment(text).TrimEnd();
                if (line.EndsWith('\\') && k + 1 < body.Count)
                {
                    command.Append(line[..^1].TrimEnd()).Append(' ');
                    text = body[++k].Text.TrimStart();
                    continue;
                }
                command.Append(line);
                break;
            }
            var joined = command.ToString().Trim();
            if (joined.Length > 0)
            {
                yield return new DocCommand(file, start, joined, [], false);
            }
        }
    }

    private static IEnumerable<DocCommand> Console(string file, List<(int Line, string Text)> body)
    {
        for (var k = 0; k < body.Count; k++)
        {
            if (!body[k].Text.StartsWith("$ ", StringComparison.Ordinal))
            {
                continue;
            }
            var start = body[k].Line;
            var command = new StringBuilder();
            var text = body[k].Text[2..];
            while (true)
            {
                var line = StripComment(text).TrimEnd();
                if (line.EndsWith('\\') && k + 1 < body.Count)
                {
                    command.Append(line[..^1].TrimEnd()).Append(' ');
                    text = body[++k].Text.TrimStart().TrimStart('>').TrimStart();
                    continue;
                }
                command.Append(line);
                break;
            }
            var expected = ImmutableArray.CreateBuilder<string>();
            while (k + 1 < body.Count && !body[k + 1].Text.StartsWith("$ ", StringComparison.Ordinal))
            {
                expected.Add(body[++k].Text.TrimEnd());
            }
            while (expected.Count > 0 && expected[^1].Length == 0)
            {
                expected.RemoveAt(expected.Count - 1);
            }
            yield return new DocCommand(file, start, command.ToString().Trim(), expected.ToImmutable(), true);
        }
    }

    /// <summary>The line without a <c>#</c> comment that starts it or follows a space outside quotes.</summary>
    public static string StripComment(string line)
    {
        var single = false;
        var dbl = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\\' && !single)
            {
                i++;
            }
            else if (c == '\'' && !dbl)
            {
                single = !single;
            }
            else if (c == '"' && !single)
            {
                dbl = !dbl;
            }
            else if (c == '#' && !single && !dbl && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }
        return line;
    }

    /// <summary>Whether <paramref name="actual"/> shows <paramref name="expected"/>: line by line, where a line <c>…</c>
    /// skips any number of lines and <c>…</c> inside a line matches any text. Trailing spaces are ignored.</summary>
    public static bool Shows(IReadOnlyList<string> actual, IReadOnlyList<string> expected)
    {
        return Match(0, 0);

        bool Match(int a, int e)
        {
            if (e == expected.Count)
            {
                return true; // lines after the last one shown may be left out
            }
            if (expected[e].Trim() == "…")
            {
                for (var skip = a; skip <= actual.Count; skip++)
                {
                    if (Match(skip, e + 1))
                    {
                        return true;
                    }
                }
                return false;
            }
            return a < actual.Count && LineMatches(actual[a].TrimEnd(), expected[e].TrimEnd()) && Match(a + 1, e + 1);
        }
    }

    private static bool LineMatches(string actual, string expected)
    {
        if (!expected.Contains('…', StringComparison.Ordinal))
        {
            return actual == expected;
        }
        var pattern = "^" + string.Join(".*", expected.Split('…').Select(Regex.Escape)) + "$";
        return Regex.IsMatch(actual, pattern);
    }

    [GeneratedRegex(@"^\s*(?<fence>```+|~~~+)\s*(?<lang>[\w+-]*)")]
    private static partial Regex Fence();
}
