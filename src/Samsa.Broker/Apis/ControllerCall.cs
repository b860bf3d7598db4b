using Samsa.Metadata.Log;
using Samsa.Protocol;

namespace Samsa.Broker.Apis;

/// <summary>
/// Runs a controller operation for an admin handler and turns "the controller cannot take writes
/// now" (no leader yet, or this node is not the leader) into a per-item Kafka error instead of a
/// closed connection, so clients retry as they do against Kafka.
/// </summary>
internal static class ControllerCall
{
    public static async Task<IReadOnlyList<TResult>> Run<TItem, TResult>(
        Func<Task<IReadOnlyList<TResult>>> call,
        IReadOnlyList<TItem> items,
        Func<TItem, ErrorCode, string, TResult> failed)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (NotControllerException e)
        {
            return Fail(items, failed, ErrorCode.NotController, e.Message);
        }
        catch (TimeoutException e)
        {
            return Fail(items, failed, ErrorCode.RequestTimedOut, e.Message);
        }
    }

    private static List<TResult> Fail<TItem, TResult>(IReadOnlyList<TItem> items, Func<TItem, ErrorCode, string, TResult> failed, ErrorCode error, string message)
    {
        var results = new List<TResult>(items.Count);
        foreach (TItem item in items)
        {
            results.Add(failed(item, error, message));
        }
        return results;
    }
}
