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
}

/// <summary>A parsed store URI: <c>sqlite:PATH</c> (or a bare path) or <c>postgres://user:pass@host:port/db[?schema=S]</c>.</summary>
/// <param name="Kind">The backend.</param>
/// <param name="Path">The SQLite file (absolute), for <see cref="StoreKind.Sqlite"/>.</param>
/// <param name="Host">The PostgreSQL host.</param>
/// <param name="Port">The PostgreSQL port (5432 when not given).</param>
/// <param name="Database">The PostgreSQL database.</param>
/// <param name="User">The PostgreSQL user, if given.</param>
/// <param name="Password">The PostgreSQL password, if given.</param>
/// <param name="SchemaName">The PostgreSQL schema holding the tables (<c>?schema=</c>; default <c>public</c>).</param>
public sealed record StoreUri(
    StoreKind Kind,
    string? Path = null,
    string? Host = null,
    int Port = 5432,
    string? Database = null,
    string? User = null,
    string? Password = null,
    string SchemaName = "public")
{
    /// <summary>Stores named by <c>SCHEME:PATH</c> (a file or a folder): one row per kind. A new kind of store adds its row
    /// here (and its case in <c>CohortStore.Open</c>); every command parses <c>--store</c> through <see cref="Parse"/>.</summary>
    private static readonly (string Scheme, StoreKind Kind, string Example)[] PathSchemes =
    [
        ("sqlite", StoreKind.Sqlite, "sqlite:cohort.db"),
    ];

    private static readonly string[] UrlSchemes = ["postgres", "postgresql"];

    private static string Forms => "use a file path, " + string.Join(", ", PathSchemes.Select(s => s.Example)) + " or postgres://user:pass@host:port/db";

    /// <summary>Parses a store: a plain path (a SQLite file), <c>sqlite:PATH</c>, or <c>postgres://…</c>; throws <see cref="InputException"/> naming the problem.</summary>
    /// <remarks>The one store parser of every command (docs/cli.md). A path with a colon can be given as <c>sqlite:PATH</c>.</remarks>
    public static StoreUri Parse(string text, string option = "--store")
    {
        var where = InputLocation.AtElement(null, option);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InputException(where, "the store is empty", Forms);
        }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon > 1 && text[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') && char.IsAsciiLetter(text[0])
            ? text[..colon].ToLowerInvariant()
            : null;
        if (scheme is null)
        {
            return new StoreUri(StoreKind.Sqlite, Path: FullPath(text, text, where));
        }
        if (UrlSchemes.Contains(scheme) && text[(colon + 1)..].StartsWith("//", StringComparison.Ordinal))
        {
            return ParsePostgres(text, where);
        }
        foreach (var (name, kind, example) in PathSchemes)
        {
            if (scheme != name)
            {
                continue;
            }
            var path = text[(colon + 1)..];
            if (path.StartsWith("//", StringComparison.Ordinal))
            {
                path = path[2..]; // sqlite:///abs/path
            }
            return path.Length == 0
                ? throw new InputException(where, $"'{text}' names no file", example)
                : new StoreUri(kind, Path: FullPath(path, text, where));
        }
        throw new InputException(where, $"unknown store kind '{scheme}' in '{Redact(text)}'", Forms);
    }

    private static string FullPath(string path, string text, InputLocation where)
    {
        try
        {
            return System.IO.Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new InputException(where, $"'{text}' is not a usable path: {ex.Message}", Forms);
        }
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
    public override string ToString() => Kind == StoreKind.Sqlite
        ? $"sqlite:{Path}"
        : string.Create(CultureInfo.InvariantCulture,
            $"postgres://{(User is null ? "" : Uri.EscapeDataString(User) + (Password is null ? "" : ":***") + "@")}{Host}:{Port}/{Database}{(SchemaName == "public" ? "" : "?schema=" + SchemaName)}");

    private static string Redact(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var colon = scheme < 0 || at < 0 ? -1 : text.IndexOf(':', scheme + 3);
        return colon > 0 && colon < at ? text[..(colon + 1)] + "***" + text[at..] : text;
    }
}
