// The dashboard as `pipeline dashboard` runs it in a deployment: RabbitMQ (a throw-away virtual host on the real broker)
// and Azure Blob (its own Azurite container), no stage in its process. The queue pages show the broker's figures and
// the messages waiting, left in place; retry moves a real error queue back; the campaign pages read the blob store.
// Needs `infra/servers.sh start`.
using System.Net;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Tests.Messaging;
using Pipeline.Stages.Tests.Work;

namespace Pipeline.Dashboard.Tests;

[Trait("Category", "Integration")]
public sealed class RabbitMqDashboardTests : IAsyncLifetime
{
    const string Azurite = "UseDevelopmentStorage=true";
    RabbitMqVirtualHost _vhost = null!;
    DashboardFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _vhost = await RabbitMqVirtualHost.CreateAsync("dash-queues");
        _factory = new DashboardFactory(new Dictionary<string, string?>
        {
            [DashboardTestProgram.HostKey] = "standalone",
            ["Bus:Transport"] = "RabbitMq",
            ["Bus:RabbitMq:Host"] = _vhost.Broker.Host,
            ["Bus:RabbitMq:VirtualHost"] = _vhost.Name,
            ["Bus:StopTimeout"] = "5s",
            ["Storage:Kind"] = "AzureBlob",
            ["Storage:AzureBlob:ConnectionString"] = Azurite,
            ["Storage:AzureBlob:Container"] = _vhost.Name,
        });
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await new BlobContainerClient(Azurite, _vhost.Name).DeleteIfExistsAsync();
        await _vhost.DisposeAsync();
    }

    static ScoreRollouts ScoreCommand(int shard, int rollouts) => new("dash-queued", 1, shard,
        new CheckpointReference("checkpoints/dash-queued/iter-0/", new string('a', 64)), $"campaigns/dash-queued/iter-1/generation/shard-{shard}.jsonl", rollouts,
        Enumerable.Range(0, rollouts).Select(i => Pipeline.Testing.TestRollouts.Create($"p{shard}", $"{shard}+{i}=", i, $"{shard}+{i}={shard + i}",
            answer: $"{shard + i}", logProb: -0.2f * (i + 1), entropy: 0.4f, selfCertainty: 1.1f)).ToList());

    [Fact]
    public async Task QueuePages_MessagesWaitingAndFaulted_ShowFiguresPeekInPlaceAndRetryMovesTheErrorQueueBack()
    {
        using var client = _factory.Browser();
        await _vhost.SendAsync("scoring", ScoreCommand(0, 2), ScoreCommand(1, 3));
        await _vhost.DeclareWithMessageAsync("scoring_error", "{\"message\":{}}");
        Assert.Equal(2u, await _vhost.WaitForDepthAsync("scoring", 2));

        // The management figures lag by a few seconds; the page shows whatever the broker reports.
        var queues = await WaitForPageAsync(client, "/queues", html =>
            html.Contains("data-queue=\"scoring\">2<", StringComparison.Ordinal) && html.Contains("data-queue=\"scoring_error\">1<", StringComparison.Ordinal));
        var messages = await DashboardFactory.GetAsync(client, "/queues/scoring");
        var json = JsonNode.Parse(await DashboardFactory.GetAsync(client, "/api/queues/scoring/messages?count=5"))!.AsArray();
        var depthAfterPeeks = await _vhost.DepthAsync("scoring");
        using var retry = await DashboardFactory.PressAsync(client, "/queues", "/stages/scoring/retry");
        var notice = await DashboardFactory.GetAsync(client, retry.Headers.Location!.OriginalString);

        Assert.Contains($"virtual host {_vhost.Name}", queues);
        Assert.Contains("<a href=\"/queues/generation\">generation</a></td><td class=\"muted\" colspan=\"3\">absent</td>", queues);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(messages, "<h2>#\\d ScoreRollouts</h2>").Count);
        Assert.Equal(2, DashboardPagesTests.BodyRows(messages, "message-1"));
        Assert.Equal(3, DashboardPagesTests.BodyRows(messages, "message-2"));
        Assert.Contains("<code>1+2=3</code>", messages);
        Assert.Equal(["ScoreRollouts", "ScoreRollouts"], json.Select(m => (string?)m!["messageType"]));
        Assert.Equal(2u, depthAfterPeeks);
        Assert.Equal(HttpStatusCode.SeeOther, retry.StatusCode);
        Assert.Contains("Moved 1 message(s) from scoring_error back to scoring.", notice);
        Assert.Equal(0u, await _vhost.DepthAsync("scoring_error"));
        Assert.Equal(3u, await _vhost.DepthAsync("scoring"));
    }

    [Fact]
    public async Task CampaignPages_AzureBlobStore_ShowTheStartedCampaignAndItsNudgeWaiting()
    {
        using var client = _factory.Browser();
        await _factory.Campaigns.StartAsync(TinyCampaign.Small(Recipe.Intuitor), await TinyCampaign.BaseFolder.Value, "dash-blob");

        var list = await DashboardFactory.GetAsync(client, "/");
        var page = await DashboardFactory.GetAsync(client, "/campaigns/dash-blob");
        var generation = await DashboardFactory.GetAsync(client, "/campaigns/dash-blob/iterations/1/generation");
        var orchestrator = await DashboardFactory.GetAsync(client, "/queues/orchestrator");

        Assert.Contains("<tr data-campaign=\"dash-blob\">", list);
        Assert.Contains($"Azure Blob container {_vhost.Name}", list);
        Assert.Contains("badge running", page);
        Assert.Contains("No policy has been evaluated yet.", page);
        Assert.Contains("not stored yet", generation);
        Assert.Contains("<h2>#1 AdvanceCampaign</h2>", orchestrator);
        Assert.Contains("dash-blob", orchestrator);
    }

    static async Task<string> WaitForPageAsync(HttpClient client, string path, Func<string, bool> shows)
    {
        var deadline = DateTime.UtcNow + BusTestHost.WaitLimit;
        while (true)
        {
            var html = await DashboardFactory.GetAsync(client, path);
            if (shows(html))
                return html;
            Assert.True(DateTime.UtcNow < deadline, $"{path} did not show the expected figures within {BusTestHost.WaitLimit}:\n{html}");
            await Task.Delay(500);
        }
    }
}
