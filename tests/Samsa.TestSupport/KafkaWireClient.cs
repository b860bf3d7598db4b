using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Samsa.Protocol;

namespace Samsa.TestSupport;

/// <summary>
/// A bare Kafka connection for protocol-level tests: sends generated requests (or raw bytes, for
/// bad-input tests) and reads response frames. One request/response at a time unless the test
/// pipelines on purpose. Not a client library: no retries, no metadata.
/// </summary>
public sealed class KafkaWireClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private int _nextCorrelationId = 1;

    private KafkaWireClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<KafkaWireClient> ConnectAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(host, port, cancellationToken);
        return new KafkaWireClient(tcp);
    }

    public static Task<KafkaWireClient> ConnectAsync(SamsaProcess node, CancellationToken cancellationToken = default) =>
        ConnectAsync("127.0.0.1", node.Port, cancellationToken);

    /// <summary>Writes bytes as they are (no framing).</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        await _stream.WriteAsync(bytes, cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>A complete request frame: size, header (version chosen from the API and version), body.</summary>
    public static byte[] EncodeRequest(IKafkaMessage request, ApiKey apiKey, short version, int correlationId, string? clientId = "samsa-test")
    {
        var body = new ArrayBufferWriter<byte>();
        request.Write(body, version);
        return EncodeFrame((short)apiKey, version, correlationId, clientId, ApiVersionsTable.RequestHeaderVersion(apiKey, version) >= 2, body.WrittenSpan);
    }

    /// <summary>A request frame with any key/version (also ones no schema knows) and a raw body.</summary>
    public static byte[] EncodeFrame(short apiKey, short version, int correlationId, string? clientId, bool flexibleHeader, ReadOnlySpan<byte> body)
    {
        var output = new ArrayBufferWriter<byte>();
        var header = output.GetSpan(8);
        BinaryPrimitives.WriteInt16BigEndian(header, apiKey);
        BinaryPrimitives.WriteInt16BigEndian(header[2..], version);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], correlationId);
        output.Advance(8);
        if (clientId is null)
        {
            BinaryPrimitives.WriteInt16BigEndian(output.GetSpan(2), -1);
            output.Advance(2);
        }
        else
        {
            var bytes = Encoding.UTF8.GetBytes(clientId);
            BinaryPrimitives.WriteInt16BigEndian(output.GetSpan(2), (short)bytes.Length);
            output.Advance(2);
            output.Write(bytes);
        }
        if (flexibleHeader) output.Write([(byte)0]);
        output.Write(body);

        var frame = new byte[4 + output.WrittenCount];
        BinaryPrimitives.WriteInt32BigEndian(frame, output.WrittenCount);
        output.WrittenSpan.CopyTo(frame.AsSpan(4));
        return frame;
    }

    /// <summary>Sends a request; returns its correlation id.</summary>
    public async Task<int> SendAsync<TRequest>(TRequest request, short version, string? clientId = "samsa-test", CancellationToken cancellationToken = default)
        where TRequest : class, IKafkaApiMessage<TRequest>
    {
        int correlationId = _nextCorrelationId++;
        await SendRawAsync(EncodeRequest(request, TRequest.ApiKey, version, correlationId, clientId), cancellationToken);
        return correlationId;
    }

    /// <summary>Reads one response frame (without its size prefix); null when the broker closed the connection.</summary>
    public async Task<byte[]?> ReadFrameAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var size = new byte[4];
        if (!await ReadExactlyOrEndAsync(size, cts.Token)) return null;
        int length = BinaryPrimitives.ReadInt32BigEndian(size);
        var frame = new byte[length];
        if (!await ReadExactlyOrEndAsync(frame, cts.Token)) return null;
        return frame;
    }

    /// <summary>Reads one response of the given API and version; returns its correlation id and body.</summary>
    public async Task<(int CorrelationId, TResponse Response)> ReceiveAsync<TResponse>(short version, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TResponse : class, IKafkaApiMessage<TResponse>
    {
        var frame = await ReadFrameAsync(timeout ?? TimeSpan.FromSeconds(10), cancellationToken)
            ?? throw new IOException("The broker closed the connection instead of answering.");
        var reader = new KafkaReader(frame);
        int correlationId = reader.ReadInt32();
        if (ApiVersionsTable.ResponseHeaderVersion(TResponse.ApiKey, version) >= 1)
        {
            int tagged = reader.ReadTaggedFieldCount();
            for (int i = 0; i < tagged; i++) reader.ReadTaggedField(out _);
        }
        return (correlationId, TResponse.Read(ref reader, version));
    }

    /// <summary>Sends a request and reads its response (checking the correlation id).</summary>
    public async Task<TResponse> RoundTripAsync<TRequest, TResponse>(TRequest request, short version, CancellationToken cancellationToken = default)
        where TRequest : class, IKafkaApiMessage<TRequest>
        where TResponse : class, IKafkaApiMessage<TResponse>
    {
        int correlationId = await SendAsync(request, version, cancellationToken: cancellationToken);
        var (received, response) = await ReceiveAsync<TResponse>(version, cancellationToken: cancellationToken);
        if (received != correlationId) throw new InvalidDataException($"correlation id {received}, expected {correlationId}");
        return response;
    }

    /// <summary>True when the broker closes the connection within the timeout (any bytes sent meanwhile are skipped).</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int n = await _stream.ReadAsync(buffer, cts.Token);
                if (n == 0) return true;
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true; // reset by the peer
        }
    }

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            }
            catch (IOException)
            {
                return false;
            }
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
