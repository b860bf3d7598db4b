namespace Samsa.Metadata.Log;

/// <summary>
/// A metadata write reached a node that is not the active controller (Kafka's NOT_CONTROLLER).
/// The caller should retry on <see cref="LeaderId"/>.
/// </summary>
public sealed class NotControllerException : Exception
{
    public NotControllerException(int nodeId, int leaderId, Exception? inner = null)
        : base(leaderId < 0
            ? $"Node {nodeId} is not the active controller and no controller is known yet (NOT_CONTROLLER)."
            : $"Node {nodeId} is not the active controller; node {leaderId} is (NOT_CONTROLLER).", inner)
    {
        NodeId = nodeId;
        LeaderId = leaderId;
    }

    public NotControllerException() : this(-1, -1) { }

    public NotControllerException(string message) : base(message) { NodeId = -1; LeaderId = -1; }

    public NotControllerException(string message, Exception inner) : base(message, inner) { NodeId = -1; LeaderId = -1; }

    /// <summary>The node that refused the write.</summary>
    public int NodeId { get; }

    /// <summary>The current leader, or -1 when unknown.</summary>
    public int LeaderId { get; }
}
