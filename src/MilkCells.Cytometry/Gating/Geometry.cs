namespace MilkCells.Cytometry.Gating;

/// <summary>The point-in-polygon test of polygon gates: the even–odd (crossing number) rule.</summary>
/// <remarks>
/// Counts crossings of a ray towards +x with the half-open rule (an edge includes its lower end and excludes its upper
/// end), so a ray through a shared vertex counts once (Hormann &amp; Agathos 2001, "The point in polygon problem for
/// arbitrary polygons", Comput Geom 20:131, doi:10.1016/S0925-7721(01)00012-8). The polygon closes from its last vertex
/// back to the first. For self-intersecting polygons even–odd and non-zero winding differ; the compliance suite's
/// non-simple polygon (Polygon3NS) is exact only under even–odd, so that is the rule.
/// </remarks>
internal static class Geometry
{
    /// <summary>Whether (x, y) is inside by the even–odd (crossing number) rule.</summary>
    public static bool EvenOdd(double[] vx, double[] vy, double x, double y)
    {
        var inside = false;
        var n = vx.Length;
        for (int i = 0, j = n - 1; i < n; j = i++)
        {
            if ((vy[i] > y) != (vy[j] > y) && x < (vx[j] - vx[i]) * (y - vy[i]) / (vy[j] - vy[i]) + vx[i])
            {
                inside = !inside;
            }
        }
        return inside;
    }
}
