namespace MilkCells.Storage.Cohorts.Columnar;

/// <summary>Cohort rows held column by column (the key, then one typed array per value column), for columnar writers.</summary>
/// <remarks>
/// Design: a real NULL is NaN (stores never hold NaN: <see cref="MotherRows"/> stores it as NULL), an integer NULL is a
/// flag, a text NULL is a null reference. Arrays grow as rows arrive and are reused through <see cref="Clear"/>.
/// </remarks>
internal sealed class ColumnBatch
{
    private readonly ColumnKind[] _kinds;

    public ColumnBatch(CohortSchema schema, int capacity)
    {
        Schema = schema;
        _kinds = [.. schema.Columns.Select(c => c.Kind)];
        capacity = Math.Max(capacity, 16);
        MotherIds = new long[capacity];
        Days = new int[capacity];
        Integers = new long[]?[schema.Count];
        IntegerNulls = new bool[]?[schema.Count];
        Reals = new double[]?[schema.Count];
        Texts = new string?[]?[schema.Count];
        for (var c = 0; c < schema.Count; c++)
        {
            switch (_kinds[c])
            {
                case ColumnKind.Integer:
                    Integers[c] = new long[capacity];
                    IntegerNulls[c] = new bool[capacity];
                    break;
                case ColumnKind.Real:
                    Reals[c] = new double[capacity];
                    break;
                default:
                    Texts[c] = new string?[capacity];
                    break;
            }
        }
    }

    /// <summary>The value columns.</summary>
    public CohortSchema Schema { get; }

    /// <summary>Rows held.</summary>
    public int Count { get; private set; }

    public long[] MotherIds { get; private set; }

    public int[] Days { get; private set; }

    /// <summary>Per value column: its integers (null unless an integer column).</summary>
    public long[]?[] Integers { get; }

    /// <summary>Per value column: which integers are NULL.</summary>
    public bool[]?[] IntegerNulls { get; }

    /// <summary>Per value column: its reals, NaN for NULL.</summary>
    public double[]?[] Reals { get; }

    /// <summary>Per value column: its texts, null for NULL.</summary>
    public string?[]?[] Texts { get; }

    /// <summary>Forgets the rows, keeping the arrays.</summary>
    public void Clear()
    {
        for (var c = 0; c < Texts.Length; c++)
        {
            if (Texts[c] is { } texts)
            {
                Array.Clear(texts, 0, Count);
            }
        }
        Count = 0;
    }

    /// <summary>Copies the reader's current row.</summary>
    public void Add(ICohortRowReader reader)
    {
        var row = Next(reader.MotherId, reader.Day);
        for (var c = 0; c < _kinds.Length; c++)
        {
            switch (_kinds[c])
            {
                case ColumnKind.Integer:
                    var isNull = reader.IsNull(c);
                    IntegerNulls[c]![row] = isNull;
                    Integers[c]![row] = isNull ? 0 : reader.GetInteger(c);
                    break;
                case ColumnKind.Real:
                    Reals[c]![row] = reader.GetReal(c);
                    break;
                default:
                    Texts[c]![row] = reader.GetText(c);
                    break;
            }
        }
    }

    /// <summary>Copies every row of one mother.</summary>
    public void Add(MotherRows mother)
    {
        for (var r = 0; r < mother.Count; r++)
        {
            var row = Next(mother.MotherId, mother.Day(r));
            for (var c = 0; c < _kinds.Length; c++)
            {
                ref readonly var cell = ref mother.CellAt(r, c);
                switch (_kinds[c])
                {
                    case ColumnKind.Integer:
                        IntegerNulls[c]![row] = !cell.HasValue;
                        Integers[c]![row] = cell.HasValue ? cell.Integer : 0;
                        break;
                    case ColumnKind.Real:
                        Reals[c]![row] = cell.HasValue ? cell.Real : double.NaN;
                        break;
                    default:
                        Texts[c]![row] = cell.Text;
                        break;
                }
            }
        }
    }

    private int Next(long motherId, int day)
    {
        if (Count == MotherIds.Length)
        {
            Grow(MotherIds.Length * 2);
        }
        MotherIds[Count] = motherId;
        Days[Count] = day;
        return Count++;
    }

    private void Grow(int capacity)
    {
        MotherIds = Resized(MotherIds, capacity);
        Days = Resized(Days, capacity);
        for (var c = 0; c < _kinds.Length; c++)
        {
            Integers[c] = Integers[c] is { } i ? Resized(i, capacity) : null;
            IntegerNulls[c] = IntegerNulls[c] is { } n ? Resized(n, capacity) : null;
            Reals[c] = Reals[c] is { } r ? Resized(r, capacity) : null;
            Texts[c] = Texts[c] is { } t ? Resized(t, capacity) : null;
        }
    }

    private static T[] Resized<T>(T[] array, int capacity)
    {
        Array.Resize(ref array, capacity);
        return array;
    }

    /// <summary>Reorders the rows so mothers ascend (each mother's rows stay together, in day order); mothers must be whole and contiguous.</summary>
    public void SortByMother()
    {
        var blocks = new List<(long Mother, int Start, int Length)>();
        for (var start = 0; start < Count;)
        {
            var end = start + 1;
            while (end < Count && MotherIds[end] == MotherIds[start])
            {
                end++;
            }
            blocks.Add((MotherIds[start], start, end - start));
            start = end;
        }
        if (blocks.Zip(blocks.Skip(1)).All(p => p.First.Mother < p.Second.Mother))
        {
            return;
        }
        var order = new int[Count];
        var at = 0;
        foreach (var (_, start, length) in blocks.OrderBy(b => b.Mother))
        {
            for (var i = 0; i < length; i++)
            {
                order[at++] = start + i;
            }
        }
        MotherIds = Permuted(MotherIds, order);
        Days = Permuted(Days, order);
        for (var c = 0; c < _kinds.Length; c++)
        {
            Integers[c] = Integers[c] is { } i ? Permuted(i, order) : null;
            IntegerNulls[c] = IntegerNulls[c] is { } n ? Permuted(n, order) : null;
            Reals[c] = Reals[c] is { } r ? Permuted(r, order) : null;
            Texts[c] = Texts[c] is { } t ? Permuted(t, order) : null;
        }
    }

    private static T[] Permuted<T>(T[] values, int[] order)
    {
        var result = new T[values.Length];
        for (var i = 0; i < order.Length; i++)
        {
            result[i] = values[order[i]];
        }
        return result;
    }
}
