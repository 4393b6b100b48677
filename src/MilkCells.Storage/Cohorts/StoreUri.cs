using System.Globalization;
using MilkCells.Core.Errors;

namespace MilkCells.Storage.Cohorts;

/// <summary>Which database a store URI names.</summary>
public enum StoreKind
{
    /// <summary>A SQLite file (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database.</summary>
    Postgres,

    /// <summary>A DuckDB file: an embedded columnar database.</summary>
    DuckDb,

    /// <summary>A folder of Parquet files, Hive-partitioned by scenario and shard.</summary>
    Parquet,
}

/// <summary>A parsed store URI: <c>sqlite:PATH</c> (or a bare path), <c>duckdb:PATH</c>, <c>parquet:DIR[?rows_per_file=N]</c>
/// or <c>postgres://user:pass@host:port/db[?schema=S]</c>.</summary>
/// <param name="Kind">The backend.</param>
/// <param name="Path">The SQLite or DuckDB file, or the Parquet folder (absolute).</param>
/// <param name="Host">The PostgreSQL host.</param>
/// <param name="Port">The PostgreSQL port (5432 when not given).</param>
/// <param name="Database">The PostgreSQL database.</param>
/// <param name="User">The PostgreSQL user, if given.</param>
/// <param name="Password">The PostgreSQL password, if given.</param>
/// <param name="SchemaName">The PostgreSQL schema holding the tables (<c>?schema=</c>; default <c>public</c>).</param>
/// <param name="RowsPerFile">Rows a Parquet store gathers before it writes a part file (<c>?rows_per_file=</c>).</param>
public sealed record StoreUri(
    StoreKind Kind,
    string? Path = null,
    string? Host = null,
    int Port = 5432,
    string? Database = null,
    string? User = null,
    string? Password = null,
    string SchemaName = "public",
    int RowsPerFile = StoreUri.DefaultRowsPerFile)
{
    /// <summary>Rows per Parquet part file unless the URI says otherwise: 131,072 (359 mother-years; ~35 MB of values held before writing).</summary>
    public const int DefaultRowsPerFile = 1 << 17;

    private const string Forms = "use sqlite:PATH (or a plain file path), duckdb:PATH, parquet:DIR or postgres://user:pass@host:port/db";

    /// <summary>Parses a store URI; throws <see cref="InputException"/> naming the problem.</summary>
    public static StoreUri Parse(string text, string option = "--store")
    {
        var where = InputLocation.AtElement(null, option);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InputException(where, "the store URI is empty", Forms);
        }
        if (text.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = text["sqlite:".Length..];
            if (path.StartsWith("//", StringComparison.Ordinal))
            {
                path = path[2..]; // sqlite:///abs/path
            }
            return path.Length == 0
                ? throw new InputException(where, $"'{text}' names no file", "sqlite:cohort.db")
                : new StoreUri(StoreKind.Sqlite, Path: System.IO.Path.GetFullPath(path));
        }
        if (text.StartsWith("duckdb:", StringComparison.OrdinalIgnoreCase))
        {
            var path = text["duckdb:".Length..];
            return path.Length == 0
                ? throw new InputException(where, $"'{text}' names no file", "duckdb:cohort.duckdb")
                : new StoreUri(StoreKind.DuckDb, Path: System.IO.Path.GetFullPath(path));
        }
        if (text.StartsWith("parquet:", StringComparison.OrdinalIgnoreCase))
        {
            return ParseParquet(text, where);
        }
        if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return ParsePostgres(text, where);
        }
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            throw new InputException(where, $"unknown store kind '{text[..scheme]}' in '{Redact(text)}'", Forms);
        }
        return new StoreUri(StoreKind.Sqlite, Path: System.IO.Path.GetFullPath(text));
    }

    private static StoreUri ParseParquet(string text, InputLocation where)
    {
        var body = text["parquet:".Length..];
        var query = body.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? body : body[..query];
        if (path.Length == 0)
        {
            throw new InputException(where, $"'{text}' names no folder", "parquet:cohort/");
        }
        var rows = DefaultRowsPerFile;
        foreach (var pair in (query < 0 ? "" : body[(query + 1)..]).Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? pair : pair[..eq];
            if (key != "rows_per_file")
            {
                throw new InputException(where, $"unknown option '{key}' in '{text}'", "the only option is ?rows_per_file=N");
            }
            if (!int.TryParse(pair.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out rows) || rows < 1)
            {
                throw new InputException(where, $"rows_per_file must be a whole number of at least 1, not '{pair[(eq + 1)..]}'", $"?rows_per_file={DefaultRowsPerFile}");
            }
        }
        return new StoreUri(StoreKind.Parquet, Path: System.IO.Path.GetFullPath(path), RowsPerFile: rows);
    }

    private static StoreUri ParsePostgres(string text, InputLocation where)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new InputException(where, $"'{Redact(text)}' is not a valid PostgreSQL URI", Forms);
        }
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0 || database.Contains('/', StringComparison.Ordinal))
        {
            throw new InputException(where, $"'{Redact(text)}' names no database", "postgres://user:pass@host:5432/milkcells");
        }
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        var schema = "public";
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (key != "schema")
            {
                throw new InputException(where, $"unknown option '{key}' in '{Redact(text)}'", "the only option is ?schema=NAME");
            }
            if (!CohortSchema.IsIdentifier(value))
            {
                throw new InputException(where, $"schema '{value}' is not a lower-case identifier", "?schema=cohort_a");
            }
            schema = value;
        }
        return new StoreUri(StoreKind.Postgres, Host: uri.Host, Port: uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database: database, User: user, Password: password, SchemaName: schema);
    }

    /// <summary>The URI as text with the password replaced by <c>***</c>.</summary>
    public override string ToString() => Kind switch
    {
        StoreKind.Sqlite => $"sqlite:{Path}",
        StoreKind.DuckDb => $"duckdb:{Path}",
        StoreKind.Parquet => string.Create(CultureInfo.InvariantCulture, $"parquet:{Path}{(RowsPerFile == DefaultRowsPerFile ? "" : $"?rows_per_file={RowsPerFile}")}"),
        _ => string.Create(CultureInfo.InvariantCulture,
            $"postgres://{(User is null ? "" : Uri.EscapeDataString(User) + (Password is null ? "" : ":***") + "@")}{Host}:{Port}/{Database}{(SchemaName == "public" ? "" : "?schema=" + SchemaName)}"),
    };

    private static string Redact(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var colon = scheme < 0 || at < 0 ? -1 : text.IndexOf(':', scheme + 3);
        return colon > 0 && colon < at ? text[..(colon + 1)] + "***" + text[at..] : text;
    }
}
