using System.Text;
using MilkCells.Core.Errors;

namespace MilkCells.Web.Api;

/// <summary>Uploads, streamed to disk under the data folder with server-chosen names; the content is checked before anything uses it.</summary>
/// <remarks>
/// The body is the file itself (any Content-Type), copied in 80 KiB pieces: memory stays flat whatever its size. The
/// client's name (<c>?name=</c>) is kept only as a label and to match manifest rows; its directory part is dropped and
/// it never becomes a path. Sniffing: FCS files start with "FCS" and a version (FCS 3.1 §3.1, Spidlen et al. 2010,
/// doi:10.1002/cyto.a.20825); CSV and YAML must be UTF-8 text without NUL bytes in their first 64 KiB.
/// </remarks>
internal static class UploadApi
{
    private static readonly string[] Kinds = ["fcs", "csv", "yaml"];

    public static void Map(WebApplication app)
    {
        app.MapPost("/api/uploads", Receive).WithSummary("Upload a file as the request body: ?kind=fcs|csv|yaml&name=NAME. 413 past --max-upload; 400 when the content is not of its kind.");
        app.MapGet("/api/uploads/{id}", (string id, DataFolder data) => TypedResults.Ok(data.GetUpload(id))).WithSummary("An upload's kind, name and size.");
    }

    private static async Task<Microsoft.AspNetCore.Http.HttpResults.Created<Upload>> Receive(HttpRequest request, string kind, string? name, DataFolder data, ServeSettings settings)
    {
        if (!Kinds.Contains(kind))
        {
            throw new InputException(InputLocation.AtElement(null, "kind"), $"cannot take uploads of kind '{(kind.Length > 20 ? kind[..20] : kind)}'", "fcs, csv or yaml");
        }
        var label = Label(name, kind);
        var upload = new Upload(DataFolder.NewId("u"), kind, label, 0);
        var path = data.UploadPath(upload);
        var temp = path + ".part";
        long total = 0;
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan))
            {
                var buffer = new byte[80 * 1024];
                int n;
                while ((n = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
                {
                    total += n;
                    if (total > settings.MaxUpload)
                    {
                        throw new UploadTooLargeException();
                    }
                    await file.WriteAsync(buffer.AsMemory(0, n), request.HttpContext.RequestAborted);
                }
            }
            Sniff(temp, kind, label);
            File.Move(temp, path);
        }
        finally
        {
            File.Delete(temp);
        }
        upload = upload with { Bytes = total };
        data.SaveUpload(upload);
        return TypedResults.Created($"/api/uploads/{upload.Id}", upload);
    }

    /// <summary>The client's name without any directory part, or a default; shown and matched, never a path.</summary>
    internal static string Label(string? name, string kind)
    {
        var last = (name ?? "").Replace('\\', '/').Split('/').LastOrDefault() ?? "";
        var clean = new string([.. last.Where(c => !char.IsControl(c))]).Trim();
        return clean is "" or "." or ".." ? "upload." + kind : clean.Length > 120 ? clean[..120] : clean;
    }

    private static void Sniff(string path, string kind, string label)
    {
        var head = new byte[64 * 1024];
        int n;
        using (var f = File.OpenRead(path))
        {
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        var span = head.AsSpan(0, n);
        var where = InputLocation.InFile(label);
        if (n == 0)
        {
            throw new InputException(where, "the upload is empty");
        }
        if (kind == "fcs")
        {
            var magic = Encoding.ASCII.GetString(span[..Math.Min(6, n)]);
            if (magic is not ("FCS2.0" or "FCS3.0" or "FCS3.1" or "FCS3.2"))
            {
                throw new InputException(where, "is not an FCS file (it does not start with FCS2.0, FCS3.0, FCS3.1 or FCS3.2)", "upload the .fcs file the cytometer wrote");
            }
            return;
        }
        var utf8 = new UTF8Encoding(false, true);
        var cut = n == head.Length ? Trail(span) : n; // do not judge a character split by the 64 KiB cut
        try
        {
            if (span[..cut].Contains((byte)0))
            {
                throw new DecoderFallbackException();
            }
            utf8.GetCharCount(span[..cut]);
        }
        catch (DecoderFallbackException)
        {
            throw new InputException(where, $"is not a {kind.ToUpperInvariant()} file (binary content, not UTF-8 text)",
                kind == "csv" ? "upload the manifest or counts as CSV text" : "upload the scenario as YAML text");
        }
    }

    private static int Trail(ReadOnlySpan<byte> span)
    {
        var i = span.Length;
        while (i > 0 && i > span.Length - 4 && (span[i - 1] & 0xC0) == 0x80)
        {
            i--;
        }
        return i > 0 && span[i - 1] >= 0xC0 ? i - 1 : i;
    }
}
