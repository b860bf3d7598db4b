using System.Text;

namespace Samsa.Benchmarks.Records;

/// <summary>Realistic, somewhat compressible payloads: JSON events like an application would produce.</summary>
internal static class BenchData
{
    private static readonly string[] Events = ["page_view", "click", "purchase", "signup", "logout", "search", "add_to_cart"];

    public static byte[] JsonEvent(Random random, int i) => Encoding.UTF8.GetBytes(
        $"{{\"id\":{i},\"user\":\"user-{random.Next(100000)}\",\"event\":\"{Events[random.Next(Events.Length)]}\"," +
        $"\"ts\":{1_700_000_000_000L + i * 37},\"amount\":{random.Next(100000) / 100.0}," +
        $"\"session\":\"{random.NextInt64():x16}\",\"tags\":[\"{Events[random.Next(Events.Length)]}\",\"v{random.Next(50)}\"]}}");

    /// <summary>Exactly <paramref name="size"/> bytes of JSON lines.</summary>
    public static byte[] JsonText(int size, int seed = 42)
    {
        var random = new Random(seed);
        using var text = new MemoryStream(size + 512);
        int i = 0;
        while (text.Length < size)
        {
            text.Write(JsonEvent(random, i++));
            text.WriteByte((byte)'\n');
        }
        return text.ToArray().AsSpan(0, size).ToArray();
    }
}
