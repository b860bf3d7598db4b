using Samsa.Metadata.Image;
using Samsa.Metadata.Log;
using Samsa.Metadata.Records;
using Samsa.Protocol.MetadataRecords;

namespace Samsa.Metadata.Tests.Image;

public class MetadataLoaderTests
{
    [Fact]
    public async Task Readers_see_consistent_images_without_locks_while_batches_apply()
    {
        var loader = new MetadataLoader();
        IMetadataLogListener listener = loader;
        listener.OnCommit(0, [MetadataDeltaTests.Broker(1)]);
        using var stop = new CancellationTokenSource();
        var inconsistencies = 0;
        var reads = 0L;

        // Every batch creates one topic with 3 partitions; any image a reader sees must hold whole topics only.
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var image = loader.Current;
                if (image.TopicsById.Count != image.TopicsByName.Count)
                    Interlocked.Increment(ref inconsistencies);
                foreach (var topic in image.TopicsByName.Values)
                {
                    if (topic.PartitionCount != 3 || !ReferenceEquals(image.GetTopic(topic.Id), topic))
                        Interlocked.Increment(ref inconsistencies);
                }

                if (image.TopicsById.Count != image.Offset)
                    Interlocked.Increment(ref inconsistencies);
                Interlocked.Increment(ref reads);
            }
        });

        for (var i = 1; i <= 300; i++)
        {
            var id = Guid.NewGuid();
            listener.OnCommit(i, [
                new MetadataRecord(new TopicRecord { Name = $"t{i}", TopicId = id }, 0),
                RecordFactory.NewPartition(id, 0, [1]),
                RecordFactory.NewPartition(id, 1, [1]),
                RecordFactory.NewPartition(id, 2, [1]),
            ]);
        }

        await TestSupport.WaitUntilAsync(() => Interlocked.Read(ref reads) > 100, TimeSpan.FromSeconds(10), "reads");
        await stop.CancelAsync();
        await reader;
        Assert.Equal(0, inconsistencies);
        Assert.Equal(300, loader.Current.TopicsById.Count);
    }

    [Fact]
    public void Subscribers_get_the_delta_and_a_throwing_subscriber_does_not_stop_the_image()
    {
        var loader = new MetadataLoader();
        IMetadataLogListener listener = loader;
        var seen = new List<MetadataImageChangedEventArgs>();
        loader.ImageChanged += (_, _) => throw new InvalidOperationException("subscriber bug");
        loader.ImageChanged += (_, e) => seen.Add(e);

        var id = Guid.NewGuid();
        listener.OnCommit(0, [MetadataDeltaTests.Broker(1), new MetadataRecord(new TopicRecord { Name = "a", TopicId = id }, 0), RecordFactory.NewPartition(id, 0, [1])]);

        Assert.Single(seen);
        Assert.Same(loader.Current, seen[0].Image);
        Assert.Same(MetadataImage.Empty, seen[0].Previous);
        Assert.Single(seen[0].Delta.GetLocalChanges(1).Leaders);
    }
}
