using Samsa.Protocol;

namespace Samsa.Metadata.Controller;

/// <summary>
/// Hands out producer ids on a broker (InitProducerId) from blocks the controller allocates in the
/// metadata log; fetches the next block when the current one is used up. Thread-safe.
/// </summary>
public sealed class ProducerIdManager(Func<CancellationToken, Task<(ErrorCode Error, ProducerIdBlock Block)>> allocateBlock) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private ProducerIdBlock block;
    private long next = -1;

    /// <summary>The next unused producer id, or the error of the block allocation (e.g. NOT_CONTROLLER).</summary>
    public async ValueTask<(ErrorCode Error, long ProducerId)> NextAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (next < 0 || next > block.LastProducerId)
            {
                var (error, newBlock) = await allocateBlock(cancellationToken).ConfigureAwait(false);
                if (error != ErrorCode.None)
                    return (error, -1);
                block = newBlock;
                next = newBlock.FirstProducerId;
            }

            return (ErrorCode.None, next++);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}
