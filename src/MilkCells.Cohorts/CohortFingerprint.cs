using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Cohorts;

/// <summary>A SHA-256 over the stored rows of the first few mothers: proves that code and model still compute the same cohort.</summary>
/// <remarks>
/// Each row is hashed as mother_id (int64), day (int32), then per column a tag byte (0 NULL, 1 value) and the value
/// (int64, the double's bits, or int32 length + UTF-8), little-endian. Mothers depend only on (root seed, id), so
/// a run of 2 mothers fingerprints the same as mothers 0–1 of a run of 10,000.
/// </remarks>
public sealed class CohortFingerprint : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _scratch = new byte[12];

    /// <summary>A fingerprint over mothers 0 … <paramref name="mothers"/> − 1.</summary>
    public CohortFingerprint(int mothers = DefaultMothers)
    {
        Mothers = mothers;
    }

    /// <summary>Mothers fingerprinted by default: 0 and 1.</summary>
    public const int DefaultMothers = 2;

    /// <summary>Mothers 0 … Mothers − 1 are hashed.</summary>
    public int Mothers { get; }

    /// <summary>Rows hashed so far.</summary>
    public long Rows { get; private set; }

    /// <summary>Hashes the reader's current row if it belongs to a fingerprinted mother.</summary>
    public void Add(ICohortRowReader reader)
    {
        if (reader.MotherId < 0 || reader.MotherId >= Mothers)
        {
            return;
        }
        BinaryPrimitives.WriteInt64LittleEndian(_scratch, reader.MotherId);
        BinaryPrimitives.WriteInt32LittleEndian(_scratch.AsSpan(8), reader.Day);
        _hash.AppendData(_scratch, 0, 12);
        var columns = reader.Schema.Columns;
        for (var c = 0; c < columns.Length; c++)
        {
            if (reader.IsNull(c))
            {
                _hash.AppendData([0]);
                continue;
            }
            _hash.AppendData([1]);
            switch (columns[c].Kind)
            {
                case ColumnKind.Integer:
                    BinaryPrimitives.WriteInt64LittleEndian(_scratch, reader.GetInteger(c));
                    _hash.AppendData(_scratch, 0, 8);
                    break;
                case ColumnKind.Real:
                    BinaryPrimitives.WriteInt64LittleEndian(_scratch, BitConverter.DoubleToInt64Bits(reader.GetReal(c)));
                    _hash.AppendData(_scratch, 0, 8);
                    break;
                default:
                    var bytes = Encoding.UTF8.GetBytes(reader.GetText(c)!);
                    BinaryPrimitives.WriteInt32LittleEndian(_scratch, bytes.Length);
                    _hash.AppendData(_scratch, 0, 4);
                    _hash.AppendData(bytes);
                    break;
            }
        }
        Rows++;
    }

    /// <summary>The hash as <c>sha256:HEX</c>.</summary>
    public string Finish() => "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());

    /// <summary>The fingerprint of a store's mothers 0 … <paramref name="mothers"/> − 1 (reads until past them).</summary>
    public static string Of(ICohortStore store, int mothers = DefaultMothers)
    {
        using var fingerprint = new CohortFingerprint(mothers);
        using var reader = store.ReadRows();
        while (reader.Read() && reader.MotherId < mothers)
        {
            fingerprint.Add(reader);
        }
        return fingerprint.Finish();
    }

    public void Dispose() => _hash.Dispose();
}
