using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using MilkCells.Core.Errors;

namespace MilkCells.Storage.Runs;

/// <summary>How a recorded run ended (or that it has not).</summary>
public enum RunStatus
{
    /// <summary>Started and not finished; shown as <see cref="Interrupted"/> once its process is gone.</summary>
    Running,

    /// <summary>Finished and wrote its outputs.</summary>
    Succeeded,

    /// <summary>Stopped by an error.</summary>
    Failed,

    /// <summary>Stopped by Ctrl+C, or its process vanished (killed) while running.</summary>
    Interrupted,
}

/// <summary>What <c>simulate</c> records when a run starts.</summary>
/// <param name="Scenario">The scenario name or file.</param>
/// <param name="ScenarioHash">The scenario's content hash.</param>
/// <param name="Seed">The root seed.</param>
/// <param name="Profile">The calibration profile.</param>
/// <param name="ModelVersion">The milk model's version.</param>
/// <param name="CodeVersion">The code version.</param>
/// <param name="OutputFolder">Where the run writes its files.</param>
/// <param name="StartedAt">When it started.</param>
public sealed record RunStart(
    string Scenario,
    string ScenarioHash,
    ulong Seed,
    string Profile,
    string ModelVersion,
    string CodeVersion,
    string OutputFolder,
    DateTimeOffset StartedAt);

/// <summary>One recorded run.</summary>
/// <param name="Id">The run id (1, 2, … in this store).</param>
/// <param name="Start">What was recorded at the start.</param>
/// <param name="FinishedAt">When it finished, if it did.</param>
/// <param name="Status">How it ended; a run whose process is gone without finishing reads as interrupted.</param>
/// <param name="Summary">The summary the run recorded (free text, typically JSON), if any.</param>
/// <param name="ProcessId">The process that ran it.</param>
/// <param name="Host">The machine that ran it.</param>
public sealed record RunRecord(long Id, RunStart Start, DateTimeOffset? FinishedAt, RunStatus Status, string? Summary, int ProcessId, string Host);

/// <summary>The embedded SQLite run store of <c>milkcells simulate</c>: one row per run, committed at start and at finish.</summary>
/// <remarks>
/// Default location: <c>$MILKCELLS_HOME/runs.db</c>, else <c>$XDG_DATA_HOME/milkcells/runs.db</c>, else
/// <c>~/.local/share/milkcells/runs.db</c>; <c>--store PATH</c> chooses any other file. Every change is its own
/// committed transaction (WAL, synchronous=FULL), so an interrupted or killed run loses nothing already recorded and
/// shows as interrupted.
/// </remarks>
public sealed class RunStore : IDisposable
{
    private readonly SqliteConnection _connection;

    private RunStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    /// <summary>The store's file.</summary>
    public string Path { get; }

    /// <summary>The default run store file, from MILKCELLS_HOME, XDG_DATA_HOME or the home folder.</summary>
    public static string DefaultPath()
    {
        if (Environment.GetEnvironmentVariable("MILKCELLS_HOME") is { Length: > 0 } home)
        {
            return System.IO.Path.Combine(System.IO.Path.GetFullPath(home), "runs.db");
        }
        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return System.IO.Path.Combine(System.IO.Path.GetFullPath(data), "milkcells", "runs.db");
    }

    /// <summary>Opens (creating when missing) the run store at <paramref name="path"/>, or at <see cref="DefaultPath"/>.</summary>
    /// <remarks>The default location's folders are created; a path the user gave must be in an existing folder.</remarks>
    /// <exception cref="InputException">The file cannot be created or is not a run store.</exception>
    public static RunStore Open(string? path = null)
    {
        var full = System.IO.Path.GetFullPath(path ?? DefaultPath());
        var folder = System.IO.Path.GetDirectoryName(full)!;
        if (Directory.Exists(full))
        {
            throw new InputException(InputLocation.InFile(full), "is a folder, not a run store file", "name a file, e.g. --store runs.db");
        }
        if (path is not null && !Directory.Exists(folder))
        {
            throw new InputException(InputLocation.InFile(full), $"the folder {folder} does not exist", $"create it first (mkdir -p {folder}) or choose another path");
        }
        return Connect(full, create: true);
    }

    /// <summary>Opens an existing run store for reading; null when there is no file at <paramref name="path"/> (nothing is created).</summary>
    /// <exception cref="InputException">The path is a folder, or the file is not a run store.</exception>
    public static RunStore? OpenExisting(string? path = null)
    {
        var full = System.IO.Path.GetFullPath(path ?? DefaultPath());
        if (Directory.Exists(full))
        {
            throw new InputException(InputLocation.InFile(full), "is a folder, not a run store file", "name a file, e.g. --store runs.db");
        }
        return File.Exists(full) ? Connect(full, create: false) : null;
    }

    private static RunStore Connect(string full, bool create)
    {
        SqliteConnection? connection = null;
        try
        {
            if (create)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            }
            connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = full,
                Pooling = false,
                DefaultTimeout = 30,
                Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            }.ToString());
            connection.Open();
            using (var tables = connection.CreateCommand())
            {
                // Never add a table to a database that is not a run store.
                tables.CommandText = "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'";
                var names = (tables.ExecuteScalar() as string)?.Split(',') ?? [];
                if ((names.Length > 0 || !create) && !names.Contains("runs"))
                {
                    connection.Dispose();
                    throw new InputException(InputLocation.InFile(full), names.Length == 0 ? "is not a MilkCells run store (it is empty)" : "is a database, but not a MilkCells run store",
                        "choose the run store file with --store, or a new file name");
                }
            }
            using var setup = connection.CreateCommand();
            setup.CommandText = """
                PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;
                CREATE TABLE IF NOT EXISTS runs (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  scenario TEXT NOT NULL, scenario_hash TEXT NOT NULL, seed TEXT NOT NULL, profile TEXT NOT NULL,
                  model_version TEXT NOT NULL, code_version TEXT NOT NULL, output_folder TEXT NOT NULL,
                  started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL, summary TEXT,
                  process_id INTEGER NOT NULL, host TEXT NOT NULL);
                """;
            setup.ExecuteNonQuery();
            return new RunStore(connection, full);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            throw new InputException(InputLocation.InFile(full), $"cannot open the run store: {ex.Message}",
                "choose another file with --store, or set MILKCELLS_HOME", ex);
        }
    }

    /// <summary>Records a run as running (committed at once) and returns its id.</summary>
    public long Start(RunStart start)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            INSERT INTO runs (scenario, scenario_hash, seed, profile, model_version, code_version, output_folder, started_at, status, process_id, host)
            VALUES (@scenario, @hash, @seed, @profile, @model, @code, @out, @started, 'running', @pid, @host) RETURNING id
            """;
        command.Parameters.AddWithValue("@scenario", start.Scenario);
        command.Parameters.AddWithValue("@hash", start.ScenarioHash);
        command.Parameters.AddWithValue("@seed", start.Seed.ToString(CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("@profile", start.Profile);
        command.Parameters.AddWithValue("@model", start.ModelVersion);
        command.Parameters.AddWithValue("@code", start.CodeVersion);
        command.Parameters.AddWithValue("@out", start.OutputFolder);
        command.Parameters.AddWithValue("@started", Format(start.StartedAt));
        command.Parameters.AddWithValue("@pid", Environment.ProcessId);
        command.Parameters.AddWithValue("@host", Environment.MachineName);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Records how run <paramref name="id"/> ended, with its summary (committed at once).</summary>
    public void Finish(long id, RunStatus status, DateTimeOffset finishedAt, string? summary = null)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "UPDATE runs SET status = @status, finished_at = @finished, summary = @summary WHERE id = @id";
        command.Parameters.AddWithValue("@status", status.ToString().ToLowerInvariant());
        command.Parameters.AddWithValue("@finished", Format(finishedAt));
        command.Parameters.AddWithValue("@summary", (object?)summary ?? DBNull.Value);
        command.Parameters.AddWithValue("@id", id);
        if (command.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"run {id} is not in the run store {Path}");
        }
    }

    /// <summary>The recorded runs, newest first (at most <paramref name="limit"/>).</summary>
    public IReadOnlyList<RunRecord> List(int limit = int.MaxValue) => List(limit, null);

    private List<RunRecord> List(long limit, long? id)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"""
            SELECT id, scenario, scenario_hash, seed, profile, model_version, code_version, output_folder, started_at,
                   finished_at, status, summary, process_id, host
            FROM runs {(id is null ? "" : "WHERE id = @id")} ORDER BY id DESC LIMIT @limit
            """;
        command.Parameters.AddWithValue("@limit", limit);
        if (id is not null)
        {
            command.Parameters.AddWithValue("@id", id.Value);
        }
        using var reader = command.ExecuteReader();
        var runs = new List<RunRecord>();
        while (reader.Read())
        {
            var start = new RunStart(reader.GetString(1), reader.GetString(2), ulong.Parse(reader.GetString(3), CultureInfo.InvariantCulture),
                reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7), Parse(reader.GetString(8)));
            var status = Enum.Parse<RunStatus>(reader.GetString(10), ignoreCase: true);
            var pid = reader.GetInt32(12);
            var host = reader.GetString(13);
            if (status == RunStatus.Running && host == Environment.MachineName && !IsAlive(pid))
            {
                status = RunStatus.Interrupted;
            }
            runs.Add(new RunRecord(reader.GetInt64(0), start, reader.IsDBNull(9) ? null : Parse(reader.GetString(9)), status,
                reader.IsDBNull(11) ? null : reader.GetString(11), pid, host));
        }
        return runs;
    }

    /// <summary>Run <paramref name="id"/>, or null when the store does not hold it.</summary>
    public RunRecord? Get(long id) => List(long.MaxValue, id).FirstOrDefault();

    /// <summary>Removes run <paramref name="id"/>'s record (committed at once); false when the store does not hold it. Its files are the caller's to remove.</summary>
    public bool Delete(long id)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "DELETE FROM runs WHERE id = @id";
        command.Parameters.AddWithValue("@id", id);
        return command.ExecuteNonQuery() == 1;
    }

    private static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Format(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public void Dispose() => _connection.Dispose();
}
