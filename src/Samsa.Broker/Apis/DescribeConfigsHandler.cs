using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;
using Samsa.Metadata.Controller;
using Samsa.Metadata.Image;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// DescribeConfigs (key 32), versions 0-4, for topics and brokers: every config (or the keys asked)
/// with its value, source, read-only and sensitive flags, synonyms (v1+, when asked) and type (v3+).
/// Sensitive values are never returned. v0 has no source, only an is-default flag.
/// </summary>
public sealed class DescribeConfigsHandler : ApiHandler<DescribeConfigsRequest>
{
    private readonly MetadataQuorumComponent _metadata;

    public DescribeConfigsHandler(MetadataQuorumComponent metadata) => _metadata = metadata;

    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, DescribeConfigsRequest request)
    {
        MetadataImage image = _metadata.Quorum.Image;
        ConfigDescriber describer = _metadata.Quorum.Controller.Configs;
        var response = new DescribeConfigsResponse();
        foreach (DescribeConfigsRequest.DescribeConfigsResource r in request.Resources)
        {
            var result = new DescribeConfigsResponse.DescribeConfigsResult
            {
                ResourceType = r.ResourceType,
                ResourceName = r.ResourceName,
            };
            ConfigResourceType type = (ConfigResourceType)r.ResourceType;
            if (type is not (ConfigResourceType.Topic or ConfigResourceType.Broker))
            {
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                result.ErrorMessage = $"Unsupported resource type {r.ResourceType} for DescribeConfigs";
                response.Results.Add(result);
                continue;
            }

            DescribeConfigsResult described = describer.Describe(image, new ConfigResource(type, r.ResourceName), r.ConfigurationKeys);
            result.ErrorCode = (short)described.ErrorCode;
            result.ErrorMessage = described.ErrorCode == ErrorCode.None ? null : described.ErrorMessage;
            foreach (DescribedConfig c in described.Configs)
            {
                var entry = new DescribeConfigsResponse.DescribeConfigsResourceResult
                {
                    Name = c.Name,
                    Value = c.IsSensitive ? null : c.Value,
                    ReadOnly = c.IsReadOnly,
                    // v0 only: later versions carry the source instead (the field is not ignorable).
                    IsDefault = context.ApiVersion == 0 && c.IsDefault,
                    ConfigSource = (sbyte)c.Source,
                    IsSensitive = c.IsSensitive,
                    ConfigType = (sbyte)c.Type,
                };
                if (request.IncludeSynonyms && context.ApiVersion >= 1)
                {
                    foreach (ConfigSynonym s in c.Synonyms)
                    {
                        entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym
                        {
                            Name = s.Name,
                            Value = c.IsSensitive ? null : s.Value,
                            Source = (sbyte)s.Source,
                        });
                    }
                }
                result.Configs.Add(entry);
            }
            response.Results.Add(result);
        }
        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
