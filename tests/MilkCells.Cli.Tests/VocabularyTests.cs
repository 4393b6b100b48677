using System.CommandLine;
using System.Text.RegularExpressions;
using MilkCells.TestSupport;

namespace MilkCells.Cli.Tests;

/// <summary>One vocabulary (docs/cli.md), tested by parsing alone: the same option means the same thing in every command.</summary>
public sealed partial class VocabularyTests
{
    private static readonly RootCommand Root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, CancellationToken.None));

    /// <summary>Every command that runs (has no subcommands), with its path.</summary>
    internal static IEnumerable<(string Path, Command Command)> Leaves(Command command, string path = "")
    {
        if (command.Subcommands.Count == 0)
        {
            yield return (path, command);
        }
        foreach (var sub in command.Subcommands)
        {
            foreach (var leaf in Leaves(sub, (path + " " + sub.Name).Trim()))
            {
                yield return leaf;
            }
        }
    }

    [Fact]
    public void Each_area_is_found_by_its_command_name_and_alone_builds_the_same_tree()
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null, CancellationToken.None);
        foreach (var name in Commands.CommandCatalog.Areas.Select(a => a.Name))
        {
            var alone = Assert.Single(Commands.CommandCatalog.For([name, "--help"], context));
            Assert.Equal(name, alone.Name);
            var full = Assert.Single(Root.Subcommands, c => c.Name == name);
            Assert.Equal(Leaves(full).Select(l => l.Path + ":" + string.Join(",", l.Command.Options.Select(o => o.Name))),
                Leaves(alone).Select(l => l.Path + ":" + string.Join(",", l.Command.Options.Select(o => o.Name))));
        }
        Assert.Equal(Root.Subcommands.Select(c => c.Name), Commands.CommandCatalog.Areas.Select(a => a.Name));
        Assert.Equal(Root.Subcommands.Select(c => c.Name), Commands.CommandCatalog.For(["simualte"], context).Select(c => c.Name));
        Assert.Equal(Root.Subcommands.Select(c => c.Description), Commands.CommandCatalog.For([], context).Select(c => c.Description));
        Assert.Empty(Commands.CommandCatalog.For(["--version"], context));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("simualte")]
    [InlineData("--nope")]
    [InlineData("")]
    public void A_command_line_naming_no_area_prints_what_the_full_tree_prints(string line)
    {
        string[] args = line.Length == 0 ? [] : [line];
        // A response file builds every area's full tree (CommandCatalog.For), so it is the reference.
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "args.rsp");
        File.WriteAllText(file, line);
        var (fullOut, fullErr) = (new StringWriter(), new StringWriter());
        var fullCode = CliApp.Run(["@" + file], fullOut, fullErr);
        var (shallowOut, shallowErr) = (new StringWriter(), new StringWriter());
        var code = CliApp.Run(args, shallowOut, shallowErr);
        Assert.Equal(fullCode, code);
        Assert.Equal(fullOut.ToString(), shallowOut.ToString());
        Assert.Equal(fullErr.ToString(), shallowErr.ToString());
    }

    [Fact]
    public void Shared_options_have_one_spelling_everywhere()
    {
        foreach (var (path, command) in Leaves(Root))
        {
            foreach (var option in command.Options.Where(o => !o.Hidden))
            {
                switch (option.Name)
                {
                    case "--out":
                        Assert.Equal(["-o"], option.Aliases);
                        break;
                    case "--scenario":
                        Assert.Equal(["-s"], option.Aliases);
                        break;
                    case "--threads":
                        Assert.Contains("all cores", option.Description);
                        Assert.False(option.HasDefaultValue, $"{path}: --threads must not show this machine's core count");
                        break;
                    case "--seed":
                        Assert.Equal(typeof(ulong), option.ValueType);
                        break;
                }
                Assert.DoesNotContain(option.Name, new[] { "--csv", "--membership", "--into" }); // older spellings are hidden aliases
            }
        }
    }

    [Theory]
    [InlineData("simulate -s mastitis -o x --seed 3 --store sqlite:r.db --force")]
    [InlineData("model validate -s mastitis")]
    [InlineData("model validate mastitis")]
    [InlineData("model export-sbml -s mastitis -o m.xml")]
    [InlineData("model export-sbml --scenario mastitis m.xml")]
    [InlineData("cohort export --store c.db -o -")]
    [InlineData("cohort export --store c.db --csv x.csv")]
    [InlineData("cohort merge --store sqlite:m.db a.db b.db")]
    [InlineData("cohort merge --into sqlite:m.db a.db b.db")]
    [InlineData("cohort run -s healthy --mothers 2 --store x.db --threads 1")]
    [InlineData("cohort power --effect relative:2 -o -")]
    [InlineData("cohort power --effect relative:2 --csv p.csv")]
    [InlineData("fcs dump a.fcs -o -")]
    [InlineData("fcs dump a.fcs --csv x.csv")]
    [InlineData("fcs gate a.fcs --gates g.xml -o -")]
    [InlineData("fcs gate a.fcs --gates g.xml --membership m.csv")]
    [InlineData("reference build --store c.db -o ref --force")]
    [InlineData("engine run m.xml -n 10 --until 5 --points 2 -o -")]
    public void Current_and_older_spellings_parse(string line)
    {
        var parsed = Root.Parse(line.Split(' '));
        Assert.True(parsed.Errors.Count == 0, string.Join("; ", parsed.Errors.Select(e => e.Message)));
    }

    [Fact]
    public void The_run_store_is_parsed_like_every_store()
    {
        var path = Path.Combine(Path.GetTempPath(), "runs.db");
        Assert.Equal(path, MilkCells.Cli.Commands.SimulateCommands.RunStorePath("sqlite:" + path)); // never a folder named "sqlite:…"
        Assert.Equal(path, MilkCells.Cli.Commands.SimulateCommands.RunStorePath(path));
        Assert.Null(MilkCells.Cli.Commands.SimulateCommands.RunStorePath(null));
    }

    [Theory]
    [InlineData("simulate --days abc", "--days: 'abc' is not a whole number (hint: --days 30)")]
    [InlineData("simulate --seed -1", "--seed: '-1' is not a non-negative whole number (hint: --seed 42)")]
    [InlineData("simualte", "'simualte' is not a milkcells command (hint: did you mean 'simulate'?)")]
    [InlineData("simulate --dayz 3", "simulate: unknown option '--dayz' (hint: did you mean '--days'?)")]
    [InlineData("fcs gait x.fcs", "'gait' is not a milkcells fcs command (hint: did you mean 'gate'?)")]
    [InlineData("cohort run --mothers 3", "cohort run: --store is required (hint: milkcells cohort run -s healthy --mothers 20 --days 30 --store sqlite:cohort.db)")]
    public void Parse_errors_speak_the_options_own_terms_in_one_line(string line, string expected)
    {
        var (code, output, error) = CliHarness.Run(line.Split(' '));
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal($"error: {expected}", error.TrimEnd());
    }

    [Fact]
    public void Every_command_has_an_example_in_its_help_that_uses_its_own_name()
    {
        foreach (var (path, command) in Leaves(Root))
        {
            var examples = CliExamples.Of(command);
            Assert.True(examples.Count > 0, $"'milkcells {path}' has no example");
            Assert.All(examples, e => Assert.True(e.StartsWith($"milkcells {path}", StringComparison.Ordinal) || (path == "version" && e == "milkcells --version"), e));
            var (code, help, _) = CliHarness.Run([.. path.Split(' '), "--help"]);
            Assert.Equal(0, code);
            Assert.Contains("Examples:", help);
            Assert.Contains(examples[0], help);
            Assert.DoesNotContain(Environment.ProcessorCount > 1 ? $"[default: {Environment.ProcessorCount}]" : "[default: 1]\n  --threads", help);
        }
    }

    [Fact]
    public void Every_milkcells_line_of_docs_cli_md_is_a_help_example()
    {
        var examples = Leaves(Root).SelectMany(l => CliExamples.Of(l.Command)).ToHashSet();
        var doc = File.ReadAllText(Shared.InRepo("docs/cli.md"));
        var lines = ShellBlocks().Matches(doc).SelectMany(m => m.Groups[1].Value.Split('\n'))
            .Select(l => l.Split("  #")[0].Trim()).Where(l => l.StartsWith("milkcells ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.True(examples.Contains(line), $"docs/cli.md runs '{line}', which no --help shows (so no test runs it)"));
    }

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlocks();
}
