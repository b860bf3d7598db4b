using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Samsa.Broker.Hosting;

namespace Samsa.Server.Http;

/// <summary>
/// <c>GET /health</c>: 200 <c>ready</c> once every broker component has started and the Kafka
/// listeners are open; 503 with the state (and the component loading) otherwise.
/// </summary>
internal static class HealthEndpoint
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        var state = endpoints.ServiceProvider.GetRequiredService<BrokerState>();
        endpoints.MapGet("/health", context =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            if (state.IsReady)
            {
                return context.Response.WriteAsync("ready\n");
            }
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            string detail = state.Detail.Length > 0 ? $" ({state.Detail})" : "";
            return context.Response.WriteAsync($"{state.Lifecycle.ToString().ToLowerInvariant()}{detail}\n");
        });
        return endpoints;
    }
}
