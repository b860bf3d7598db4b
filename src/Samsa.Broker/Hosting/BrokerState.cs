namespace Samsa.Broker.Hosting;

/// <summary>Where the broker is in its life; /health reports it.</summary>
public enum BrokerLifecycle
{
    Starting,
    Running,
    ShuttingDown,
    Stopped,
}

/// <summary>The broker's lifecycle state and, while starting, which component is loading. Thread-safe.</summary>
public sealed class BrokerState
{
    private volatile string _detail = "";
    private volatile int _state;

    public BrokerLifecycle Lifecycle => (BrokerLifecycle)_state;

    /// <summary>The component being started (while Starting), else empty.</summary>
    public string Detail => _detail;

    /// <summary>Ready for clients: everything loaded, listeners open, not shutting down.</summary>
    public bool IsReady => Lifecycle == BrokerLifecycle.Running;

    public void Set(BrokerLifecycle lifecycle, string detail = "")
    {
        _detail = detail;
        _state = (int)lifecycle;
    }
}
