using MilkCells.Cli;
using MilkCells.Core.Errors;

namespace MilkCells.Cli.Tests;

public class CliBasicsTests
{
    [Fact]
    public void Version_prints_and_exits_zero()
    {
        var (code, output, _) = CliHarness.Run("version");
        Assert.Equal(0, code);
        Assert.StartsWith("milkcells ", output);
    }

    [Fact]
    public void Unknown_command_is_a_usage_error_with_exit_code_2()
    {
        var (code, _, error) = CliHarness.Run("no-such-command");
        Assert.Equal(2, code);
        Assert.Contains("error:", error);
    }

    [Fact]
    public void Input_errors_map_to_exit_2_without_a_stack_trace()
    {
        var error = new StringWriter();
        var code = CliApp.Report(new InputException(InputLocation.AtLine("x.yaml", 3), "bad key"), error);
        Assert.Equal(2, code);
        Assert.Equal("error: x.yaml:3: bad key" + Environment.NewLine, error.ToString());
        Assert.DoesNotContain(" at ", error.ToString());
    }
}

/// <summary>Runs the CLI in process and captures its output.</summary>
public static class CliHarness
{
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
