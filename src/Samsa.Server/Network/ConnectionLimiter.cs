using System.Collections.Concurrent;
using System.Net;
using Samsa.Broker.Config;

namespace Samsa.Server.Network;

/// <summary>
/// Enforces <c>max.connections</c> (all Kafka listeners together) and <c>max.connections.per.ip</c>.
/// Thread-safe; a connection over a limit is closed right after accept.
/// </summary>
public sealed class ConnectionLimiter
{
    private readonly int _max;
    private readonly int _maxPerIp;
    private readonly ConcurrentDictionary<IPAddress, int> _perIp = new();
    private int _count;

    public ConnectionLimiter(BrokerConfig config)
    {
        _max = config.MaxConnections;
        _maxPerIp = config.MaxConnectionsPerIp;
    }

    /// <summary>Connections currently open.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Takes a slot; false (and nothing taken) when a limit is reached, with the reason.</summary>
    public bool TryAcquire(IPAddress? address, out string? reason)
    {
        if (Interlocked.Increment(ref _count) > _max)
        {
            Interlocked.Decrement(ref _count);
            reason = $"max.connections ({_max}) reached";
            return false;
        }
        if (address is not null && _maxPerIp != int.MaxValue)
        {
            int n = _perIp.AddOrUpdate(address, 1, (_, c) => c + 1);
            if (n > _maxPerIp)
            {
                ReleaseIp(address);
                Interlocked.Decrement(ref _count);
                reason = $"max.connections.per.ip ({_maxPerIp}) reached for {address}";
                return false;
            }
        }
        reason = null;
        return true;
    }

    public void Release(IPAddress? address)
    {
        if (address is not null && _maxPerIp != int.MaxValue) ReleaseIp(address);
        Interlocked.Decrement(ref _count);
    }

    private void ReleaseIp(IPAddress address)
    {
        while (true)
        {
            if (!_perIp.TryGetValue(address, out int c)) return;
            if (c <= 1)
            {
                if (_perIp.TryRemove(new KeyValuePair<IPAddress, int>(address, c))) return;
            }
            else if (_perIp.TryUpdate(address, c - 1, c))
            {
                return;
            }
        }
    }
}
