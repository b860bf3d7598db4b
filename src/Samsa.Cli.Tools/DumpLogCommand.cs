using System.Buffers.Binary;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Samsa.Protocol;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

namespace Samsa.Cli.Tools;

/// <summary>
/// <c>samsa dump-log --files a.log,b.index</c> (kafka-dump-log): prints the batches (and with
/// --print-data-log the records) of log segments, and the entries of offset and time indexes,
/// in Kafka's format. Reads files only; no broker needed.
/// </summary>
internal static class DumpLogCommand
{
    private static readonly Option<string> s_files = new("--files") { Description = "REQUIRED: comma-separated segment (.log) and index (.index, .timeindex) files." };
    private static readonly Option<bool> s_printDataLog = new("--print-data-log") { Description = "Print the records of each batch, with their payloads." };
    private static readonly Option<bool> s_deepIteration = new("--deep-iteration") { Description = "Print the records of each batch (without payloads unless --print-data-log)." };
    private static readonly Option<int?> s_maxBytes = new("--max-bytes") { Description = "Read at most this many bytes of each log file." };

    public static Command Create()
    {
        var command = new Command("dump-log", "Print the contents of log segment and index files (kafka-dump-log).");
        command.Options.Add(s_files);
        command.Options.Add(s_printDataLog);
        command.Options.Add(s_deepIteration);
        command.Options.Add(s_maxBytes);
        ToolRunner.SetAction(command, "Error: ", (parse, _) =>
        {
            string files = parse.GetValue(s_files) is { Length: > 0 } f ? f : throw new ToolException("Missing required argument \"[files]\"");
            bool data = parse.GetValue(s_printDataLog);
            foreach (var file in files.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                Dump(file, Console.Out, data || parse.GetValue(s_deepIteration), data, parse.GetValue(s_maxBytes) ?? int.MaxValue);
            }
            return Task.FromResult(0);
        });
        return command;
    }

    internal static void Dump(string path, TextWriter output, bool deep, bool payloads, int maxBytes)
    {
        if (!File.Exists(path)) throw new ToolException($"File {path} does not exist.");
        output.WriteLine($"Dumping {path}");
        string name = Path.GetFileName(path);
        long baseOffset = long.TryParse(name.Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out long b) ? b : 0;
        if (name.EndsWith(".log", StringComparison.Ordinal)) DumpLog(path, baseOffset, output, deep, payloads, maxBytes);
        else if (name.EndsWith(".index", StringComparison.Ordinal)) DumpOffsetIndex(path, baseOffset, output);
        else if (name.EndsWith(".timeindex", StringComparison.Ordinal)) DumpTimeIndex(path, baseOffset, output);
        else output.WriteLine($"Ignoring unknown file {path}");
    }

    private static byte[] ReadPrefix(string path, int maxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long length = Math.Min(stream.Length, maxBytes);
        if (length > Array.MaxLength) throw new ToolException($"{path} is larger than this tool reads at once; use --max-bytes.");
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static void DumpLog(string path, long baseOffset, TextWriter output, bool deep, bool payloads, int maxBytes)
    {
        output.WriteLine($"Log starting offset: {baseOffset}");
        var bytes = ReadPrefix(path, maxBytes);
        int position = 0;
        while (position < bytes.Length)
        {
            var rest = bytes.AsSpan(position);
            RecordBatch batch;
            try
            {
                if (!RecordBatch.TryRead(rest, out batch)) break;
            }
            catch (KafkaProtocolException)
            {
                break;
            }
            // Preallocated segment space reads as an empty batch of zeros: the end of the data.
            if (batch.SizeInBytes <= RecordBatchLayout.LogOverhead) break;
            WriteBatch(batch, position, output);
            if (deep)
            {
                try
                {
                    foreach (var record in batch)
                    {
                        WriteRecord(batch, record, payloads, output);
                    }
                }
                catch (CorruptRecordException e)
                {
                    output.WriteLine($"| corrupt records: {e.Message}");
                }
            }
            position += batch.SizeInBytes;
        }
        if (position < bytes.Length && bytes.AsSpan(position).ContainsAnyExcept((byte)0))
            output.WriteLine($"Found {bytes.Length - position} invalid bytes at the end of {Path.GetFileName(path)}");
    }

    private static void WriteBatch(RecordBatch batch, int position, TextWriter output)
    {
        int lastSequence = batch.BaseSequence < 0 ? -1 : unchecked(batch.BaseSequence + batch.LastOffsetDelta);
        string time = batch.TimestampType == TimestampType.LogAppendTime ? "LogAppendTime" : "CreateTime";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"baseOffset: {batch.BaseOffset} lastOffset: {batch.LastOffset} count: {batch.RecordCount} baseSequence: {batch.BaseSequence} lastSequence: {lastSequence} "
            + $"producerId: {batch.ProducerId} producerEpoch: {batch.ProducerEpoch} partitionLeaderEpoch: {batch.PartitionLeaderEpoch} "
            + $"isTransactional: {Bool(batch.IsTransactional)} isControl: {Bool(batch.IsControl)} deleteHorizonMs: OptionalLong.empty position: {position} "
            + $"{time}: {batch.MaxTimestamp} size: {batch.SizeInBytes} magic: {batch.Magic} compresscodec: {CodecName(batch.CompressionType)} crcValid: {Bool(batch.IsCrcValid)}"));
    }

    private static void WriteRecord(RecordBatch batch, Record record, bool payloads, TextWriter output)
    {
        var sb = new StringBuilder();
        string time = batch.TimestampType == TimestampType.LogAppendTime ? "LogAppendTime" : "CreateTime";
        sb.Append(CultureInfo.InvariantCulture, $"| offset: {record.Offset} {time}: {record.Timestamp} keySize: {(record.HasKey ? record.Key.Length : -1)} valueSize: {(record.HasValue ? record.Value.Length : -1)}");
        int sequence = batch.BaseSequence < 0 ? -1 : unchecked(batch.BaseSequence + record.OffsetDelta);
        sb.Append(CultureInfo.InvariantCulture, $" sequence: {sequence} headerKeys: [");
        bool first = true;
        foreach (var header in record.Headers)
        {
            if (!first) sb.Append(',');
            sb.Append(header.KeyString);
            first = false;
        }
        sb.Append(']');
        if (batch.IsControl && record.HasKey)
        {
            try
            {
                sb.Append(" endTxnMarker: ").Append(ControlRecord.ReadType(record.Key).ToString().ToUpperInvariant());
            }
            catch (CorruptRecordException)
            {
                sb.Append(" endTxnMarker: unknown");
            }
        }
        else if (payloads)
        {
            if (record.HasKey) sb.Append(" key: ").Append(Encoding.UTF8.GetString(record.Key));
            sb.Append(" payload: ").Append(record.HasValue ? Encoding.UTF8.GetString(record.Value) : "null");
        }
        output.WriteLine(sb.ToString());
    }

    private static void DumpOffsetIndex(string path, long baseOffset, TextWriter output)
    {
        var bytes = ReadPrefix(path, int.MaxValue);
        for (int i = 0; i + 8 <= bytes.Length; i += 8)
        {
            int relative = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i));
            int position = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i + 4));
            // Preallocated, unused entries are zeros; only the first entry may legitimately be (0, 0).
            if (i > 0 && relative == 0 && position == 0) break;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"offset: {baseOffset + relative} position: {position}"));
        }
    }

    private static void DumpTimeIndex(string path, long baseOffset, TextWriter output)
    {
        var bytes = ReadPrefix(path, int.MaxValue);
        for (int i = 0; i + 12 <= bytes.Length; i += 12)
        {
            long timestamp = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(i));
            int relative = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i + 8));
            if (timestamp == 0 && relative == 0) break;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"timestamp: {timestamp} offset: {baseOffset + relative}"));
        }
    }

    private static string CodecName(CompressionType type) => type switch
    {
        CompressionType.None => "none",
        _ => CompressionCodecs.Name(type),
    };

    private static string Bool(bool value) => value ? "true" : "false";
}
