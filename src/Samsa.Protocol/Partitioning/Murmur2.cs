namespace Samsa.Protocol.Partitioning;

/// <summary>
/// The 32-bit murmur2 hash as Kafka's Java client computes it for keyed partitioning (seed
/// 0x9747b28c), so Samsa picks the same partition for a key as every Kafka client that follows
/// the Java default partitioner.
/// </summary>
public static class Murmur2
{
    private const uint Seed = 0x9747b28c;
    private const uint M = 0x5bd1e995;
    private const int R = 24;

    public static int Hash(ReadOnlySpan<byte> data)
    {
        int length = data.Length;
        uint h = Seed ^ (uint)length;
        int words = length / 4;
        for (int i = 0; i < words; i++)
        {
            int at = i * 4;
            // Little-endian 4-byte words, as the Java code assembles them.
            uint k = data[at] | ((uint)data[at + 1] << 8) | ((uint)data[at + 2] << 16) | ((uint)data[at + 3] << 24);
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }

        int tail = words * 4;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[tail];
                h *= M;
                break;
        }

        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return (int)h;
    }

    /// <summary>Kafka's toPositive: clears the sign bit (not Math.Abs, which fails for int.MinValue).</summary>
    public static int ToPositive(int value) => value & 0x7fffffff;

    /// <summary>The partition Kafka's default partitioner gives a non-null key.</summary>
    public static int Partition(ReadOnlySpan<byte> key, int numPartitions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        return ToPositive(Hash(key)) % numPartitions;
    }
}
