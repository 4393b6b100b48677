using Microsoft.Win32.SafeHandles;

namespace MilkCells.Fcs.Internal;

/// <summary>Random access to the bytes of an FCS file: a file handle, a seekable stream, or memory.</summary>
internal abstract class FcsSource : IDisposable
{
    public abstract long Length { get; }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; returns the count read.</summary>
    public abstract int ReadAt(long offset, Span<byte> buffer);

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>, or throws a truncation error.</summary>
    public void ReadExactly(long offset, Span<byte> buffer, string? file)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = ReadAt(offset + done, buffer[done..]);
            if (n <= 0)
            {
                throw new FcsFormatException(file, offset + done, FcsProblem.Truncated,
                    $"the file ends at byte {offset + done}, inside a segment that needs {buffer.Length} bytes from byte {offset}");
            }
            done += n;
        }
    }

    public virtual void Dispose()
    {
    }
}

internal sealed class FileSource(SafeFileHandle handle) : FcsSource
{
    private readonly long _length = RandomAccess.GetLength(handle);

    public override long Length => _length;

    public override int ReadAt(long offset, Span<byte> buffer) => RandomAccess.Read(handle, buffer, offset);

    public override void Dispose() => handle.Dispose();
}

internal sealed class StreamSource(Stream stream, bool leaveOpen) : FcsSource
{
    private readonly long _length = stream.Length;
    private readonly Lock _gate = new();

    public override long Length => _length;

    public override int ReadAt(long offset, Span<byte> buffer)
    {
        lock (_gate)
        {
            stream.Position = offset;
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
    }

    public override void Dispose()
    {
        if (!leaveOpen)
        {
            stream.Dispose();
        }
    }
}

internal sealed class MemorySource(ReadOnlyMemory<byte> bytes) : FcsSource
{
    public override long Length => bytes.Length;

    public override int ReadAt(long offset, Span<byte> buffer)
    {
        if (offset >= bytes.Length)
        {
            return 0;
        }
        var n = (int)Math.Min(buffer.Length, bytes.Length - offset);
        bytes.Span.Slice((int)offset, n).CopyTo(buffer);
        return n;
    }
}
