using System.Text;
using Samsa.Cli.Tools;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

namespace Samsa.Cli.Tests.Tools;

public sealed class DumpLogTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"samsa-dumplog-{Guid.NewGuid():N}");

    public DumpLogTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteSegment()
    {
        using var builder = new RecordBatchBuilder();
        var file = new MemoryStream();
        builder.BaseOffset = 100;
        builder.ProducerId = 7;
        builder.ProducerEpoch = 0;
        builder.BaseSequence = 0;
        builder.Append(1700000000000, null, Encoding.UTF8.GetBytes("hello"), [new Header("h", Encoding.UTF8.GetBytes("v"))]);
        builder.Append(1700000000001, Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("world"), []);
        file.Write(builder.Build().Span);
        builder.Reset();
        builder.BaseOffset = 102;
        builder.Compression = CompressionType.Gzip;
        builder.Append(1700000000002, null, Encoding.UTF8.GetBytes("zipped"), []);
        file.Write(builder.Build().Span);
        file.Write(new byte[64]); // preallocated space
        string path = Path.Combine(_dir, "00000000000000000100.log");
        File.WriteAllBytes(path, file.ToArray());
        return path;
    }

    [Fact]
    public void Prints_batches_and_records_in_Kafkas_format()
    {
        string path = WriteSegment();
        var output = new StringWriter();
        DumpLogCommand.Dump(path, output, deep: true, payloads: true, maxBytes: int.MaxValue);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"Dumping {path}", lines[0]);
        Assert.Equal("Log starting offset: 100", lines[1]);
        Assert.StartsWith("baseOffset: 100 lastOffset: 101 count: 2 baseSequence: 0 lastSequence: 1 producerId: 7 producerEpoch: 0 partitionLeaderEpoch: -1 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1700000000001 size: ", lines[2]);
        Assert.EndsWith("magic: 2 compresscodec: none crcValid: true", lines[2]);
        Assert.Equal("| offset: 100 CreateTime: 1700000000000 keySize: -1 valueSize: 5 sequence: 0 headerKeys: [h] payload: hello", lines[3]);
        Assert.Equal("| offset: 101 CreateTime: 1700000000001 keySize: 1 valueSize: 5 sequence: 1 headerKeys: [] key: k payload: world", lines[4]);
        Assert.Contains("baseOffset: 102 lastOffset: 102 count: 1", lines[5]);
        Assert.Contains("compresscodec: gzip crcValid: true", lines[5]);
        Assert.Equal("| offset: 102 CreateTime: 1700000000002 keySize: -1 valueSize: 6 sequence: -1 headerKeys: [] payload: zipped", lines[6]);
        Assert.Equal(7, lines.Length);
    }

    [Fact]
    public void Without_deep_iteration_only_batches_and_a_corrupt_tail_is_reported()
    {
        string path = WriteSegment();
        var bytes = File.ReadAllBytes(path);
        bytes[^1] = 0x55;
        File.WriteAllBytes(path, bytes);
        var output = new StringWriter();
        DumpLogCommand.Dump(path, output, deep: false, payloads: false, maxBytes: int.MaxValue);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.Equal("Found 64 invalid bytes at the end of 00000000000000000100.log", lines[4]);
    }

    [Fact]
    public void A_missing_file_is_a_tool_error()
    {
        Assert.Throws<ToolException>(() => DumpLogCommand.Dump(Path.Combine(_dir, "nope.log"), new StringWriter(), false, false, int.MaxValue));
    }
}
