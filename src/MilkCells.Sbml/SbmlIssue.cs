namespace MilkCells.Sbml;

/// <summary>One problem libSBML's consistency checks found.</summary>
/// <param name="Severity">libSBML severity (1 warning, 2 error, 3 fatal).</param>
/// <param name="Line">Line in the document, 0 when unknown.</param>
/// <param name="Message">libSBML's message.</param>
public sealed record SbmlIssue(int Severity, int Line, string Message)
{
    /// <summary>libSBML's LIBSBML_SEV_ERROR.</summary>
    public const int ErrorSeverity = 2;

    /// <summary>Whether it is an error (not a warning).</summary>
    public bool IsError => Severity >= ErrorSeverity;
}
