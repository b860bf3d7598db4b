using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Network;

/// <summary>
/// One TCP connection to one broker. Requests are pipelined: each gets a correlation id and a
/// pending entry, frames go out under a write lock, and a read loop matches responses by
/// correlation id. After connecting it negotiates versions with ApiVersions and afterwards picks,
/// per API, the highest version both sides support. A request unanswered for request.timeout.ms
/// fails the connection (and with it every outstanding request), as Kafka's clients do.
/// The connection owns one thread that connects and then reads with blocking receives, and the
/// socket is only ever used synchronously: an asynchronous operation would switch it to
/// non-blocking mode for good, and then every answer cost an epoll wake-up plus a thread-pool hop
/// (and the pool's spinning) before anyone handled it. One network thread per broker, as librdkafka has.
/// </summary>
internal sealed class BrokerConnection : IAsyncDisposable
{
    private const int MaxResponseSize = 256 * 1024 * 1024;

    private readonly ConcurrentDictionary<int, Pending> _pending = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    // Frames not yet written; produce requests reference their record batches from it rather than copying them.
    private readonly FrameWriter _frame = new(4096);
    private readonly string _clientId;
    private readonly TimeSpan _requestTimeout;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closed = new();
    private Socket? _socket;
    private NetworkStream? _stream;
    private readonly TaskCompletionSource _readLoopDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private Timer? _timeoutTimer;
    private int _correlationId;
    private Dictionary<ApiKey, (short Min, short Max)> _brokerVersions = [];
    private Exception? _failure;

    public BrokerConnection(int nodeId, string host, int port, string clientId, int requestTimeoutMs, ILogger logger)
    {
        NodeId = nodeId;
        Host = host;
        Port = port;
        _clientId = clientId;
        _requestTimeout = TimeSpan.FromMilliseconds(requestTimeoutMs);
        _logger = logger;
    }

    public int NodeId { get; }
    public string Host { get; }
    public int Port { get; }

    public int InFlight => _pending.Count;

    public bool IsAlive => _failure is null && _socket is not null && !_closed.IsCancellationRequested;

    /// <summary>Opens the socket and negotiates API versions.</summary>
    public async Task ConnectAsync(int setupTimeoutMs, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(setupTimeoutMs);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The connection's thread connects with a blocking call (ConnectAsync would make the socket
        // non-blocking for good); a timeout or cancellation disposes the socket, which aborts it.
        _thread = new Thread(() => Run(socket, connected))
        {
            IsBackground = true,
            Name = $"samsa-broker-{NodeId}",
        };
        _thread.Start();
        try
        {
            await connected.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new KafkaNetworkException($"Cannot connect to broker {NodeId} at {Host}:{Port}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _timeoutTimer = new Timer(static s => ((BrokerConnection)s!).CheckTimeouts(), this, 1000, 1000);
        try
        {
            await NegotiateAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // A Kafka error, so callers retry another time or broker as for any connection failure.
            throw new KafkaTimeoutException($"Broker {NodeId} at {Host}:{Port} did not answer ApiVersions within socket.connection.setup.timeout.ms ({setupTimeoutMs} ms).", e);
        }
    }

    /// <summary>The connection's thread: connects, then reads answers until the connection fails.</summary>
    private void Run(Socket socket, TaskCompletionSource connected)
    {
        try
        {
            try
            {
                socket.Connect(Host, Port);
            }
            catch (Exception e)
            {
                socket.Dispose();
                connected.TrySetException(e);
                return;
            }
            _stream = new NetworkStream(socket, ownsSocket: true);
            _socket = socket;
            if (!connected.TrySetResult())
            {
                // Timed out or cancelled while connecting: ConnectAsync has already given up on it.
                _stream.Dispose();
                return;
            }
            ReadLoop(_stream);
        }
        finally
        {
            _readLoopDone.TrySetResult();
        }
    }

    private async Task NegotiateAsync(CancellationToken cancellationToken)
    {
        var version = ApiVersionsRequest.HighestSupportedVersion;
        var request = new ApiVersionsRequest { ClientSoftwareName = "samsa-dotnet", ClientSoftwareVersion = "1.0.0" };
        var response = await SendAsync<ApiVersionsRequest, ApiVersionsResponse>(request, version, cancellationToken).ConfigureAwait(false);
        if ((ErrorCode)response.ErrorCode == ErrorCode.UnsupportedVersion)
        {
            // The broker answered in version 0 with what it supports; retry with its highest.
            short theirs = 0;
            foreach (var k in response.ApiKeys)
            {
                if (k.ApiKey == (short)ApiKey.ApiVersions) theirs = k.MaxVersion;
            }
            version = Math.Min(theirs, version);
            response = await SendAsync<ApiVersionsRequest, ApiVersionsResponse>(request, version, cancellationToken).ConfigureAwait(false);
        }
        if ((ErrorCode)response.ErrorCode != ErrorCode.None)
            throw KafkaException.FromErrorCode((ErrorCode)response.ErrorCode, $"ApiVersions from broker {NodeId}");
        var versions = new Dictionary<ApiKey, (short, short)>();
        foreach (var k in response.ApiKeys) versions[(ApiKey)k.ApiKey] = (k.MinVersion, k.MaxVersion);
        _brokerVersions = versions;
    }

    /// <summary>
    /// The highest version of <paramref name="apiKey"/> both sides support, capped at
    /// <paramref name="clientMax"/> (the newest version whose semantics this client implements).
    /// </summary>
    public short PickVersion(ApiKey apiKey, short clientMax)
    {
        if (!ApiVersionsTable.TryGetRange(apiKey, out var ours))
            throw new KafkaException(ErrorCode.UnsupportedVersion, $"{apiKey} is not known to this client.");
        if (!_brokerVersions.TryGetValue(apiKey, out var theirs))
            throw new KafkaException(ErrorCode.UnsupportedVersion, $"Broker {NodeId} does not support {apiKey}.");
        var max = Math.Min(Math.Min(ours.MaxVersion, clientMax), theirs.Max);
        var min = Math.Max(ours.MinVersion, theirs.Min);
        if (max < min)
            throw new KafkaException(ErrorCode.UnsupportedVersion,
                $"No common version of {apiKey}: broker {NodeId} supports {theirs.Min}-{theirs.Max}, this client {ours.MinVersion}-{Math.Min(ours.MaxVersion, clientMax)}.");
        return (short)max;
    }

    public bool Supports(ApiKey apiKey) => _brokerVersions.ContainsKey(apiKey);

    /// <summary>
    /// Called on the read loop once it has handled every answer that came with a receive and at
    /// least one of them went to an <see cref="IResponseHandler"/>, before it waits for more: the
    /// producer sends what those answers made room for here, in one go, instead of once per answer.
    /// </summary>
    public Action? AnswersHandled { get; set; }

    /// <summary>
    /// Sends a request and parses its response. <paramref name="timeout"/> replaces request.timeout.ms
    /// for requests the broker holds on purpose (JoinGroup waits for the whole group).
    /// </summary>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(TRequest request, short version, CancellationToken cancellationToken,
        TimeSpan? timeout = null)
        where TRequest : class, IKafkaApiMessage<TRequest>
        where TResponse : class, IKafkaApiMessage<TResponse>
    {
        var body = await SendRawAsync(TRequest.ApiKey, request, version, expectResponse: true, timeout ?? _requestTimeout, cancellationToken).ConfigureAwait(false);
        return ParseResponse<TResponse>(TRequest.ApiKey, body, version);
    }

    /// <summary>A response body (after the correlation id) as <typeparamref name="TResponse"/>.</summary>
    public static TResponse ParseResponse<TResponse>(ApiKey apiKey, ReadOnlyMemory<byte> body, short version)
        where TResponse : class, IKafkaApiMessage<TResponse>
    {
        var reader = new KafkaReader(body);
        if (ApiVersionsTable.ResponseHeaderVersion(apiKey, version) >= 1) SkipTaggedFields(ref reader);
        return TResponse.Read(ref reader, version);
    }

    /// <summary>
    /// Sends a request from a thread that may block (the producer's sender) and hands the response body,
    /// or the connection's failure, to <paramref name="handler"/> on the read loop: no task, no thread
    /// hop per response. The handler must be short and must not throw. With <paramref name="flush"/>
    /// false the frame stays in the connection's buffer until <see cref="Flush"/> (or the next
    /// flushed request), so several requests leave in one send.
    /// </summary>
    public void Send<TRequest>(TRequest request, short version, IResponseHandler handler, bool flush = true)
        where TRequest : class, IKafkaApiMessage<TRequest>
    {
        if (_failure is { } failure)
        {
            handler.OnFailure(new KafkaNetworkException($"Connection to broker {NodeId} failed: {failure.Message}", failure));
            return;
        }
        var socket = _socket ?? throw new InvalidOperationException("Not connected.");
        var pending = new Pending(TRequest.ApiKey, DateTime.UtcNow + _requestTimeout, handler);
        Exception? failed = null;
        _writeLock.Wait();
        try
        {
            var correlationId = ++_correlationId;
            AddPending(correlationId, pending);
            WriteFrameOrUndo(TRequest.ApiKey, version, correlationId, request);
            if (flush)
            {
                _frame.SendTo(socket);
                _frame.Reset();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            failed = e;
        }
        finally
        {
            _writeLock.Release();
        }
        // Fail completes every pending request, this one included; outside the lock, which it takes itself.
        if (failed is not null) Fail(new KafkaNetworkException($"Sending {TRequest.ApiKey} to broker {NodeId} failed: {failed.Message}", failed));
    }

    /// <summary>Writes the frames that <see cref="Send{TRequest}"/> left in the buffer.</summary>
    public void Flush()
    {
        if (_failure is not null) return;
        try
        {
            _writeLock.Wait();
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        Exception? failed = null;
        try
        {
            if (_frame.IsEmpty || _failure is not null) return;
            var socket = _socket ?? throw new InvalidOperationException("Not connected.");
            _frame.SendTo(socket);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            failed = e;
        }
        finally
        {
            _frame.Reset();
            _writeLock.Release();
        }
        if (failed is not null) Fail(new KafkaNetworkException($"Sending to broker {NodeId} failed: {failed.Message}", failed));
    }

    /// <summary>Sends a request the broker does not answer (Produce with acks=0).</summary>
    public Task SendWithoutResponseAsync<TRequest>(TRequest request, short version, CancellationToken cancellationToken)
        where TRequest : class, IKafkaApiMessage<TRequest> =>
        SendRawAsync(TRequest.ApiKey, request, version, expectResponse: false, _requestTimeout, cancellationToken);

    private static void SkipTaggedFields(ref KafkaReader reader)
    {
        var count = reader.ReadTaggedFieldCount();
        for (var i = 0; i < count; i++) reader.ReadTaggedField(out _);
    }

    private async Task<ReadOnlyMemory<byte>> SendRawAsync(ApiKey apiKey, IKafkaMessage request, short version, bool expectResponse,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_failure is { } failure) throw new KafkaNetworkException($"Connection to broker {NodeId} failed: {failure.Message}", failure);
        var socket = _socket ?? throw new InvalidOperationException("Not connected.");
        var pending = expectResponse ? new Pending(apiKey, DateTime.UtcNow + timeout) : null;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        int correlationId;
        Exception? failed = null;
        try
        {
            correlationId = ++_correlationId;
            if (pending is not null) AddPending(correlationId, pending);
            WriteFrameOrUndo(apiKey, version, correlationId, request);
            // Synchronous on purpose (see the class summary); a full send buffer blocks this caller only.
            // Frames that Send left in the buffer go first, in order.
            _frame.SendTo(socket);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            failed = e;
            correlationId = 0;
        }
        finally
        {
            _frame.Reset();
            _writeLock.Release();
        }
        if (failed is not null)
        {
            var error = new KafkaNetworkException($"Sending {apiKey} to broker {NodeId} failed: {failed.Message}", failed);
            Fail(error);
            throw error;
        }
        if (pending is null) return ReadOnlyMemory<byte>.Empty;
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static s =>
            {
                var (self, id) = ((BrokerConnection, int))s!;
                if (self._pending.TryRemove(id, out var p)) p.Completion!.TrySetCanceled();
            }, (this, correlationId))
            : default;
        return await pending.Completion!.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Registers a request awaiting its answer. <see cref="Fail"/> sets the failure before it fails
    /// the pending requests, so a request registered after that sweep sees the failure here and is
    /// failed now; without this check it would wait forever (the timeout timer is gone too).
    /// </summary>
    /// <exception cref="IOException">the connection has failed.</exception>
    private void AddPending(int correlationId, Pending pending)
    {
        _pending[correlationId] = pending;
        // Caught as a send failure by the callers, whose Fail call then fails this request too.
        if (Volatile.Read(ref _failure) is { } failure) throw new IOException(failure.Message, failure);
    }

    /// <summary>
    /// Appends one request frame; when writing it throws (a field the version cannot carry), the
    /// half-written frame and its pending entry are taken back, so the frames around it stay intact.
    /// </summary>
    private void WriteFrameOrUndo(ApiKey apiKey, short version, int correlationId, IKafkaMessage request)
    {
        var mark = _frame.Mark;
        try
        {
            WriteFrame(apiKey, version, correlationId, request);
        }
        catch
        {
            _frame.Truncate(mark);
            _pending.TryRemove(correlationId, out _);
            throw;
        }
    }

    private void WriteFrame(ApiKey apiKey, short version, int correlationId, IKafkaMessage request)
    {
        var headerVersion = ApiVersionsTable.RequestHeaderVersion(apiKey, version);
        var clientIdLength = Encoding.UTF8.GetByteCount(_clientId);
        var headerSize = 2 + 2 + 4 + (headerVersion >= 1 ? 2 + clientIdLength : 0) + (headerVersion >= 2 ? 1 : 0);
        var size = headerSize + request.Size(version);
        var span = _frame.GetSpan(4 + headerSize);
        BinaryPrimitives.WriteInt32BigEndian(span, size);
        BinaryPrimitives.WriteInt16BigEndian(span[4..], (short)apiKey);
        BinaryPrimitives.WriteInt16BigEndian(span[6..], version);
        BinaryPrimitives.WriteInt32BigEndian(span[8..], correlationId);
        var pos = 12;
        if (headerVersion >= 1)
        {
            // The client id stays a classic int16-length string even in flexible headers.
            BinaryPrimitives.WriteInt16BigEndian(span[pos..], (short)clientIdLength);
            pos += 2 + Encoding.UTF8.GetBytes(_clientId, span[(pos + 2)..]);
        }
        if (headerVersion >= 2) span[pos++] = 0; // no tagged fields
        _frame.Advance(pos);
        request.Write(_frame, version);
    }

    private void ReadLoop(NetworkStream stream)
    {
        // Responses are read through one buffer, so pipelined small answers (produce acks) cost one
        // receive for several; a frame larger than what is buffered is read straight into its array.
        var buffer = new byte[64 * 1024];
        int start = 0, end = 0;
        var handled = false;
        try
        {
            while (!_closed.IsCancellationRequested)
            {
                while (end - start < 4)
                {
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }
                    var n = stream.Read(buffer.AsSpan(end));
                    if (n == 0) throw new EndOfStreamException("The broker closed the connection.");
                    end += n;
                }
                var size = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(start));
                if (size < 4 || size > MaxResponseSize)
                    throw new KafkaProtocolException($"Broker {NodeId} sent a response frame of {size} bytes.");
                start += 4;
                var frame = new byte[size];
                var buffered = Math.Min(end - start, size);
                Buffer.BlockCopy(buffer, start, frame, 0, buffered);
                start += buffered;
                if (start == end) start = end = 0;
                if (buffered < size) stream.ReadExactly(frame.AsSpan(buffered));
                var correlationId = BinaryPrimitives.ReadInt32BigEndian(frame);
                if (_pending.TryRemove(correlationId, out var pending))
                {
                    pending.Complete(frame.AsMemory(4), _logger);
                    handled |= pending.HasHandler;
                }
                else
                {
                    _logger.LogDebug("Broker {NodeId} answered unknown correlation id {CorrelationId}.", NodeId, correlationId);
                }
                if (handled && !FrameBuffered(buffer, start, end))
                {
                    handled = false;
                    RunAnswersHandled();
                }
            }
        }
        catch (Exception e)
        {
            Fail(e is KafkaException ? e : new KafkaNetworkException($"Connection to broker {NodeId} ({Host}:{Port}) closed: {e.Message}", e));
        }
    }

    /// <summary>True when the buffer holds another whole frame (size prefix included).</summary>
    private static bool FrameBuffered(byte[] buffer, int start, int end) =>
        end - start >= 4 && end - start - 4 >= BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(start));

    private void RunAnswersHandled()
    {
        try
        {
            AnswersHandled?.Invoke();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Handling the answers of broker {NodeId} failed.", NodeId);
        }
    }

    private void CheckTimeouts()
    {
        var now = DateTime.UtcNow;
        foreach (var (_, p) in _pending)
        {
            if (now > p.Deadline)
            {
                Fail(new KafkaTimeoutException($"{p.ApiKey} to broker {NodeId} got no response in time (request.timeout.ms is {_requestTimeout.TotalMilliseconds} ms)."));
                return;
            }
        }
    }

    private void Fail(Exception error)
    {
        Interlocked.CompareExchange(ref _failure, error, null);
        if (!_closed.IsCancellationRequested)
        {
            try { _closed.Cancel(); } catch (ObjectDisposedException) { }
        }
        // Shutdown first: it wakes the connection's thread out of a blocking receive for certain,
        // where closing the handle alone is not guaranteed to on every platform.
        try { _socket?.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        try { _socket?.Dispose(); } catch (ObjectDisposedException) { }
        _timeoutTimer?.Dispose();
        DiscardUnsentFrames();
        var failure = _failure!;
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var p))
            {
                p.Fail(failure as KafkaException
                    ?? new KafkaNetworkException($"Connection to broker {NodeId} failed: {failure.Message}", failure), _logger);
            }
        }
    }

    /// <summary>
    /// Drops the frames not yet written, once no write is under way (the socket is shut down, so a
    /// blocked one ends now). They may reference record batches that failing the pending requests
    /// hands back to the producer, for a retry (which rewrites the batch header) or to the buffer
    /// pool; from here on no write can read those bytes any more. Never called under the write lock:
    /// the send paths release it before they call <see cref="Fail"/>.
    /// </summary>
    private void DiscardUnsentFrames()
    {
        _writeLock.Wait();
        try
        {
            _frame.Reset();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new KafkaNetworkException($"Connection to broker {NodeId} was closed by the client."));
        // Not while connecting: a blocking name lookup cannot be aborted, and the thread ends on its own.
        if (_socket is not null) await _readLoopDone.Task.ConfigureAwait(false);
        _stream?.Dispose();
        // The lock is released again and not disposed: a sender that got past the failure check
        // just before Fail still takes it, then fails its request (and Fail takes it once more).
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _frame.Dispose();
        }
        finally
        {
            _writeLock.Release();
        }
        _closed.Dispose();
    }

    /// <summary>One request awaiting its answer: a task for async callers, or a handler run on the read loop.</summary>
    private sealed class Pending
    {
        private readonly IResponseHandler? _handler;

        public Pending(ApiKey apiKey, DateTime deadline)
        {
            ApiKey = apiKey;
            Deadline = deadline;
            Completion = new TaskCompletionSource<ReadOnlyMemory<byte>>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public Pending(ApiKey apiKey, DateTime deadline, IResponseHandler handler)
        {
            ApiKey = apiKey;
            Deadline = deadline;
            _handler = handler;
        }

        public ApiKey ApiKey { get; }
        public DateTime Deadline { get; }
        public bool HasHandler => _handler is not null;
        public TaskCompletionSource<ReadOnlyMemory<byte>>? Completion { get; }

        public void Complete(ReadOnlyMemory<byte> body, ILogger logger)
        {
            if (_handler is null)
            {
                Completion!.TrySetResult(body);
                return;
            }
            try
            {
                _handler.OnResponse(body);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Handling a {ApiKey} response failed.", ApiKey);
            }
        }

        public void Fail(KafkaException error, ILogger logger)
        {
            if (_handler is null)
            {
                Completion!.TrySetException(error);
                return;
            }
            try
            {
                _handler.OnFailure(error);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Handling a failed {ApiKey} request failed.", ApiKey);
            }
        }
    }
}

/// <summary>Receives one response body (or the failure of its request) on the connection's read loop.</summary>
internal interface IResponseHandler
{
    void OnResponse(ReadOnlyMemory<byte> body);

    void OnFailure(KafkaException error);
}
