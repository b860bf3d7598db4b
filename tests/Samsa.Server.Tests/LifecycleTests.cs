using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Samsa.Broker.Config;
using Samsa.Broker.Hosting;
using Samsa.Protocol.Messages;
using Samsa.TestSupport;

namespace Samsa.Server.Tests;

/// <summary>The seam for the metadata quorum and the log manager, in process.</summary>
public class LifecycleTests
{
    private sealed class ProbeComponent(int port) : IBrokerComponent
    {
        public string Name => "probe";
        public bool? PortOpenAtStart { get; private set; }
        public bool? PortOpenAtStop { get; private set; }
        public List<string> Calls { get; } = [];

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            PortOpenAtStart = await CanConnectAsync(port);
            Calls.Add("start " + Name);
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            PortOpenAtStop = await CanConnectAsync(port);
            Calls.Add("stop " + Name);
        }
    }

    private sealed class OrderComponent(string name, List<string> calls) : IBrokerComponent
    {
        public string Name => name;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            calls.Add("start " + name);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            calls.Add("stop " + name);
            return Task.CompletedTask;
        }
    }

    private static async Task<bool> CanConnectAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static BrokerConfig Config(TempDirectory dir, int port) => BrokerConfig.Create(new Dictionary<string, string>
    {
        ["process.roles"] = "broker,controller",
        ["node.id"] = "1",
        ["controller.quorum.voters"] = "1@127.0.0.1:1",
        ["listeners"] = $"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:1",
        ["controller.listener.names"] = "CONTROLLER",
        ["http.listeners"] = "",
        ["log.dirs"] = dir.Combine("data"),
    });

    [Fact]
    public async Task Components_start_before_the_listeners_open_and_stop_after_they_close_in_reverse_order()
    {
        using var dir = new TempDirectory();
        int port = FreePort.Next();
        var probe = new ProbeComponent(port);
        var calls = probe.Calls;
        await using var server = SamsaServer.Create(Config(dir, port), new BrokerIdentity("test-cluster", 1), services =>
        {
            services.AddSingleton<IBrokerComponent>(new OrderComponent("metadata", calls));
            services.AddSingleton<IBrokerComponent>(probe);
        });
        await server.StartAsync();
        Assert.False(probe.PortOpenAtStart);
        Assert.True(server.Services.GetRequiredService<BrokerState>().IsReady);
        Assert.Equal(port, Assert.Single(server.KafkaEndpoints).Port);

        await using (var client = await KafkaWireClient.ConnectAsync("127.0.0.1", port))
        {
            var response = await client.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "t", ClientSoftwareVersion = "1" }, 3);
            Assert.Equal(0, response.ErrorCode);
        }

        await server.StopAsync();
        Assert.False(probe.PortOpenAtStop);
        Assert.Equal(["start metadata", "start probe", "stop probe", "stop metadata"], calls);
        Assert.Equal(BrokerLifecycle.Stopped, server.Services.GetRequiredService<BrokerState>().Lifecycle);
    }

    [Fact]
    public async Task Port_zero_listeners_report_the_bound_port_and_advertise_it()
    {
        using var dir = new TempDirectory();
        await using var server = SamsaServer.Create(Config(dir, 0), new BrokerIdentity("test-cluster", 1));
        await server.StartAsync();
        int bound = Assert.Single(server.KafkaEndpoints).Port;
        Assert.NotEqual(0, bound);
        var advertised = Assert.Single(server.Services.GetRequiredService<BrokerEndpoints>().Advertised);
        Assert.Equal(bound, advertised.Port);
        Assert.Equal("127.0.0.1", advertised.Host);
        Assert.True(await CanConnectAsync(bound));
        await server.StopAsync();
    }
}
