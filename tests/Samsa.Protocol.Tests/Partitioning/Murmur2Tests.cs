using System.Text;
using Samsa.Protocol.Partitioning;
using Samsa.Protocol.Tests.Records;

namespace Samsa.Protocol.Tests.Partitioning;

public class Murmur2Tests
{
    // Kafka's own murmur2 test vectors (UtilsTest), as signed Java ints.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void HashMatchesKafkasTestVectors(string key, int expected) =>
        Assert.Equal(expected, Murmur2.Hash(Encoding.ASCII.GetBytes(key)));

    // Partition choices of the Java default partitioner (toPositive(murmur2(key)) % 12), also what kafka-python picks.
    [Theory]
    [InlineData("21", 0)]
    [InlineData("foobar", 6)]
    [InlineData("a-little-bit-long-string", 8)]
    [InlineData("a-little-bit-longer-string", 11)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 5)]
    [InlineData("abc", 3)]
    [InlineData("key-1", 0)]
    [InlineData("user-42", 4)]
    [InlineData("", 9)]
    public void PartitionMatchesKafkasDefaultPartitioner(string key, int expected) =>
        Assert.Equal(expected, Murmur2.Partition(Encoding.UTF8.GetBytes(key), 12));

    [Fact]
    public void ToPositiveClearsTheSignBitInsteadOfNegating()
    {
        Assert.Equal(0, Murmur2.ToPositive(int.MinValue));
        Assert.Equal(int.MaxValue, Murmur2.ToPositive(-1));
        Assert.Equal(5, Murmur2.ToPositive(5));
    }

    [Fact]
    public void PartitionRejectsANonPositivePartitionCount() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Murmur2.Partition([1, 2], 0));

    [Fact]
    public void AgreesWithKafkaPythonOnManyRandomKeys()
    {
        var random = new Random(2024);
        var keys = new List<byte[]>();
        for (int i = 0; i < 2000; i++)
        {
            var key = new byte[random.Next(1, 64)]; // every tail length, every byte value
            random.NextBytes(key);
            keys.Add(key);
        }
        const int partitions = 37;
        string output = KafkaPython.Run(string.Join('\n', keys.Select(Convert.ToHexString)) + "\n", "murmur2", partitions.ToString());
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(keys.Count, lines.Length);
        for (int i = 0; i < keys.Count; i++)
        {
            string[] parts = lines[i].Split(' ');
            Assert.Equal(uint.Parse(parts[0]), (uint)Murmur2.Hash(keys[i]));
            Assert.Equal(int.Parse(parts[1]), Murmur2.Partition(keys[i], partitions));
        }
    }
}
