using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Samsa.Protocol.Messages;

namespace Samsa.Protocol.Tests.RealClients;

/// <summary>
/// Captures what a real client (kcat, i.e. librdkafka) sends to a TCP listener, decodes it with
/// the generated classes and checks that re-encoding gives the same bytes. Answering ApiVersions
/// with a generated response makes kcat go on to send its Metadata request.
/// </summary>
public sealed class KcatCaptureTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private Process? _kcat;

    public KcatCaptureTests() => _listener.Start();

    public void Dispose()
    {
        if (_kcat is { HasExited: false })
            _kcat.Kill(entireProcessTree: true);
        _kcat?.Dispose();
        _listener.Stop();
    }

    private static async Task<byte[]> ReadFrameAsync(NetworkStream stream, CancellationToken ct)
    {
        var prefix = new byte[4];
        await stream.ReadExactlyAsync(prefix, ct);
        int size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        Assert.InRange(size, 0, 1 << 20);
        var frame = new byte[size];
        await stream.ReadExactlyAsync(frame, ct);
        return frame;
    }

    private static byte[] Reencode(RequestHeader header, IKafkaMessage body)
    {
        var output = new ArrayBufferWriter<byte>();
        Frame.WriteRequest(output, header, body);
        return output.WrittenSpan[Frame.SizePrefixLength..].ToArray();
    }

    [Fact]
    public async Task KcatApiVersionsAndMetadataRequestsDecodeAndReencodeByteExact()
    {
        int port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        var start = new ProcessStartInfo("kcat", $"-b 127.0.0.1:{port} -L -m 15")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _kcat = Process.Start(start)!;
        _kcat.OutputDataReceived += (_, _) => { };
        _kcat.ErrorDataReceived += (_, _) => { };
        _kcat.BeginOutputReadLine();
        _kcat.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = await _listener.AcceptTcpClientAsync(deadline.Token);
        var stream = client.GetStream();

        // 1. ApiVersions v3, request header v2.
        byte[] first = await ReadFrameAsync(stream, deadline.Token);
        var reader = new KafkaReader(first);
        var header = Frame.ReadRequestHeader(ref reader);
        Assert.Equal((short)ApiKey.ApiVersions, header.RequestApiKey);
        Assert.Equal(3, header.RequestApiVersion);
        Assert.False(string.IsNullOrEmpty(header.ClientId));
        var apiVersions = ApiVersionsRequest.Read(ref reader, header.RequestApiVersion);
        Assert.True(reader.End);
        Assert.Equal("librdkafka", apiVersions.ClientSoftwareName);
        Assert.Matches(@"^\d+\.\d+\.\d+", apiVersions.ClientSoftwareVersion);
        Assert.Equal(first, Reencode(header, apiVersions));

        // Answer with every API Samsa's schemas know.
        var response = new ApiVersionsResponse { ErrorCode = (short)ErrorCode.None };
        foreach (var range in ApiVersionsTable.All)
        {
            response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion
            {
                ApiKey = (short)range.ApiKey,
                MinVersion = range.MinVersion,
                MaxVersion = range.MaxVersion,
            });
        }
        var output = new ArrayBufferWriter<byte>();
        Frame.WriteResponse(output, header.CorrelationId, ApiKey.ApiVersions, header.RequestApiVersion, response);
        await stream.WriteAsync(output.WrittenMemory, deadline.Token);

        // 2. Metadata, at the newest version both sides know.
        byte[] second = await ReadFrameAsync(stream, deadline.Token);
        reader = new KafkaReader(second);
        var metadataHeader = Frame.ReadRequestHeader(ref reader);
        Assert.Equal((short)ApiKey.Metadata, metadataHeader.RequestApiKey);
        Assert.Equal(header.ClientId, metadataHeader.ClientId);
        Assert.NotEqual(header.CorrelationId, metadataHeader.CorrelationId);
        var metadata = MetadataRequest.Read(ref reader, metadataHeader.RequestApiVersion);
        Assert.True(reader.End);
        Assert.True(metadataHeader.RequestApiVersion >= 4, $"Metadata v{metadataHeader.RequestApiVersion}");
        Assert.Equal(second, Reencode(metadataHeader, metadata));
    }
}
