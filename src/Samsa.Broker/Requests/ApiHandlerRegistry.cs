using Samsa.Broker.Apis;
using Samsa.Protocol;

namespace Samsa.Broker.Requests;

/// <summary>
/// The registered handlers, indexed by API key, and the ApiVersions answer derived from them: an
/// API is advertised only if a handler serves it, with the handler's range intersected with the
/// schema's, so what is advertised cannot drift from what is handled. ApiVersions itself is always
/// registered. Immutable after construction; thread-safe.
/// </summary>
public sealed class ApiHandlerRegistry
{
    private readonly IApiHandler?[] _byKey;
    private readonly ApiVersionRange[] _rangeByKey;
    private readonly ApiVersionRange[] _ranges;

    public ApiHandlerRegistry(IEnumerable<IApiHandler> handlers)
    {
        var list = new List<IApiHandler> { new ApiVersionsHandler(this) };
        foreach (var h in handlers)
        {
            if (h is not ApiVersionsHandler) list.Add(h);
        }

        int maxKey = 0;
        foreach (var h in list) maxKey = Math.Max(maxKey, (int)h.ApiKey);
        _byKey = new IApiHandler?[maxKey + 1];
        _rangeByKey = new ApiVersionRange[maxKey + 1];
        var ranges = new List<ApiVersionRange>();
        foreach (var h in list)
        {
            short key = (short)h.ApiKey;
            if (key < 0 || !ApiVersionsTable.TryGetRange(h.ApiKey, out var schema))
            {
                throw new InvalidOperationException($"{h.GetType().Name} serves API key {key}, which has no schema");
            }
            if (_byKey[key] is { } existing)
            {
                throw new InvalidOperationException($"Two handlers for {h.ApiKey}: {existing.GetType().Name} and {h.GetType().Name}");
            }
            short min = Math.Max(h.MinVersion, schema.MinVersion), max = Math.Min(h.MaxVersion, schema.MaxVersion);
            if (min > max)
            {
                throw new InvalidOperationException($"{h.GetType().Name} serves {h.ApiKey} v{h.MinVersion}-{h.MaxVersion}, outside the schema's v{schema.MinVersion}-{schema.MaxVersion}");
            }
            _byKey[key] = h;
            _rangeByKey[key] = new ApiVersionRange(h.ApiKey, min, max);
            ranges.Add(_rangeByKey[key]);
        }
        ranges.Sort((a, b) => ((short)a.ApiKey).CompareTo((short)b.ApiKey));
        _ranges = ranges.ToArray();
    }

    /// <summary>Advertised APIs, ordered by key.</summary>
    public IReadOnlyList<ApiVersionRange> Advertised => _ranges;

    /// <summary>The handler of a key and its served range; false when the key is not served.</summary>
    public bool TryGet(short apiKey, out IApiHandler handler, out ApiVersionRange range)
    {
        handler = null!;
        range = default;
        if ((uint)apiKey >= (uint)_byKey.Length || _byKey[apiKey] is not { } h) return false;
        handler = h;
        range = _rangeByKey[apiKey];
        return true;
    }
}
