using System.Buffers;
using System.Buffers.Binary;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Compression;

/// <summary>
/// Codec id 2: snappy. Java clients write the xerial "snappy-java" stream framing: a 16-byte header
/// (0x82 "SNAPPY" 0x00, int32 version 1, int32 compatible version 1) then blocks of (int32 big-endian
/// compressed length, raw snappy block), each block holding up to 32 KiB of input. Writing uses that
/// framing so every client can read it; reading accepts it and plain raw snappy (some clients send that).
/// </summary>
internal sealed class SnappyCodec : ICompressionCodec
{
    internal const int XerialBlockSize = 32 * 1024;
    internal const int XerialHeaderSize = 16;
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    public CompressionType Type => CompressionType.Snappy;

    public void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        Span<byte> header = destination.GetSpan(XerialHeaderSize);
        XerialMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 1);  // version
        BinaryPrimitives.WriteInt32BigEndian(header[12..], 1); // minimum compatible version
        destination.Advance(XerialHeaderSize);

        while (!source.IsEmpty)
        {
            ReadOnlySpan<byte> block = source[..Math.Min(XerialBlockSize, source.Length)];
            source = source[block.Length..];
            Span<byte> span = destination.GetSpan(4 + Snappier.Snappy.GetMaxCompressedLength(block.Length));
            int n = Snappier.Snappy.Compress(block, span[4..]);
            BinaryPrimitives.WriteInt32BigEndian(span, n);
            destination.Advance(4 + n);
        }
    }

    public void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedSize)
    {
        if (source.Length >= XerialHeaderSize && source.StartsWith(XerialMagic))
        {
            long total = 0;
            ReadOnlySpan<byte> rest = source[XerialHeaderSize..];
            while (!rest.IsEmpty)
            {
                if (rest.Length < 4)
                {
                    throw new CorruptRecordException("snappy stream ends inside a block length");
                }
                int length = BinaryPrimitives.ReadInt32BigEndian(rest);
                rest = rest[4..];
                if (length < 0 || length > rest.Length)
                {
                    throw new CorruptRecordException($"snappy block length {length} with {rest.Length} bytes left");
                }
                total += DecompressRaw(rest[..length], destination, total, maxDecompressedSize);
                rest = rest[length..];
            }
            return;
        }
        DecompressRaw(source, destination, 0, maxDecompressedSize);
    }

    private int DecompressRaw(ReadOnlySpan<byte> block, IBufferWriter<byte> destination, long alreadyWritten, int limit)
    {
        try
        {
            int length = Snappier.Snappy.GetUncompressedLength(block);
            if (alreadyWritten + length > limit)
            {
                throw new DecompressedSizeLimitExceededException(Type, limit);
            }
            if (length == 0)
            {
                return 0;
            }
            int n = Snappier.Snappy.Decompress(block, destination.GetSpan(length));
            if (n != length)
            {
                throw new CorruptRecordException($"snappy block announced {length} bytes but held {n}");
            }
            destination.Advance(n);
            return n;
        }
        catch (InvalidDataException e)
        {
            throw new CorruptRecordException($"invalid snappy data: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new CorruptRecordException($"invalid snappy data: {e.Message}", e);
        }
    }
}
