using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Network;
using Samsa.Client.Tests.Fakes;
using Samsa.Protocol.Messages;
using Samsa.TestSupport;

namespace Samsa.Client.Tests.Network;

/// <summary>
/// The connection's own thread: it connects with a blocking call and reads with blocking receives,
/// so setup failures, timeouts and disposal must still end it and report clear errors.
/// </summary>
public sealed class BrokerConnectionTests
{
    [Fact]
    public async Task Connecting_to_a_port_nobody_listens_on_fails_with_a_network_error()
    {
        int port = FreePort.Next();
        var connection = new BrokerConnection(1, "127.0.0.1", port, "test", 30_000, NullLogger.Instance);
        var e = await Assert.ThrowsAsync<KafkaNetworkException>(() => connection.ConnectAsync(10_000, CancellationToken.None));
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.False(connection.IsAlive);
        await connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_connect_that_never_completes_is_abandoned_at_the_setup_timeout()
    {
        // A listener whose accept queue is full drops further SYNs (Linux), so a blocking connect
        // to it hangs: the setup timeout must still end it, by disposing the socket.
        using var listener = LoopbackListener.Open(1, out var port);
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                try { filler.Connect(IPAddress.Loopback, port); } catch (SocketException) { }
                fillers.Add(filler);
            }
            var connection = new BrokerConnection(1, "127.0.0.1", port, "test", 30_000, NullLogger.Instance);
            var e = await Assert.ThrowsAnyAsync<Exception>(() => connection.ConnectAsync(500, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.True(e is KafkaNetworkException or OperationCanceledException, e.ToString());
            await connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.False(connection.IsAlive);
        }
        finally
        {
            foreach (var f in fillers) f.Dispose();
        }
    }

    [Fact]
    public async Task A_listener_that_never_answers_fails_the_setup_at_its_timeout_and_dispose_ends_the_reader()
    {
        // The kernel accepts the connection (backlog) but nobody ever answers ApiVersions.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var connection = new BrokerConnection(1, "127.0.0.1", port, "test", 30_000, NullLogger.Instance);
        var e = await Assert.ThrowsAsync<KafkaTimeoutException>(() => connection.ConnectAsync(300, CancellationToken.None));
        Assert.Contains("socket.connection.setup.timeout.ms (300 ms)", e.Message, StringComparison.Ordinal);
        // The reader is blocked in a receive; disposing must end it.
        await connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(connection.IsAlive);
    }

    [Fact]
    public async Task A_broker_closing_each_connection_at_once_fails_the_setup_with_a_network_error()
    {
        // Whichever comes first, the closed connection or the ApiVersions request, the setup fails
        // with a network error and does not wait for the setup timeout. Many attempts, so both
        // orders occur.
        using var listener = LoopbackListener.Open(64, out var port);
        using var stop = new CancellationTokenSource();
        var closer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Socket accepted;
                try { accepted = await listener.AcceptAsync(stop.Token); }
                catch (OperationCanceledException) { return; }
                accepted.Dispose();
            }
        });
        for (var i = 0; i < 100; i++)
        {
            var connection = new BrokerConnection(1, "127.0.0.1", port, "test", 30_000, NullLogger.Instance);
            var e = await Assert.ThrowsAsync<KafkaNetworkException>(() => connection.ConnectAsync(20_000, CancellationToken.None));
            Assert.False(connection.IsAlive, e.ToString());
            await connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }
        await stop.CancelAsync();
        await closer;
    }

    [Fact]
    public async Task Requests_are_answered_in_order_and_dispose_fails_what_is_still_pending()
    {
        await using var broker = new FakeKafkaBroker();
        broker.CreateTopic("t", 1);
        var connection = new BrokerConnection(-1, "127.0.0.1", broker.Port, "test", 30_000, NullLogger.Instance);
        await connection.ConnectAsync(10_000, CancellationToken.None);
        Assert.True(connection.IsAlive);
        var version = connection.PickVersion(Samsa.Protocol.ApiKey.Metadata, 12);
        var answers = new List<Task<MetadataResponse>>();
        for (var i = 0; i < 20; i++)
        {
            answers.Add(connection.SendAsync<MetadataRequest, MetadataResponse>(
                new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "t" }] }, version, CancellationToken.None));
        }
        foreach (var a in answers)
        {
            var response = await a.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("t", Assert.Single(response.Topics).Name);
        }
        await connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(connection.IsAlive);
        await Assert.ThrowsAsync<KafkaNetworkException>(() => connection.SendAsync<MetadataRequest, MetadataResponse>(
            new MetadataRequest { Topics = [] }, version, CancellationToken.None));
    }
    [Fact]
    public async Task Unflushed_requests_leave_on_flush_and_the_answers_hook_runs_after_their_handlers()
    {
        await using var broker = new FakeKafkaBroker();
        broker.CreateTopic("t", 1);
        var connection = new BrokerConnection(-1, "127.0.0.1", broker.Port, "test", 30_000, NullLogger.Instance);
        await connection.ConnectAsync(10_000, CancellationToken.None);
        var events = new ConcurrentQueue<string>();
        connection.AnswersHandled = () => events.Enqueue("handled");
        var version = connection.PickVersion(Samsa.Protocol.ApiKey.Metadata, 12);
        var answered = new CountdownEvent(3);
        for (var i = 0; i < 3; i++)
        {
            connection.Send(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "t" }] }, version,
                new RecordingHandler(events, $"answer {i}", answered), flush: false);
        }
        Assert.Equal(3, connection.InFlight);
        connection.Flush();
        Assert.True(answered.Wait(TimeSpan.FromSeconds(10)));
        var until = DateTime.UtcNow.AddSeconds(10);
        while (events.LastOrDefault() != "handled" && DateTime.UtcNow < until) Thread.Yield();
        var seen = events.ToArray();
        Assert.Equal(["answer 0", "answer 1", "answer 2"], seen.Where(e => e != "handled"));
        Assert.Equal("handled", seen[^1]);
        Assert.InRange(seen.Count(e => e == "handled"), 1, 3);
        await connection.DisposeAsync();
    }

    private sealed class RecordingHandler(ConcurrentQueue<string> events, string name, CountdownEvent answered) : IResponseHandler
    {
        public void OnResponse(ReadOnlyMemory<byte> body)
        {
            events.Enqueue(name);
            answered.Signal();
        }

        public void OnFailure(KafkaException error)
        {
            events.Enqueue($"{name} failed: {error.Message}");
            answered.Signal();
        }
    }
}
