using System.CommandLine;
using System.Globalization;
using System.Text;
using MilkCells.Cytometry;
using MilkCells.Cytometry.Gating;

namespace MilkCells.Cli.Commands;

/// <summary><c>milkcells fcs gate</c> and <c>milkcells fcs gatingml-suite</c>: Gating-ML 2.0 gating of FCS files.</summary>
internal static partial class FcsCommands
{
    static partial void AddGatingCommands(Command fcs, CliContext context)
    {
        fcs.Subcommands.Add(Gate(context));
        fcs.Subcommands.Add(GatingMLSuite(context));
    }

    /// <summary>What <c>fcs gate</c> was asked to do.</summary>
    internal sealed record GateRun(string File, string Gates, string? Membership, int DataSet);

    private static Command Gate(CliContext context)
    {
        var file = FileArgument();
        var gates = new Option<string>("--gates") { Description = "The Gating-ML 2.0 file of gates.", Required = true };
        var membership = new Option<string?>("--membership") { Description = "Write a CSV with one 0/1 column per gate id and one row per event ('-' for standard output)." };
        var dataset = new Option<int>("--dataset") { Description = "Which data set (1 = the first; see 'fcs info').", DefaultValueFactory = _ => 1 };
        var command = new Command("gate", "Gate an FCS file with Gating-ML 2.0 gates: events per gate, optionally each event's membership.");
        command.Arguments.Add(file);
        command.Options.Add(gates);
        command.Options.Add(membership);
        command.Options.Add(dataset);
        command.SetAction(parse =>
        {
            var run = new GateRun(parse.GetValue(file)!, parse.GetValue(gates)!, parse.GetValue(membership), parse.GetValue(dataset));
            RunGate(run, context);
            return CliApp.Ok;
        });
        return command;
    }

    internal static void RunGate(GateRun run, CliContext context)
    {
        var document = GatingMLReader.ReadFile(run.Gates);
        var sample = CytometrySample.Read(run.File, run.DataSet);
        var result = GateEvaluator.Evaluate(document, sample.Events, sample.Spillover);
        foreach (var warning in document.Warnings.Concat(result.Warnings))
        {
            context.Error.WriteLine($"warning: {warning}");
        }
        if (sample.Warnings.Count > 0)
        {
            context.Error.WriteLine($"warning: {Path.GetFileName(run.File)}: the reader tolerated {sample.Warnings.Count} fault(s); 'milkcells fcs info' lists them");
        }

        var o = context.Output;
        o.WriteLine($"{Path.GetFileName(run.File)}: {result.EventCount} events; gates from {Path.GetFileName(run.Gates)}");
        var rows = new List<string[]> { new[] { "gate", "parent", "events", "% parent", "% all" } };
        foreach (var id in result.PopulationIds)
        {
            var count = result.Count(id);
            var parent = document.ParentOf(id);
            var parentCount = parent is null ? result.EventCount : result.Count(parent);
            rows.Add([id, parent ?? "-", count.ToString(CultureInfo.InvariantCulture), Percent(count, parentCount), Percent(count, result.EventCount)]);
        }
        WriteTable(o, rows, "  ");

        if (run.Membership is { } output)
        {
            if (output == "-")
            {
                WriteMembership(result, o, context.Cancellation);
            }
            else
            {
                WriteAtomically(output, writer => WriteMembership(result, writer, context.Cancellation));
                o.WriteLine($"membership of {result.PopulationIds.Count} gates for {result.EventCount} events written to {output}");
            }
        }
    }

    private static string Percent(int count, int of) =>
        of == 0 ? "-" : (100.0 * count / of).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>One column per population id, one row of 0/1 per event.</summary>
    internal static void WriteMembership(GatingResult result, TextWriter writer, CancellationToken cancellation)
    {
        var ids = result.PopulationIds;
        writer.Write(string.Join(",", ids.Select(CsvField)));
        writer.Write('\n');
        var columns = ids.Select(id => result.Membership(id).ToArray()).ToArray();
        var line = new StringBuilder(ids.Count * 2);
        for (var e = 0; e < result.EventCount; e++)
        {
            if ((e & 0xFFFF) == 0)
            {
                cancellation.ThrowIfCancellationRequested();
            }
            line.Clear();
            for (var g = 0; g < columns.Length; g++)
            {
                if (g > 0)
                {
                    line.Append(',');
                }
                line.Append(columns[g][e] ? '1' : '0');
            }
            line.Append('\n');
            writer.Write(line);
        }
    }

    private static Command GatingMLSuite(CliContext context)
    {
        var directory = new Argument<string>("DIR") { Description = "The compliance suite folder: data1.fcs, gml/ and truth/." };
        var command = new Command("gatingml-suite", "Run the ISAC Gating-ML 2.0 compliance suite: every gate against its expected membership, event by event.");
        command.Arguments.Add(directory);
        command.SetAction(parse =>
        {
            var report = RunSuite(parse.GetValue(directory)!, context.Output);
            return report.Failed == 0 ? CliApp.Ok : CliApp.InternalError;
        });
        return command;
    }

    internal static ComplianceSuite.Report RunSuite(string directory, TextWriter o)
    {
        var sample = CytometrySample.Read(ComplianceSuite.DataFile(directory));
        var report = ComplianceSuite.Run(directory, sample.Events);
        var rows = new List<string[]> { new[] { "gate file", "gate", "expected", "found", "differ", "result" } };
        foreach (var check in report.Checks)
        {
            rows.Add([check.GateFile, check.PopulationId, check.Expected.ToString(CultureInfo.InvariantCulture), check.Actual.ToString(CultureInfo.InvariantCulture),
                check.Mismatches.ToString(CultureInfo.InvariantCulture), check.Passed ? "pass" : "FAIL"]);
        }
        WriteTable(o, rows, "");
        foreach (var failed in report.Checks.Where(c => !c.Passed))
        {
            o.WriteLine(failed.Error is not null
                ? $"FAIL {failed.GateFile}: {failed.Error}"
                : $"FAIL {failed.GateFile} {failed.PopulationId}: {failed.Mismatches} events differ from {failed.ResultFile}, the first is event {failed.FirstMismatch + 1}");
        }
        foreach (var population in report.PopulationsWithoutResults)
        {
            o.WriteLine($"not checked (no expected results in the suite): {population}");
        }
        foreach (var resultFile in report.UncheckedResultFiles)
        {
            o.WriteLine($"not checked (no gate refers to it): {resultFile}");
        }
        o.WriteLine($"Gating-ML: {report.Passed} passed, {report.Failed} failed");
        return report;
    }
}
