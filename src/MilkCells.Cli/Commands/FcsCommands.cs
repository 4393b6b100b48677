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
    public static Command Create(CliContext context)
    {
        var fcs = new Command("fcs", "Read flow cytometry (FCS 2.0–3.2) files.");
        fcs.Subcommands.Add(Info(context));
        fcs.Subcommands.Add(Dump(context));
        AddGatingCommands(fcs, context);
        return fcs;
    }

    /// <summary>Implemented by the gating area's file to add its subcommands under <c>fcs</c>.</summary>
    static partial void AddGatingCommands(Command fcs, CliContext context);

    /// <summary>The FILE argument every fcs subcommand takes.</summary>
    internal static Argument<string> FileArgument() => new("FILE") { Description = "The FCS file." };

    /// <summary>Opens an FCS file for a command (errors become exit code 2).</summary>
    internal static FcsFile OpenFile(string path) => FcsFile.Open(path);

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
        return command;
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
            o.WriteLine($"  events      {set.EventCount}");
            o.WriteLine($"  channels    {set.ParameterCount}");
            o.WriteLine($"  data        {DataDescription(set)}");
            var stats = withStats ? FcsStatistics.Compute(set, FcsValues.Raw, cancellation) : null;
            var header = new List<string> { "#", "$PnN", "$PnS", "$PnB", "type", "range", "$PnE" };
            if (stats is not null)
            {
                header.AddRange(["min", "max", "mean"]);
            }
            var rows = new List<string[]> { header.ToArray() };
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
                    row.AddRange([Number(stats[i].Min), Number(stats[i].Max), Number(stats[i].Mean)]);
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
        var dataset = new Option<int>("--dataset") { Description = "Which data set (1 = the first; see 'fcs info').", DefaultValueFactory = _ => 1 };
        var csv = new Option<string>("--csv") { Description = "Where to write the CSV ('-' for standard output).", Required = true };
        var command = new Command("dump", "Write a data set's raw events as CSV: a header of $PnN names, one row per event.");
        command.Arguments.Add(file);
        command.Options.Add(dataset);
        command.Options.Add(csv);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            using var fcs = OpenFile(path);
            var k = parse.GetValue(dataset);
            if (k < 1 || k > fcs.DataSets.Count)
            {
                throw new InputException(InputLocation.InFile(path), $"--dataset {k}: the file has {fcs.DataSets.Count} data set(s), numbered from 1");
            }
            var output = parse.GetValue(csv)!;
            if (output == "-")
            {
                WriteCsv(fcs.DataSets[k - 1], context.Output, context.Cancellation);
            }
            else
            {
                WriteAtomically(output, writer => WriteCsv(fcs.DataSets[k - 1], writer, context.Cancellation));
            }
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>Writes to a temporary file beside <paramref name="path"/> and moves it into place only when complete.</summary>
    internal static void WriteAtomically(string path, Action<TextWriter> write)
    {
        var full = Path.GetFullPath(path);
        var temp = full + $".{Environment.ProcessId}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16))
            {
                write(writer);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new InputException(InputLocation.InFile(path), $"cannot write: {ex.Message}");
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

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
