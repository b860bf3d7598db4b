namespace Samsa.Protocol.Tests.Messages;

public class RoundTripTests
{
    public static TheoryData<string> MessageNames()
    {
        var data = new TheoryData<string>();
        foreach (var type in MessageCodec.MessageTypes)
            data.Add(type.Name);
        return data;
    }

    [Fact]
    public void EverySchemaHasAGeneratedClass()
    {
        var generated = MessageCodec.MessageTypes.Select(t => t.Name).ToHashSet();
        var missing = SchemaCatalog.All.Keys.Where(name => !generated.Contains(name)).ToList();
        Assert.Empty(missing);
        Assert.True(generated.Count >= 211, $"only {generated.Count} classes");
    }

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void EveryVersionRoundTripsWithValuesInEveryField(string name) => RoundTrip(name, nulls: false);

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void EveryVersionRoundTripsWithNullsWhereNullable(string name) => RoundTrip(name, nulls: true);

    private static bool HasFields(System.Text.Json.JsonElement schema, short version) =>
        schema.GetProperty("fields").EnumerateArray().Any(f =>
            SchemaCatalog.InRange(SchemaCatalog.Str(f, "taggedVersions") ?? SchemaCatalog.Str(f, "versions"), version));

    private static bool IsDefault(object message) =>
        (bool)message.GetType().GetMethod("IsDefaultValue", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.Invoke(message, null)!;

    private static void RoundTrip(string name, bool nulls)
    {
        var type = MessageCodec.Find(name);
        var schema = SchemaCatalog.All[name];
        var (low, high) = MessageCodec.Versions(type);
        for (short version = low; version <= high; version++)
        {
            var message = (IKafkaMessage)new MessageFiller(schema, version, nulls, seed: version).Fill(type);
            if (!nulls && HasFields(schema, version))
                Assert.False(IsDefault(message), $"{name} v{version}: the filler left every field at its default");
            byte[] bytes = MessageCodec.Write(message, version);
            Assert.True(bytes.Length == message.Size(version), $"{name} v{version}: Size {message.Size(version)} but wrote {bytes.Length}");
            var read = MessageCodec.Read(type, bytes, version);
            DeepEqual.Assert(message, read, $"{name} v{version}");
            Assert.Equal(bytes, MessageCodec.Write(read, version));
        }
    }
}
