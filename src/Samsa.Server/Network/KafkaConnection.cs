using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Requests;
using Samsa.Protocol;

namespace Samsa.Server.Network;

/// <summary>
/// One Kafka client connection. The read loop cuts frames (<see cref="Frame.TryRead"/> with
/// <c>socket.request.max.bytes</c>), copies each into a pooled buffer, parses the header and awaits
/// the handler; handlers run one at a time per connection in request order. The write loop sends
/// responses in request order, waiting for deferred ones, and flushes when nothing else is ready.
/// Reading goes on while responses are pending (pipelining), up to <see cref="MaxInFlight"/>.
/// A bad frame or request closes this connection only, logged once.
/// </summary>
internal sealed class KafkaConnection
{
    /// <summary>Requests read but not yet answered, per connection, before reading pauses.</summary>
    internal const int MaxInFlight = 64;

    private readonly ConnectionContext _context;
    private readonly RequestDispatcher _dispatcher;
    private readonly ConnectionInfo _info;
    private readonly int _maxFrameSize;
    private readonly ILogger _logger;
    private readonly Channel<PendingResponse> _pending =
        Channel.CreateBounded<PendingResponse>(new BoundedChannelOptions(MaxInFlight)
        {
            SingleReader = true,
            SingleWriter = true,
            // An idle write loop answers on the reading thread (no thread-pool hop per response); a
            // loop busy or awaiting a deferred answer picks the response up later as before.
            AllowSynchronousContinuations = true,
        });
    private readonly ClientIdCache _clientIds = new();
    private readonly long _idleMs;
    private int _inFlight;
    private long _lastWriteTicks = Environment.TickCount64;

    public KafkaConnection(ConnectionContext context, RequestDispatcher dispatcher, ConnectionInfo info, int maxFrameSize, long idleMs, ILogger logger)
    {
        _idleMs = idleMs;
        _context = context;
        _dispatcher = dispatcher;
        _info = info;
        _maxFrameSize = maxFrameSize;
        _logger = logger;
    }

    public async Task RunAsync(CancellationToken shutdown)
    {
        // Reading stops on a graceful close request (server shutdown) or when the write side fails;
        // handlers additionally see the connection going away.
        var closeRequested = _context.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var readCts = CancellationTokenSource.CreateLinkedTokenSource(closeRequested, shutdown);
        using var requestsCts = CancellationTokenSource.CreateLinkedTokenSource(readCts.Token, _context.ConnectionClosed);
        var writer = WriteLoopAsync(_context.Transport.Output, readCts);
        try
        {
            await ReadLoopAsync(_context.Transport.Input, readCts.Token, requestsCts.Token);
        }
        catch (OperationCanceledException) when (readCts.IsCancellationRequested || requestsCts.IsCancellationRequested)
        {
            // Shutdown, or the write loop gave up after an error it logged.
        }
        catch (Exception e) when (e is KafkaProtocolException or RejectedRequestException)
        {
            _logger.LogWarning("Closing connection {Connection}: {Reason}", _info, e.Message);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ConnectionAbortedException)
        {
            _logger.LogDebug("Connection {Connection} lost: {Reason}", _info, e.Message);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Closing connection {Connection}: request failed", _info);
        }
        finally
        {
            _pending.Writer.TryComplete();
        }
        await writer;
        await _context.Transport.Input.CompleteAsync();
    }

    private async Task ReadLoopAsync(PipeReader input, CancellationToken readToken, CancellationToken requestToken)
    {
        // connections.max.idle.ms: a connection with nothing received, nothing in flight and
        // nothing sent for that long is closed, as Kafka does.
        var idle = new CancellationTokenSource();
        var readOrIdle = CancellationTokenSource.CreateLinkedTokenSource(readToken, idle.Token);
        try
        {
            while (true)
            {
                if (_idleMs > 0) idle.CancelAfter(TimeSpan.FromMilliseconds(Math.Min(_idleMs, int.MaxValue)));
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(readOrIdle.Token);
                }
                catch (OperationCanceledException) when (idle.IsCancellationRequested && !readToken.IsCancellationRequested)
                {
                    if (Volatile.Read(ref _inFlight) > 0 || Environment.TickCount64 - Volatile.Read(ref _lastWriteTicks) < _idleMs)
                    {
                        // Busy answering: not idle. A fired token cannot be re-armed, so start over.
                        readOrIdle.Dispose();
                        idle.Dispose();
                        idle = new CancellationTokenSource();
                        readOrIdle = CancellationTokenSource.CreateLinkedTokenSource(readToken, idle.Token);
                        continue;
                    }
                    _logger.LogDebug("Closing idle connection {Connection} (connections.max.idle.ms {IdleMs})", _info, _idleMs);
                    return;
                }
                idle.CancelAfter(Timeout.InfiniteTimeSpan);
                var buffer = result.Buffer;
                try
                {
                    while (TryReadFrame(ref buffer, out var frame))
                    {
                        await HandleFrameAsync(frame, requestToken);
                    }
                    if (result.IsCompleted || result.IsCanceled)
                    {
                        if (!buffer.IsEmpty)
                        {
                            _logger.LogWarning("Connection {Connection} closed in the middle of a request ({Bytes} bytes of it received)", _info, buffer.Length);
                        }
                        return;
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        finally
        {
            readOrIdle.Dispose();
            idle.Dispose();
        }
    }

    private bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        try
        {
            return Frame.TryRead(ref buffer, _maxFrameSize, out frame);
        }
        catch (InvalidFrameSizeException e)
        {
            throw new RejectedRequestException($"{e.Message} (socket.request.max.bytes is {_maxFrameSize})", e);
        }
    }

    private async ValueTask HandleFrameAsync(ReadOnlySequence<byte> frame, CancellationToken cancellationToken)
    {
        // Copied out of the pipe so the pipe can move on while this request is pending; the copy
        // is the request's memory (records fields slice it) until its response is written.
        int length = (int)frame.Length;
        byte[] owner = ArrayPool<byte>.Shared.Rent(length);
        bool handedOver = false;
        try
        {
            frame.CopyTo(owner);
            var memory = owner.AsMemory(0, length);
            var header = RequestDispatcher.ReadHeader(memory, _clientIds);
            var context = new RequestContext(_info, (ApiKey)header.ApiKey, header.ApiVersion, header.CorrelationId, header.ClientId, cancellationToken);
            var response = await _dispatcher.DispatchAsync(context, memory[header.BodyOffset..]);
            Interlocked.Increment(ref _inFlight);
            try
            {
                await _pending.Writer.WriteAsync(new PendingResponse(context, response, owner), cancellationToken);
                handedOver = true;
            }
            finally
            {
                if (!handedOver) Interlocked.Decrement(ref _inFlight);
            }
        }
        finally
        {
            if (!handedOver) ArrayPool<byte>.Shared.Return(owner);
        }
    }

    private async Task WriteLoopAsync(PipeWriter output, CancellationTokenSource readCts)
    {
        var reader = _pending.Reader;
        bool unflushed = false;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var pending))
                {
                    try
                    {
                        var response = pending.Response;
                        while (response.Deferred is { } deferred)
                        {
                            if (!deferred.IsCompleted && unflushed)
                            {
                                // Earlier answers must not wait behind a long poll.
                                await output.FlushAsync();
                                unflushed = false;
                            }
                            response = await deferred;
                        }
                        if (response.Message is { } message)
                        {
                            short version = response.Version >= 0 ? response.Version : pending.Context.ApiVersion;
                            RequestDispatcher.WriteResponse(output, pending.Context, message, version);
                            unflushed = true;
                            Volatile.Write(ref _lastWriteTicks, Environment.TickCount64);
                        }
                        response.Resources?.Dispose();
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(pending.Buffer);
                        Interlocked.Decrement(ref _inFlight);
                    }
                }
                if (unflushed)
                {
                    var flush = await output.FlushAsync();
                    unflushed = false;
                    if (flush.IsCompleted)
                    {
                        await readCts.CancelAsync(); // the peer is gone
                        break;
                    }
                }
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Closing connection {Connection}: a response failed", _info);
            await readCts.CancelAsync();
            while (reader.TryRead(out var rest)) ArrayPool<byte>.Shared.Return(rest.Buffer);
        }
        finally
        {
            await output.CompleteAsync();
        }
    }

    private readonly record struct PendingResponse(RequestContext Context, ApiResponse Response, byte[] Buffer);
}
