// Declarations of the part of libSBML's C# binding (libsbmlcsP, namespace libsbmlcs; libSBML 5.x as Debian's
// libsbml5-cil ships it) that MilkCells.Sbml calls: names and signatures only, as the binding's metadata gives them.
// Built as a reference assembly; the real binding is loaded at run time (src/MilkCells.Sbml/LibSbml.cs).
// Add a member here when MilkCells.Sbml needs one, with the binding's exact signature (SbmlBindingTests checks it).

namespace libsbmlcs;

public class ASTNode : IDisposable
{
    public ASTNode(int type) { }
    public int addChild(ASTNode disownedChild) => throw null;
    public ASTNode getChild(long n) => throw null;
    public int getInteger() => throw null;
    public string getName() => throw null;
    public long getNumChildren() => throw null;
    public double getReal() => throw null;
    public int getType() => throw null;
    public int setName(string name) => throw null;
    public int setValue(double value) => throw null;
    public int setValue(int value) => throw null;
    internal ASTNode() { }
    public virtual void Dispose() { }
}

public class AssignmentRule : Rule
{
    internal AssignmentRule() { }
}

public class Compartment : SBase
{
    public bool getConstant() => throw null;
    public string getId() => throw null;
    public double getSize() => throw null;
    public double getSpatialDimensionsAsDouble() => throw null;
    public bool isSetSize() => throw null;
    public int setConstant(bool value) => throw null;
    public int setId(string sid) => throw null;
    public int setSize(double value) => throw null;
    public int setSpatialDimensions(long value) => throw null;
    internal Compartment() { }
}

public class Event : SBase
{
    public EventAssignment createEventAssignment() => throw null;
    public Trigger createTrigger() => throw null;
    public EventAssignment getEventAssignment(long n) => throw null;
    public string getId() => throw null;
    public long getNumEventAssignments() => throw null;
    public Trigger getTrigger() => throw null;
    public bool isSetDelay() => throw null;
    public bool isSetId() => throw null;
    public bool isSetPriority() => throw null;
    public int setId(string sid) => throw null;
    public int setUseValuesFromTriggerTime(bool value) => throw null;
    internal Event() { }
}

public class EventAssignment : SBase
{
    public ASTNode getMath() => throw null;
    public string getVariable() => throw null;
    public int setMath(ASTNode math) => throw null;
    public int setVariable(string sid) => throw null;
    internal EventAssignment() { }
}

public class FunctionDefinition : SBase
{
    public ASTNode getArgument(long n) => throw null;
    public ASTNode getBody() => throw null;
    public string getId() => throw null;
    public long getNumArguments() => throw null;
    public int setId(string sid) => throw null;
    public int setMath(ASTNode math) => throw null;
    internal FunctionDefinition() { }
}

public class InitialAssignment : SBase
{
    public ASTNode getMath() => throw null;
    public string getSymbol() => throw null;
    public int setMath(ASTNode math) => throw null;
    public int setSymbol(string sid) => throw null;
    internal InitialAssignment() { }
}

public class KineticLaw : SBase
{
    public LocalParameter createLocalParameter() => throw null;
    public LocalParameter getLocalParameter(long n) => throw null;
    public ASTNode getMath() => throw null;
    public long getNumLocalParameters() => throw null;
    public long getNumParameters() => throw null;
    public Parameter getParameter(long n) => throw null;
    public int setMath(ASTNode math) => throw null;
    internal KineticLaw() { }
}

public class LocalParameter : Parameter
{
    internal LocalParameter() { }
}

public class Model : SBase
{
    public AssignmentRule createAssignmentRule() => throw null;
    public Compartment createCompartment() => throw null;
    public Event createEvent() => throw null;
    public FunctionDefinition createFunctionDefinition() => throw null;
    public InitialAssignment createInitialAssignment() => throw null;
    public Parameter createParameter() => throw null;
    public Reaction createReaction() => throw null;
    public Species createSpecies() => throw null;
    public Compartment getCompartment(long n) => throw null;
    public Event getEvent(long n) => throw null;
    public FunctionDefinition getFunctionDefinition(long n) => throw null;
    public string getId() => throw null;
    public InitialAssignment getInitialAssignment(long n) => throw null;
    public long getNumCompartments() => throw null;
    public long getNumEvents() => throw null;
    public long getNumFunctionDefinitions() => throw null;
    public long getNumInitialAssignments() => throw null;
    public long getNumParameters() => throw null;
    public long getNumReactions() => throw null;
    public long getNumRules() => throw null;
    public long getNumSpecies() => throw null;
    public Parameter getParameter(long n) => throw null;
    public Reaction getReaction(long n) => throw null;
    public Rule getRule(long n) => throw null;
    public Species getSpecies(long n) => throw null;
    public bool isSetConversionFactor() => throw null;
    public bool isSetId() => throw null;
    public int setExtentUnits(string units) => throw null;
    public int setId(string sid) => throw null;
    public int setSubstanceUnits(string units) => throw null;
    public int setTimeUnits(string units) => throw null;
    public int setVolumeUnits(string units) => throw null;
    internal Model() { }
}

public class ModifierSpeciesReference : SimpleSpeciesReference
{
    internal ModifierSpeciesReference() { }
}

public class Parameter : SBase
{
    public bool getConstant() => throw null;
    public string getId() => throw null;
    public double getValue() => throw null;
    public bool isSetValue() => throw null;
    public int setConstant(bool flag) => throw null;
    public int setId(string sid) => throw null;
    public int setValue(double value) => throw null;
    internal Parameter() { }
}

public class Reaction : SBase
{
    public KineticLaw createKineticLaw() => throw null;
    public ModifierSpeciesReference createModifier() => throw null;
    public SpeciesReference createProduct() => throw null;
    public SpeciesReference createReactant() => throw null;
    public bool getFast() => throw null;
    public string getId() => throw null;
    public KineticLaw getKineticLaw() => throw null;
    public ModifierSpeciesReference getModifier(long n) => throw null;
    public long getNumModifiers() => throw null;
    public long getNumProducts() => throw null;
    public long getNumReactants() => throw null;
    public SpeciesReference getProduct(long n) => throw null;
    public SpeciesReference getReactant(long n) => throw null;
    public bool isSetFast() => throw null;
    public int setId(string sid) => throw null;
    public int setReversible(bool value) => throw null;
    internal Reaction() { }
}

public class Rule : SBase
{
    public ASTNode getMath() => throw null;
    public string getVariable() => throw null;
    public bool isAlgebraic() => throw null;
    public bool isRate() => throw null;
    public int setMath(ASTNode math) => throw null;
    public int setVariable(string sid) => throw null;
    internal Rule() { }
}

public class SBMLDocument : SBase
{
    public SBMLDocument(long level, long version) { }
    public long checkConsistency() => throw null;
    public Model createModel() => throw null;
    public SBMLError getError(long n) => throw null;
    public Model getModel() => throw null;
    public XMLNamespaces getNamespaces() => throw null;
    public long getNumErrors() => throw null;
    public int getNumUnknownPackages() => throw null;
    internal SBMLDocument() { }
}

public class SBMLError : XMLError
{
    internal SBMLError() { }
}

public class SBase : IDisposable
{
    public int appendAnnotation(string annotation) => throw null;
    public string getAnnotationString() => throw null;
    public long getLevel() => throw null;
    public long getLine() => throw null;
    public string getName() => throw null;
    public string getNotesString() => throw null;
    public bool isSetAnnotation() => throw null;
    public bool isSetName() => throw null;
    public bool isSetNotes() => throw null;
    public int setName(string name) => throw null;
    public int setNotes(string notes) => throw null;
    internal SBase() { }
    public virtual void Dispose() { }
}

public class SimpleSpeciesReference : SBase
{
    public string getSpecies() => throw null;
    public int setSpecies(string sid) => throw null;
    internal SimpleSpeciesReference() { }
}

public class Species : SBase
{
    public bool getBoundaryCondition() => throw null;
    public string getCompartment() => throw null;
    public bool getConstant() => throw null;
    public bool getHasOnlySubstanceUnits() => throw null;
    public string getId() => throw null;
    public double getInitialAmount() => throw null;
    public double getInitialConcentration() => throw null;
    public bool isSetConversionFactor() => throw null;
    public bool isSetInitialAmount() => throw null;
    public bool isSetInitialConcentration() => throw null;
    public int setBoundaryCondition(bool value) => throw null;
    public int setCompartment(string sid) => throw null;
    public int setConstant(bool value) => throw null;
    public int setHasOnlySubstanceUnits(bool value) => throw null;
    public int setId(string sid) => throw null;
    public int setInitialAmount(double value) => throw null;
    internal Species() { }
}

public class SpeciesReference : SimpleSpeciesReference
{
    public double getStoichiometry() => throw null;
    public bool isSetStoichiometry() => throw null;
    public bool isSetStoichiometryMath() => throw null;
    public int setConstant(bool flag) => throw null;
    public int setStoichiometry(double value) => throw null;
    internal SpeciesReference() { }
}

public class Trigger : SBase
{
    public bool getInitialValue() => throw null;
    public ASTNode getMath() => throw null;
    public int setInitialValue(bool initialValue) => throw null;
    public int setMath(ASTNode math) => throw null;
    public int setPersistent(bool persistent) => throw null;
    internal Trigger() { }
}

public class XMLError : IDisposable
{
    public long getLine() => throw null;
    public string getMessage() => throw null;
    public long getSeverity() => throw null;
    internal XMLError() { }
    public virtual void Dispose() { }
}

public class XMLNamespaces : IDisposable
{
    public int getLength() => throw null;
    public string getURI(int index) => throw null;
    internal XMLNamespaces() { }
    public virtual void Dispose() { }
}

public class libsbml
{
    public const int AST_CONSTANT_E = 263;
    public const int AST_CONSTANT_FALSE = 264;
    public const int AST_CONSTANT_PI = 265;
    public const int AST_CONSTANT_TRUE = 266;
    public const int AST_DIVIDE = 47;
    public const int AST_FUNCTION = 268;
    public const int AST_FUNCTION_ABS = 269;
    public const int AST_FUNCTION_ARCCOS = 270;
    public const int AST_FUNCTION_ARCSIN = 278;
    public const int AST_FUNCTION_ARCTAN = 280;
    public const int AST_FUNCTION_CEILING = 282;
    public const int AST_FUNCTION_COS = 283;
    public const int AST_FUNCTION_COSH = 284;
    public const int AST_FUNCTION_EXP = 290;
    public const int AST_FUNCTION_FACTORIAL = 291;
    public const int AST_FUNCTION_FLOOR = 292;
    public const int AST_FUNCTION_LN = 293;
    public const int AST_FUNCTION_LOG = 294;
    public const int AST_FUNCTION_MAX = 320;
    public const int AST_FUNCTION_MIN = 321;
    public const int AST_FUNCTION_PIECEWISE = 295;
    public const int AST_FUNCTION_POWER = 296;
    public const int AST_FUNCTION_QUOTIENT = 322;
    public const int AST_FUNCTION_REM = 324;
    public const int AST_FUNCTION_ROOT = 297;
    public const int AST_FUNCTION_SIN = 300;
    public const int AST_FUNCTION_SINH = 301;
    public const int AST_FUNCTION_TAN = 302;
    public const int AST_FUNCTION_TANH = 303;
    public const int AST_INTEGER = 256;
    public const int AST_LAMBDA = 267;
    public const int AST_LOGICAL_AND = 304;
    public const int AST_LOGICAL_NOT = 305;
    public const int AST_LOGICAL_OR = 306;
    public const int AST_LOGICAL_XOR = 307;
    public const int AST_MINUS = 45;
    public const int AST_NAME = 260;
    public const int AST_NAME_TIME = 262;
    public const int AST_PLUS = 43;
    public const int AST_POWER = 94;
    public const int AST_RATIONAL = 259;
    public const int AST_REAL = 257;
    public const int AST_REAL_E = 258;
    public const int AST_RELATIONAL_EQ = 308;
    public const int AST_RELATIONAL_GEQ = 309;
    public const int AST_RELATIONAL_GT = 310;
    public const int AST_RELATIONAL_LEQ = 311;
    public const int AST_RELATIONAL_LT = 312;
    public const int AST_RELATIONAL_NEQ = 313;
    public const int AST_TIMES = 42;
    public const int LIBSBML_OPERATION_SUCCESS = 0;
    public const int LIBSBML_SEV_ERROR = 2;
    public static string formulaToL3String(ASTNode tree) => throw null;
    public static string getLibSBMLDottedVersion() => throw null;
    public static SBMLDocument readSBMLFromString(string xml) => throw null;
    public static string writeSBMLToString(SBMLDocument d) => throw null;
    internal libsbml() { }
}

