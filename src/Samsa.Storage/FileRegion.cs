using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Samsa.Storage;

/// <summary>
/// A byte range of a segment file holding whole record batches exactly as stored (the last one may
/// be cut by the fetch size, as Kafka does; clients drop a partial trailing batch). The handle stays
/// open until the <see cref="LogReadResult"/> that produced the region is disposed.
/// </summary>
public readonly struct FileRegion
{
    private const int ChunkSize = 64 * 1024;

    public FileRegion(SafeFileHandle handle, string path, long position, int length)
    {
        Handle = handle;
        Path = path;
        Position = position;
        Length = length;
    }

    public SafeFileHandle Handle { get; }
    /// <summary>The file's path when the region was read (for diagnostics only).</summary>
    public string Path { get; }
    public long Position { get; }
    public int Length { get; }

    /// <summary>Reads part of the region into <paramref name="destination"/>; returns the bytes read.</summary>
    public int Read(int offsetInRegion, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offsetInRegion);
        int want = Math.Min(destination.Length, Length - offsetInRegion);
        int done = 0;
        while (done < want)
        {
            int n = RandomAccess.Read(Handle, destination[done..want], Position + offsetInRegion + done);
            if (n == 0)
            {
                break;
            }
            done += n;
        }
        return done;
    }

    /// <summary>Copies the whole region into <paramref name="writer"/> without decoding it.</summary>
    /// <exception cref="IOException">the file shrank under the read (a concurrent truncation).</exception>
    public void CopyTo(IBufferWriter<byte> writer)
    {
        int copied = 0;
        while (copied < Length)
        {
            Span<byte> span = writer.GetSpan(Math.Min(ChunkSize, Length - copied));
            int want = Math.Min(span.Length, Length - copied);
            int n = RandomAccess.Read(Handle, span[..want], Position + copied);
            if (n == 0)
            {
                throw new IOException($"{Path} was truncated while {Length} bytes at {Position} were being read");
            }
            writer.Advance(n);
            copied += n;
        }
    }

    /// <summary>Copies the whole region into a stream through a pooled buffer.</summary>
    public async ValueTask CopyToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(ChunkSize, Math.Max(Length, 1)));
        try
        {
            int copied = 0;
            while (copied < Length)
            {
                int want = Math.Min(buffer.Length, Length - copied);
                int n = await RandomAccess.ReadAsync(Handle, buffer.AsMemory(0, want), Position + copied, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new IOException($"{Path} was truncated while {Length} bytes at {Position} were being read");
                }
                await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                copied += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
