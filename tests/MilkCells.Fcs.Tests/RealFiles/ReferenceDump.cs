using System.Security.Cryptography;
using System.Text.Json;
using MilkCells.Fcs;

namespace MilkCells.Fcs.Tests.RealFiles;

/// <summary>What one established reader returned for one file (../shared/fcs/reference/NAME.json).</summary>
public sealed record ReaderResult(string Key, string? Error, long Events, int Parameters, IReadOnlyList<string> Channels,
    string? Sha256, IReadOnlyList<double[]> FirstRows)
{
    public bool Failed => Error is not null;
}

public static class ReferenceDump
{
    public static IReadOnlyDictionary<string, ReaderResult> Load(string fileName)
    {
        var path = Path.Combine(TestSupport.Shared.Require("fcs/reference"), fileName + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var result = new Dictionary<string, ReaderResult>();
        foreach (var reader in doc.RootElement.GetProperty("readers").EnumerateObject())
        {
            var v = reader.Value;
            if (v.TryGetProperty("error", out var error))
            {
                result[reader.Name] = new ReaderResult(reader.Name, error.GetString(), 0, 0, [], null, []);
                continue;
            }
            result[reader.Name] = new ReaderResult(reader.Name, null, v.GetProperty("events").GetInt64(), v.GetProperty("parameters").GetInt32(),
                v.GetProperty("channels").EnumerateArray().Select(c => c.GetString() ?? "").ToList(),
                v.GetProperty("sha256_float64_le_rowmajor").GetString(),
                v.GetProperty("first_rows").EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToList());
        }
        return result;
    }

    /// <summary>SHA-256 of the matrix as little-endian float64, row-major (the reference's definition).</summary>
    public static string Sha256(double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        }
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>fcsparser 0.2.8's channel names: $PnS when non-empty else $PnN; all $PnN when those are not unique.</summary>
    public static IReadOnlyList<string> FcsparserNames(FcsDataSet set)
    {
        var preferred = set.Parameters.Select(p => string.IsNullOrEmpty(p.Label) ? p.Name : p.Label!).ToList();
        return preferred.Distinct().Count() == preferred.Count ? preferred : set.Parameters.Select(p => p.Name).ToList();
    }
}
