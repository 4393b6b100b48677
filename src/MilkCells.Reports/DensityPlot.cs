using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace MilkCells.Reports;

/// <summary>A two-dimensional density plot (binned events) with a gate outline drawn on it: a flow cytometry dot plot.</summary>
/// <param name="Title">The title (the gate and its parent).</param>
/// <param name="XLabel">The x dimension.</param>
/// <param name="YLabel">The y dimension.</param>
/// <param name="XRange">The x axis range.</param>
/// <param name="YRange">The y axis range.</param>
/// <param name="Bins">Bins per axis.</param>
/// <param name="Counts">Events per bin, row-major from the bottom row.</param>
/// <param name="Outline">The gate's outline (a closed polygon in axis units); empty for none.</param>
/// <param name="Caption">A caption (counts, % of parent).</param>
public sealed record DensityPlot(string Title, string XLabel, string YLabel, (double Min, double Max) XRange, (double Min, double Max) YRange,
    int Bins, ImmutableArray<int> Counts, ImmutableArray<(double X, double Y)> Outline, string? Caption = null) : ReportBlock;

/// <summary>Renders a <see cref="DensityPlot"/> as inline SVG around a PNG heat map (a data: URI), so it needs no script and no network.</summary>
/// <remarks>
/// Colour: log(1 + count) scaled to the densest bin, from white through blue to near-black, so single events stay
/// visible beside dense populations (the usual pseudo-colour of cytometry software). PNG: one IDAT zlib stream of 8-bit
/// RGB rows (W3C PNG specification, 2nd ed.), CRC-32 per chunk.
/// </remarks>
internal static class DensityPlotSvg
{
    private const int Plot = 240;
    private const int Left = 58;
    private const int Bottom = 40;
    private const int Top = 10;
    private const int Right = 10;

    public static void Append(StringBuilder html, DensityPlot plot)
    {
        var width = Left + Plot + Right;
        var height = Top + Plot + Bottom;
        var png = Convert.ToBase64String(Png(plot));
        html.Append("<figure class=\"density\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").Append(width).Append("\" height=\"").Append(height)
            .Append("\" viewBox=\"0 0 ").Append(width).Append(' ').Append(height).Append("\"><title>").Append(ReportHtml.Escape(plot.Title)).Append("</title>\n")
            .Append("<image x=\"").Append(Left).Append("\" y=\"").Append(Top).Append("\" width=\"").Append(Plot).Append("\" height=\"").Append(Plot)
            .Append("\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,").Append(png).Append("\"/>\n")
            .Append("<rect x=\"").Append(Left).Append("\" y=\"").Append(Top).Append("\" width=\"").Append(Plot).Append("\" height=\"").Append(Plot).Append("\" fill=\"none\" stroke=\"#444\"/>\n");
        if (plot.Outline.Length >= 2)
        {
            html.Append("<polygon fill=\"none\" stroke=\"#D55E00\" stroke-width=\"2\" points=\"");
            foreach (var (x, y) in plot.Outline)
            {
                html.Append(Fmt(Left + Plot * Fraction(x, plot.XRange))).Append(',').Append(Fmt(Top + Plot * (1 - Fraction(y, plot.YRange)))).Append(' ');
            }
            html.Append("\"/>\n");
        }
        Tick(html, Left, Top + Plot + 14, "start", plot.XRange.Min);
        Tick(html, Left + Plot, Top + Plot + 14, "end", plot.XRange.Max);
        Tick(html, Left - 4, Top + Plot, "end", plot.YRange.Min);
        Tick(html, Left - 4, Top + 10, "end", plot.YRange.Max);
        html.Append("<text x=\"").Append(Left + Plot / 2).Append("\" y=\"").Append(height - 6).Append("\" text-anchor=\"middle\" font-size=\"11\">").Append(ReportHtml.Escape(plot.XLabel)).Append("</text>\n")
            .Append("<text transform=\"translate(12,").Append(Top + Plot / 2).Append(") rotate(-90)\" text-anchor=\"middle\" font-size=\"11\">").Append(ReportHtml.Escape(plot.YLabel)).Append("</text>\n")
            .Append("</svg>\n<figcaption>").Append(ReportHtml.Escape(plot.Title));
        if (plot.Caption is not null)
        {
            html.Append(": ").Append(ReportHtml.Escape(plot.Caption));
        }
        html.Append("</figcaption>\n</figure>\n");
    }

    private static void Tick(StringBuilder html, int x, int y, string anchor, double value) =>
        html.Append("<text x=\"").Append(x).Append("\" y=\"").Append(y).Append("\" text-anchor=\"").Append(anchor).Append("\" font-size=\"10\">")
            .Append(value.ToString(Math.Abs(value) >= 1e4 ? "0.#e+0" : "0.##", CultureInfo.InvariantCulture)).Append("</text>\n");

    private static double Fraction(double v, (double Min, double Max) range) => Math.Clamp((v - range.Min) / (range.Max - range.Min), 0, 1);

    private static string Fmt(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>The heat map as PNG bytes: one pixel per bin, top row first.</summary>
    internal static byte[] Png(DensityPlot plot)
    {
        var n = plot.Bins;
        var max = plot.Counts.IsEmpty ? 0 : plot.Counts.Max();
        var scale = max > 0 ? 1 / Math.Log(1 + max) : 0;
        var raw = new byte[n * (1 + 3 * n)];
        for (var row = 0; row < n; row++)
        {
            var y = n - 1 - row; // PNG rows run top to bottom; bins bottom to top
            var at = row * (1 + 3 * n);
            raw[at++] = 0; // filter: none
            for (var x = 0; x < n; x++)
            {
                var c = plot.Counts[y * n + x];
                var (r, g, b) = Colour(c == 0 ? -1 : Math.Log(1 + c) * scale);
                raw[at++] = r;
                raw[at++] = g;
                raw[at++] = b;
            }
        }
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, n);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), n);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB
        Chunk(png, "IHDR", header);
        using (var data = new MemoryStream())
        {
            using (var z = new ZLibStream(data, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                z.Write(raw);
            }
            Chunk(png, "IDAT", data.ToArray());
        }
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>White for empty bins; light to dark blue, then near-black, as the density rises (t in [0, 1]).</summary>
    private static (byte, byte, byte) Colour(double t)
    {
        if (t < 0)
        {
            return (255, 255, 255);
        }
        // Interpolate light blue (198, 219, 239) → blue (8, 81, 156) → near-black (8, 16, 40).
        (double R, double G, double B) a = (198, 219, 239), m = (8, 81, 156), z = (8, 16, 40);
        var (from, to, u) = t < 0.7 ? (a, m, t / 0.7) : (m, z, (t - 0.7) / 0.3);
        return ((byte)(from.R + (to.R - from.R) * u), (byte)(from.G + (to.G - from.G) * u), (byte)(from.B + (to.B - from.B) * u));
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        png.Write(typeBytes);
        png.Write(data);
        var crc = Crc32(typeBytes, data);
        BinaryPrimitives.WriteUInt32BigEndian(length, crc);
        png.Write(length);
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return c;
    }).ToArray();

    /// <summary>The PNG (ISO 3309) CRC-32 of a chunk's type and data.</summary>
    private static uint Crc32(byte[] type, byte[] data)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in type.Concat(data))
        {
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }
        return c ^ 0xFFFFFFFFu;
    }
}
