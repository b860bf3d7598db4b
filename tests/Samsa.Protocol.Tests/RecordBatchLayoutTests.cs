using Samsa.Protocol.Records;

namespace Samsa.Protocol.Tests;

public class RecordBatchLayoutTests
{
    [Fact]
    public void HeaderIsSixtyOneBytes()
    {
        // Kafka's DefaultRecordBatch.RECORD_BATCH_OVERHEAD is 61.
        Assert.Equal(61, RecordBatchLayout.HeaderSize);
        Assert.Equal(RecordBatchLayout.RecordCountOffset + 4, RecordBatchLayout.RecordsOffset);
    }
}
