using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Compression;

/// <summary>
/// Codec id 3: one LZ4 frame (the LZ4 frame format, magic 0x184D2204). Written as Kafka's Java
/// client writes it: version 01, independent blocks of at most 64 KiB, no block or content
/// checksums, no content size, blocks that do not shrink stored uncompressed. Reading accepts every
/// frame option (linked blocks, checksums, content size, the 256 KiB..4 MiB block sizes); the
/// header checksum is not verified because old Kafka clients computed it wrongly, and the batch
/// CRC already covers these bytes.
/// </summary>
internal sealed class Lz4Codec : ICompressionCodec
{
    private const uint FrameMagic = 0x184D2204;
    private const int BlockSize = 64 * 1024;
    private const byte FlagVersion = 0x40;       // bits 6-7 = 01
    private const byte FlagBlockIndependence = 0x20;
    private const byte FlagBlockChecksum = 0x10;
    private const byte FlagContentSize = 0x08;
    private const byte FlagContentChecksum = 0x04;
    private const byte FlagDictionaryId = 0x01;
    private const byte BlockDescriptor64K = 4 << 4;
    private const uint UncompressedBlockBit = 0x80000000;
    private const int LinkedWindow = 64 * 1024;

    public CompressionType Type => CompressionType.Lz4;

    public void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        Span<byte> header = destination.GetSpan(7);
        BinaryPrimitives.WriteUInt32LittleEndian(header, FrameMagic);
        header[4] = FlagVersion | FlagBlockIndependence;
        header[5] = BlockDescriptor64K;
        header[6] = (byte)(XxHash32.HashToUInt32(header.Slice(4, 2)) >> 8);
        destination.Advance(7);

        while (!source.IsEmpty)
        {
            ReadOnlySpan<byte> block = source[..Math.Min(BlockSize, source.Length)];
            source = source[block.Length..];
            Span<byte> span = destination.GetSpan(4 + Math.Max(block.Length, LZ4Codec.MaximumOutputSize(block.Length)));
            int n = LZ4Codec.Encode(block, span[4..], LZ4Level.L00_FAST);
            if (n <= 0 || n >= block.Length)
            {
                block.CopyTo(span[4..]);
                BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)block.Length | UncompressedBlockBit);
                n = block.Length;
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)n);
            }
            destination.Advance(4 + n);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination.GetSpan(4), 0); // end mark
        destination.Advance(4);
    }

    public void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedSize)
    {
        if (source.Length < 7 || BinaryPrimitives.ReadUInt32LittleEndian(source) != FrameMagic)
        {
            throw new CorruptRecordException("lz4 data does not start with an LZ4 frame header");
        }
        byte flags = source[4];
        byte descriptor = source[5];
        if ((flags & 0xC0) != FlagVersion)
        {
            throw new CorruptRecordException($"unsupported lz4 frame version {flags >> 6}");
        }
        int blockSizeId = (descriptor >> 4) & 0x07;
        if (blockSizeId < 4)
        {
            throw new CorruptRecordException($"invalid lz4 block size id {blockSizeId}");
        }
        int maxBlockSize = 1 << (8 + 2 * blockSizeId); // 4: 64 KiB, 5: 256 KiB, 6: 1 MiB, 7: 4 MiB
        int position = 6;
        if ((flags & FlagContentSize) != 0)
        {
            if (source.Length < position + 8)
            {
                throw new CorruptRecordException("lz4 frame header is truncated");
            }
            ulong contentSize = BinaryPrimitives.ReadUInt64LittleEndian(source[position..]);
            if (contentSize > (ulong)maxDecompressedSize)
            {
                throw new DecompressedSizeLimitExceededException(Type, maxDecompressedSize);
            }
            position += 8;
        }
        if ((flags & FlagDictionaryId) != 0)
        {
            throw new CorruptRecordException("lz4 frames with a dictionary id are not supported");
        }
        position++; // header checksum
        bool linked = (flags & FlagBlockIndependence) == 0;
        int blockChecksumSize = (flags & FlagBlockChecksum) != 0 ? 4 : 0;

        byte[]? window = linked ? ArrayPool<byte>.Shared.Rent(LinkedWindow) : null;
        int windowLength = 0;
        try
        {
            long total = 0;
            while (true)
            {
                if (source.Length < position + 4)
                {
                    throw new CorruptRecordException("lz4 frame ends without its end mark");
                }
                uint word = BinaryPrimitives.ReadUInt32LittleEndian(source[position..]);
                position += 4;
                if (word == 0)
                {
                    break; // end mark; a content checksum may follow, the batch CRC covers it already
                }
                int length = (int)(word & ~UncompressedBlockBit);
                if (length > maxBlockSize || length > source.Length - position - blockChecksumSize)
                {
                    throw new CorruptRecordException($"lz4 block of {length} bytes does not fit the frame");
                }
                ReadOnlySpan<byte> block = source.Slice(position, length);
                position += length + blockChecksumSize;

                int produced;
                Span<byte> target;
                if ((word & UncompressedBlockBit) != 0)
                {
                    produced = length;
                    CheckLimit(total + produced, maxDecompressedSize);
                    target = destination.GetSpan(produced);
                    block.CopyTo(target);
                }
                else
                {
                    target = destination.GetSpan(maxBlockSize)[..maxBlockSize];
                    produced = linked
                        ? LZ4Codec.Decode(block, target, window.AsSpan(0, windowLength))
                        : LZ4Codec.Decode(block, target);
                    if (produced < 0)
                    {
                        throw new CorruptRecordException("invalid lz4 block");
                    }
                    CheckLimit(total + produced, maxDecompressedSize);
                }
                if (linked)
                {
                    windowLength = Slide(window!, windowLength, target[..produced]);
                }
                destination.Advance(produced);
                total += produced;
            }
        }
        finally
        {
            if (window is not null)
            {
                ArrayPool<byte>.Shared.Return(window);
            }
        }
    }

    private void CheckLimit(long total, int limit)
    {
        if (total > limit)
        {
            throw new DecompressedSizeLimitExceededException(Type, limit);
        }
    }

    /// <summary>Keeps the last 64 KiB of output: the history a linked block may refer to.</summary>
    private static int Slide(byte[] window, int windowLength, ReadOnlySpan<byte> produced)
    {
        if (produced.Length >= LinkedWindow)
        {
            produced[^LinkedWindow..].CopyTo(window);
            return LinkedWindow;
        }
        int keep = Math.Min(windowLength, LinkedWindow - produced.Length);
        window.AsSpan(windowLength - keep, keep).CopyTo(window);
        produced.CopyTo(window.AsSpan(keep));
        return keep + produced.Length;
    }
}
