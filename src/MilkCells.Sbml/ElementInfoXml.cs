using System.Globalization;
using System.Xml.Linq;
using libsbmlcs;
using MilkCells.Engine.Model;

namespace MilkCells.Sbml;

/// <summary>Reads and writes an element's name, notes and MilkCells annotations.</summary>
/// <remarks>
/// Notes are XHTML, one paragraph per line of text. Annotations go in one element of the MilkCells namespace,
/// <c>&lt;milkcells:info&gt;</c>, holding <c>&lt;milkcells:entry key="…"&gt;value&lt;/milkcells:entry&gt;</c> in order;
/// other tools keep and ignore it (SBML L3V2 §3.2.4). Drivers are marked with <c>&lt;milkcells:driver/&gt;</c> so a
/// re-import rebuilds them.
/// </remarks>
internal static class ElementInfoXml
{
    public const string Namespace = "https://milkcells.org/sbml/1";
    public const string Prefix = "milkcells";
    private static readonly XNamespace Ns = Namespace;
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";

    public static void Write(SBase element, ElementInfo info, XElement? extra = null)
    {
        if (info.Name is { } name)
        {
            element.setName(name);
        }
        if (info.Notes is { } notes)
        {
            var body = new XElement(Xhtml + "body", notes.Split('\n').Select(line => new XElement(Xhtml + "p", line)));
            Check(element.setNotes(body.ToString(SaveOptions.DisableFormatting)), "notes");
        }
        if (info.AnnotationList.Count > 0 || extra is not null)
        {
            var root = new XElement(Ns + "info", new XAttribute(XNamespace.Xmlns + Prefix, Namespace),
                info.AnnotationList.Select(kv => new XElement(Ns + "entry", new XAttribute("key", kv.Key), kv.Value)));
            if (extra is not null)
            {
                root.Add(extra);
            }
            Check(element.appendAnnotation(root.ToString(SaveOptions.DisableFormatting)), "annotation");
        }
    }

    public static ElementInfo Read(SBase element)
    {
        string? name = element.isSetName() ? element.getName() : null;
        string? notes = null;
        if (element.isSetNotes())
        {
            var xml = XElement.Parse(element.getNotesString());
            var paragraphs = xml.Descendants().Where(e => e.Name.LocalName == "p").Select(p => p.Value).ToList();
            notes = paragraphs.Count > 0 ? string.Join("\n", paragraphs) : xml.Value.Trim();
        }
        var annotations = Info(element)?.Elements(Ns + "entry")
            .Select(e => System.Collections.Generic.KeyValuePair.Create((string?)e.Attribute("key") ?? "", e.Value)).ToArray();
        return new ElementInfo(name, notes, annotations is { Length: > 0 } ? annotations : null);
    }

    /// <summary>The MilkCells info element of an element's annotation, if any.</summary>
    public static XElement? Info(SBase element)
    {
        if (!element.isSetAnnotation())
        {
            return null;
        }
        var annotation = XElement.Parse(element.getAnnotationString());
        return annotation.Elements(Ns + "info").FirstOrDefault();
    }

    public static XElement DriverMarker() => new(Ns + "driver");

    public static XElement DriverChange(string driver, DriverChange change) => new(Ns + "driverChange",
        new XAttribute("driver", driver),
        new XAttribute("time", change.Time.ToString("R", CultureInfo.InvariantCulture)),
        new XAttribute("value", change.Value.ToString("R", CultureInfo.InvariantCulture)));

    public static bool IsDriver(SBase element) => Info(element)?.Element(Ns + "driver") is not null;

    public static (string Driver, DriverChange Change)? ReadDriverChange(SBase element)
    {
        var e = Info(element)?.Element(Ns + "driverChange");
        if (e is null)
        {
            return null;
        }
        return ((string)e.Attribute("driver")!, new DriverChange(
            double.Parse((string)e.Attribute("time")!, CultureInfo.InvariantCulture),
            double.Parse((string)e.Attribute("value")!, CultureInfo.InvariantCulture)));
    }

    private static void Check(int status, string what)
    {
        if (status != libsbml.LIBSBML_OPERATION_SUCCESS)
        {
            throw new InvalidOperationException($"libSBML refused the {what} (status {status})");
        }
    }
}
