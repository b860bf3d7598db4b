using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Metadata.Log;
using Samsa.Metadata.Records;

namespace Samsa.Metadata.Image;

/// <summary>
/// Turns the committed metadata log into images: each batch becomes a <see cref="MetadataDelta"/> on
/// the current image, the result is published through one volatile reference (<see cref="Current"/>)
/// and announced by <see cref="ImageChanged"/>. A batch that does not apply is skipped whole.
/// Thread-safety: <see cref="Current"/> is safe from any thread; the log calls the listener methods
/// one at a time.
/// </summary>
public sealed class MetadataLoader(ILogger<MetadataLoader>? logger = null) : IMetadataLogListener
{
    private readonly ILogger logger = logger ?? NullLogger<MetadataLoader>.Instance;
    private volatile MetadataImage current = MetadataImage.Empty;

    /// <summary>The newest image. Read it once per request and use that instance throughout.</summary>
    public MetadataImage Current => current;

    /// <summary>
    /// Raised on the log's apply thread after <see cref="Current"/> moved to a new image. Handlers must
    /// be quick and must not throw (exceptions are logged and swallowed); hand slow work to another thread.
    /// </summary>
    public event EventHandler<MetadataImageChangedEventArgs>? ImageChanged;

    void IMetadataLogListener.OnCommit(long offset, IReadOnlyList<MetadataRecord> records)
    {
        var delta = new MetadataDelta(current);
        delta.Replay(records);
        Publish(delta, delta.Apply(offset), isSnapshot: false);
    }

    void IMetadataLogListener.OnSnapshotLoad(long offset, IReadOnlyList<MetadataRecord> records)
    {
        var delta = new MetadataDelta(MetadataImage.Empty);
        delta.Replay(records);
        Publish(delta, delta.Apply(offset), isSnapshot: true);
    }

    IEnumerable<MetadataRecord> IMetadataLogListener.CaptureSnapshot() => current.ToRecords();

    private void Publish(MetadataDelta delta, MetadataImage image, bool isSnapshot)
    {
        var previous = current;
        current = image;
        var handlers = ImageChanged;
        if (handlers is null)
            return;
        var change = new MetadataImageChangedEventArgs(previous, image, delta, isSnapshot);
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((EventHandler<MetadataImageChangedEventArgs>)handler)(this, change);
            }
            catch (Exception e)
            {
                logger.LogError(e, "A metadata image subscriber failed at offset {Offset}", image.Offset);
            }
        }
    }
}

/// <summary>
/// One step of the image. When <see cref="IsSnapshot"/> is true the image was rebuilt from a snapshot
/// and <see cref="Delta"/> is relative to the empty image: subscribers should reconcile everything.
/// </summary>
public sealed class MetadataImageChangedEventArgs(MetadataImage previous, MetadataImage image, MetadataDelta delta, bool isSnapshot) : EventArgs
{
    public MetadataImage Previous { get; } = previous;

    public MetadataImage Image { get; } = image;

    public MetadataDelta Delta { get; } = delta;

    public bool IsSnapshot { get; } = isSnapshot;
}
