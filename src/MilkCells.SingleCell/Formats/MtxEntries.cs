using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text;
using MilkCells.Core.Errors;

namespace MilkCells.SingleCell.Formats;

/// <summary>What the header of a Matrix Market file says its entries are.</summary>
internal sealed record EntryFormat(string Path, int Features, int Cells, int Declared, int SizeLine, bool Integer, bool Pattern);

/// <summary>Parses the entry lines of a Matrix Market file in blocks, in parallel with the decompression.</summary>
/// <remarks>
/// Decompressing gzip is sequential, and at 10^7–10^8 entries parsing the text costs as much again. The calling thread
/// decompresses and cuts the text into blocks of whole lines; worker threads parse blocks into their own arrays; each
/// block is copied into the result in file order as soon as every block before it is in (a semaphore bounds the blocks
/// held). Entries therefore land in the same order, and the first error of the file is the one reported, with its line
/// number, whatever the thread count. Integers are read digit by digit; anything else falls back to
/// <see cref="Utf8Parser"/>, so the accepted syntax and the messages are those of the sequential reader.
/// </remarks>
internal static class MtxEntries
{
    /// <summary>Bytes of text per block.</summary>
    public const int DefaultBlockBytes = 1 << 20;

    /// <summary>Reads every entry line after the size line into the arrays; returns the entries read and the last line number.</summary>
    public static (int Entries, int LastLine) Read(LineReader reader, Stream stream, EntryFormat format, int lineNo, int[] row, int[] col, float[] val, int threads, int blockBytes = DefaultBlockBytes)
    {
        var sink = new Sink(format, lineNo, row, col, val);
        var carry = reader.Buffered.ToArray();
        var eof = reader.AtEnd;
        if (threads <= 1)
        {
            var seq = 0;
            foreach (var (buffer, length) in Blocks(stream, carry, eof, blockBytes, null))
            {
                sink.Add(seq++, Parse(format, buffer, length));
                ArrayPool<byte>.Shared.Return(buffer);
            }
            return sink.Finish();
        }
        var held = new SemaphoreSlim(threads * 3);
        using var queue = new BlockingCollection<(int Seq, byte[] Buffer, int Length)>(threads * 2);
        var workers = Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(() =>
        {
            foreach (var (seq, buffer, length) in queue.GetConsumingEnumerable())
            {
                var block = sink.Failed ? null : Parse(format, buffer, length);
                ArrayPool<byte>.Shared.Return(buffer);
                sink.Add(seq, block);
                held.Release();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        try
        {
            var seq = 0;
            foreach (var (buffer, length) in Blocks(stream, carry, eof, blockBytes, held))
            {
                if (sink.Failed)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    held.Release();
                    break;
                }
                queue.Add((seq++, buffer, length));
            }
        }
        finally
        {
            queue.CompleteAdding();
            Task.WaitAll(workers);
        }
        return sink.Finish();
    }

    /// <summary>The text after the size line in blocks of whole lines (the last may lack its newline), each in a pooled buffer.</summary>
    private static IEnumerable<(byte[] Buffer, int Length)> Blocks(Stream stream, byte[] carry, bool eof, int blockBytes, SemaphoreSlim? held)
    {
        var pending = carry;
        var pendingLength = carry.Length;
        while (true)
        {
            held?.Wait();
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(blockBytes, pendingLength * 2));
            pending.AsSpan(0, pendingLength).CopyTo(buffer);
            var length = pendingLength;
            while (!eof && length < buffer.Length)
            {
                var read = stream.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    eof = true;
                    break;
                }
                length += read;
            }
            if (eof && length == 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                held?.Release();
                yield break;
            }
            var cut = eof ? length : buffer.AsSpan(0, length).LastIndexOf((byte)'\n') + 1;
            if (cut == 0)
            {
                // one line longer than the buffer: read on with a larger one
                pending = buffer.AsSpan(0, length).ToArray();
                pendingLength = length;
                ArrayPool<byte>.Shared.Return(buffer);
                held?.Release();
                continue;
            }
            pending = buffer.AsSpan(cut, length - cut).ToArray();
            pendingLength = pending.Length;
            yield return (buffer, cut);
            if (eof)
            {
                yield break;
            }
        }
    }

    /// <summary>One block's entries, its line count and its first problem (as a function of the block's first line number).</summary>
    private sealed class Block
    {
        public int[] Row = [];
        public int[] Col = [];
        public float[] Val = [];
        public int Count;
        public int Lines;

        /// <summary>Local line numbers (0-based) of lines that hold no entry (blank or comment), in order.</summary>
        public List<int> Skipped = [];

        /// <summary>The local line of the first bad line, or −1.</summary>
        public int ErrorLine = -1;

        public Func<int, InputException>? Error;
    }

    private static Block Parse(EntryFormat f, byte[] buffer, int length)
    {
        // an entry line takes at least 6 bytes ("1 1 1\n")
        var capacity = Math.Max(16, length / 6 + 1);
        var block = new Block
        {
            Row = ArrayPool<int>.Shared.Rent(capacity),
            Col = ArrayPool<int>.Shared.Rent(capacity),
            Val = ArrayPool<float>.Shared.Rent(capacity),
        };
        var text = buffer.AsSpan(0, length);
        var line = 0;
        var n = 0;
        while (text.Length > 0)
        {
            var nl = text.IndexOf((byte)'\n');
            var s = nl >= 0 ? text[..nl] : text;
            text = nl >= 0 ? text[(nl + 1)..] : default;
            var local = line++;
            var p = 0;
            MtxReader.SkipSpaces(s, ref p);
            if (p == s.Length || s[p] == (byte)'%')
            {
                block.Skipped.Add(local);
                continue;
            }
            if (n == block.Row.Length)
            {
                Grow(block, n);
            }
            if (!Index(s, ref p, out var i) || !Index(s, ref p, out var j))
            {
                var shown = Encoding.ASCII.GetString(s).Trim();
                Fail(block, local, at => new InputException(InputLocation.AtLine(f.Path, at), $"'{shown}' is not 'row column value'"));
                break;
            }
            if (i < 1 || i > f.Features || j < 1 || j > f.Cells)
            {
                Fail(block, local, at => new InputException(InputLocation.AtLine(f.Path, at), $"entry ({i}, {j}) lies outside the {f.Features} × {f.Cells} matrix of the header (line {f.SizeLine})",
                    "the header and the entries disagree"));
                break;
            }
            double v = 1;
            if (!f.Pattern)
            {
                MtxReader.SkipSpaces(s, ref p);
                if (!Value(s[p..], out v))
                {
                    var shown = Encoding.ASCII.GetString(s).Trim();
                    Fail(block, local, at => new InputException(InputLocation.AtLine(f.Path, at), $"'{shown}' has no value"));
                    break;
                }
            }
            if (v < 0)
            {
                Fail(block, local, at => new InputException(InputLocation.AtLine(f.Path, at), $"a negative count ({v.ToString(System.Globalization.CultureInfo.InvariantCulture)}) for feature {i}, cell {j}",
                    "counts are never negative: is this a processed matrix?"));
                break;
            }
            if (double.IsNaN(v))
            {
                Fail(block, local, at => new InputException(InputLocation.AtLine(f.Path, at), "a value that is not a number"));
                break;
            }
            if (f.Integer && v != Math.Floor(v))
            {
                Fail(block, local, at => new InputException(InputLocation.AtLine(f.Path, at), $"'{v}' in an 'integer' matrix", "the banner says integer"));
                break;
            }
            block.Row[n] = (int)j - 1;
            block.Col[n] = (int)i - 1;
            block.Val[n] = (float)v;
            n++;
        }
        block.Count = n;
        block.Lines = line;
        return block;
    }

    private static void Fail(Block block, int local, Func<int, InputException> error)
    {
        block.ErrorLine = local;
        block.Error = error;
    }

    private static void Grow(Block block, int n)
    {
        static T[] Larger<T>(T[] a, int n)
        {
            var b = ArrayPool<T>.Shared.Rent(a.Length * 2);
            a.AsSpan(0, n).CopyTo(b);
            ArrayPool<T>.Shared.Return(a);
            return b;
        }
        block.Row = Larger(block.Row, n);
        block.Col = Larger(block.Col, n);
        block.Val = Larger(block.Val, n);
    }

    /// <summary>A row or column index: plain digits read directly, anything else as the sequential reader reads it.</summary>
    private static bool Index(ReadOnlySpan<byte> s, ref int p, out long value)
    {
        MtxReader.SkipSpaces(s, ref p);
        var q = p;
        long v = 0;
        while (q < s.Length && q - p < 18 && (uint)(s[q] - '0') <= 9)
        {
            v = v * 10 + (s[q] - '0');
            q++;
        }
        if (q > p && (q == s.Length || s[q] is (byte)' ' or (byte)'\t' or (byte)'\r'))
        {
            value = v;
            p = q;
            return true;
        }
        return MtxReader.NextLong(s, ref p, out value);
    }

    /// <summary>A value: up to 15 plain digits exactly, else <see cref="Utf8Parser"/> (which ignores what follows the number, as before).</summary>
    private static bool Value(ReadOnlySpan<byte> s, out double value)
    {
        var q = 0;
        long v = 0;
        while (q < s.Length && q < 15 && (uint)(s[q] - '0') <= 9)
        {
            v = v * 10 + (s[q] - '0');
            q++;
        }
        if (q > 0 && (q == s.Length || s[q] is (byte)' ' or (byte)'\t' or (byte)'\r'))
        {
            value = v;
            return true;
        }
        return Utf8Parser.TryParse(s, out value, out _);
    }

    /// <summary>Copies blocks into the result in file order and reports the file's first problem.</summary>
    private sealed class Sink(EntryFormat format, int lineNo, int[] row, int[] col, float[] val)
    {
        private readonly Dictionary<int, Block?> _waiting = [];
        private int _next;
        private int _entries;
        private int _line = lineNo;
        private InputException? _error;
        private volatile bool _failed;

        public bool Failed => _failed;

        public void Add(int seq, Block? block)
        {
            lock (_waiting)
            {
                _waiting[seq] = block;
                while (_waiting.Remove(_next, out var b))
                {
                    _next++;
                    if (b is not null)
                    {
                        if (_error is null)
                        {
                            Commit(b);
                        }
                        ArrayPool<int>.Shared.Return(b.Row);
                        ArrayPool<int>.Shared.Return(b.Col);
                        ArrayPool<float>.Shared.Return(b.Val);
                    }
                }
            }
        }

        private void Commit(Block b)
        {
            var room = format.Declared - _entries;
            if (b.Count > room || (b.Count == room && b.Error is not null))
            {
                // the entry after the declared ones: its line is its index plus the entry-less lines before it
                var line = room;
                foreach (var skipped in b.Skipped)
                {
                    if (skipped <= line)
                    {
                        line++;
                    }
                }
                Fail(new InputException(InputLocation.AtLine(format.Path, _line + line + 1), $"the header (line {format.SizeLine}) says {format.Declared} entries but the file holds more",
                    "the header and the entries disagree: the file was edited or concatenated"));
                return;
            }
            b.Row.AsSpan(0, b.Count).CopyTo(row.AsSpan(_entries));
            b.Col.AsSpan(0, b.Count).CopyTo(col.AsSpan(_entries));
            b.Val.AsSpan(0, b.Count).CopyTo(val.AsSpan(_entries));
            _entries += b.Count;
            if (b.Error is not null)
            {
                Fail(b.Error(_line + b.ErrorLine + 1));
                return;
            }
            _line += b.Lines;
        }

        private void Fail(InputException error)
        {
            _error = error;
            _failed = true;
        }

        public (int Entries, int LastLine) Finish()
        {
            lock (_waiting)
            {
                if (_error is not null)
                {
                    throw _error;
                }
                return (_entries, _line);
            }
        }
    }
}
