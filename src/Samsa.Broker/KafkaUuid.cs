using System.Buffers.Text;

namespace Samsa.Broker;

/// <summary>
/// Kafka's UUID text form: the 16 big-endian bytes in URL-safe base64 without padding (22
/// characters), as <c>kafka-storage random-uuid</c> prints and topic ids are shown.
/// </summary>
public static class KafkaUuid
{
    /// <summary>A random (version 4) id that is neither of Kafka's reserved ids (all zeros, one)
    /// and whose text does not start with '-' (it would read as a command-line flag).</summary>
    public static Guid NewRandom()
    {
        while (true)
        {
            var id = Guid.NewGuid();
            var text = ToString(id);
            if (text[0] != '-' && !IsReserved(id)) return id;
        }
    }

    /// <summary>The all-zero id and Kafka's ONE id (the metadata topic id) are reserved.</summary>
    public static bool IsReserved(Guid id)
    {
        Span<byte> b = stackalloc byte[16];
        id.TryWriteBytes(b, bigEndian: true, out _);
        for (int i = 0; i < 15; i++)
        {
            if (b[i] != 0) return false;
        }
        return b[15] <= 1;
    }

    public static string ToString(Guid id)
    {
        Span<byte> b = stackalloc byte[16];
        id.TryWriteBytes(b, bigEndian: true, out _);
        return Base64Url.EncodeToString(b);
    }

    public static bool TryParse(string? text, out Guid id)
    {
        id = Guid.Empty;
        if (text is null || text.Length != 22) return false;
        Span<byte> b = stackalloc byte[18];
        if (!Base64Url.TryDecodeFromChars(text, b, out int written) || written != 16) return false;
        id = new Guid(b[..16], bigEndian: true);
        return true;
    }
}
