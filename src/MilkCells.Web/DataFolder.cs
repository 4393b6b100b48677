using System.Security.Cryptography;
using System.Text.Json;

namespace MilkCells.Web;

/// <summary>An uploaded file: its server-chosen id, what it holds, the client's file name (shown and matched against a manifest, never used as a path), and its size.</summary>
public sealed record Upload(string Id, string Kind, string Name, long Bytes);

/// <summary>The data folder: uploads, run outputs, cohort stores, reference sets and analyses, every name chosen by the server.</summary>
public sealed class DataFolder
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public DataFolder(ServeSettings settings)
    {
        Root = Path.GetFullPath(settings.Data);
        foreach (var sub in new[] { "uploads", "runs", "cohorts", "references", "samples" })
        {
            Directory.CreateDirectory(Path.Combine(Root, sub));
        }
    }

    public string Root { get; }

    /// <summary>A new server-chosen name: a prefix, the UTC time and 48 random bits.</summary>
    public static string NewId(string prefix) =>
        $"{prefix}{DateTime.UtcNow:yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";

    /// <summary>Path of <paramref name="id"/> in <paramref name="area"/>, or a 404 when the id is not one the server could have chosen.</summary>
    public string PathOf(string area, string id, string suffix = "")
    {
        if (id.Length is 0 or > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new NotFoundException($"no {area} '{Trim(id)}'");
        }
        return Path.Combine(Root, area, id + suffix);
    }

    public string UploadPath(Upload upload) => PathOf("uploads", upload.Id, "." + upload.Kind);

    public void SaveUpload(Upload upload) => File.WriteAllText(PathOf("uploads", upload.Id, ".json"), JsonSerializer.Serialize(upload, Json));

    /// <summary>The upload <paramref name="id"/> names (404 if none).</summary>
    public Upload GetUpload(string id)
    {
        var meta = PathOf("uploads", id, ".json");
        return File.Exists(meta) ? JsonSerializer.Deserialize<Upload>(File.ReadAllText(meta), Json)! : throw new NotFoundException($"no upload '{Trim(id)}'");
    }

    private static string Trim(string id) => id.Length > 64 ? id[..64] + "…" : id;
}
