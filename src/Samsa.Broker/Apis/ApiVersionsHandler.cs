using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// ApiVersions (key 18), versions 0-4: the APIs and version ranges this broker serves, taken from
/// the handler registry. v3+ client software name/version must match Kafka's pattern, else
/// INVALID_REQUEST. A version newer than 4 never reaches here: the dispatcher answers it with
/// <see cref="UnsupportedVersionResponse"/> (KIP-511). Supported/finalized features are not sent yet.
/// </summary>
public sealed class ApiVersionsHandler : ApiHandler<ApiVersionsRequest>
{
    private readonly ApiHandlerRegistry _registry;
    private List<ApiVersionsResponse.ApiVersion>? _apiKeys;

    internal ApiVersionsHandler(ApiHandlerRegistry registry) => _registry = registry;

    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, ApiVersionsRequest request)
    {
        var response = new ApiVersionsResponse { ThrottleTimeMs = 0 };
        if (context.ApiVersion >= 3
            && (!IsValidSoftwareToken(request.ClientSoftwareName) || !IsValidSoftwareToken(request.ClientSoftwareVersion)))
        {
            response.ErrorCode = (short)ErrorCode.InvalidRequest;
            return ValueTask.FromResult(ApiResponse.Of(response));
        }
        // Built once, on first use (the registry is complete by then); shared read-only afterwards.
        response.ApiKeys = _apiKeys ??= BuildApiKeys(_registry.Advertised);
        return ValueTask.FromResult(ApiResponse.Of(response));
    }

    /// <summary>The KIP-511 answer to a version the broker does not know: v0, UNSUPPORTED_VERSION,
    /// and the ApiVersions range served, so the client retries with a version it shares.</summary>
    public static ApiResponse UnsupportedVersionResponse(ApiVersionRange apiVersionsRange)
    {
        var response = new ApiVersionsResponse
        {
            ErrorCode = (short)ErrorCode.UnsupportedVersion,
            ApiKeys =
            [
                new ApiVersionsResponse.ApiVersion
                {
                    ApiKey = (short)ApiKey.ApiVersions,
                    MinVersion = apiVersionsRange.MinVersion,
                    MaxVersion = apiVersionsRange.MaxVersion,
                },
            ],
        };
        return ApiResponse.OfVersion(response, 0);
    }

    private static List<ApiVersionsResponse.ApiVersion> BuildApiKeys(IReadOnlyList<ApiVersionRange> ranges)
    {
        var list = new List<ApiVersionsResponse.ApiVersion>(ranges.Count);
        foreach (var r in ranges)
        {
            list.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)r.ApiKey, MinVersion = r.MinVersion, MaxVersion = r.MaxVersion });
        }
        return list;
    }

    /// <summary>Kafka's rule: letters, digits, '-' and '.', starting and ending with a letter or digit.</summary>
    internal static bool IsValidSoftwareToken(string? value)
    {
        if (string.IsNullOrEmpty(value)) return false;
        if (!char.IsAsciiLetterOrDigit(value[0]) || !char.IsAsciiLetterOrDigit(value[^1])) return false;
        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '.') return false;
        }
        return true;
    }
}
