namespace Samsa.Client.Tests.Integration;

/// <summary>
/// The send half of the fault tests: the producer's records go out while the proxy cuts connections
/// with the given probability, then every record must have been acknowledged (none failed, the first
/// failure named if one did) and the proxy must really have cut some connections.
/// </summary>
internal static class ProduceThroughFaults
{
    /// <summary>The producer both fault tests use: retries quick, requests that time out soon, records that
    /// may wait long enough for many cuts and retries.</summary>
    public static ProducerConfig Config(string bootstrapServers, int batchSize) => new()
    {
        BootstrapServers = bootstrapServers,
        LingerMs = 5,
        BatchSize = batchSize,
        RetryBackoffMs = 20,
        RequestTimeoutMs = 5000,
        DeliveryTimeoutMs = 120000,
    };

    /// <param name="produceAll">Sends every record with the delivery handler it is given.</param>
    public static async Task RunAsync<TKey, TValue>(FaultProxy proxy, double dropProbability, Producer<TKey, TValue> producer,
        Action<Action<DeliveryReport>> produceAll)
    {
        var reports = 0;
        var failures = 0;
        string? firstFailure = null;
        proxy.DropProbability = dropProbability;
        proxy.Faulty = true;
        try
        {
            produceAll(r =>
            {
                Interlocked.Increment(ref reports);
                if (!r.IsSuccess && Interlocked.Increment(ref failures) == 1) firstFailure = $"{r.Metadata.TopicPartition}: {r.Error?.Message}";
            });
            await producer.FlushAsync();
        }
        finally
        {
            proxy.Faulty = false;
        }
        Assert.True(failures == 0, $"{failures} of {reports} records failed (proxy cuts: {proxy.Drops}); the first: {firstFailure}");
        Assert.True(proxy.Drops > 0, "the proxy should have cut some connections");
    }
}
