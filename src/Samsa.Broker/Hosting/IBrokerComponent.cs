namespace Samsa.Broker.Hosting;

/// <summary>
/// A part of the broker with a start and a stop: the metadata quorum, the log manager, the group
/// coordinator. Register implementations in DI as <see cref="IBrokerComponent"/>; they start one at a
/// time in registration order before any Kafka listener opens, and stop in reverse order after the
/// listeners have closed and in-flight requests have been answered.
/// </summary>
public interface IBrokerComponent
{
    /// <summary>Shown in logs and in /health while the component is starting.</summary>
    string Name { get; }

    /// <summary>Load state (recover logs, replay the metadata log). Throwing stops the start.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Clean shutdown: flush, write checkpoints and the clean-shutdown marker. The token
    /// fires when the shutdown timeout is over.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}
