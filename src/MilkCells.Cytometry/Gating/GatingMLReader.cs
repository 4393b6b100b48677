using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using MilkCells.Core.Errors;
using MilkCells.Core.Files;
using MilkCells.Cytometry.Compensation;
using MilkCells.Cytometry.Numerics;
using MilkCells.Cytometry.Transforms;

namespace MilkCells.Cytometry.Gating;

/// <summary>Reads Gating-ML 2.0 XML into a validated <see cref="GatingDocument"/>, reporting every problem with its line.</summary>
/// <remarks>
/// Follows the ISAC Gating-ML 2.0 schemas (Gating-ML.v2.0.xsd, Transformations.v2.0.xsd, DataTypes.v2.0.xsd;
/// Spidlen et al. 2015, Cytometry A 87:683, doi:10.1002/cyto.a.22690). Attributes are read namespace-qualified as the
/// schema requires, and unqualified as some writers emit them. Elements outside the Gating-ML namespaces are not
/// part of the standard: their Gating-ML content is read and a warning says so. All problems found are reported at
/// once (<see cref="InputProblemsException"/>), each with file, line and column.
/// </remarks>
public static class GatingMLReader
{
    /// <summary>The Gating-ML 2.0 gating namespace.</summary>
    public static readonly XNamespace GatingNs = "http://www.isac-net.org/std/Gating-ML/v2.0/gating";

    /// <summary>The Gating-ML 2.0 transformations namespace.</summary>
    public static readonly XNamespace TransformsNs = "http://www.isac-net.org/std/Gating-ML/v2.0/transformations";

    /// <summary>The Gating-ML 2.0 data types namespace.</summary>
    public static readonly XNamespace DataTypeNs = "http://www.isac-net.org/std/Gating-ML/v2.0/datatypes";

    /// <summary>Reads the Gating-ML file at <paramref name="path"/>.</summary>
    /// <exception cref="InputException">The file cannot be read, is not Gating-ML 2.0, or is invalid.</exception>
    public static GatingDocument ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = InputFiles.OpenRead(path, "Gating-ML file");
        return FileSystemErrors.Guard(path, "cannot read", () => Read(stream, path));
    }

    /// <summary>Reads Gating-ML from a stream; <paramref name="source"/> names it in messages.</summary>
    public static GatingDocument Read(Stream stream, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        XDocument xml;
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
            using var reader = XmlReader.Create(stream, settings);
            xml = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException ex)
        {
            if (stream.CanSeek && stream.Length == 0)
            {
                throw new InputException(InputLocation.InFile(source), "the file is empty", "a Gating-ML 2.0 document defines gates in <gating:Gating-ML>", ex);
            }
            throw new InputException(ex.LineNumber > 0 ? InputLocation.AtLine(source, ex.LineNumber, ex.LinePosition) : InputLocation.InFile(source),
                $"not well-formed XML: {ex.Message}", inner: ex);
        }
        return new Parser(source).Parse(xml);
    }

    /// <summary>Reads Gating-ML from a string.</summary>
    public static GatingDocument Parse(string xml, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(xml);
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(xml));
        return Read(stream, source);
    }

    private sealed class Parser(string? source)
    {
        private readonly List<InputException> _problems = [];
        private readonly List<string> _warnings = [];
        private readonly List<Gate> _gates = [];
        private readonly Dictionary<string, GmlTransformation> _transformations = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SpilloverMatrix> _matrices = new(StringComparer.Ordinal);
        private readonly Dictionary<string, InputLocation> _ids = new(StringComparer.Ordinal);

        public GatingDocument Parse(XDocument xml)
        {
            var root = xml.Root!;
            if (root.Name != GatingNs + "Gating-ML")
            {
                var what = root.Name.LocalName == "Gating-ML"
                    ? $"its namespace is '{root.Name.NamespaceName}', not Gating-ML 2.0's '{GatingNs.NamespaceName}'" +
                      (root.Name.NamespaceName.Contains("v1.5", StringComparison.Ordinal) ? " (Gating-ML 1.5 is not supported; convert the file to 2.0)" : "")
                    : $"its root element is <{root.Name.LocalName}>, not <Gating-ML>";
                throw new InputException(At(root), $"not a Gating-ML 2.0 document: {what}");
            }
            ReadChildren(root);
            if (_problems.Count == 0)
            {
                Validate();
            }
            if (_problems.Count > 0)
            {
                throw _problems.Count == 1 ? _problems[0] : new InputProblemsException(_problems);
            }
            if (_gates.Count == 0)
            {
                _warnings.Add($"{source ?? "<input>"}: the document defines no gates");
            }
            return new GatingDocument(_gates, _transformations, _matrices, _warnings, source);
        }

        private void ReadChildren(XElement parent)
        {
            foreach (var element in parent.Elements())
            {
                try
                {
                    ReadTopLevel(element);
                }
                catch (InputException ex)
                {
                    _problems.Add(ex);
                }
            }
        }

        private void ReadTopLevel(XElement element)
        {
            var name = element.Name;
            if (name == DataTypeNs + "custom_info")
            {
                return;
            }
            if (name.Namespace == GatingNs)
            {
                Gate gate = name.LocalName switch
                {
                    "RectangleGate" => ReadRectangle(element),
                    "PolygonGate" => ReadPolygon(element),
                    "EllipsoidGate" => ReadEllipsoid(element),
                    "QuadrantGate" => ReadQuadrantGate(element),
                    "BooleanGate" => ReadBoolean(element),
                    _ => throw Problem(element, $"<{name.LocalName}> is not a Gating-ML 2.0 gate (expected RectangleGate, PolygonGate, EllipsoidGate, QuadrantGate or BooleanGate)"),
                };
                _gates.Add(gate with { Location = At(element) });
                return;
            }
            if (name.Namespace == TransformsNs)
            {
                switch (name.LocalName)
                {
                    case "transformation":
                        var transformation = ReadTransformation(element);
                        _transformations[transformation.Id] = transformation;
                        return;
                    case "spectrumMatrix":
                        var matrix = ReadSpectrumMatrix(element);
                        _matrices[matrix.Id!] = matrix;
                        return;
                    default:
                        throw Problem(element, $"<{name.LocalName}> is not a Gating-ML 2.0 top-level element (expected transformation or spectrumMatrix)");
                }
            }
            if (name.Namespace == DataTypeNs)
            {
                throw Problem(element, $"<{name.LocalName}> is not allowed at the top level of a Gating-ML document");
            }
            _warnings.Add($"{At(element)}: <{name.LocalName}> is not a Gating-ML element; the Gating-ML elements inside it are read");
            ReadChildren(element);
        }

        // ---- gates ----------------------------------------------------------------------------------------------

        private RectangleGate ReadRectangle(XElement element)
        {
            var (id, parent) = GateIds(element);
            var dimensions = new List<RectangleDimension>();
            foreach (var d in Children(element, GatingNs + "dimension"))
            {
                var dimension = ReadDimension(d);
                var min = OptionalDouble(d, GatingNs, "min");
                var max = OptionalDouble(d, GatingNs, "max");
                if (min is null && max is null)
                {
                    throw Problem(d, $"a dimension of rectangle gate '{id}' needs a min, a max, or both");
                }
                if (min is { } lo && max is { } hi && !(lo < hi))
                {
                    _warnings.Add($"{At(d)}: gate '{id}': min {lo.ToString("R", CultureInfo.InvariantCulture)} is not below max {hi.ToString("R", CultureInfo.InvariantCulture)}, so no event is inside");
                }
                dimensions.Add(new RectangleDimension(dimension, min, max));
            }
            if (dimensions.Count == 0)
            {
                throw Problem(element, $"rectangle gate '{id}' has no dimension");
            }
            return new RectangleGate(id, parent, dimensions);
        }

        private PolygonGate ReadPolygon(XElement element)
        {
            var (id, parent) = GateIds(element);
            var dimensions = Children(element, GatingNs + "dimension").Select(ReadDimension).ToList();
            if (dimensions.Count != 2)
            {
                throw Problem(element, $"polygon gate '{id}' has {dimensions.Count} dimensions; a polygon has exactly 2");
            }
            var vertices = new List<(double, double)>();
            foreach (var vertex in Children(element, GatingNs + "vertex"))
            {
                var coordinates = Children(vertex, GatingNs + "coordinate").Select(c => RequiredDouble(c, DataTypeNs, "value")).ToList();
                if (coordinates.Count != 2)
                {
                    throw Problem(vertex, $"a vertex of polygon gate '{id}' has {coordinates.Count} coordinates, not 2");
                }
                vertices.Add((coordinates[0], coordinates[1]));
            }
            if (vertices.Count < 3)
            {
                throw Problem(element, $"polygon gate '{id}' has {vertices.Count} vertices; a polygon needs at least 3");
            }
            return new PolygonGate(id, parent, dimensions[0], dimensions[1], vertices);
        }

        private EllipsoidGate ReadEllipsoid(XElement element)
        {
            var (id, parent) = GateIds(element);
            var dimensions = Children(element, GatingNs + "dimension").Select(ReadDimension).ToList();
            var n = dimensions.Count;
            if (n < 2)
            {
                throw Problem(element, $"ellipsoid gate '{id}' has {n} dimension(s); an ellipsoid needs at least 2");
            }
            var meanElement = Single(element, GatingNs + "mean", $"ellipsoid gate '{id}'");
            var mean = Children(meanElement, GatingNs + "coordinate").Select(c => RequiredDouble(c, DataTypeNs, "value")).ToList();
            if (mean.Count != n)
            {
                throw Problem(meanElement, $"the mean of ellipsoid gate '{id}' has {mean.Count} coordinates for {n} dimensions");
            }
            var covarianceElement = Single(element, GatingNs + "covarianceMatrix", $"ellipsoid gate '{id}'");
            var rows = Children(covarianceElement, GatingNs + "row").ToList();
            if (rows.Count != n)
            {
                throw Problem(covarianceElement, $"the covariance matrix of ellipsoid gate '{id}' has {rows.Count} rows for {n} dimensions");
            }
            var covariance = new double[n, n];
            for (var i = 0; i < n; i++)
            {
                var entries = Children(rows[i], GatingNs + "entry").Select(e => RequiredDouble(e, DataTypeNs, "value")).ToList();
                if (entries.Count != n)
                {
                    throw Problem(rows[i], $"row {i + 1} of the covariance matrix of ellipsoid gate '{id}' has {entries.Count} entries, not {n}");
                }
                for (var j = 0; j < n; j++)
                {
                    covariance[i, j] = entries[j];
                }
            }
            if (DenseLu.TryFactor(covariance) is null)
            {
                throw Problem(covarianceElement, $"the covariance matrix of ellipsoid gate '{id}' is singular, so no Mahalanobis distance is defined");
            }
            var distanceElement = Single(element, GatingNs + "distanceSquare", $"ellipsoid gate '{id}'");
            var distanceSquare = RequiredDouble(distanceElement, DataTypeNs, "value");
            if (distanceSquare < 0)
            {
                throw Problem(distanceElement, $"distanceSquare of ellipsoid gate '{id}' is negative");
            }
            return new EllipsoidGate(id, parent, dimensions, mean, covariance, distanceSquare);
        }

        private QuadrantGate ReadQuadrantGate(XElement element)
        {
            var (id, parent) = GateIds(element);
            var dividers = new List<QuadrantDivider>();
            foreach (var d in Children(element, GatingNs + "divider"))
            {
                var dividerId = RequiredId(d);
                var dimension = ReadDimension(d);
                var values = new List<double>();
                foreach (var v in Children(d, GatingNs + "value"))
                {
                    if (!double.TryParse(v.Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                    {
                        throw Problem(v, $"divider '{dividerId}': value '{SpilloverMatrix.Shorten(v.Value.Trim())}' is not a number");
                    }
                    values.Add(value);
                }
                if (values.Count == 0)
                {
                    throw Problem(d, $"divider '{dividerId}' of quadrant gate '{id}' has no value");
                }
                for (var i = 1; i < values.Count; i++)
                {
                    if (!(values[i] > values[i - 1]))
                    {
                        throw Problem(d, $"the values of divider '{dividerId}' must increase");
                    }
                }
                dividers.Add(new QuadrantDivider(dividerId, dimension, values));
            }
            if (dividers.Count == 0)
            {
                throw Problem(element, $"quadrant gate '{id}' has no divider");
            }
            var quadrants = new List<Quadrant>();
            foreach (var q in Children(element, GatingNs + "Quadrant"))
            {
                var quadrantId = RequiredId(q);
                var positions = new List<QuadrantPosition>();
                foreach (var p in Children(q, GatingNs + "position"))
                {
                    var dividerRef = RequiredAttribute(p, GatingNs, "divider_ref");
                    if (dividers.All(x => x.Id != dividerRef))
                    {
                        throw Problem(p, $"quadrant '{quadrantId}' refers to divider '{dividerRef}', which quadrant gate '{id}' does not have (it has {string.Join(", ", dividers.Select(x => x.Id))})");
                    }
                    if (positions.Any(x => x.DividerId == dividerRef))
                    {
                        throw Problem(p, $"quadrant '{quadrantId}' places divider '{dividerRef}' twice");
                    }
                    positions.Add(new QuadrantPosition(dividerRef, RequiredDouble(p, GatingNs, "location")));
                }
                if (positions.Count == 0)
                {
                    throw Problem(q, $"quadrant '{quadrantId}' has no position");
                }
                quadrants.Add(new Quadrant(quadrantId, positions));
            }
            if (quadrants.Count == 0)
            {
                throw Problem(element, $"quadrant gate '{id}' has no Quadrant");
            }
            return new QuadrantGate(id, parent, dividers, quadrants);
        }

        private BooleanGate ReadBoolean(XElement element)
        {
            var (id, parent) = GateIds(element);
            var operators = element.Elements().Where(e => e.Name.Namespace == GatingNs).ToList();
            if (operators.Count != 1 || operators[0].Name.LocalName is not ("and" or "or" or "not"))
            {
                throw Problem(element, $"boolean gate '{id}' must hold exactly one of <and>, <or>, <not>");
            }
            var op = operators[0];
            var kind = op.Name.LocalName switch { "and" => BooleanOperator.And, "or" => BooleanOperator.Or, _ => BooleanOperator.Not };
            var operands = new List<GateOperand>();
            foreach (var reference in op.Elements())
            {
                if (reference.Name != GatingNs + "gateReference")
                {
                    throw Problem(reference, $"boolean gate '{id}': <{reference.Name.LocalName}> is not a gateReference");
                }
                operands.Add(new GateOperand(RequiredAttribute(reference, GatingNs, "ref"), OptionalBool(reference, GatingNs, "use-as-complement") ?? false));
            }
            if (kind == BooleanOperator.Not && operands.Count != 1)
            {
                throw Problem(op, $"the <not> of boolean gate '{id}' has {operands.Count} operands; it takes exactly 1");
            }
            if (kind != BooleanOperator.Not && operands.Count < 2)
            {
                throw Problem(op, $"the <{op.Name.LocalName}> of boolean gate '{id}' has {operands.Count} operand(s); it takes 2 or more");
            }
            return new BooleanGate(id, parent, kind, operands);
        }

        private GateDimension ReadDimension(XElement element)
        {
            var compensation = Attribute(element, GatingNs, "compensation-ref");
            if (string.IsNullOrEmpty(compensation))
            {
                throw Problem(element, $"<{element.Name.LocalName}> needs a compensation-ref (\"{CompensationRef.Uncompensated}\", \"{CompensationRef.Fcs}\" or a spectrumMatrix id)");
            }
            var transformation = Attribute(element, GatingNs, "transformation-ref");
            var fcs = element.Elements(DataTypeNs + "fcs-dimension").ToList();
            var created = element.Elements(DataTypeNs + "new-dimension").ToList();
            if (fcs.Count + created.Count != 1)
            {
                throw Problem(element, $"<{element.Name.LocalName}> must hold exactly one fcs-dimension or new-dimension, found {fcs.Count + created.Count}");
            }
            if (fcs.Count == 1)
            {
                return new ChannelDimension(RequiredAttribute(fcs[0], DataTypeNs, "name"), compensation, transformation);
            }
            return new RatioDimension(RequiredAttribute(created[0], DataTypeNs, "transformation-ref"), compensation, transformation);
        }

        private (string Id, string? Parent) GateIds(XElement element) =>
            (RequiredId(element), Attribute(element, GatingNs, "parent_id"));

        // ---- transformations -------------------------------------------------------------------------------------

        private GmlTransformation ReadTransformation(XElement element)
        {
            var id = RequiredId(element, TransformsNs);
            var boundMin = OptionalDouble(element, TransformsNs, "boundMin");
            var boundMax = OptionalDouble(element, TransformsNs, "boundMax");
            if (boundMin is { } lo && boundMax is { } hi && lo > hi)
            {
                throw Problem(element, $"transformation '{id}': boundMin is above boundMax");
            }
            var bodies = element.Elements().Where(e => e.Name.Namespace == TransformsNs).ToList();
            if (bodies.Count != 1)
            {
                throw Problem(element, $"transformation '{id}' must hold exactly one of flin, flog, fasinh, logicle, hyperlog, fratio; found {bodies.Count}");
            }
            var body = bodies[0];
            double P(string name) => RequiredDouble(body, TransformsNs, name);
            try
            {
                if (body.Name.LocalName == "fratio")
                {
                    var channels = body.Elements(DataTypeNs + "fcs-dimension").Select(e => RequiredAttribute(e, DataTypeNs, "name")).ToList();
                    if (channels.Count != 2)
                    {
                        throw Problem(body, $"fratio '{id}' names {channels.Count} fcs-dimensions; it takes exactly 2");
                    }
                    return new GmlTransformation(id, null, new RatioDefinition(new RatioTransform(P("A"), P("B"), P("C")), channels[0], channels[1]), boundMin, boundMax);
                }
                ScaleTransform scale = body.Name.LocalName switch
                {
                    "flin" => new LinearTransform(P("T"), P("A")),
                    "flog" => new LogTransform(P("T"), P("M")),
                    "fasinh" => new AsinhTransform(P("T"), P("M"), P("A")),
                    "logicle" => new LogicleTransform(P("T"), P("W"), P("M"), P("A")),
                    "hyperlog" => new HyperlogTransform(P("T"), P("W"), P("M"), P("A")),
                    _ => throw Problem(body, $"transformation '{id}': <{body.Name.LocalName}> is not a Gating-ML 2.0 transformation"),
                };
                return new GmlTransformation(id, scale, null, boundMin, boundMax);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw Problem(body, $"transformation '{id}' ({body.Name.LocalName}): {FirstLine(ex.Message)}");
            }
        }

        private SpilloverMatrix ReadSpectrumMatrix(XElement element)
        {
            var id = RequiredId(element, TransformsNs);
            var inverted = OptionalBool(element, TransformsNs, "matrix-inverted-already") ?? false;
            List<string> Names(string part)
            {
                var holder = Single(element, TransformsNs + part, $"spectrumMatrix '{id}'");
                var names = holder.Elements(DataTypeNs + "fcs-dimension").Select(e => RequiredAttribute(e, DataTypeNs, "name")).ToList();
                if (names.Count == 0)
                {
                    throw Problem(holder, $"spectrumMatrix '{id}' lists no {part}");
                }
                SpilloverMatrix.CheckNames(names, At(holder));
                return names;
            }
            var fluorochromes = Names("fluorochromes");
            var detectors = Names("detectors");
            var spectra = Children(element, TransformsNs + "spectrum").ToList();
            if (spectra.Count != fluorochromes.Count)
            {
                throw Problem(element, $"spectrumMatrix '{id}' has {spectra.Count} spectrum rows for {fluorochromes.Count} fluorochromes");
            }
            var coefficients = new double[fluorochromes.Count, detectors.Count];
            for (var i = 0; i < spectra.Count; i++)
            {
                var values = Children(spectra[i], TransformsNs + "coefficient").Select(c => RequiredDouble(c, TransformsNs, "value")).ToList();
                if (values.Count != detectors.Count)
                {
                    throw Problem(spectra[i], $"spectrum row {i + 1} of spectrumMatrix '{id}' has {values.Count} coefficients for {detectors.Count} detectors");
                }
                for (var j = 0; j < values.Count; j++)
                {
                    coefficients[i, j] = values[j];
                }
            }
            if (fluorochromes.Count > detectors.Count || (inverted && fluorochromes.Count != detectors.Count))
            {
                throw Problem(element, $"spectrumMatrix '{id}': {fluorochromes.Count} fluorochromes cannot be had from {detectors.Count} detectors{(inverted ? " with an already inverted matrix (it must be square)" : "")}");
            }
            var matrix = new SpilloverMatrix(fluorochromes, detectors, coefficients, id, inverted);
            try
            {
                matrix.CompensationMatrix();
            }
            catch (InputException ex)
            {
                throw Problem(element, $"spectrumMatrix '{id}': {ex.Problem}");
            }
            return matrix;
        }

        // ---- validation of references ------------------------------------------------------------------------------

        private void Validate()
        {
            var populations = new Dictionary<string, Gate>(StringComparer.Ordinal);
            var quadrantGates = new HashSet<string>(StringComparer.Ordinal);
            foreach (var gate in _gates)
            {
                if (gate is QuadrantGate qg)
                {
                    quadrantGates.Add(qg.Id);
                    foreach (var q in qg.Quadrants)
                    {
                        populations[q.Id] = gate;
                    }
                }
                else
                {
                    populations[gate.Id] = gate;
                }
            }

            foreach (var gate in _gates)
            {
                var where = gate.Location ?? InputLocation.InFile(source);
                void Check(bool ok, string problem)
                {
                    if (!ok)
                    {
                        _problems.Add(new InputException(where with { Element = $"{gate.Kind} '{gate.Id}'" }, problem));
                    }
                }
                void CheckPopulation(string reference, string role)
                {
                    if (quadrantGates.Contains(reference))
                    {
                        Check(false, $"{role} '{reference}' is a quadrant gate; refer to one of its quadrants instead");
                    }
                    else
                    {
                        Check(populations.ContainsKey(reference), $"{role} '{reference}' is not a gate of this document");
                    }
                }
                if (gate.ParentId is { } parentId)
                {
                    CheckPopulation(parentId, "parent");
                }
                foreach (var dimension in DimensionsOf(gate))
                {
                    var comp = dimension.CompensationRef;
                    Check(comp is CompensationRef.Uncompensated or CompensationRef.Fcs || _matrices.ContainsKey(comp),
                        $"compensation-ref '{comp}' is neither \"{CompensationRef.Uncompensated}\", \"{CompensationRef.Fcs}\" nor a spectrumMatrix of this document");
                    if (dimension.TransformationRef is { } tr)
                    {
                        Check(_transformations.TryGetValue(tr, out var t) && t.Scale is not null,
                            _transformations.ContainsKey(tr)
                                ? $"transformation-ref '{tr}' is a ratio; a ratio makes a new-dimension, it does not scale one"
                                : $"transformation-ref '{tr}' is not a transformation of this document");
                    }
                    if (dimension is RatioDimension ratio)
                    {
                        Check(_transformations.TryGetValue(ratio.RatioId, out var t) && t.Ratio is not null,
                            _transformations.ContainsKey(ratio.RatioId)
                                ? $"new-dimension '{ratio.RatioId}' is not an fratio transformation"
                                : $"new-dimension '{ratio.RatioId}' is not a transformation of this document");
                    }
                }
                if (gate is BooleanGate boolean)
                {
                    foreach (var operand in boolean.Operands)
                    {
                        Check(operand.GateId != gate.Id, "a boolean gate cannot refer to itself");
                        CheckPopulation(operand.GateId, "operand");
                    }
                }
            }
            if (_problems.Count == 0)
            {
                CheckCycles(populations);
            }
        }

        private void CheckCycles(Dictionary<string, Gate> populations)
        {
            // Depth-first search over "depends on" edges: parent and boolean operands.
            var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
            var stack = new List<string>();
            IEnumerable<string> DependsOn(string id)
            {
                var gate = populations[id];
                if (gate.ParentId is { } p)
                {
                    yield return p;
                }
                if (gate is BooleanGate b)
                {
                    foreach (var o in b.Operands)
                    {
                        yield return o.GateId;
                    }
                }
            }
            bool Visit(string id)
            {
                if (state.TryGetValue(id, out var s))
                {
                    if (s == 1)
                    {
                        var cycle = stack.Skip(stack.IndexOf(id)).Append(id);
                        var gate = populations[id];
                        _problems.Add(new InputException((gate.Location ?? InputLocation.InFile(source)) with { Element = $"{gate.Kind} '{gate.Id}'" },
                            $"gates depend on each other in a cycle: {string.Join(" → ", cycle)}"));
                        return false;
                    }
                    return true;
                }
                state[id] = 1;
                stack.Add(id);
                foreach (var next in DependsOn(id))
                {
                    if (!Visit(next))
                    {
                        return false;
                    }
                }
                stack.RemoveAt(stack.Count - 1);
                state[id] = 2;
                return true;
            }
            foreach (var id in populations.Keys)
            {
                if (!Visit(id))
                {
                    return;
                }
            }
        }

        internal static IEnumerable<GateDimension> DimensionsOf(Gate gate) => gate switch
        {
            RectangleGate r => r.Dimensions.Select(d => d.Dimension),
            PolygonGate p => [p.X, p.Y],
            EllipsoidGate e => e.Dimensions,
            QuadrantGate q => q.Dividers.Select(d => d.Dimension),
            _ => [],
        };

        // ---- XML helpers -------------------------------------------------------------------------------------------

        private InputLocation At(XObject node) =>
            node is IXmlLineInfo info && info.HasLineInfo()
                ? InputLocation.AtLine(source, info.LineNumber, info.LinePosition)
                : InputLocation.InFile(source);

        private InputException Problem(XObject node, string problem) => new(At(node), problem);

        private string RequiredId(XElement element) => RequiredId(element, GatingNs);

        private string RequiredId(XElement element, XNamespace ns)
        {
            var id = RequiredAttribute(element, ns, "id");
            if (!_ids.TryAdd(id, At(element)))
            {
                throw Problem(element, $"id '{id}' is used twice (first at line {_ids[id].Line})");
            }
            return id;
        }

        private static string? Attribute(XElement element, XNamespace ns, string name) =>
            (element.Attribute(ns + name) ?? element.Attribute(name))?.Value;

        private string RequiredAttribute(XElement element, XNamespace ns, string name)
        {
            var value = Attribute(element, ns, name);
            if (string.IsNullOrWhiteSpace(value))
            {
                throw Problem(element, $"<{element.Name.LocalName}> needs the attribute {name}");
            }
            return value;
        }

        private double RequiredDouble(XElement element, XNamespace ns, string name) =>
            OptionalDouble(element, ns, name) ?? throw Problem(element, $"<{element.Name.LocalName}> needs the numeric attribute {name}");

        private double? OptionalDouble(XElement element, XNamespace ns, string name)
        {
            var text = Attribute(element, ns, name);
            if (text is null)
            {
                return null;
            }
            if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw Problem(element, $"attribute {name}=\"{SpilloverMatrix.Shorten(text)}\" of <{element.Name.LocalName}> is not a finite number");
            }
            return value;
        }

        private bool? OptionalBool(XElement element, XNamespace ns, string name) =>
            Attribute(element, ns, name)?.Trim() switch
            {
                null => null,
                "true" or "1" => true,
                "false" or "0" => false,
                var other => throw Problem(element, $"attribute {name}=\"{SpilloverMatrix.Shorten(other)}\" of <{element.Name.LocalName}> is not true or false"),
            };

        private static IEnumerable<XElement> Children(XElement element, XName name) => element.Elements(name);

        private XElement Single(XElement element, XName name, string owner)
        {
            var found = element.Elements(name).ToList();
            if (found.Count != 1)
            {
                throw Problem(element, $"{owner} needs exactly one <{name.LocalName}>, found {found.Count}");
            }
            return found[0];
        }

        private static string FirstLine(string message) => message.Split('\n')[0].Split(" (Parameter")[0];
    }
}
