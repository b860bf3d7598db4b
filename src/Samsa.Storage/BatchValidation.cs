using System.Buffers.Binary;
using Samsa.Protocol.Records;

namespace Samsa.Storage;

/// <summary>Checks of a single stored magic-2 batch shared by append and recovery; no allocation.</summary>
internal static class BatchValidation
{
    /// <summary>Smallest value of the batch length field (a header with no records).</summary>
    public const int MinBatchLength = RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead;

    /// <summary>Validates magic, length consistency and CRC-32C of one whole batch.</summary>
    /// <returns>null when valid, otherwise why not.</returns>
    public static string? CheckStructure(ReadOnlySpan<byte> batch)
    {
        if (batch.Length < RecordBatchLayout.HeaderSize)
        {
            return $"batch of {batch.Length} bytes is shorter than a header";
        }
        var h = new RecordBatchHeader(batch);
        if (h.Magic != RecordBatchLayout.CurrentMagic)
        {
            return $"magic {h.Magic} (only magic 2 is stored)";
        }
        if (h.TotalSize != batch.Length)
        {
            return $"batch length {h.BatchLength} does not match its {batch.Length} bytes";
        }
        if (h.LastOffsetDelta < 0)
        {
            return $"negative last offset delta {h.LastOffsetDelta}";
        }
        uint crc = Crc32C.Compute(batch[RecordBatchLayout.AttributesOffset..]);
        if (crc != h.Crc)
        {
            return $"CRC mismatch (stored {h.Crc:x8}, computed {crc:x8})";
        }
        return null;
    }

    /// <summary>Rewrites the CRC after header fields it covers were changed in place.</summary>
    public static void UpdateCrc(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchLayout.CrcOffset..], Crc32C.Compute(batch[RecordBatchLayout.AttributesOffset..]));
}
