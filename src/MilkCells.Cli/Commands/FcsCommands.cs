using System.CommandLine;
using System.Globalization;
using System.Text;
using MilkCells.Core.Errors;
using MilkCells.Fcs;

namespace MilkCells.Cli.Commands;

/// <summary><c>milkcells fcs</c>: read FCS files (<c>info</c>, <c>dump</c>); gating adds its subcommands in its own file.</summary>
/// <remarks>
/// Other areas contribute subcommands by implementing <see cref="AddGatingCommands"/> in a partial class file of their
/// own (for example <c>FcsGatingCommands.cs</c> adding <c>gate</c> and <c>gatingml-suite</c>).
/// </remarks>
internal static partial class FcsCommands
{
    /// <summary>The area's command name.</summary>
    public const string Name = "fcs";

    /// <summary>The area's one-line description (root help lists it without building the area).</summary>
    public const string Summary = "Read flow cytometry (FCS 2.0–3.2) files.";

    public static Command Create(CliContext context)
    {
        var fcs = new Command(Name, Summary);
        fcs.Subcommands.Add(Info(context));
        fcs.Subcommands.Add(Dump(context));
        AddGatingCommands(fcs, context);
        return fcs;
    }

    /// <summary>Implemented by the gating area's file to add its subcommands under <c>fcs</c>.</summary>
    static partial void AddGatingCommands(Command fcs, CliContext context);

    /// <summary>The FILE argument every fcs subcommand takes.</summary>
    internal static Argument<string> FileArgument() => new("FILE") { Description = "The FCS file." };

    /// <summary>Opens an FCS file for a command (errors, a folder or a missing file included, become exit code 2).</summary>
    internal static FcsFile OpenFile(string path)
    {
        try
        {
            return FcsFile.Open(path);
        }
        catch (InputException ex) when (ex.Hint is null)
        {
            throw new InputException(ex.Location, ex.Problem, "the file must be an FCS 2.0, 3.0, 3.1 or 3.2 data file (a cytometer's list-mode export)", ex);
        }
    }

    private static Command Info(CliContext context)
    {
        var file = FileArgument();
        var stats = new Option<bool>("--stats") { Description = "Add each channel's minimum, maximum and mean over all events (raw values)." };
        var command = new Command("info", "Version, instrument, events, channels ($PnN, $PnS, range) and warnings of each data set.");
        command.Arguments.Add(file);
        command.Options.Add(stats);
        command.SetAction(parse =>
        {
            using var fcs = OpenFile(parse.GetValue(file)!);
            WriteInfo(context.Output, fcs, parse.GetValue(stats), context.Cancellation);
            return CliApp.Ok;
        });
        return command.WithExamples("milkcells fcs info sample.fcs", "milkcells fcs info sample.fcs --stats");
    }

    internal static void WriteInfo(TextWriter o, FcsFile fcs, bool withStats, CancellationToken cancellation)
    {
        o.WriteLine($"{Path.GetFileName(fcs.Name)}: {fcs.Length} bytes, {fcs.DataSets.Count} data set{(fcs.DataSets.Count == 1 ? "" : "s")}");
        foreach (var set in fcs.DataSets)
        {
            o.WriteLine();
            o.WriteLine($"data set {set.Index + 1} (--dataset {set.Index + 1}), at byte {set.Offset}");
            o.WriteLine($"  version     {set.VersionText}");
            o.WriteLine($"  instrument  {set.Cytometer ?? "(no $CYT)"}");
            o.WriteLine($"  events      {ConsoleNumbers.Count(set.EventCount)}");
            o.WriteLine($"  channels    {set.ParameterCount}");
            o.WriteLine($"  data        {DataDescription(set)}");
            var stats = withStats ? FcsStatistics.Compute(set, FcsValues.Raw, cancellation) : null;
            var header = new List<string> { "#", "$PnN", "$PnS", "$PnB", "type", "range", "$PnE" };
            if (stats is not null)
            {
                header.AddRange(["min", "max", "mean"]);
            }
            var rows = new List<string[]> { header.ToArray() };
            // Statistics for people: one notation per column, 4 significant digits (fcs dump gives every value exactly).
            string[] Stat(Func<FcsChannelStatistics, double> of) => ConsoleNumbers.Column([.. stats!.Select(of)], 4);
            var (mins, maxs, means) = stats is null ? ([], [], []) : (Stat(x => x.Min), Stat(x => x.Max), Stat(x => x.Mean));
            for (var i = 0; i < set.ParameterCount; i++)
            {
                var p = set.Parameters[i];
                var row = new List<string>
                {
                    p.Number.ToString(CultureInfo.InvariantCulture), p.Name, p.Label ?? "", p.Bits?.ToString(CultureInfo.InvariantCulture) ?? "*",
                    TypeLetter(p.DataType), p.RangeText?.Trim() ?? "", p.Amplification.ToString(),
                };
                if (stats is not null)
                {
                    row.AddRange([mins[i], maxs[i], means[i]]);
                }
                rows.Add(row.ToArray());
            }
            WriteTable(o, rows, "  ");
            var warnings = set.Warnings.ToList();
            if (set.Index == 0)
            {
                warnings.AddRange(fcs.Warnings);
            }
            o.WriteLine($"  warnings    {(warnings.Count == 0 ? "none" : warnings.Count.ToString(CultureInfo.InvariantCulture))}");
            foreach (var w in warnings)
            {
                o.WriteLine($"    {w}");
            }
        }
    }

    private static string DataDescription(FcsDataSet set)
    {
        var types = set.Parameters.Select(p => $"{TypeLetter(p.DataType)}{p.Bits?.ToString(CultureInfo.InvariantCulture) ?? "*"}").Distinct().ToList();
        var order = set.ByteOrder is { } b ? $", $BYTEORD {b.Text} ({(b.IsLittleEndian ? "little-endian" : b.IsBigEndian ? "big-endian" : "mixed")})" : "";
        var where = set.Data.IsEmpty ? "no DATA bytes" : $"bytes {set.Data.Start}–{set.Data.End}";
        return $"{string.Join(" ", types)}{order}, {where}";
    }

    private static string TypeLetter(FcsDataType t) => t switch
    {
        FcsDataType.Integer => "I",
        FcsDataType.Float => "F",
        FcsDataType.Double => "D",
        _ => "A",
    };

    /// <summary>The shortest text that parses back to the same double (invariant culture).</summary>
    internal static string Number(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static void WriteTable(TextWriter o, List<string[]> rows, string indent)
    {
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }
        foreach (var row in rows)
        {
            var sb = new StringBuilder(indent);
            for (var c = 0; c < row.Length; c++)
            {
                sb.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }
            o.WriteLine(sb.ToString().TrimEnd());
        }
    }

    private static Command Dump(CliContext context)
    {
        var file = FileArgument();
        var dataset = DataSetOption();
        var output = CliOptions.Out("Where to write the CSV (- for standard output).");
        var csv = CliOptions.HiddenAlias("--csv");
        var command = new Command("dump", "Write a data set's raw events as CSV: a header of $PnN names, one row per event.");
        command.Arguments.Add(file);
        command.Options.Add(dataset);
        command.Options.Add(output);
        command.Options.Add(csv);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var target = OutPath(parse, output, csv, "milkcells fcs dump sample.fcs -o events.csv");
            using var destination = FileOutput.Open(context, target);
            using var fcs = OpenFile(path);
            var set = DataSet(fcs, path, parse.GetValue(dataset));
            destination.WriteText(writer => WriteCsv(set, writer, context.Cancellation));
            return CliApp.Ok;
        });
        return command.WithExamples("milkcells fcs dump sample.fcs -o events.csv", "milkcells fcs dump sample.fcs --dataset 1 -o - > events.csv");
    }

    /// <summary><c>--dataset K</c>, counted from 1.</summary>
    internal static Option<int> DataSetOption() => CliOptions.Whole("--dataset", "Which data set (1 = the first; see 'fcs info').", 1, "1", 1);

    /// <summary>Data set <paramref name="k"/> (from 1) of <paramref name="fcs"/>, or an input error naming how many there are.</summary>
    internal static FcsDataSet DataSet(FcsFile fcs, string path, int k) => k >= 1 && k <= fcs.DataSets.Count
        ? fcs.DataSets[k - 1]
        : throw new InputException(new InputLocation(File: path, Element: "--dataset"), $"there is no data set {k}: the file has {fcs.DataSets.Count}, numbered from 1", "milkcells fcs info FILE lists them");

    /// <summary>The output path: <c>-o</c>, or the hidden older spelling, or an input error when neither is given.</summary>
    internal static string OutPath(ParseResult parse, Option<string?> output, Option<string?> oldSpelling, string example) =>
        parse.GetValue(output) ?? parse.GetValue(oldSpelling)
        ?? throw new InputException(InputLocation.AtElement(null, "--out"), "no output given", example);

    /// <summary>CSV of raw values, each the shortest text that round-trips the value as a double.</summary>
    internal static void WriteCsv(FcsDataSet set, TextWriter writer, CancellationToken cancellation)
    {
        var p = set.ParameterCount;
        writer.Write(string.Join(",", set.Parameters.Select(x => CsvField(x.Name))));
        writer.Write('\n');
        using var reader = set.OpenEvents();
        var buffer = new double[Math.Max(1, p) * 4096];
        var line = new char[p * 32 + 2];
        int n;
        while ((n = reader.Read(buffer)) > 0)
        {
            cancellation.ThrowIfCancellationRequested();
            for (var e = 0; e < n; e++)
            {
                var at = 0;
                for (var c = 0; c < p; c++)
                {
                    if (c > 0)
                    {
                        line[at++] = ',';
                    }
                    buffer[e * p + c].TryFormat(line.AsSpan(at), out var written, "R", CultureInfo.InvariantCulture);
                    at += written;
                }
                line[at++] = '\n';
                writer.Write(line, 0, at);
            }
        }
    }

    private static string CsvField(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
