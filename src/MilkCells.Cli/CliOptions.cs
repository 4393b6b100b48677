using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using MilkCells.Model.Scenarios;

namespace MilkCells.Cli;

/// <summary>The options every command shares, built one way (docs/cli.md): same name, same meaning, same parse errors.</summary>
/// <remarks>
/// Values are parsed here, in the option's own terms (<c>--days: 'abc' is not a whole number</c>), never by
/// System.CommandLine's type conversion, whose messages name .NET types.
/// </remarks>
internal static class CliOptions
{
    /// <summary><c>-o, --out</c>: where the command writes (a folder or a file; <c>-</c> = standard output where a stream makes sense).</summary>
    public static Option<string?> Out(string description, bool required = false) => new("--out", "-o")
    {
        Description = description,
        Required = required,
        HelpName = "PATH",
    };

    /// <summary>A hidden older spelling of an option, kept so existing scripts still run.</summary>
    public static Option<string?> HiddenAlias(string name) => new(name) { Hidden = true };

    /// <summary><c>-s, --scenario</c>: a built-in scenario or a YAML file (default <c>healthy</c>).</summary>
    public static Option<string> Scenario(string? description = null) => new("--scenario", "-s")
    {
        Description = description ?? $"Built-in scenario ({string.Join(", ", ScenarioLoader.BuiltInNames)}) or a scenario YAML file.",
        DefaultValueFactory = _ => ScenarioLoader.DefaultName,
        HelpName = "NAME|FILE",
    };

    /// <summary><c>--seed</c>: the root seed, a whole number from 0 (default 1).</summary>
    public static Option<ulong> Seed(string description) => new("--seed")
    {
        Description = description,
        DefaultValueFactory = _ => 1,
        CustomParser = result => ParseOne(result, "--seed", "a non-negative whole number", "--seed 42",
            text => ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : (ulong?)null),
        HelpName = "N",
    };

    /// <summary><c>--threads</c>: worker threads, default all cores (the help never shows this machine's count).</summary>
    public static Option<int?> Threads() => new("--threads")
    {
        Description = "Worker threads (default: all cores); results do not depend on it.",
        CustomParser = result => ParseOne(result, "--threads", "a whole number of at least 1", "--threads 2",
            text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1 ? v : (int?)null),
        HelpName = "N",
    };

    /// <summary><c>--force</c>: write into an output folder that holds other files, deleting nothing.</summary>
    public static Option<bool> Force() => new("--force")
    {
        Description = "Write into an output folder that holds files MilkCells did not write (they are kept, never deleted).",
    };

    /// <summary><c>--store</c>: a store, a plain path or sqlite:PATH, or postgres://… (parsed by StoreUri).</summary>
    public static Option<string?> Store(string description, bool required = false) => new("--store")
    {
        Description = description,
        Required = required,
        HelpName = "STORE",
    };

    /// <summary><c>--profile</c>: the calibration profile.</summary>
    public static Option<string?> Profile(string? description = null) => new("--profile")
    {
        Description = description ?? "Calibration profile: default, microscopy-era or lay-claims (a non-default one is marked in every output).",
        HelpName = "PROFILE",
    };

    /// <summary>An optional whole-number option of at least <paramref name="min"/>.</summary>
    public static Option<int?> Whole(string name, string description, int min, string example, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        CustomParser = result => ParseOne(result, name, WholeWords(min), $"{name} {example}", text => ParseWhole(text, min)),
        HelpName = "N",
    };

    /// <summary>A whole-number option of at least <paramref name="min"/> with a default.</summary>
    public static Option<int> Whole(string name, string description, int min, string example, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseOne(result, name, WholeWords(min), $"{name} {example}", text => ParseWhole(text, min)),
        HelpName = "N",
    };

    /// <summary>A required whole-number option of at least <paramref name="min"/>.</summary>
    public static Option<int> RequiredWhole(string name, string description, int min, string example, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        Required = true,
        CustomParser = result => ParseOne(result, name, WholeWords(min), $"{name} {example}", text => ParseWhole(text, min)),
        HelpName = "N",
    };

    /// <summary>A real-number option (finite; above <paramref name="above"/> when given) with an optional default.</summary>
    public static Option<double> Real(string name, string description, string example, double? defaultValue = null, double? above = null, double? below = null)
    {
        var words = (above, below) switch
        {
            ({ } a, { } b) => $"a number between {a.ToString(CultureInfo.InvariantCulture)} and {b.ToString(CultureInfo.InvariantCulture)}",
            ({ } a, null) => a == 0 ? "a positive number" : $"a number above {a.ToString(CultureInfo.InvariantCulture)}",
            _ => "a number",
        };
        var option = new Option<double>(name)
        {
            Description = description,
            Required = defaultValue is null,
            CustomParser = result => ParseOne(result, name, words, $"{name} {example}", text =>
                double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                && (above is null || v > above) && (below is null || v < below) ? v : (double?)null),
            HelpName = "X",
        };
        if (defaultValue is { } d)
        {
            option.DefaultValueFactory = _ => d;
        }
        return option;
    }

    private static string WholeWords(int min) => min switch
    {
        0 => "a non-negative whole number",
        1 => "a whole number of at least 1",
        _ => $"a whole number of at least {min}",
    };

    private static int? ParseWhole(string text, int min) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && v >= min ? v : null;

    /// <summary>Parses the option's one token with <paramref name="parse"/>; on failure adds the error in the option's own terms.</summary>
    private static T ParseOne<T>(ArgumentResult result, string name, string expected, string example, Func<string, T?> parse) where T : struct
    {
        if (result.Tokens.Count == 0)
        {
            result.AddError($"{name}: a value is needed, {expected} (hint: {example})");
            return default;
        }
        var text = result.Tokens[^1].Value;
        if (parse(text) is { } value)
        {
            return value;
        }
        var integer = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            || System.Numerics.BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
        var problem = expected.Contains("whole", StringComparison.Ordinal) && !integer ? "a whole number" : expected;
        result.AddError($"{name}: '{text}' is not {problem} (hint: {example})");
        return default;
    }
}
