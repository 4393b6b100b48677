using MilkCells.Model.Catalogue;
using MilkCells.Simulation;
using MilkCells.Storage.Cohorts;

namespace MilkCells.Cohorts;

/// <summary>The cohort table's columns: daily.csv's (<see cref="DailyTable"/>) after <c>day</c>, keyed by mother_id and day.</summary>
public static class CohortColumns
{
    /// <summary>The value columns for a model with cell types <paramref name="cellTypes"/> (ids).</summary>
    public static CohortSchema Schema(IEnumerable<string> cellTypes) =>
        CohortSchema.Create(DailyTable.Columns(cellTypes).Skip(1).Select(c => new ColumnSpec(c.Name, Kind(c.Kind))));

    /// <summary>The value columns of <paramref name="model"/>.</summary>
    public static CohortSchema Schema(MilkModel model) => Schema(model.CellTypes.Select(t => t.Id));

    /// <summary>Appends one mother's daily rows to <paramref name="target"/> (whose schema is <see cref="Schema(MilkModel)"/>).</summary>
    public static MotherRows Fill(MotherRows target, IEnumerable<DailyRow> rows)
    {
        var schema = target.Schema;
        Span<DailyValue> values = new DailyValue[schema.Count + 1]; // one buffer per mother, not per row
        foreach (var row in rows)
        {
            if (DailyTable.Count(row) != values.Length)
            {
                throw new ArgumentException($"a daily row has {DailyTable.Count(row)} values; the cohort table has {values.Length} columns");
            }
            DailyTable.Values(row, values);
            var setter = target.Add((int)values[0].Integer);
            for (var c = 0; c < schema.Count; c++)
            {
                var v = values[c + 1];
                _ = v.Kind switch
                {
                    DailyValueKind.Integer => setter.Integer(c, v.Integer),
                    DailyValueKind.Real => setter.Real(c, v.Real),
                    _ => setter.Text(c, v.Text),
                };
            }
        }
        return target;
    }

    private static ColumnKind Kind(DailyValueKind kind) => kind switch
    {
        DailyValueKind.Integer => ColumnKind.Integer,
        DailyValueKind.Real => ColumnKind.Real,
        _ => ColumnKind.Text,
    };
}
