using System.Net;
using System.Security.Cryptography;
using MilkCells.Core.Errors;

namespace MilkCells.Web;

/// <summary>What <c>milkcells serve</c> was asked to do, after parsing: where to listen, which stores, limits and the access token.</summary>
/// <param name="Urls">The addresses to listen on, separated by ';' (default http://127.0.0.1:5080).</param>
/// <param name="Store">The run store (null: the default run store, as <c>simulate</c>).</param>
/// <param name="Data">The data folder: uploads, run outputs, cohort stores, reference sets and analyses, all under server-chosen names.</param>
/// <param name="Token">The access token (null: none on loopback; generated on any other address).</param>
/// <param name="MaxUpload">The largest upload accepted, in bytes.</param>
/// <param name="Threads">Jobs running at once.</param>
/// <param name="Queue">Jobs waiting at most, beyond the running ones; one more is refused with 429.</param>
public sealed record ServeSettings(string Urls, string? Store, string Data, string? Token, long MaxUpload, int Threads, int Queue)
{
    /// <summary>Where the server listens unless told otherwise.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>The default upload limit: 2 GB.</summary>
    public const long DefaultMaxUpload = 2L * 1000 * 1000 * 1000;

    /// <summary>Whether every address is a loopback one (127.0.0.0/8, ::1, localhost).</summary>
    public bool LoopbackOnly => Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(IsLoopback);

    /// <summary>The settings with a generated token when they bind beyond loopback without one; <paramref name="generated"/> tells whether it did.</summary>
    public ServeSettings WithRequiredToken(out bool generated)
    {
        generated = Token is null && !LoopbackOnly;
        return generated ? this with { Token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) } : this;
    }

    /// <summary>Checks the settings; a problem is an <see cref="InputException"/> naming the option.</summary>
    public ServeSettings Validate()
    {
        foreach (var url in Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || uri.Scheme is not ("http" or "https"))
            {
                throw new InputException(InputLocation.AtElement(null, "--urls"), $"'{url}' is not an http:// address", "for example --urls http://127.0.0.1:5080");
            }
        }
        if (Token is { Length: < 16 })
        {
            throw new InputException(InputLocation.AtElement(null, "--token"), "a token must have at least 16 characters", "leave --token out to have one generated");
        }
        if (MaxUpload < 1)
        {
            throw new InputException(InputLocation.AtElement(null, "--max-upload"), "the upload limit must be positive", "for example --max-upload 2GB");
        }
        if (Threads < 1)
        {
            throw new InputException(InputLocation.AtElement(null, "--threads"), $"{Threads} threads cannot run", "give at least 1");
        }
        return this;
    }

    /// <summary>Parses a size: <c>2GB</c>, <c>500MB</c>, <c>64KiB</c>, <c>1000</c> (bytes).</summary>
    public static long ParseSize(string text, string option = "--max-upload")
    {
        var t = text.Trim();
        var digits = t.TakeWhile(c => char.IsAsciiDigit(c) || c == '.').Count();
        var unit = t[digits..].Trim().ToUpperInvariant();
        long factor = unit switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1000,
            "KIB" => 1024,
            "M" or "MB" => 1000_000,
            "MIB" => 1 << 20,
            "G" or "GB" => 1000_000_000,
            "GIB" => 1L << 30,
            _ => 0,
        };
        if (factor == 0 || !double.TryParse(t[..digits], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            throw new InputException(InputLocation.AtElement(null, option), $"'{text}' is not a size", "for example 2GB, 500MB or 1048576");
        }
        return (long)Math.Round(number * factor);
    }

    private static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false; // '*' and '+' bind every address
        }
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
