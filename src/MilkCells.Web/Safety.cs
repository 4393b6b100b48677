using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using MilkCells.Core.Errors;
using MilkCells.Web.Jobs;

namespace MilkCells.Web;

/// <summary>A resource the request names does not exist (404).</summary>
public sealed class NotFoundException(string what) : Exception(what);

/// <summary>Every failure as RFC 9457 problem details: never a stack trace, never a server path.</summary>
/// <remarks>
/// InputException → 400 with its one-line message (the data folder's and store's absolute paths removed); a full
/// queue → 429 with Retry-After; an oversized body → 413; anything else → 500 naming only the trace id (the server's
/// log has the rest). RFC 9457: https://www.rfc-editor.org/rfc/rfc9457.
/// </remarks>
internal sealed class ProblemMiddleware(RequestDelegate next, ServeSettings settings, ILogger<ProblemMiddleware> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the client went away: nothing to answer
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            var (status, title, detail) = ex switch
            {
                InputException input => (400, "Bad input", Scrub(input.Message, settings)),
                NotFoundException missing => (404, "Not found", missing.Message),
                QueueFullException full => (429, "Too many jobs", $"every job slot is taken and the queue is full; try again in {full.RetryAfterSeconds} s"),
                BadHttpRequestException { StatusCode: 413 } => (413, "Upload too large", $"the body is larger than the limit of {Size(settings.MaxUpload)} (--max-upload)"),
                UploadTooLargeException => (413, "Upload too large", $"the upload is larger than the limit of {Size(settings.MaxUpload)} (--max-upload)"),
                BadHttpRequestException bad => (bad.StatusCode, "Bad request", "the request could not be read (malformed body or headers)"),
                System.Text.Json.JsonException => (400, "Bad input", "the body is not the JSON this endpoint expects"),
                _ => (500, "Internal error", $"MilkCells failed; the server's log has the details (trace {context.TraceIdentifier})"),
            };
            if (status == 500)
            {
                log.LogError(ex, "request {Path} failed (trace {Trace})", context.Request.Path, context.TraceIdentifier);
            }
            if (ex is QueueFullException q)
            {
                context.Response.Headers.RetryAfter = q.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            await Write(context, status, title, detail);
        }
    }

    /// <summary>Writes a problem details response.</summary>
    public static Task Write(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return Results.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail, Instance = context.Request.Path }).ExecuteAsync(context);
    }

    /// <summary><paramref name="message"/> with the server's folders removed (paths under the data folder keep their part inside it).</summary>
    public static string Scrub(string message, ServeSettings settings)
    {
        var text = message;
        foreach (var root in new[] { Path.GetFullPath(settings.Data), settings.Store is null ? null : Path.GetFullPath(Workflows.Simulate.SimulateWorkflow.RunStorePath(settings.Store)!) }
                     .Where(r => r is not null).OrderByDescending(r => r!.Length))
        {
            text = text.Replace(root!.TrimEnd('/') + "/", "", StringComparison.Ordinal).Replace(root!, "(data)", StringComparison.Ordinal);
        }
        // Any other absolute path keeps only its file name.
        return System.Text.RegularExpressions.Regex.Replace(text, @"(?<![\w.])/(?:[^\s/:'""()]+/)+([^\s/:'""()]+)", "$1");
    }

    public static string Size(long bytes) => bytes >= 1_000_000_000 && bytes % 1_000_000 == 0
        ? $"{bytes / 1e9:0.###} GB"
        : bytes >= 1_000_000 ? $"{bytes / 1e6:0.###} MB" : $"{bytes} bytes";
}

/// <summary>An upload grew past --max-upload while it streamed.</summary>
public sealed class UploadTooLargeException() : Exception("upload too large");

/// <summary>With a token, every request must carry it: <c>Authorization: Bearer TOKEN</c>, the cookie the page sets, or <c>?token=</c> on a page address (which sets the cookie).</summary>
internal sealed class TokenMiddleware(RequestDelegate next, ServeSettings settings)
{
    public const string Cookie = "milkcells-token";

    public async Task InvokeAsync(HttpContext context)
    {
        if (settings.Token is not { } token)
        {
            await next(context);
            return;
        }
        var request = context.Request;
        var given = request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..].Trim()
            : request.Cookies.TryGetValue(Cookie, out var cookie) ? cookie
            : request.Query.TryGetValue("token", out var query) && HttpMethods.IsGet(request.Method) ? query.ToString()
            : null;
        if (given is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token)))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ProblemMiddleware.Write(context, 401, "Token required",
                "this server is reachable beyond this machine: give the token it printed (Authorization: Bearer TOKEN, or open the address it printed with ?token=TOKEN)");
            return;
        }
        if (request.Query.ContainsKey("token") && HttpMethods.IsGet(request.Method))
        {
            context.Response.Cookies.Append(Cookie, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = request.IsHttps, Path = "/" });
            if (!request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
            {
                context.Response.Redirect(request.PathBase + request.Path);
                return;
            }
        }
        await next(context);
    }
}

/// <summary>Request body limits: --max-upload for uploads (413 before reading when Content-Length says so), 4 MB for everything else.</summary>
internal sealed class BodyLimitMiddleware(RequestDelegate next, ServeSettings settings)
{
    public const long Json = 4 << 20;

    public async Task InvokeAsync(HttpContext context)
    {
        var limit = context.Request.Path.StartsWithSegments("/api/uploads", StringComparison.Ordinal) ? settings.MaxUpload : Json;
        if (context.Request.ContentLength > limit)
        {
            throw limit == settings.MaxUpload ? new UploadTooLargeException() : new BadHttpRequestException("too large", 413);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }
        await next(context);
    }
}

/// <summary>Cross-site request forgery protection: a state-changing request must echo the server's secret in <c>X-MilkCells-Csrf</c> and come from this origin.</summary>
/// <remarks>
/// The secret is readable only by same-origin script (GET /api/session; no CORS), so another site's page cannot send
/// it; a form post cannot set the header at all. The Origin and Sec-Fetch-Site checks are the OWASP "verifying origin
/// with standard headers" defence in depth (OWASP Cross-Site Request Forgery Prevention Cheat Sheet).
/// </remarks>
internal sealed class CsrfMiddleware(RequestDelegate next, ServerSecrets secrets)
{
    public const string Header = "X-MilkCells-Csrf";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            await next(context);
            return;
        }
        var origin = request.Headers.Origin.ToString();
        var crossSite = request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site";
        var sameOrigin = origin.Length == 0 || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
        var header = request.Headers[Header].ToString();
        if (crossSite || !sameOrigin || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes(secrets.Csrf)))
        {
            await ProblemMiddleware.Write(context, 403, "Cross-site request refused",
                $"a request that changes state must come from the dashboard's own page and carry {Header} (from GET /api/session)");
            return;
        }
        await next(context);
    }
}
