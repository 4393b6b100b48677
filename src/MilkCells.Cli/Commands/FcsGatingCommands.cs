using System.CommandLine;
using System.Globalization;
using System.Text;
using MilkCells.Cytometry;
using MilkCells.Core.Errors;
using MilkCells.Core.Files;
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
        var gates = new Option<string>("--gates") { Description = "The Gating-ML 2.0 file of gates.", Required = true, HelpName = "FILE" };
        var output = CliOptions.Out("Write each event's membership as CSV, one 0/1 column per gate id (- for standard output; the counts then go to standard error).");
        var membership = CliOptions.HiddenAlias("--membership");
        var dataset = DataSetOption();
        var command = new Command("gate", "Gate an FCS file with Gating-ML 2.0 gates: events per gate, optionally each event's membership.");
        command.Arguments.Add(file);
        command.Options.Add(gates);
        command.Options.Add(output);
        command.Options.Add(membership);
        command.Options.Add(dataset);
        command.SetAction(parse =>
        {
            var run = new GateRun(parse.GetValue(file)!, parse.GetValue(gates)!, parse.GetValue(output) ?? parse.GetValue(membership), parse.GetValue(dataset));
            RunGate(run, context);
            return CliApp.Ok;
        });
        return command.WithExamples("milkcells fcs gate sample.fcs --gates gates.xml", "milkcells fcs gate sample.fcs --gates gates.xml -o - > membership.csv");
    }

    internal static void RunGate(GateRun run, CliContext context)
    {
        using var output = run.Membership is { } path ? FileOutput.Open(context, path) : null;
        var document = GatingMLReader.ReadFile(run.Gates);
        if (document.Gates.Count == 0)
        {
            throw new InputException(InputLocation.InFile(run.Gates), "the Gating-ML document defines no gates", "a gate is e.g. <gating:RectangleGate gating:id=\"Cells\"> with one <gating:dimension> per channel");
        }
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

        // The counts are the printout; when the membership goes to standard output they move to standard error.
        var o = output is { IsStandardOutput: true } ? context.Error : context.Output;
        o.WriteLine($"{Path.GetFileName(run.File)}: {ConsoleNumbers.Count(result.EventCount)} events; gates from {Path.GetFileName(run.Gates)}");
        var rows = new List<string[]> { new[] { "gate", "parent", "events", "% parent", "% all" } };
        foreach (var id in result.PopulationIds)
        {
            var count = result.Count(id);
            var parent = document.ParentOf(id);
            var parentCount = parent is null ? result.EventCount : result.Count(parent);
            rows.Add([id, parent ?? "-", ConsoleNumbers.Count(count), Percent(count, parentCount), Percent(count, result.EventCount)]);
        }
        WriteTable(o, rows, "  ");

        if (output is not null)
        {
            output.WriteText(writer => WriteMembership(result, writer, context.Cancellation));
            if (!output.IsStandardOutput)
            {
                context.Error.WriteLine($"membership of {result.PopulationIds.Count} gates for {ConsoleNumbers.Count(result.EventCount)} events written to {output.Describe}");
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
        return command.WithExamples("milkcells fcs gatingml-suite gatingml");
    }

    internal static ComplianceSuite.Report RunSuite(string directory, TextWriter o)
    {
        InputFiles.RequireFolder(directory, "Gating-ML compliance suite folder");
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
