using Samsa.Protocol.Compression;

namespace Samsa.Protocol.Records;

/// <summary>The bits of a magic-2 batch's int16 attributes.</summary>
public static class RecordBatchAttributes
{
    public const short CompressionMask = 0x07;
    public const short TimestampTypeMask = 0x08;
    public const short TransactionalMask = 0x10;
    public const short ControlMask = 0x20;
    public const short DeleteHorizonMask = 0x40;

    public static short Compose(CompressionType compression, TimestampType timestampType, bool isTransactional, bool isControl)
    {
        int attributes = (int)compression & CompressionMask;
        if (timestampType == TimestampType.LogAppendTime)
        {
            attributes |= TimestampTypeMask;
        }
        if (isTransactional)
        {
            attributes |= TransactionalMask;
        }
        if (isControl)
        {
            attributes |= ControlMask;
        }
        return (short)attributes;
    }
}
