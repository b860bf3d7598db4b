using System.Text;

namespace Samsa.Broker.Requests;

/// <summary>
/// Per-connection memo of the last client id: clients send the same id in every request, so the
/// string is decoded once per connection instead of once per request. Not thread-safe (one per
/// connection, used by its read loop only).
/// </summary>
public sealed class ClientIdCache
{
    private byte[] _bytes = [];
    private string? _value;

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (_value is not null && utf8.SequenceEqual(_bytes)) return _value;
        _bytes = utf8.ToArray();
        _value = Encoding.UTF8.GetString(utf8);
        return _value;
    }
}
