using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MilkCells.Core.Errors;
using MilkCells.Core.Files;
using MilkCells.Dsmts;
using MilkCells.Engine.Algorithms;
using MilkCells.Engine.Compilation;
using MilkCells.Engine.Ensembles;
using MilkCells.Engine.Simulation;
using MilkCells.Sbml;
using Spectre.Console;

namespace MilkCells.Cli.Commands;

/// <summary>Options of <c>milkcells engine run</c>, validated.</summary>
internal sealed record EngineRunConfig(string Model, int Trajectories, double Until, int Points, Algorithm Algorithm, ulong Seed, int? Threads, string Out);

/// <summary>Options of <c>milkcells engine dsmts</c>, validated.</summary>
internal sealed record DsmtsConfig(string Directory, int Trajectories, Algorithm Algorithm, ulong Seed, int? Threads, IReadOnlyList<string>? Cases, string Level);

/// <summary><c>milkcells engine …</c>: run SBML models as stochastic ensembles, and the DSMTS conformance suite.</summary>
internal static class EngineCommands
{
    /// <summary>The area's command name.</summary>
    public const string Name = "engine";

    /// <summary>The area's one-line description (root help lists it without building the area).</summary>
    public const string Summary = "The stochastic simulation engine: run SBML models, check conformance.";

    private static readonly Option<int> Trajectories = CliOptions.RequiredWhole("--trajectories", "Number of trajectories.", 1, "1000", "-n");
    private static readonly Option<string> AlgorithmOption = new("--algorithm", "-a")
    {
        Description = "direct | cr (composition–rejection) | tau | auto.",
        DefaultValueFactory = _ => "auto",
    };
    private static readonly Option<ulong> Seed = CliOptions.Seed("Root seed; trajectory i uses the stream derived from (seed, i).");
    private static readonly Option<int?> Threads = CliOptions.Threads();

    public static Command Create(CliContext context)
    {
        var engine = new Command(Name, Summary);
        engine.Subcommands.Add(RunCommand(context));
        engine.Subcommands.Add(DsmtsCommand(context));
        return engine;
    }

    private static readonly Argument<string> ModelArgument = new("MODEL") { Description = "An SBML Level 2 or 3 file." };
    private static readonly Option<double> Until = CliOptions.Real("--until", "End time.", "50", above: 0);
    private static readonly Option<int> Points = CliOptions.RequiredWhole("--points", "Output points, equally spaced from 0 to the end time inclusive.", 2, "51");
    private static readonly Option<string?> Out = CliOptions.Out("CSV to write: time,<species>-mean,<species>-sd (- for standard output).", required: true);

    private static Command RunCommand(CliContext context)
    {
        var command = new Command("run", "Simulate an SBML model N times and write the mean and sd of every species at K time points.");
        command.Arguments.Add(ModelArgument);
        foreach (var o in new Option[] { Trajectories, Until, Points, AlgorithmOption, Seed, Threads, Out })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse => Run(ParseRun(parse), context));
        return command.WithExamples(
            "milkcells engine run model.xml -n 1000 --until 50 --points 51 -a direct --seed 1 -o stats.csv",
            "milkcells engine run model.xml -n 200 --until 50 --points 11 -o - > stats.csv");
    }

    private static readonly Argument<string> DirArgument = new("DIR") { Description = "The DSMTS folder (case folders 00001 … 00039)." };
    private static readonly Option<string?> Cases = new("--cases") { Description = "Only these case ids, comma-separated." };
    private static readonly Option<string> Level = new("--level") { Description = "Which SBML file of each case: l3v1 or l2v4.", DefaultValueFactory = _ => "l3v1" };
    private static readonly Option<int> DsmtsTrajectories = CliOptions.RequiredWhole("--trajectories", "Number of trajectories per case (the suite is meant for 10000).", 2, "10000", "-n");

    private static Command DsmtsCommand(CliContext context)
    {
        var command = new Command("dsmts", "Run the Discrete Stochastic Models Test Suite and apply its mean (Z) and sd (Y) tests.");
        command.Arguments.Add(DirArgument);
        foreach (var o in new Option[] { DsmtsTrajectories, AlgorithmOption, Seed, Threads, Cases, Level })
        {
            command.Options.Add(o);
        }
        command.SetAction(parse => Dsmts(ParseDsmts(parse), context));
        return command.WithExamples("milkcells engine dsmts dsmts --trajectories 1000 --cases 00001,00002 -a cr");
    }

    internal static EngineRunConfig ParseRun(ParseResult parse)
    {
        var n = parse.GetValue(Trajectories);
        var until = parse.GetValue(Until);
        var points = parse.GetValue(Points);
        var threads = parse.GetValue(Threads);
        return new EngineRunConfig(parse.GetValue(ModelArgument)!, n, until, points, Algorithm.Parse(parse.GetValue(AlgorithmOption)!),
            parse.GetValue(Seed), threads, parse.GetValue(Out)!);
    }

    internal static DsmtsConfig ParseDsmts(ParseResult parse)
    {
        var n = parse.GetValue(DsmtsTrajectories);
        var threads = parse.GetValue(Threads);
        var level = parse.GetValue(Level)!;
        Require(level is "l3v1" or "l2v4", "--level", $"must be l3v1 or l2v4 (was {level})");
        var cases = parse.GetValue(Cases)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new DsmtsConfig(parse.GetValue(DirArgument)!, n, Algorithm.Parse(parse.GetValue(AlgorithmOption)!), parse.GetValue(Seed), threads, cases, level);
    }

    private static void Require(bool ok, string option, string problem)
    {
        if (!ok)
        {
            throw new InputException(InputLocation.AtElement(null, option), problem, "l3v1 or l2v4");
        }
    }

    private static int _warmUpStarted;

    /// <summary>Starts the engine's warm-up (<see cref="Ensemble.WarmUp"/>) on the second core when <paramref name="args"/> is an
    /// <c>engine run</c> command line, before the command line is built and parsed.</summary>
    /// <remarks>
    /// The warm-up is the JIT's first-use work for compiling a network and running its firing loop. Started from the
    /// handler, it ran beside libSBML's read of the model but ended after it, so it set the start's critical path;
    /// started here, it also overlaps the command line's construction and parsing, which leave the second core idle
    /// (docs/performance.md, "A shorter start"). The algorithm is read from <c>-a</c> or <c>--algorithm</c> without the
    /// parser; a command line that is not understood here (help, an unknown algorithm, an option written with <c>=</c> or
    /// <c>:</c>, a response file) starts nothing, and the handler then starts the warm-up itself. It draws from no stream
    /// a run uses, so results do not change.
    /// </remarks>
    internal static void WarmUpEarly(IReadOnlyList<string> args)
    {
        if (EarlyWarmUp(args) is { } algorithm)
        {
            StartWarmUp(algorithm);
        }
    }

    /// <summary>Starts <see cref="Ensemble.WarmUp"/> on another thread, once per process, when there is a second core.</summary>
    private static void StartWarmUp(Algorithm algorithm)
    {
        if (Environment.ProcessorCount > 1 && Interlocked.Exchange(ref _warmUpStarted, 1) == 0)
        {
            _ = Task.Run(() => Ensemble.WarmUp(algorithm));
        }
    }

    /// <summary>The algorithm an <c>engine run</c> command line names (<c>auto</c> when none), or null when
    /// <paramref name="args"/> is not one that <see cref="WarmUpEarly"/> warms up for.</summary>
    internal static Algorithm? EarlyWarmUp(IReadOnlyList<string> args)
    {
        if (args.Count < 3 || args[0] != Name || args[1] != "run")
        {
            return null;
        }
        var name = "auto";
        for (var i = 2; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help" or "-?" or "/?" or "/h":
                    return null;
                case "-a" or "--algorithm" when i + 1 < args.Count:
                    name = args[i + 1];
                    break;
                case var other when other.StartsWith('@') || other.StartsWith("--algorithm", StringComparison.Ordinal)
                    || (other.StartsWith("-a", StringComparison.Ordinal) && other.Length > 2):
                    return null; // a response file or another spelling of the option: the parser knows, so ask it
            }
        }
        try
        {
            return Algorithm.Parse(name);
        }
        catch (InputException)
        {
            return null; // the parser reports it
        }
    }

    private static int Run(EngineRunConfig config, CliContext context)
    {
        var clock = Stopwatch.StartNew();
        using var output = FileOutput.Open(context, config.Out);
        StartWarmUp(config.Algorithm);
        var network = SbmlImporter.ReadFile(config.Model);
        var compiled = CompiledNetwork.Compile(network);
        var times = RunOptions.EvenlySpaced(0, config.Until, config.Points);
        var result = Ensemble.Run(compiled, config.Algorithm, new EnsembleOptions
        {
            Trajectories = config.Trajectories,
            Seed = config.Seed,
            Threads = config.Threads,
            EndTime = config.Until,
            RecordTimes = times,
            Cancellation = context.Cancellation,
        });
        output.WriteText(w => w.Write(StatisticsCsv(result)));
        var seconds = clock.Elapsed.TotalSeconds;
        var leaps = result.Leaps > 0 ? FormattableString.Invariant($" ({result.Leaps:N0} tau leaps)") : "";
        context.Error.WriteLine(FormattableString.Invariant(
            $"{config.Trajectories:N0} trajectories of {network.Id} ({config.Algorithm.Name}, seed {config.Seed}): {result.Firings:N0} firings{leaps}, {seconds:F2} s ({result.Firings / seconds / 1e6:F1} M firings/s) -> {output.Describe}"));
        return CliApp.Ok;
    }

    /// <summary>The statistics as CSV: <c>time,&lt;species&gt;-mean,&lt;species&gt;-sd</c>, shortest round-trip numbers.</summary>
    internal static string StatisticsCsv(EnsembleResult result)
    {
        var sb = new StringBuilder("time");
        foreach (var s in result.SpeciesIds)
        {
            sb.Append(',').Append(s).Append("-mean,").Append(s).Append("-sd");
        }
        sb.Append('\n');
        for (var k = 0; k < result.Times.Count; k++)
        {
            sb.Append(result.Times[k].ToString("R", CultureInfo.InvariantCulture));
            for (var s = 0; s < result.SpeciesIds.Count; s++)
            {
                sb.Append(',').Append(result.MeanAt(k, s).ToString("R", CultureInfo.InvariantCulture))
                  .Append(',').Append(result.SdAt(k, s).ToString("R", CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static int Dsmts(DsmtsConfig config, CliContext context)
    {
        InputFiles.RequireFolder(config.Directory, "DSMTS folder");
        var all = DsmtsSuite.Discover(config.Directory);
        var cases = config.Cases is null ? all : all.Where(c => config.Cases.Contains(c.Id)).ToArray();
        if (config.Cases is not null && config.Cases.FirstOrDefault(id => all.All(c => c.Id != id)) is { } missing)
        {
            throw new InputException(InputLocation.AtElement(config.Directory, "--cases"), $"there is no case '{missing}'");
        }
        var console = context.PlainConsole(100);
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("case").AddColumn("result").AddColumn(new TableColumn("mean fails").RightAligned())
            .AddColumn(new TableColumn("sd fails").RightAligned()).AddColumn(new TableColumn("max |Z|").RightAligned())
            .AddColumn(new TableColumn("max |Y|").RightAligned()).AddColumn(new TableColumn("firings").RightAligned())
            .AddColumn(new TableColumn("s").RightAligned());
        int passed = 0, failed = 0, meanFails = 0, sdFails = 0, adjustedFails = 0, adjustedPassed = 0;
        var clock = Stopwatch.StartNew();
        foreach (var c in cases)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var start = clock.Elapsed;
            var r = DsmtsSuite.Run(c, config.Algorithm, config.Trajectories, config.Seed, config.Threads, config.Level);
            if (r.Passed)
            {
                passed++;
            }
            else
            {
                failed++;
            }
            meanFails += r.MeanFailures;
            sdFails += r.SdFailures;
            adjustedFails += r.AdjustedSdFailures;
            adjustedPassed += r.PassedAdjusted ? 1 : 0;
            table.AddRow(c.Id, r.Passed ? "pass" : "FAIL", r.MeanFailures.ToString(CultureInfo.InvariantCulture),
                r.SdFailures.ToString(CultureInfo.InvariantCulture), r.MaxAbsZ.ToString("F2", CultureInfo.InvariantCulture),
                r.MaxAbsY.ToString("F2", CultureInfo.InvariantCulture), r.Firings.ToString("N0", CultureInfo.InvariantCulture),
                (clock.Elapsed - start).TotalSeconds.ToString("F1", CultureInfo.InvariantCulture));
        }
        console.Write(table);
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{config.Algorithm.Name}, n = {config.Trajectories}, seed {config.Seed}: {meanFails} mean and {sdFails} sd test failures ({adjustedFails} with Y scaled by its kurtosis: {adjustedPassed} cases pass) in {clock.Elapsed.TotalSeconds:F1} s; a case fails with more than {DsmtsSuite.MaxFailingPoints} failing points"));
        context.Output.WriteLine($"DSMTS: {passed} passed, {failed} failed");
        return CliApp.Ok;
    }
}
