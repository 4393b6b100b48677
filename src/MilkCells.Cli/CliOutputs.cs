using System.Text;
using MilkCells.Core.Errors;
using MilkCells.Core.Files;

namespace MilkCells.Cli;

/// <summary>The one place commands open their outputs (docs/cli.md): a file through <see cref="OutputFile"/>, or standard output for <c>-</c>.</summary>
internal sealed class FileOutput : IDisposable
{
    private readonly OutputFile? _file;
    private readonly Stream? _stdout;

    private FileOutput(OutputFile? file, Stream? stdout)
    {
        _file = file;
        _stdout = stdout;
    }

    /// <summary>Whether the data goes to standard output (<c>-o -</c>).</summary>
    public bool IsStandardOutput => _file is null;

    /// <summary>Where the data goes, for messages: the file's absolute path, or "standard output".</summary>
    public string Describe => _file?.FullPath ?? "standard output";

    /// <summary>The stream to write.</summary>
    public Stream Stream => _file?.Stream ?? _stdout!;

    /// <summary>Checks and reserves <paramref name="path"/> (<c>-</c>: standard output, when <paramref name="allowStandardOutput"/>) before the work starts.</summary>
    public static FileOutput Open(CliContext context, string path, string option = "--out", bool allowStandardOutput = true)
    {
        if (path == "-")
        {
            if (!allowStandardOutput)
            {
                throw new InputException(new InputLocation(Element: option), "'-' (standard output) is not possible here", $"give a file, e.g. {option} out.csv");
            }
            context.Output.Flush();
            return new FileOutput(null, ReferenceEquals(context.Output, Console.Out) ? Console.OpenStandardOutput() : new TextWriterStream(context.Output));
        }
        return new FileOutput(OutputFile.Create(path, option), null);
    }

    /// <summary>A UTF-8 (no BOM) writer with <c>\n</c> line ends over <see cref="Stream"/>; disposing it leaves the stream open.</summary>
    public TextWriter Writer() => new StreamWriter(Stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };

    /// <summary>Writes text and commits.</summary>
    public void WriteText(Action<TextWriter> write)
    {
        using (var writer = Writer())
        {
            write(writer);
        }
        Commit();
    }

    /// <summary>Puts a file in place (standard output: flushes).</summary>
    public void Commit()
    {
        if (_file is not null)
        {
            _file.Commit();
        }
        else
        {
            _stdout!.Flush();
        }
    }

    public void Dispose()
    {
        _file?.Dispose();
        _stdout?.Flush();
    }

    /// <summary>Bytes written as UTF-8 text into a <see cref="TextWriter"/> (standard output captured by a test harness).</summary>
    private sealed class TextWriterStream(TextWriter writer) : Stream
    {
        private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var chars = new char[_decoder.GetCharCount(buffer, flush: false)];
            var n = _decoder.GetChars(buffer, chars, flush: false);
            writer.Write(chars, 0, n);
        }

        public override void Flush() => writer.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
