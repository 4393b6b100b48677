using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace MilkCells.Storage.Cohorts.Columnar;

/// <summary>Writes cohort rows as an Arrow IPC file (Feather v2): typed columns, one record batch per <see cref="ColumnBatch"/>, text as dictionaries.</summary>
/// <remarks>
/// Types: mother_id int64 and day int32 (not nullable), integer columns int64, reals float64, text columns
/// dictionary&lt;int32, utf8&gt; over their sorted distinct values (the IPC file format fixes a dictionary for the whole
/// file, so the values are gathered first). Uncompressed, so readers can memory-map it; the run is schema metadata.
/// Format: Apache Arrow columnar format and IPC file format specification.
/// </remarks>
internal sealed class CohortArrowFile : IDisposable
{
    private readonly ArrowFileWriter _writer;
    private readonly Schema _arrow;
    private readonly CohortSchema _schema;
    private readonly StringArray?[] _dictionaries;
    private readonly Dictionary<string, int>?[] _codes;

    private CohortArrowFile(Stream output, CohortSchema schema, IReadOnlyList<KeyValuePair<string, string>> metadata, IReadOnlyList<IReadOnlyList<string>?> dictionaries)
    {
        _schema = schema;
        _dictionaries = new StringArray?[schema.Count];
        _codes = new Dictionary<string, int>?[schema.Count];
        var fields = new List<Field>
        {
            new(CohortSchema.MotherIdColumn, Int64Type.Default, nullable: false),
            new(CohortSchema.DayColumn, Int32Type.Default, nullable: false),
        };
        for (var c = 0; c < schema.Count; c++)
        {
            var column = schema.Columns[c];
            IArrowType type = column.Kind switch
            {
                ColumnKind.Integer => Int64Type.Default,
                ColumnKind.Real => DoubleType.Default,
                _ => StringType.Default,
            };
            if (column.Kind == ColumnKind.Text && dictionaries[c] is { } values)
            {
                type = new DictionaryType(Int32Type.Default, StringType.Default, ordered: false);
                _dictionaries[c] = new StringArray.Builder().AppendRange(values).Build();
                _codes[c] = values.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i, StringComparer.Ordinal);
            }
            fields.Add(new Field(column.Name, type, nullable: true));
        }
        _arrow = new Schema(fields, metadata);
        _writer = new ArrowFileWriter(output, _arrow, leaveOpen: true);
    }

    /// <summary>Starts a file; <paramref name="dictionaries"/> gives, per value column, the text values to dictionary-encode (null: plain strings).</summary>
    public static CohortArrowFile Create(Stream output, CohortSchema schema, IReadOnlyList<KeyValuePair<string, string>> metadata, IReadOnlyList<IReadOnlyList<string>?> dictionaries) =>
        new(output, schema, metadata, dictionaries);

    /// <summary>Writes the batch's rows as one record batch.</summary>
    public void WriteBatch(ColumnBatch batch)
    {
        var n = batch.Count;
        if (n == 0)
        {
            return;
        }
        var arrays = new List<IArrowArray>(_schema.Count + 2)
        {
            new Int64Array.Builder().Append(batch.MotherIds.AsSpan(0, n)).Build(),
            new Int32Array.Builder().Append(batch.Days.AsSpan(0, n)).Build(),
        };
        for (var c = 0; c < _schema.Count; c++)
        {
            switch (_schema.Columns[c].Kind)
            {
                case ColumnKind.Integer:
                {
                    var builder = new Int64Array.Builder().Reserve(n);
                    var values = batch.Integers[c]!;
                    var nulls = batch.IntegerNulls[c]!;
                    for (var r = 0; r < n; r++)
                    {
                        _ = nulls[r] ? builder.AppendNull() : builder.Append(values[r]);
                    }
                    arrays.Add(builder.Build());
                    break;
                }
                case ColumnKind.Real:
                {
                    var builder = new DoubleArray.Builder().Reserve(n);
                    var values = batch.Reals[c]!;
                    for (var r = 0; r < n; r++)
                    {
                        _ = double.IsNaN(values[r]) ? builder.AppendNull() : builder.Append(values[r]);
                    }
                    arrays.Add(builder.Build());
                    break;
                }
                default:
                    arrays.Add(Text(c, batch.Texts[c]!, n));
                    break;
            }
        }
        using var record = new RecordBatch(_arrow, arrays, n);
        _writer.WriteRecordBatch(record);
    }

    private IArrowArray Text(int column, string?[] values, int n)
    {
        if (_codes[column] is not { } codes)
        {
            var plain = new StringArray.Builder().Reserve(n);
            for (var r = 0; r < n; r++)
            {
                _ = values[r] is { } v ? plain.Append(v) : plain.AppendNull();
            }
            return plain.Build();
        }
        var indices = new Int32Array.Builder().Reserve(n);
        for (var r = 0; r < n; r++)
        {
            _ = values[r] is { } v ? indices.Append(codes[v]) : indices.AppendNull();
        }
        return new DictionaryArray((DictionaryType)_arrow.FieldsList[column + 2].DataType, indices.Build(), _dictionaries[column]!);
    }

    public void Dispose()
    {
        _writer.WriteEnd();
        _writer.Dispose();
    }
}
