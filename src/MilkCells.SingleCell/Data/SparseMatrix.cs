namespace MilkCells.SingleCell.Data;

/// <summary>How a matrix's values were stored in its file, which decides how totals accumulate.</summary>
public enum ValueKind
{
    /// <summary>Whole numbers (counts): totals are exact.</summary>
    Integer,

    /// <summary>32-bit floats: totals accumulate in 32-bit floats in storage order, as NumPy and SciPy do.</summary>
    Float32,

    /// <summary>64-bit floats (held as 32-bit: exact for counts below 2^24).</summary>
    Float64,
}

/// <summary>A sparse matrix in compressed sparse row form: rows are cells, columns are features.</summary>
/// <remarks>
/// Values are held as 32-bit floats: exact for every whole count below 2^24 (16.7 million UMIs in one entry), half the
/// memory of doubles for the 10^8 non-zeros of a large experiment. Column indices within a row are strictly increasing
/// (readers sort them and add duplicates, as SciPy's <c>sum_duplicates</c> does).
/// </remarks>
public sealed class SparseMatrix
{
    /// <summary>A matrix from its CSR arrays; checks their shape and order.</summary>
    public SparseMatrix(int rows, int columns, int[] rowStart, int[] columnIndex, float[] values, ValueKind kind)
    {
        if (rowStart.Length != rows + 1 || rowStart[0] != 0 || rowStart[rows] != columnIndex.Length || values.Length != columnIndex.Length)
        {
            throw new ArgumentException("inconsistent CSR arrays");
        }
        Rows = rows;
        Columns = columns;
        RowStart = rowStart;
        ColumnIndex = columnIndex;
        Values = values;
        Kind = kind;
    }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Where each row starts in <see cref="ColumnIndex"/> and <see cref="Values"/>; length Rows + 1.</summary>
    public int[] RowStart { get; }

    public int[] ColumnIndex { get; }

    public float[] Values { get; }

    public ValueKind Kind { get; }

    /// <summary>The number of stored entries (explicit zeros included, as SciPy counts them).</summary>
    public long NonZeros => ColumnIndex.Length;

    /// <summary>The stored column indices of one row.</summary>
    public ReadOnlySpan<int> RowIndices(int row) => ColumnIndex.AsSpan(RowStart[row], RowStart[row + 1] - RowStart[row]);

    /// <summary>The stored values of one row.</summary>
    public ReadOnlySpan<float> RowValues(int row) => Values.AsSpan(RowStart[row], RowStart[row + 1] - RowStart[row]);

    /// <summary>The sum of each row (per-cell totals), accumulated as the file's value type accumulates them.</summary>
    public double[] RowSums()
    {
        var sums = new double[Rows];
        for (var r = 0; r < Rows; r++)
        {
            var values = RowValues(r);
            if (Kind == ValueKind.Float32)
            {
                sums[r] = values.IsEmpty ? 0 : values[0] + PairwiseSum(values[1..]);
            }
            else
            {
                var s = 0.0;
                foreach (var v in values)
                {
                    s += v;
                }
                sums[r] = s;
            }
        }
        return sums;
    }

    /// <summary>NumPy's pairwise summation of 32-bit floats (numpy/core/src/umath/loops_utils.h.src, <c>pairwise_sum</c>).</summary>
    /// <remarks>
    /// SciPy sums a CSR row with <c>np.add.reduceat</c>, which starts from the row's first value and adds the pairwise sum
    /// of the rest: below 8 values in order; up to 128 in eight interleaved partial sums combined as a tree; above that,
    /// split in two halves (the first a multiple of 8 long) summed recursively. Reproduced here so that per-cell totals of
    /// 32-bit files match SciPy's bit for bit.
    /// </remarks>
    internal static float PairwiseSum(ReadOnlySpan<float> a)
    {
        var n = a.Length;
        if (n < 8)
        {
            var res = 0f;
            foreach (var v in a)
            {
                res += v;
            }
            return res;
        }
        if (n <= 128)
        {
            Span<float> r = stackalloc float[8];
            a[..8].CopyTo(r);
            var i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (var j = 0; j < 8; j++)
                {
                    r[j] += a[i + j];
                }
            }
            var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                res += a[i];
            }
            return res;
        }
        var n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseSum(a[..n2]) + PairwiseSum(a[n2..]);
    }

    /// <summary>The sum of each column (per-feature totals), adding rows in order.</summary>
    public double[] ColumnSums()
    {
        if (Kind == ValueKind.Float32)
        {
            var f = new float[Columns];
            for (var i = 0; i < ColumnIndex.Length; i++)
            {
                f[ColumnIndex[i]] += Values[i];
            }
            return Array.ConvertAll(f, x => (double)x);
        }
        var sums = new double[Columns];
        for (var i = 0; i < ColumnIndex.Length; i++)
        {
            sums[ColumnIndex[i]] += Values[i];
        }
        return sums;
    }

    /// <summary>The sum of all values, in double precision.</summary>
    public double Total()
    {
        var s = 0.0;
        foreach (var v in Values)
        {
            s += v;
        }
        return s;
    }

    /// <summary>Whether every value is a whole number ≥ 0 (a count matrix rather than normalised values).</summary>
    public bool IsCounts()
    {
        foreach (var v in Values)
        {
            if (v < 0 || v != MathF.Floor(v))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The transpose (CSR of the transposed matrix, i.e. this matrix in compressed sparse column form).</summary>
    public SparseMatrix Transpose()
    {
        var counts = new int[Columns + 1];
        foreach (var c in ColumnIndex)
        {
            counts[c + 1]++;
        }
        for (var c = 0; c < Columns; c++)
        {
            counts[c + 1] += counts[c];
        }
        var next = (int[])counts.Clone();
        var rows = new int[ColumnIndex.Length];
        var values = new float[ColumnIndex.Length];
        for (var r = 0; r < Rows; r++)
        {
            for (var i = RowStart[r]; i < RowStart[r + 1]; i++)
            {
                var at = next[ColumnIndex[i]]++;
                rows[at] = r;
                values[at] = Values[i];
            }
        }
        return new SparseMatrix(Columns, Rows, counts, rows, values, Kind);
    }

    /// <summary>The sub-matrix of the given rows and columns (columns mapped through <paramref name="columnMap"/>: −1 drops one).</summary>
    public SparseMatrix Select(IReadOnlyList<int> rows, int[]? columnMap, int newColumns)
    {
        var start = new int[rows.Count + 1];
        for (var k = 0; k < rows.Count; k++)
        {
            var r = rows[k];
            var kept = 0;
            for (var i = RowStart[r]; i < RowStart[r + 1]; i++)
            {
                if (columnMap is null || columnMap[ColumnIndex[i]] >= 0)
                {
                    kept++;
                }
            }
            start[k + 1] = start[k] + kept;
        }
        var idx = new int[start[rows.Count]];
        var val = new float[idx.Length];
        for (var k = 0; k < rows.Count; k++)
        {
            var r = rows[k];
            var w = start[k];
            for (var i = RowStart[r]; i < RowStart[r + 1]; i++)
            {
                var c = columnMap is null ? ColumnIndex[i] : columnMap[ColumnIndex[i]];
                if (c >= 0)
                {
                    idx[w] = c;
                    val[w] = Values[i];
                    w++;
                }
            }
        }
        var m = new SparseMatrix(rows.Count, columnMap is null ? Columns : newColumns, start, idx, val, Kind);
        return columnMap is null ? m : m.SortedRows();
    }

    /// <summary>This matrix with each row's entries sorted by column and duplicates added.</summary>
    public SparseMatrix SortedRows()
    {
        var sorted = true;
        for (var r = 0; r < Rows && sorted; r++)
        {
            for (var i = RowStart[r] + 1; i < RowStart[r + 1]; i++)
            {
                if (ColumnIndex[i] <= ColumnIndex[i - 1])
                {
                    sorted = false;
                    break;
                }
            }
        }
        if (sorted)
        {
            return this;
        }
        return CsrBuilder.FromTriplets(Rows, Columns, RowTriplets(), Kind);
    }

    private IEnumerable<(int Row, int Column, float Value)> RowTriplets()
    {
        for (var r = 0; r < Rows; r++)
        {
            for (var i = RowStart[r]; i < RowStart[r + 1]; i++)
            {
                yield return (r, ColumnIndex[i], Values[i]);
            }
        }
    }
}

/// <summary>Builds CSR matrices from coordinate entries.</summary>
public static class CsrBuilder
{
    /// <summary>A CSR matrix from (row, column, value) entries in any order; duplicates are added (SciPy's <c>sum_duplicates</c>).</summary>
    public static SparseMatrix FromTriplets(int rows, int columns, IEnumerable<(int Row, int Column, float Value)> entries, ValueKind kind)
    {
        var list = entries as IList<(int Row, int Column, float Value)> ?? entries.ToList();
        return FromArrays(rows, columns, list.Select(e => e.Row).ToArray(), list.Select(e => e.Column).ToArray(), list.Select(e => e.Value).ToArray(), kind);
    }

    /// <summary>A CSR matrix from parallel coordinate arrays; duplicates are added in input order.</summary>
    public static SparseMatrix FromArrays(int rows, int columns, int[] row, int[] column, float[] value, ValueKind kind)
    {
        var n = row.Length;
        var start = new int[rows + 1];
        for (var i = 0; i < n; i++)
        {
            start[row[i] + 1]++;
        }
        for (var r = 0; r < rows; r++)
        {
            start[r + 1] += start[r];
        }
        var next = (int[])start.Clone();
        var cols = new int[n];
        var vals = new float[n];
        for (var i = 0; i < n; i++)
        {
            var at = next[row[i]]++;
            cols[at] = column[i];
            vals[at] = value[i];
        }
        // sort each row by column (stable: duplicates keep input order) and add duplicates
        var outStart = new int[rows + 1];
        var w = 0;
        var order = new List<int>();
        for (var r = 0; r < rows; r++)
        {
            var a = start[r];
            var b = start[r + 1];
            var ordered = true;
            for (var i = a + 1; i < b; i++)
            {
                if (cols[i] <= cols[i - 1])
                {
                    ordered = false;
                    break;
                }
            }
            if (ordered)
            {
                for (var i = a; i < b; i++)
                {
                    cols[w] = cols[i];
                    vals[w] = vals[i];
                    w++;
                }
            }
            else
            {
                order.Clear();
                for (var i = a; i < b; i++)
                {
                    order.Add(i);
                }
                var keyed = order.OrderBy(i => cols[i]).ThenBy(i => i).ToArray();
                var rc = new int[keyed.Length];
                var rv = new float[keyed.Length];
                var m = -1;
                foreach (var i in keyed)
                {
                    if (m >= 0 && rc[m] == cols[i])
                    {
                        rv[m] += vals[i];
                    }
                    else
                    {
                        m++;
                        rc[m] = cols[i];
                        rv[m] = vals[i];
                    }
                }
                for (var i = 0; i <= m; i++)
                {
                    cols[w] = rc[i];
                    vals[w] = rv[i];
                    w++;
                }
            }
            outStart[r + 1] = w;
        }
        if (w < n)
        {
            Array.Resize(ref cols, w);
            Array.Resize(ref vals, w);
        }
        return new SparseMatrix(rows, columns, outStart, cols, vals, kind);
    }
}
