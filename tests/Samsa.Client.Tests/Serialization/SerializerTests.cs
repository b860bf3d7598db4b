using System.Buffers;
using Samsa.Client;

namespace Samsa.Client.Tests.Serialization;

public class SerializerTests
{
    private static readonly SerializationContext Ctx = new(MessageComponent.Value, "t");

    private static byte[] Bytes<T>(ISerializer<T> s, T value)
    {
        var w = new ArrayBufferWriter<byte>();
        s.Serialize(value, w, Ctx);
        return w.WrittenSpan.ToArray();
    }

    [Fact]
    public void Numbers_are_big_endian_like_kafkas_serializers()
    {
        Assert.Equal(new byte[] { 0, 0, 1, 2 }, Bytes(Serializers.Int32, 258));
        Assert.Equal(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe }, Bytes(Serializers.Int64, -2L));
        Assert.Equal(new byte[] { 0x3f, 0xf0, 0, 0, 0, 0, 0, 0 }, Bytes(Serializers.Double, 1.0));
    }

    [Fact]
    public void Round_trips()
    {
        Assert.Equal("héllo", Deserializers.Utf8.Deserialize(Bytes(Serializers.Utf8, "héllo"), false, Ctx));
        Assert.Equal(-7, Deserializers.Int32.Deserialize(Bytes(Serializers.Int32, -7), false, Ctx));
        Assert.Equal(long.MinValue, Deserializers.Int64.Deserialize(Bytes(Serializers.Int64, long.MinValue), false, Ctx));
        Assert.Equal(Math.PI, Deserializers.Double.Deserialize(Bytes(Serializers.Double, Math.PI), false, Ctx));
        var g = Guid.NewGuid();
        Assert.Equal(g.ToString(), System.Text.Encoding.UTF8.GetString(Bytes(Serializers.Guid, g)));
        Assert.Equal(g, Deserializers.Guid.Deserialize(Bytes(Serializers.Guid, g), false, Ctx));
        Assert.Equal(new byte[] { 1, 2 }, Deserializers.ByteArray.Deserialize(Bytes(Serializers.ByteArray, [1, 2]), false, Ctx));
    }

    [Fact]
    public void Null_fields_and_wrong_sizes()
    {
        Assert.Null(Deserializers.Utf8.Deserialize([], true, Ctx));
        Assert.Equal("", Deserializers.Utf8.Deserialize([], false, Ctx));
        Assert.Throws<SerializationException>(() => Deserializers.Int32.Deserialize(new byte[3], false, Ctx));
        Assert.Throws<SerializationException>(() => Deserializers.Int64.Deserialize([], true, Ctx));
        Assert.Throws<SerializationException>(() => Deserializers.Guid.Deserialize("nope"u8, false, Ctx));
    }

    [Fact]
    public void Defaults_cover_the_built_in_types()
    {
        Assert.Same(Serializers.Utf8, Serializers.Default<string>());
        Assert.Same(Serializers.Int64, Serializers.Default<long>());
        Assert.Same(Serializers.Null, Serializers.Default<Null>());
        Assert.Null(Serializers.Default<DateTime>());
        Assert.Same(Deserializers.Ignore, Deserializers.Default<Ignore>());
    }
}
