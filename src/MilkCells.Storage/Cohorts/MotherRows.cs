namespace MilkCells.Storage.Cohorts;

/// <summary>All the daily rows of one mother, built in memory and written to a store in one transaction.</summary>
/// <remarks>
/// Design: a flat array of cells (rows × columns) that is reused through <see cref="Reset"/>, so a simulation thread
/// fills one buffer per mother without allocating per value. Unset values are NULL. NaN is stored as NULL and
/// −0.0 as 0.0, because SQLite cannot hold NaN and folds −0.0: both backends then export the same bytes.
/// </remarks>
public sealed class MotherRows
{
    private Cell[] _cells;
    private int[] _days;

    /// <summary>An empty buffer for mother <paramref name="motherId"/>.</summary>
    public MotherRows(CohortSchema schema, long motherId, int capacityDays = 366)
    {
        Schema = schema;
        MotherId = motherId;
        _days = new int[Math.Max(1, capacityDays)];
        _cells = new Cell[_days.Length * Math.Max(1, schema.Count)];
    }

    /// <summary>The columns every row has.</summary>
    public CohortSchema Schema { get; }

    /// <summary>The mother the rows belong to.</summary>
    public long MotherId { get; private set; }

    /// <summary>How many rows (days) have been added.</summary>
    public int Count { get; private set; }

    /// <summary>Empties the buffer for another mother, keeping its memory.</summary>
    public void Reset(long motherId)
    {
        MotherId = motherId;
        Array.Clear(_cells, 0, Count * Schema.Count);
        Count = 0;
    }

    /// <summary>Adds the row of <paramref name="day"/> (days strictly increasing) and returns a setter for its values.</summary>
    public RowSetter Add(int day)
    {
        if (Count > 0 && day <= _days[Count - 1])
        {
            throw new ArgumentException($"mother {MotherId}: day {day} after day {_days[Count - 1]}; days must increase", nameof(day));
        }
        if (Count == _days.Length)
        {
            Array.Resize(ref _days, _days.Length * 2);
            Array.Resize(ref _cells, _days.Length * Math.Max(1, Schema.Count));
        }
        _days[Count] = day;
        return new RowSetter(this, Count++);
    }

    /// <summary>The day of row <paramref name="row"/>.</summary>
    public int Day(int row) => _days[CheckRow(row)];

    /// <summary>Whether a value is NULL.</summary>
    public bool IsNull(int row, int column) => !CellAt(row, column).HasValue;

    /// <summary>An integer value (0 when NULL).</summary>
    public long GetInteger(int row, int column) => CellAt(row, column).Integer;

    /// <summary>A real value (NaN when NULL).</summary>
    public double GetReal(int row, int column)
    {
        ref readonly var cell = ref CellAt(row, column);
        return cell.HasValue ? cell.Real : double.NaN;
    }

    /// <summary>A text value (null when NULL).</summary>
    public string? GetText(int row, int column) => CellAt(row, column).Text;

    internal ref readonly Cell CellAt(int row, int column) => ref _cells[(CheckRow(row) * Schema.Count) + column];

    private int CheckRow(int row) => (uint)row < (uint)Count ? row : throw new ArgumentOutOfRangeException(nameof(row));

    private ref Cell Slot(int row, int column, ColumnKind kind)
    {
        var spec = Schema.Columns[column];
        if (spec.Kind != kind)
        {
            throw new ArgumentException($"column '{spec.Name}' is {spec.Kind}, not {kind}");
        }
        return ref _cells[(row * Schema.Count) + column];
    }

    /// <summary>Sets the values of one row, by column index (<see cref="CohortSchema.IndexOf"/>); each call returns the setter.</summary>
    public readonly struct RowSetter
    {
        private readonly MotherRows _owner;
        private readonly int _row;

        internal RowSetter(MotherRows owner, int row)
        {
            _owner = owner;
            _row = row;
        }

        /// <summary>Sets an integer column.</summary>
        public RowSetter Integer(int column, long value)
        {
            ref var cell = ref _owner.Slot(_row, column, ColumnKind.Integer);
            cell = new Cell { HasValue = true, Integer = value };
            return this;
        }

        /// <summary>Sets a real column; NaN becomes NULL and −0.0 becomes 0.0.</summary>
        public RowSetter Real(int column, double value)
        {
            ref var cell = ref _owner.Slot(_row, column, ColumnKind.Real);
            cell = double.IsNaN(value) ? default : new Cell { HasValue = true, Real = value == 0 ? 0.0 : value };
            return this;
        }

        /// <summary>Sets a text column (null is NULL); NUL characters are refused, as PostgreSQL cannot store them.</summary>
        public RowSetter Text(int column, string? value)
        {
            ref var cell = ref _owner.Slot(_row, column, ColumnKind.Text);
            if (value is not null && value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"column '{_owner.Schema.Columns[column].Name}': text with a NUL character cannot be stored");
            }
            cell = value is null ? default : new Cell { HasValue = true, Text = value };
            return this;
        }
    }

    internal struct Cell
    {
        public bool HasValue;
        public long Integer;
        public double Real;
        public string? Text;
    }
}
