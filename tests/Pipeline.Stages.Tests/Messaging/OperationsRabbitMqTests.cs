// The operations tooling on the real RabbitMQ broker, each test class in its own virtual host: messages are sent and
// faulted by a real MassTransit bus (AddPipelineBus), then peeked, counted and moved the way the CLI verbs do it.
using Pipeline.Testing;
using System.Text;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.Stages.Messaging;

namespace Pipeline.Stages.Tests.Messaging;

[Trait("Category", "Integration")]
public sealed class OperationsRabbitMqTests : IAsyncLifetime
{
    RabbitMqVirtualHost _vhost = null!;

    public async Task InitializeAsync() => _vhost = await RabbitMqVirtualHost.CreateAsync("ops-stages");

    public async Task DisposeAsync() => await _vhost.DisposeAsync();

    internal static ScoreRollouts ScoreCommand(int shard, int rollouts) => new("ops-test", 2, shard, new CheckpointReference("checkpoints/ops-test/iter-1/", "ab12cd34ef56ab12"),
        $"campaigns/ops-test/iter-2/generation/shard-{shard}.jsonl", rollouts,
        Enumerable.Range(0, rollouts).Select(i => TestRollouts.Create($"p{shard}", $"{shard}+{i}=", i, $"{shard + i} done", new Dictionary<string, double> { ["self_certainty"] = 1.5 - 0.1 * i },
            answer: $"{shard + i}", logProb: -0.25f * (i + 1), entropy: 0.5f + i, selfCertainty: 1.5f - 0.1f * i)).ToList());

    [Fact]
    public async Task PeekAsync_MassTransitMessagesWaiting_DecodesContractsAndLeavesDepthAndOrderUnchanged()
    {
        var sent = new[] { ScoreCommand(0, 2), ScoreCommand(1, 3), ScoreCommand(2, 1) };
        await _vhost.SendAsync("scoring", sent);
        Assert.Equal(3u, await _vhost.WaitForDepthAsync("scoring", 3));

        var firstTwo = await _vhost.Management.PeekAsync("scoring", 2);
        var depthAfterPeek = await _vhost.DepthAsync("scoring");
        var all = await _vhost.Management.PeekAsync("scoring", 10);

        Assert.NotNull(firstTwo);
        Assert.Equal(2, firstTwo.Count);
        Assert.Equal(3u, depthAfterPeek);
        Assert.NotNull(all);
        Assert.Equal(3, all.Count);
        var envelopes = all.Select(m => StageEnvelope.Parse(m.Body)).ToList();
        Assert.Equal(firstTwo.Select(m => StageEnvelope.Parse(m.Body).MessageId), envelopes.Take(2).Select(e => e.MessageId));
        for (var i = 0; i < sent.Length; i++)
        {
            Assert.Equal("ScoreRollouts", envelopes[i].TypeName);
            Assert.Equal("application/vnd.masstransit+json", all[i].Properties.GetProperty("content_type").GetString());
            var decoded = Assert.IsType<ScoreRollouts>(envelopes[i].DecodeContract());
            Assert.Equal((sent[i].CampaignId, sent[i].Iteration, sent[i].Shard, sent[i].Checkpoint, sent[i].RolloutsKey, sent[i].Count),
                (decoded.CampaignId, decoded.Iteration, decoded.Shard, decoded.Checkpoint, decoded.RolloutsKey, decoded.Count));
            Assert.NotNull(decoded.Rollouts);
            Assert.Equal(sent[i].Rollouts!.Count, decoded.Rollouts.Count);
            for (var r = 0; r < decoded.Rollouts.Count; r++)
            {
                var (expected, actual) = (sent[i].Rollouts![r], decoded.Rollouts[r]);
                Assert.Equal((expected.PromptId, expected.Prompt, expected.Sample, expected.Response, expected.Answer),
                    (actual.PromptId, actual.Prompt, actual.Sample, actual.Response, actual.Answer));
                Assert.Equal(expected.Tokens.Ids, actual.Tokens.Ids);
                Assert.Equal(expected.Tokens.SelfCertainties, actual.Tokens.SelfCertainties);
                Assert.Equal(expected.Scores, actual.Scores);
            }
        }
        Assert.Equal(3u, await _vhost.DepthAsync("scoring"));
    }

    [Fact]
    public async Task PeekAsync_QueueNotDeclared_ReturnsNull()
    {
        Assert.Null(await _vhost.Management.PeekAsync("update", 1));
    }

    [Fact]
    public async Task GetQueuesAsync_OneStageQueueDeclared_CountsItAndReportsTheOthersAbsent()
    {
        await _vhost.SendAsync("judging", ScoreCommand(0, 1), ScoreCommand(1, 1));
        Assert.Equal(2u, await _vhost.WaitForDepthAsync("judging", 2));
        var names = StageQueues.All.SelectMany(s => new[] { s, StageQueues.ErrorQueue(s) }).ToList();

        // The management figures are periodic statistics (every 5 s by default), so wait for them to catch up.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        IReadOnlyList<QueueState?> states;
        do
        {
            states = await _vhost.Management.GetQueuesAsync(names);
            if (states[names.IndexOf("judging")]?.Ready == 2)
                break;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(new QueueState("judging", 2, 0, 0), states[names.IndexOf("judging")]);
        Assert.All(names.Where(n => n != "judging"), n => Assert.Null(states[names.IndexOf(n)]));
    }

    [Fact]
    public async Task GetQueuesAsync_VirtualHostMissing_ThrowsNamingIt()
    {
        using var client = new RabbitMqManagementClient(new RabbitMqHostOptions { Host = _vhost.Broker.Host, VirtualHost = _vhost.Name + "-missing" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetQueuesAsync(["scoring"]));

        Assert.Contains($"virtual host '{_vhost.Name}-missing' does not exist", error.Message);
    }

    [Fact]
    public async Task GetQueuesAsync_ManagementPortClosed_ThrowsUnreachableNamingAddress()
    {
        using var client = new RabbitMqManagementClient(new RabbitMqHostOptions { Host = "127.0.0.1", ManagementPort = 1 });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetQueuesAsync(["scoring"]));

        Assert.StartsWith("RabbitMQ management API at http://127.0.0.1:1/api/ is unreachable", error.Message);
    }

    [Fact]
    public async Task MoveAsync_FaultedMessagesInErrorQueue_MovesAllBackWithBodyAndHeaders()
    {
        var host = await BusTestHost.StartAsync(_vhost.BusSettings(), x => x.AddConsumer<FailingScoringConsumer, FailingScoringDefinition>());
        try
        {
            var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:scoring"));
            await endpoint.Send(ScoreCommand(0, 1));
            await endpoint.Send(ScoreCommand(1, 2));
            Assert.Equal(2u, await _vhost.WaitForDepthAsync("scoring_error", 2));
        }
        finally
        {
            await host.StopAndDisposeAsync();
        }
        var before = await _vhost.Management.PeekAsync("scoring_error", 10);

        var moved = await ErrorQueueMover.MoveAsync(_vhost.Broker, "scoring");

        Assert.Equal(2, moved);
        Assert.Equal(0u, await _vhost.DepthAsync("scoring_error"));
        Assert.Equal(2u, await _vhost.DepthAsync("scoring"));
        var after = await _vhost.Management.PeekAsync("scoring", 10);
        Assert.NotNull(before);
        Assert.NotNull(after);
        Assert.Equal(before.Select(m => Encoding.UTF8.GetString(m.Body)), after.Select(m => Encoding.UTF8.GetString(m.Body)));
        for (var i = 0; i < 2; i++)
        {
            var headers = after[i].Properties.GetProperty("headers");
            Assert.Equal(ApplicationHeaders(before[i]), ApplicationHeaders(after[i]));
            var shard = Assert.IsType<ScoreRollouts>(StageEnvelope.Parse(after[i].Body).DecodeContract()).Shard;
            Assert.Equal($"scoring refused shard {shard}", headers.GetProperty(MessageHeaders.FaultMessage).GetString());
            Assert.Equal(before[i].Properties.GetProperty("message_id").GetString(), after[i].Properties.GetProperty("message_id").GetString());
        }
    }

    /// <summary>
    /// The headers minus x-dotnet-pub-seq-no, which RabbitMQ.Client's confirm tracking stamps on every publish (MassTransit
    /// included) with the publishing channel's sequence number.
    /// </summary>
    static Dictionary<string, string> ApplicationHeaders(PeekedMessage message) => message.Properties.GetProperty("headers").EnumerateObject()
        .Where(h => h.Name != "x-dotnet-pub-seq-no")
        .ToDictionary(h => h.Name, h => h.Value.GetRawText());

    [Fact]
    public async Task MoveAsync_NoErrorQueue_MovesNothing()
    {
        Assert.Equal(0, await ErrorQueueMover.MoveAsync(_vhost.Broker, "pairs"));
    }

    [Fact]
    public async Task MoveAsync_StageQueueMissing_ThrowsAndLeavesErrorQueueAsItWas()
    {
        await _vhost.DeclareWithMessageAsync("update_error", "{}");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ErrorQueueMover.MoveAsync(_vhost.Broker, "update"));

        Assert.Contains("queue 'update' does not exist", error.Message);
        Assert.Equal(1u, await _vhost.DepthAsync("update_error"));
    }

    [Fact]
    public async Task MoveAsync_BrokerUnreachable_ThrowsNamingBroker()
    {
        var broker = new RabbitMqHostOptions { Host = "127.0.0.1", Port = 1, VirtualHost = _vhost.Name };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ErrorQueueMover.MoveAsync(broker, "scoring"));

        Assert.StartsWith($"RabbitMQ at guest@127.0.0.1:1/{_vhost.Name} is unreachable", error.Message);
    }
}

public sealed class FailingScoringConsumer : IConsumer<ScoreRollouts>
{
    public Task Consume(ConsumeContext<ScoreRollouts> context) =>
        throw new InvalidOperationException($"scoring refused shard {context.Message.Shard}");
}

public sealed class FailingScoringDefinition : ConsumerDefinition<FailingScoringConsumer>
{
    public FailingScoringDefinition() => EndpointName = "scoring";
}
