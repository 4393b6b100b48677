using System.Collections.Immutable;
using MilkCells.Core.Errors;
using MilkCells.Core.Files;
using MilkCells.Model.Catalogue;
using MilkCells.Reports;
using MilkCells.Samples;
using MilkCells.Samples.Inference;
using MilkCells.Samples.Output;
using MilkCells.Samples.Panels;
using MilkCells.Samples.Reference;

namespace MilkCells.Workflows.Samples;

/// <summary>What a sample analysis was asked to do, after parsing (by <c>sample analyze</c> or the web dashboard).</summary>
/// <param name="Inputs">FCS files or counts CSVs.</param>
/// <param name="Manifest">The manifest CSV of FCS files, if any.</param>
/// <param name="Panel">A built-in panel name or a Gating-ML file.</param>
/// <param name="Reference">"default" or a folder written by <c>reference build</c>.</param>
/// <param name="Out">Output folder (null: the default), or "-" for samples.csv on standard output.</param>
/// <param name="States">Infer states.</param>
/// <param name="Prior">State prior.</param>
/// <param name="Plots">Gating plots drawn in the report.</param>
/// <param name="Threads">Threads.</param>
/// <param name="Force">Write into an output folder holding other files, deleting nothing.</param>
/// <param name="Cache">The state library cache folder option (null: the default; "none": no cache).</param>
public sealed record AnalyzeRequest(ImmutableArray<string> Inputs, string? Manifest, string Panel, string Reference, string? Out, bool States, StatePriorKind Prior,
    int Plots, int Threads, bool Force, string? Cache);

/// <summary>A sample analysis end to end: load the panel and reference, resolve inputs, analyse, write the folder (or the stream).</summary>
public static class SampleWorkflow
{
    /// <summary>Where <c>sample analyze</c> writes when no output is given (its parent created if needed, as MilkCells chose it).</summary>
    public static readonly string DefaultOut = Path.Combine("milkcells-out", "samples");

    /// <summary>The files an analysis folder holds.</summary>
    public static readonly ImmutableArray<string> Files = ["samples.csv", "findings.json", "states.csv", "report.html"];

    /// <summary>Analyses and writes samples.csv (only) to <paramref name="samplesCsv"/>: no plots, no states.</summary>
    public static AnalysisResult AnalyzeToCsv(AnalyzeRequest request, Func<TextWriter> samplesCsv, CancellationToken cancellation)
    {
        var (inputs, options, calibration) = Prepare(request, toStream: true);
        var result = SampleAnalysis.Run(inputs, calibration, options, cancellation);
        cancellation.ThrowIfCancellationRequested();
        using var w = samplesCsv();
        SampleOutputs.WriteSamplesCsv(result, w);
        return result;
    }

    /// <summary>Analyses into the output folder (reserved before the work: a bad place fails now, a failure leaves nothing); returns the result and the folder.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellation">Stops the analysis; nothing is written.</param>
    /// <param name="inputs">Inputs already resolved (a server's uploads), instead of the request's files and manifest.</param>
    public static (AnalysisResult Result, string Folder) AnalyzeToFolder(AnalyzeRequest request, CancellationToken cancellation, ImmutableArray<SampleInput>? inputs = null)
    {
        var (resolved, options, calibration) = Prepare(request, toStream: false, inputs);
        using var folder = OutputFolder.Create(request.Out ?? DefaultOut, request.Force, createParent: request.Out is null);
        var result = SampleAnalysis.Run(resolved, calibration, options, cancellation);
        cancellation.ThrowIfCancellationRequested();
        FileSystemErrors.Guard(folder.Path, "cannot write", () =>
        {
            var dir = folder.WorkPath;
            SampleOutputs.Text(Path.Combine(dir, "samples.csv"), w => SampleOutputs.WriteSamplesCsv(result, w));
            using (var json = File.Create(Path.Combine(dir, "findings.json")))
            {
                SampleOutputs.WriteFindingsJson(result, json);
            }
            SampleOutputs.Text(Path.Combine(dir, "states.csv"), w => SampleOutputs.WriteStatesCsv(result, w));
            ReportHtml.Write(SampleReport.Build(result, CodeVersion.Current), Path.Combine(dir, "report.html"));
        }, "--out");
        cancellation.ThrowIfCancellationRequested();
        folder.Commit();
        return (result, folder.FullPath);
    }

    private static (ImmutableArray<SampleInput> Inputs, AnalysisOptions Options, CalibratedModel Calibration) Prepare(AnalyzeRequest request, bool toStream, ImmutableArray<SampleInput>? resolved = null)
    {
        if (request.Threads < 1)
        {
            throw new InputException(InputLocation.AtElement(null, "--threads"), $"{request.Threads} threads cannot run", "give at least 1");
        }
        var model = MilkModel.Embedded;
        var calibration = model.Calibrate(null);
        var panel = BuiltInPanels.Load(request.Panel, model);
        var reference = ReferenceTable.Load(request.Reference);
        var inputs = resolved ?? SampleAnalysis.Resolve(request.Inputs, request.Manifest);
        var options = new AnalysisOptions
        {
            Panel = panel,
            Reference = reference,
            Plots = toStream ? 0 : Math.Max(0, request.Plots),
            States = request.States && !toStream,
            Prior = request.Prior,
            Threads = request.Threads,
            CacheDirectory = CacheDirectory(request.Cache),
        };
        return ([.. inputs], options, calibration);
    }

    /// <summary>The state library cache folder: the option, else $MILKCELLS_HOME/cache, $XDG_CACHE_HOME/milkcells, ~/.cache/milkcells; null for 'none'.</summary>
    public static string? CacheDirectory(string? option)
    {
        if (option == "none")
        {
            return null;
        }
        if (option is { Length: > 0 })
        {
            return Path.GetFullPath(option);
        }
        if (Environment.GetEnvironmentVariable("MILKCELLS_HOME") is { Length: > 0 } home)
        {
            return Path.Combine(home, "cache");
        }
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg)
        {
            return Path.Combine(xdg, "milkcells");
        }
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "milkcells");
    }
}
