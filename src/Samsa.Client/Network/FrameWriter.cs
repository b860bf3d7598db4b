using System.Net.Sockets;
using System.Runtime.InteropServices;
using Samsa.Client.Internal;
using Samsa.Protocol;

namespace Samsa.Client.Network;

/// <summary>
/// The request frames a connection has yet to send: header and field bytes in one pooled buffer,
/// and large records fields (a producer's sealed batches) kept by reference, as segments of their
/// own, instead of being copied in. <see cref="SendTo"/> writes it all with gather sends
/// (sendmsg with an iovec), so a produced byte is copied only by the kernel. Whoever appends a
/// segment keeps its bytes unchanged until <see cref="Reset"/>. Not thread-safe: the connection's
/// write lock guards it.
/// </summary>
internal sealed class FrameWriter : ISegmentedBufferWriter, IDisposable
{
    // sendmsg refuses more than 1024 iovec entries (UIO_MAXIOV); a longer list goes in several calls.
    private const int MaxSegmentsPerSend = 512;

    private readonly PooledWriter _bytes;
    private readonly List<Reference> _references = [];
    private readonly List<ArraySegment<byte>> _segments = [];
    private readonly List<ArraySegment<byte>> _window = [];

    public FrameWriter(int initialCapacity) => _bytes = new PooledWriter(initialCapacity);

    public bool IsEmpty => _bytes.WrittenCount == 0 && _references.Count == 0;

    /// <summary>Where the writer stands now, for <see cref="Truncate"/>.</summary>
    public (int Bytes, int References) Mark => (_bytes.WrittenCount, _references.Count);

    public void Advance(int count) => _bytes.Advance(count);

    public Memory<byte> GetMemory(int sizeHint = 0) => _bytes.GetMemory(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => _bytes.GetSpan(sizeHint);

    public void AppendSegment(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty) return;
        if (!MemoryMarshal.TryGetArray(data, out var segment))
        {
            // A socket gather write takes arrays only; other memory is copied.
            data.Span.CopyTo(_bytes.GetSpan(data.Length));
            _bytes.Advance(data.Length);
            return;
        }
        _references.Add(new Reference(_bytes.WrittenCount, segment));
    }

    /// <summary>Drops everything written after <paramref name="mark"/> (a frame that failed half-way).</summary>
    public void Truncate((int Bytes, int References) mark)
    {
        _bytes.Truncate(mark.Bytes);
        _references.RemoveRange(mark.References, _references.Count - mark.References);
    }

    /// <summary>Forgets what was written, references included.</summary>
    public void Reset()
    {
        _bytes.Reset();
        _references.Clear();
        _segments.Clear();
        _window.Clear();
    }

    /// <summary>Writes everything, in order, on a blocking socket; returns once the kernel has all of it.</summary>
    /// <exception cref="SocketException">the send failed.</exception>
    public void SendTo(Socket socket)
    {
        var bytes = _bytes.WrittenMemory;
        if (_references.Count == 0)
        {
            var span = bytes.Span;
            while (!span.IsEmpty) span = span[Sent(socket.Send(span))..];
            return;
        }
        if (!MemoryMarshal.TryGetArray(bytes, out var own)) throw new InvalidOperationException("The frame buffer is not an array.");
        _segments.Clear();
        var at = 0;
        foreach (var r in _references)
        {
            if (r.At > at) _segments.Add(own.Slice(at, r.At - at));
            _segments.Add(r.Segment);
            at = r.At;
        }
        if (own.Count > at) _segments.Add(own.Slice(at));

        // A send may take fewer bytes than asked (a signal, a send timeout): go on from where it stopped.
        var first = 0;
        while (first < _segments.Count)
        {
            IList<ArraySegment<byte>> batch = _segments;
            if (first > 0 || _segments.Count > MaxSegmentsPerSend)
            {
                _window.Clear();
                for (var i = first; i < _segments.Count && _window.Count < MaxSegmentsPerSend; i++) _window.Add(_segments[i]);
                batch = _window;
            }
            var sent = Sent(socket.Send(batch));
            while (sent > 0)
            {
                var s = _segments[first];
                if (sent < s.Count)
                {
                    _segments[first] = s.Slice(sent);
                    break;
                }
                sent -= s.Count;
                first++;
            }
        }
        _segments.Clear();
        _window.Clear();
    }

    private static int Sent(int count) =>
        count > 0 ? count : throw new SocketException((int)SocketError.ConnectionReset);

    public void Dispose()
    {
        Reset();
        _bytes.Dispose();
    }

    /// <summary>A referenced block and the number of own bytes written before it.</summary>
    private readonly record struct Reference(int At, ArraySegment<byte> Segment);
}
