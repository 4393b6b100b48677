using System.Diagnostics;
using System.Globalization;
using MilkCells.Storage.Cohorts;
using MilkCells.TestSupport;
using Npgsql;

namespace MilkCells.Cli.Tests;

/// <summary>
/// PostgreSQL stores for cohort tests: a fresh schema per store in the database MILKCELLS_PG_URI names (./test.sh's
/// throw-away server), dropped at the end. Skips when the variable is unset, or fails under MILKCELLS_REQUIRE_SHARED=1.
/// </summary>
public sealed class PostgresSchemas : IDisposable
{
    private readonly string _admin;
    private readonly List<string> _schemas = [];

    private PostgresSchemas(string admin)
    {
        _admin = admin;
    }

    /// <summary>A factory, or a skip (a failure under MILKCELLS_REQUIRE_SHARED=1) when no server is configured.</summary>
    public static PostgresSchemas Require()
    {
        if (Environment.GetEnvironmentVariable("MILKCELLS_PG_URI") is { Length: > 0 } admin)
        {
            return new PostgresSchemas(admin);
        }
        const string message = "MILKCELLS_PG_URI is not set (./test.sh starts a PostgreSQL server and sets it)";
        if (Shared.Required)
        {
            Assert.Fail(message + "; MILKCELLS_REQUIRE_SHARED=1 makes this a failure");
        }
        Assert.Skip(message);
        return null!;
    }

    /// <summary>The URI of a new, empty store.</summary>
    public string NewUri(string name)
    {
        var schema = $"{name}_{Guid.NewGuid():N}"[..Math.Min(name.Length + 13, 60)].ToLowerInvariant();
        lock (_schemas)
        {
            _schemas.Add(schema);
        }
        return $"{_admin}{(_admin.Contains('?', StringComparison.Ordinal) ? '&' : '?')}schema={schema}";
    }

    public void Dispose()
    {
        var uri = StoreUri.Parse(_admin);
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.Port, Database = uri.Database, Username = uri.User ?? Environment.UserName, Password = uri.Password, Pooling = false };
        using var connection = new NpgsqlConnection(builder.ToString());
        connection.Open();
        foreach (var schema in _schemas)
        {
            using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
            drop.ExecuteNonQuery();
        }
    }
}

/// <summary>Runs <c>milkcells</c> as a separate process (the build's milkcells.dll beside the tests).</summary>
internal static class MilkcellsProcess
{
    /// <summary>The build's milkcells.dll beside the tests.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "milkcells.dll");

    /// <summary>Starts <c>dotnet milkcells.dll ARGS</c>.</summary>
    public static Process Start(params string[] args) => StartProgram("dotnet", [Dll, .. args]);

    /// <summary>Starts <c>dotnet milkcells.dll ARGS</c> in <paramref name="workingDirectory"/>.</summary>
    public static Process StartIn(string workingDirectory, params string[] args) => StartProgram("dotnet", [Dll, .. args], workingDirectory: workingDirectory);

    /// <summary>Starts any program with extra environment variables, draining its output (each line of standard output to
    /// <paramref name="onOutput"/>, of standard error to <paramref name="onError"/>).</summary>
    public static Process StartProgram(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, Action<string>? onOutput = null,
        Action<string>? onError = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["MILKCELLS_DEBUG"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        // Drain both pipes so a chatty process never blocks on a full pipe.
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                onOutput?.Invoke(line);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                Errors.AddOrUpdate(process.Id, line, (_, old) => old + "\n" + line);
                onError?.Invoke(line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>A folder holding a <c>milkcells</c> command (a shell wrapper of the build's dll), to put first on PATH.</summary>
    public static string WrapperFolder(TempDir dir)
    {
        var folder = dir.File("bin");
        Directory.CreateDirectory(folder);
        var script = Path.Combine(folder, "milkcells");
        File.WriteAllText(script, $"#!/bin/sh\nexec dotnet \"{Dll}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return folder;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> Errors = new();

    /// <summary>What the process wrote to standard error.</summary>
    public static string ErrorOf(Process process) => Errors.TryGetValue(process.Id, out var text) ? text : "";

    /// <summary>Waits for the process and fails with its standard error unless it exits 0.</summary>
    public static void WaitOk(Process process, TimeSpan timeout)
    {
        Assert.True(process.WaitForExit(timeout), "the process did not finish in time");
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {ErrorOf(process)}");
    }

    public static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Exports and reads stores for cohort CLI tests.</summary>
internal static class CohortFiles
{
    public static byte[] Export(TempDir dir, string uri)
    {
        var csv = dir.File($"export-{Guid.NewGuid():N}.csv");
        var (code, _, error) = CliHarness.Run("cohort", "export", "--store", uri, "-o", csv);
        Assert.True(code == 0, error);
        return File.ReadAllBytes(csv);
    }

    /// <summary>Runs <c>cohort run</c> in process, fails on a non-zero exit, and returns what it told the user (standard error).</summary>
    public static string Run(params string[] args)
    {
        var (code, output, error) = CliHarness.Run(["cohort", "run", .. args]);
        Assert.True(code == 0, error);
        Assert.Equal("", output); // cohort run writes its store; standard output carries no data
        return error;
    }
}
