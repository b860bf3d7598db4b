using System.Net;
using System.Net.Sockets;
using Samsa.Client.Network;
using Samsa.TestSupport;

namespace Samsa.Client.Tests.Network;

/// <summary>
/// The connection's frame buffer: own bytes and referenced blocks go out over a real TCP socket
/// in the order they were appended, in as many gather sends as it takes.
/// </summary>
public sealed class FrameWriterTests : IDisposable
{
    private readonly Socket _client;
    private readonly Socket _server;

    public FrameWriterTests()
    {
        using var listener = LoopbackListener.Open(1, out var port);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _client.Connect(IPAddress.Loopback, port);
        _server = listener.Accept();
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    private static byte[] Bytes(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static void WriteOwn(FrameWriter writer, byte[] bytes)
    {
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }

    /// <summary>Sends on this thread while another reads <paramref name="length"/> bytes.</summary>
    private async Task<byte[]> SendAndReceiveAsync(FrameWriter writer, int length)
    {
        var received = new byte[length];
        var reading = Task.Run(() =>
        {
            var at = 0;
            while (at < length)
            {
                var n = _server.Receive(received.AsSpan(at));
                if (n == 0) throw new EndOfStreamException();
                at += n;
            }
        });
        writer.SendTo(_client);
        await reading.WaitAsync(TimeSpan.FromSeconds(30));
        return received;
    }

    [Fact]
    public async Task Own_bytes_and_referenced_blocks_arrive_in_the_order_they_were_appended()
    {
        using var writer = new FrameWriter(16);
        var expected = new List<byte>();
        var head = Bytes(100, 1);
        var block = Bytes(50_000, 2);
        var middle = Bytes(3, 3);
        var second = Bytes(1 << 20, 4);
        var tail = Bytes(9000, 5); // grows the own buffer after references into it were taken
        WriteOwn(writer, head);
        writer.AppendSegment(block.AsMemory(10, 40_000));
        WriteOwn(writer, middle);
        writer.AppendSegment(second);
        writer.AppendSegment(block.AsMemory(0, 5)); // two references in a row
        WriteOwn(writer, tail);
        expected.AddRange(head);
        expected.AddRange(block.AsSpan(10, 40_000).ToArray());
        expected.AddRange(middle);
        expected.AddRange(second);
        expected.AddRange(block.AsSpan(0, 5).ToArray());
        expected.AddRange(tail);

        Assert.Equal(expected.ToArray(), await SendAndReceiveAsync(writer, expected.Count));
    }

    [Fact]
    public async Task More_blocks_than_one_send_takes_go_out_in_several()
    {
        using var writer = new FrameWriter(16);
        var expected = new List<byte>();
        for (var i = 0; i < 1500; i++)
        {
            var own = Bytes(1 + i % 7, i);
            var block = Bytes(4096 + i, -i);
            WriteOwn(writer, own);
            writer.AppendSegment(block);
            expected.AddRange(own);
            expected.AddRange(block);
        }

        Assert.Equal(expected.ToArray(), await SendAndReceiveAsync(writer, expected.Count));
    }

    [Fact]
    public async Task Truncate_drops_a_half_written_frame_with_its_blocks()
    {
        using var writer = new FrameWriter(16);
        var first = Bytes(20, 1);
        var kept = Bytes(10_000, 2);
        WriteOwn(writer, first);
        writer.AppendSegment(kept);
        var mark = writer.Mark;
        WriteOwn(writer, Bytes(30, 3));
        writer.AppendSegment(Bytes(8000, 4));
        WriteOwn(writer, Bytes(5, 5));
        writer.Truncate(mark);
        var last = Bytes(7, 6);
        WriteOwn(writer, last);

        byte[] expected = [.. first, .. kept, .. last];
        Assert.Equal(expected, await SendAndReceiveAsync(writer, expected.Length));
        writer.Reset();
        Assert.True(writer.IsEmpty);
    }
}
