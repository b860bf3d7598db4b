using System.Buffers;
using System.Reflection;

namespace Samsa.Protocol.Tests.Messages;

/// <summary>Reflection access to the generated message classes, for tests that cover all of them.</summary>
internal static class MessageCodec
{
    public static IReadOnlyList<Type> MessageTypes { get; } = typeof(IKafkaMessage).Assembly.GetTypes()
        .Where(t => t.IsClass && !t.IsNested && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IKafkaMessage<>)))
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToList();

    public static Type Find(string name) => MessageTypes.Single(t => t.Name == name);

    public static (short Low, short High) Versions(Type type) =>
        ((short)type.GetProperty("LowestSupportedVersion")!.GetValue(null)!, (short)type.GetProperty("HighestSupportedVersion")!.GetValue(null)!);

    public static byte[] Write(IKafkaMessage message, short version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        message.Write(buffer, version);
        return buffer.WrittenSpan.ToArray();
    }

    private static readonly MethodInfo ReadOpen = typeof(MessageCodec).GetMethod(nameof(ReadTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Reads a whole buffer as the given message type; throws when bytes are left over.</summary>
    public static IKafkaMessage Read(Type type, ReadOnlyMemory<byte> data, short version)
    {
        try
        {
            return (IKafkaMessage)ReadOpen.MakeGenericMethod(type).Invoke(null, [data, version])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    private static T ReadTyped<T>(ReadOnlyMemory<byte> data, short version) where T : class, IKafkaMessage<T>
    {
        var reader = new KafkaReader(data);
        var message = T.Read(ref reader, version);
        if (!reader.End)
            throw new InvalidOperationException($"{typeof(T).Name} v{version}: {reader.Remaining} bytes left after reading");
        return message;
    }
}
