using System.CommandLine;
using System.Globalization;
using System.Text;
using MilkCells.Cli.Scrna;
using MilkCells.Core.Errors;
using MilkCells.Core.Files;
using MilkCells.Model.Catalogue;
using MilkCells.Model.Scenarios;
using MilkCells.Reports;
using MilkCells.SingleCell;
using MilkCells.SingleCell.Analysis;
using MilkCells.SingleCell.Annotation;
using MilkCells.SingleCell.Data;
using MilkCells.SingleCell.Formats;
using MilkCells.SingleCell.Synthesis;

namespace MilkCells.Cli.Commands;

/// <summary>What <c>scrna annotate</c> was asked to do.</summary>
internal sealed record AnnotateRun(string Path, string? Genome, int? LactationDay, string Markers, double Resolution, ulong Seed, int? Threads, string Out, bool Force, string Scenario);

/// <summary>What <c>scrna synthesize</c> was asked to do.</summary>
internal sealed record SynthesizeRun(string Scenario, int LactationDay, int Cells, ulong Seed, int Genes, int? Threads, string Out, bool Force);

/// <summary><c>milkcells scrna</c>: read single-cell count matrices, annotate them into the model's cell types, synthesize them from the model.</summary>
internal static class ScrnaCommands
{
    /// <summary>The area's command name.</summary>
    public const string Name = "scrna";

    /// <summary>The area's one-line description (root help lists it without building the area).</summary>
    public const string Summary = "Single-cell RNA-seq: read count matrices (10x, .h5ad, MTX, tables), cluster and annotate them into the model's cell types, or synthesize them from the model.";

    public static Command Create(CliContext context)
    {
        var scrna = new Command(Name, Summary);
        scrna.Subcommands.Add(Info(context));
        scrna.Subcommands.Add(Annotate(context));
        scrna.Subcommands.Add(Synthesize(context));
        return scrna;
    }

    private static Option<string?> GenomeOption() => new("--genome") { Description = "The genome to read from a Cell Ranger 2 file or folder with several (also PATH#GENOME)." };


    private static Command Info(CliContext context)
    {
        var path = new Argument<string>("PATH") { Description = "A 10x folder or .h5, an .h5ad, a .mtx(.gz) or a dense .tsv/.csv table." };
        var genome = GenomeOption();
        var command = new Command("info", "Format, cells, genes, non-zero values, feature types and genomes of a count matrix (printed on standard output).")
            .WithExamples("milkcells scrna info colostrum/sample.h5ad", "milkcells scrna info colostrum/filtered_feature_bc_matrix");
        command.Arguments.Add(path);
        command.Options.Add(genome);
        command.SetAction(parse =>
        {
            var m = MatrixReader.Read(parse.GetValue(path)!, parse.GetValue(genome));
            WriteInfo(context.Output, m);
            return CliApp.Ok;
        });
        return command;
    }

    internal static void WriteInfo(TextWriter o, CellMatrix m)
    {
        o.WriteLine($"{m.Source}");
        o.WriteLine($"  format         {m.Format}");
        o.WriteLine($"  cells          {m.CellCount}");
        o.WriteLine($"  features       {m.FeatureCount}");
        if (m.Counts is { } x)
        {
            var density = m.CellCount == 0 || m.FeatureCount == 0 ? 0 : 100.0 * x.NonZeros / ((double)m.CellCount * m.FeatureCount);
            o.WriteLine($"  non-zeros      {x.NonZeros} ({density.ToString("0.##", CultureInfo.InvariantCulture)} %)");
            o.WriteLine($"  values         {(x.IsCounts() ? "counts (whole numbers ≥ 0)" : x.Values.Any(v => v < 0) ? "processed (negative values: scaled)" : "processed (non-integer)")}, stored as {x.Kind}");
            o.WriteLine($"  total          {x.Total().ToString("R", CultureInfo.InvariantCulture)}");
        }
        else
        {
            o.WriteLine("  matrix         none (the file has no X)");
        }
        foreach (var type in m.FeatureTypeNames)
        {
            o.WriteLine($"  feature type   {type}: {m.Features.Count(f => f.Type == type)}");
        }
        if (m.Genomes.Length > 0)
        {
            o.WriteLine($"  genomes        {string.Join(", ", m.Genomes)}{(m.Genome is null ? "" : $" (read: {m.Genome})")}");
        }
        o.WriteLine($"  first cells    {string.Join(", ", m.Barcodes.Take(3))}");
        o.WriteLine($"  first features {string.Join(", ", m.Features.Take(3).Select(f => f.Id == f.Name ? f.Name : $"{f.Name} ({f.Id})"))}");
        foreach (var c in m.CellAnnotations)
        {
            o.WriteLine($"  cell column    {c.Name}{(c.Categories.Length > 0 ? $" (categorical, {c.Categories.Length} categories)" : "")}");
        }
        if (m.Raw is { } raw)
        {
            o.WriteLine($"  raw            {raw.CellCount} cells × {raw.FeatureCount} features, {raw.Counts?.NonZeros ?? 0} non-zeros");
        }
        foreach (var note in m.Notes)
        {
            o.WriteLine($"  note           {note}");
        }
    }

    private static Command Annotate(CliContext context)
    {
        var path = new Argument<string>("PATH") { Description = "The count matrix: a 10x folder or .h5, an .h5ad, a .mtx(.gz) or a dense table." };
        var day = CliOptions.Whole("--lactation-day", "Compare the composition with the model's expectation on this lactation day.", 1, "30");
        var markers = new Option<string>("--markers") { Description = $"Marker sets: 'model' (the model's cell types), a built-in set ({string.Join(", ", MarkerCatalogue.BuiltInNames)}) or a YAML file.", DefaultValueFactory = _ => "model", HelpName = "model|SET|FILE" };
        var resolution = CliOptions.Real("--resolution", "Leiden resolution (higher: more clusters).", "1", Leiden.DefaultResolution, above: 0);
        var seed = CliOptions.Seed("Seed of every random step: the same seed and input give byte-identical files.");
        var output = CliOptions.Out("Output folder (created; a previous MilkCells output there is replaced).", required: true);
        var force = CliOptions.Force();
        var scenario = CliOptions.Scenario("Scenario whose mothers give the expected composition (built-in name or YAML file).");
        var genome = GenomeOption();
        var threads = CliOptions.Threads();
        var command = new Command("annotate", "QC, normalise, find variable genes, PCA, neighbours, Leiden clusters, UMAP and marker genes, then annotate cells and clusters into the model's cell types; writes cells.csv, clusters.csv, markers.csv, composition.csv, annotated.h5ad, run.json and report.html.")
        {
            day, markers, resolution, seed, scenario, genome, threads, output, force,
        };
        command.Arguments.Add(path);
        command.SetAction(parse => RunAnnotate(new AnnotateRun(parse.GetValue(path)!, parse.GetValue(genome), parse.GetValue(day), parse.GetValue(markers)!,
            parse.GetValue(resolution), parse.GetValue(seed), parse.GetValue(threads), parse.GetValue(output)!, parse.GetValue(force), parse.GetValue(scenario)!), context));
        return command.WithExamples("milkcells scrna annotate colostrum/sample.h5ad --lactation-day 3 --seed 1 -o colostrum-annotated");
    }

    private static Command Synthesize(CliContext context)
    {
        var scenario = CliOptions.Scenario("Scenario whose mother gives the composition (built-in name or YAML file).");
        var day = CliOptions.RequiredWhole("--lactation-day", "Lactation day whose milk cells are drawn.", 1, "3");
        var cells = CliOptions.RequiredWhole("--cells", "Cells to draw.", 1, "5000");
        var seed = CliOptions.Seed("Seed: the same seed gives byte-identical files.");
        var genes = CliOptions.Whole("--genes", "Unnamed background genes besides the markers and the 13 mitochondrial genes.", 0, "2000", Synthesizer.DefaultBackgroundGenes);
        var output = CliOptions.Out("Output folder (created; a previous MilkCells output there is replaced).", required: true);
        var force = CliOptions.Force();
        var threads = CliOptions.Threads();
        var command = new Command("synthesize", "Draw a single-cell count matrix from the model's milk cells on a lactation day (negative binomial counts, doublets, ambient RNA); writes sample.h5ad, a 10x folder filtered_feature_bc_matrix/, truth.csv and composition.csv.")
        {
            scenario, day, cells, seed, genes, threads, output, force,
        };
        command.SetAction(parse => RunSynthesize(new SynthesizeRun(parse.GetValue(scenario)!, parse.GetValue(day), parse.GetValue(cells), parse.GetValue(seed),
            parse.GetValue(genes), parse.GetValue(threads), parse.GetValue(output)!, parse.GetValue(force)), context));
        return command.WithExamples("milkcells scrna synthesize -s healthy --lactation-day 3 --cells 2000 --seed 1 -o colostrum");
    }

    internal static int RunAnnotate(AnnotateRun run, CliContext context)
    {
        var model = MilkModel.Embedded;
        var catalogue = MarkerCatalogue.Named(run.Markers, model);
        var calibrated = model.Calibrate(null);
        var scenario = run.LactationDay is null ? null : ScenarioLoader.Load(run.Scenario, model);
        if (scenario is not null && (run.LactationDay < scenario.StartDay || run.LactationDay > model.LastLactationDay))
        {
            throw new InputException(InputLocation.AtElement(null, "--lactation-day"), $"day {run.LactationDay} is outside lactation (days {scenario.StartDay}–{model.LastLactationDay})",
                $"give a day from {scenario.StartDay} to {model.LastLactationDay}");
        }
        using var folder = OutputFolder.Create(run.Out, run.Force);
        var work = new Work(run.Threads ?? Environment.ProcessorCount, context.Cancellation);
        var clock = new PhaseClock();
        var input = MatrixReader.Read(run.Path, run.Genome, work.Threads);
        clock.Lap("reading");
        var inputInfo = new { path = run.Path, format = input.Format, cells = input.CellCount, features = input.FeatureCount, genome = input.Genome };
        var options = new PipelineOptions { Seed = run.Seed, Resolution = run.Resolution, StrictMarkers = run.Markers != "model" && !MarkerCatalogue.BuiltInNames.Contains(run.Markers) };
        var result = Pipeline.Run(input, catalogue, options, work, new Progress(context.Error));
        input = null!; // the pipeline keeps what it needs; let the matrix as read be collected
        clock.Restart();
        foreach (var w in result.Warnings)
        {
            context.Error.WriteLine($"warning: {w}");
        }
        using (var self = System.Diagnostics.Process.GetCurrentProcess())
        {
            context.Error.WriteLine($"  peak memory so far: {self.PeakWorkingSet64 / 1048576} MB");
        }
        var isModel = catalogue.Sets.All(s => model.CellTypes.Any(t => t.Id == s.Id));
        var expected = scenario is not null && isModel
            ? ModelComposition.Expected(calibrated, scenario, run.LactationDay!.Value, ModelComposition.DefaultMothers, run.Seed, context.Cancellation)
            : null;
        if (scenario is not null && !isModel)
        {
            context.Error.WriteLine("warning: --lactation-day: the marker sets are not the model's cell types, so there is no model expectation to compare with");
        }
        var composition = AnnotateFiles.CompositionRows(result, expected);
        var code = Workflows.CodeVersion.Current;
        AnnotateFiles.WriteCells(result, In(folder, AnnotateFiles.Cells));
        AnnotateFiles.WriteClusters(result, In(folder, AnnotateFiles.Clusters));
        AnnotateFiles.WriteMarkers(result, In(folder, AnnotateFiles.MarkersCsv));
        AnnotateFiles.WriteComposition(composition, expected, In(folder, AnnotateFiles.Composition));
        clock.Lap("tables");
        var parameters = options.Describe().Select(p => (p.Name, p.Value)).ToList();
        H5adWriter.Write(AnnotateFiles.H5ad(result, parameters.Select(p => ($"milkcells_{p.Name}", p.Value))
            .Append(("milkcells_markers", catalogue.Origin)).Append(("milkcells_code_version", code))), In(folder, AnnotateFiles.H5adFile));
        clock.Lap("writing .h5ad");
        ReportHtml.Write(ScrnaReport.Build(result, options, composition, expected, catalogue.Origin, code), In(folder, AnnotateFiles.Report));
        clock.Lap("report");
        AnnotateFiles.WriteRunJson(In(folder, AnnotateFiles.RunJson), new
        {
            command = "scrna annotate",
            input = inputInfo,
            analysed = result.InputKind,
            seed = run.Seed,
            markers = catalogue.Origin,
            lactation_day = run.LactationDay,
            scenario = expected?.Scenario,
            model_version = model.Version,
            code_version = code,
            parameters = parameters.ToDictionary(p => p.Name, p => p.Value),
            methods = ScrnaReport.Methods(result, options).Select(m => new { step = m.Step, method = m.Method, parameters = m.Parameters }),
            qc = result.Qc.Thresholds.Select(t => new { metric = t.Metric, direction = t.Direction, value = double.IsFinite(t.Value) ? t.Value : (double?)null, rule = t.Rule, removed = t.Removed }),
            cells_passed = result.CellCount,
            clusters = result.Clusters.Count,
            warnings = result.Warnings,
            files = new[] { AnnotateFiles.Cells, AnnotateFiles.Clusters, AnnotateFiles.MarkersCsv, AnnotateFiles.Composition, AnnotateFiles.H5adFile, AnnotateFiles.Report, AnnotateFiles.RunJson },
        });
        context.Cancellation.ThrowIfCancellationRequested();
        folder.Commit();
        var times = clock.Laps.Take(1).Concat(result.Timings).Concat(clock.Laps.Skip(1));
        context.Error.WriteLine("  times: " + string.Join(", ", times.Select(t => $"{t.Step} {t.Time.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s (CPU {t.Cpu.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)")));
        PrintSummary(context, result, composition, folder.Path);
        return CliApp.Ok;
    }

    private static void PrintSummary(CliContext context, PipelineResult r, List<CompositionRow> composition, string target)
    {
        var o = context.Error;
        o.WriteLine($"{r.CellCount} of {r.Input.CellCount} cells passed QC; {r.Clusters.Count} clusters");
        foreach (var row in composition.Where(c => c.Level == "class"))
        {
            var e = row.Expected is null ? "" : $" (model {(100 * row.Expected.Mean).ToString("0.##", CultureInfo.InvariantCulture)} %, 95 % of mothers {(100 * row.Expected.Low).ToString("0.##", CultureInfo.InvariantCulture)}–{(100 * row.Expected.High).ToString("0.##", CultureInfo.InvariantCulture)} %)";
            o.WriteLine($"  {row.Key}: {row.Cells} cells, {(100 * row.Share).ToString("0.##", CultureInfo.InvariantCulture)} %{e}");
        }
        o.WriteLine($"-> {target}");
    }

    internal static int RunSynthesize(SynthesizeRun run, CliContext context)
    {
        var model = MilkModel.Embedded;
        var calibrated = model.Calibrate(null);
        var scenario = ScenarioLoader.Load(run.Scenario, model);
        if (run.LactationDay < scenario.StartDay || run.LactationDay > model.LastLactationDay)
        {
            throw new InputException(InputLocation.AtElement(null, "--lactation-day"), $"day {run.LactationDay} is outside lactation (days {scenario.StartDay}–{model.LastLactationDay})",
                $"give a day from {scenario.StartDay} to {model.LastLactationDay}");
        }
        using var folder = OutputFolder.Create(run.Out, run.Force);
        var sample = Synthesizer.Synthesize(calibrated, scenario, run.LactationDay, run.Cells, run.Seed, run.Genes, new Work(run.Threads ?? Environment.ProcessorCount, context.Cancellation));
        var m = sample.Matrix;
        var uns = sample.Parameters.All.Select(p => ($"milkcells_{p.Name}", p.Value.ToString("R", CultureInfo.InvariantCulture)))
            .Append(("milkcells_scenario", sample.Scenario)).Append(("milkcells_lactation_day", sample.LactationDay.ToString(CultureInfo.InvariantCulture)))
            .Append(("milkcells_seed", sample.Seed.ToString(CultureInfo.InvariantCulture))).Append(("milkcells_code_version", Workflows.CodeVersion.Current));
        H5adWriter.Write(new H5adContent(m.Counts!, m.Barcodes, [.. m.Features.Select(f => f.Name)],
            [.. m.CellAnnotations.Select(c => (FrameColumn)new CategoricalColumn(c.Name, c.Values, c.Categories))],
            [new CategoricalColumn("feature_types", [.. m.Features.Select(f => f.Type)])], [], [.. uns]), In(folder, "sample.h5ad"));
        TenxWriter.Write(m, In(folder, "filtered_feature_bc_matrix"));
        using (var w = new StreamWriter(In(folder, "truth.csv"), false, new UTF8Encoding(false)) { NewLine = "\n" })
        {
            Synthesizer.WriteTruth(sample, w);
        }
        using (var w = new StreamWriter(In(folder, "composition.csv"), false, new UTF8Encoding(false)) { NewLine = "\n" })
        {
            w.WriteLine($"# mother 0 of seed {sample.Seed}, scenario {sample.Scenario}, lactation day {sample.LactationDay} ({sample.Stage}): share of each cell type in the milk drunk that day, and cells drawn");
            foreach (var p in sample.Parameters.All)
            {
                w.WriteLine($"# parameter {p.Name} = {p.Value.ToString("R", CultureInfo.InvariantCulture)} {p.Unit} ({p.Source.Confidence}): {p.Source.Source}");
            }
            w.WriteLine("cell_type,class,share,cells");
            foreach (var (type, cls, share, drawn) in sample.Composition)
            {
                w.WriteLine($"{type},{cls},{share.ToString("0.########", CultureInfo.InvariantCulture)},{drawn}");
            }
        }
        context.Cancellation.ThrowIfCancellationRequested();
        folder.Commit();
        var doublets = sample.Cells.Count(c => c.IsDoublet);
        context.Error.WriteLine($"{m.CellCount} cells ({doublets} doublets) × {m.FeatureCount} genes, {m.Counts!.NonZeros} non-zeros, lactation day {sample.LactationDay} ({sample.Stage}) -> {folder.Path}");
        return CliApp.Ok;
    }

    /// <summary>The path of one output in the folder's working copy (moved into place by <see cref="OutputFolder.Commit"/>).</summary>
    private static string In(OutputFolder folder, string name) => Path.Combine(folder.WorkPath, name);

    /// <summary>Prints each pipeline step as it starts (on standard error).</summary>
    /// <summary>Wall and CPU time of the phases outside the pipeline's own step timer (reading, writing).</summary>
    private sealed class PhaseClock
    {
        private readonly System.Diagnostics.Stopwatch _wall = System.Diagnostics.Stopwatch.StartNew();
        private TimeSpan _cpu = Cpu();

        public List<(string Step, TimeSpan Time, TimeSpan Cpu)> Laps { get; } = [];

        public void Lap(string step)
        {
            var cpu = Cpu();
            Laps.Add((step, _wall.Elapsed, cpu - _cpu));
            Restart();
        }

        public void Restart()
        {
            _wall.Restart();
            _cpu = Cpu();
        }

        private static TimeSpan Cpu()
        {
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            return self.TotalProcessorTime;
        }
    }

    private sealed class Progress(TextWriter error) : IProgress<string>
    {
        public void Report(string value) => error.WriteLine($"  {value}…");
    }
}
