namespace MilkCells.Sbml;

public static partial class SbmlSupport
{
    private const bool IsAvailable = true;
}
