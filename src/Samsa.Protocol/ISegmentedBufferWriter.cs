using System.Buffers;

namespace Samsa.Protocol;

/// <summary>
/// An output that can take a block of bytes by reference, as a segment of its own between what
/// was written before and what is written after, instead of copying it. <see cref="KafkaWriter"/>
/// hands over records fields of at least <see cref="KafkaWriter.MinimumSegmentSize"/> bytes this
/// way (a producer's record batches), so they reach the socket without an extra pass over every
/// byte; every other output gets them copied as before.
/// </summary>
public interface ISegmentedBufferWriter : IBufferWriter<byte>
{
    /// <summary>
    /// Appends <paramref name="data"/> without copying it. The caller keeps those bytes unchanged
    /// until the output has written them out or been reset.
    /// </summary>
    void AppendSegment(ReadOnlyMemory<byte> data);
}
