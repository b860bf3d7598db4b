using System.Collections;

namespace Samsa.Client;

/// <summary>One record header: a string key and a value that may be null.</summary>
public readonly record struct Header(string Key, byte[]? Value);

/// <summary>A record's headers in order; keys may repeat, as in Kafka.</summary>
public sealed class Headers : IReadOnlyList<Header>
{
    private readonly List<Header> _headers = [];

    public int Count => _headers.Count;
    public Header this[int index] => _headers[index];

    public Headers Add(string key, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        _headers.Add(new Header(key, value));
        return this;
    }

    /// <summary>The value of the last header with this key.</summary>
    public bool TryGetLastBytes(string key, out byte[]? value)
    {
        for (var i = _headers.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_headers[i].Key, key, StringComparison.Ordinal))
            {
                value = _headers[i].Value;
                return true;
            }
        }
        value = null;
        return false;
    }

    public void Remove(string key) => _headers.RemoveAll(h => string.Equals(h.Key, key, StringComparison.Ordinal));

    public List<Header>.Enumerator GetEnumerator() => _headers.GetEnumerator();
    IEnumerator<Header> IEnumerable<Header>.GetEnumerator() => _headers.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _headers.GetEnumerator();
}
