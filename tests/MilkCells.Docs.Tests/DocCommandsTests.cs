namespace MilkCells.Docs.Tests;

public class DocCommandsTests
{
    private const string Markdown = """
        Text with `milkcells inline` is not a command.

        ```sh
        # a comment line
        milkcells simulate -s mastitis \
          --days 30 -o out   # trailing comment
        milkcells fcs info "a #b.fcs"
        ```

        ```console
        $ milkcells cohort run --mothers 20 --store sqlite:c.db
        20 mothers in … s

        $ milkcells version
        milkcells 0.1.0
        ```

        ```text
        milkcells not-run
        ```
        """;

    [Fact]
    public void Commands_come_from_shell_and_console_blocks_with_continuations_joined_and_comments_removed()
    {
        var commands = DocCommands.Extract("x.md", Markdown);
        Assert.Equal(["milkcells simulate -s mastitis --days 30 -o out", "milkcells fcs info \"a #b.fcs\"", "milkcells cohort run --mothers 20 --store sqlite:c.db", "milkcells version"],
            commands.Select(c => c.Text));
        Assert.Equal([5, 7, 11, 14], commands.Select(c => c.Line));
        Assert.Equal(["20 mothers in … s"], commands[2].Expected);
        Assert.False(commands[0].ShowsOutput);
        Assert.True(commands[3].ShowsOutput);
    }

    [Fact]
    public void Shown_output_must_match_line_by_line_with_ellipses_for_what_is_left_out()
    {
        string[] actual = ["simulating 'healthy'", "  day 3/30", "  day 30/30", "done in 1.7 s -> /tmp/x/out"];
        Assert.True(DocCommands.Shows(actual, ["simulating 'healthy'", "…", "done in … s -> …out"]));
        Assert.True(DocCommands.Shows(actual, ["simulating 'healthy'", "  day 3/30"]));
        Assert.False(DocCommands.Shows(actual, ["simulating 'healthy'", "  day 30/30"])); // a line left out needs '…'
        Assert.False(DocCommands.Shows(actual, ["simulating 'mastitis'", "…"]));
        Assert.False(DocCommands.Shows(actual, ["…", "done in 2.0 s -> …"]));
    }

    [Fact]
    public void Sizes_are_capped_only_where_no_output_is_shown_and_dotnet_run_means_the_command_line()
    {
        var sh = new DocCommand("x.md", 1, "dotnet run --project src/MilkCells.Cli -c Release -- cohort run --mothers 10000 --days 365 --store sqlite:c.db", [], false);
        var plan = DocCoverage.Plan(sh);
        Assert.Equal(Handling.Run, plan.Handling);
        Assert.Equal("milkcells cohort run --mothers 50 --days 365 --store sqlite:c.db", plan.Shell);
        Assert.Equal(["--mothers 10000 → 50"], plan.Changes);
        var console = sh with { ShowsOutput = true };
        Assert.Equal("milkcells cohort run --mothers 10000 --days 365 --store sqlite:c.db", DocCoverage.Plan(console).Shell);
        Assert.Equal(Handling.Benchmark, DocCoverage.Plan(sh with { Text = "dotnet run -c Release --project bench/MilkCells.Benchmarks -- --filter '*Fcs*'" }).Handling);
        Assert.Equal(Handling.Covered, DocCoverage.Plan(sh with { Text = "kubectl apply -f docs/cluster/cohort-indexed-job.yaml" }).Handling);
        Assert.Equal(Handling.Uncovered, DocCoverage.Plan(sh with { Text = "rm -rf /" }).Handling);
        Assert.Equal(Handling.Uncovered, DocCoverage.Plan(sh with { Text = "milkcells version && rm -rf x" }).Handling);
    }
}
