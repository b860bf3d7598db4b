using Samsa.Broker.Requests;
using Samsa.Protocol;

namespace Samsa.Broker.Apis;

/// <summary>Turns a coordinator task into a response: at once when it is done, else deferred.</summary>
internal static class DeferredResponses
{
    public static ValueTask<ApiResponse> Respond<T>(Task<T> task, Func<T, IKafkaMessage> toResponse)
    {
        if (task.IsCompletedSuccessfully) return ValueTask.FromResult(ApiResponse.Of(toResponse(task.Result)));
        return ValueTask.FromResult(ApiResponse.Later(task.ContinueWith(
            t => ApiResponse.Of(toResponse(t.GetAwaiter().GetResult())),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)));
    }

    /// <summary>Kafka's "/address" form of the client host.</summary>
    public static string ClientHost(RequestContext context) =>
        context.Connection.RemoteAddress is { } address ? "/" + address : "";
}
