// What waits between the stages, read without consuming anything: the depth and consumers of every stage queue and its
// error queue, and the messages at the head of one queue (peeked through the management API and requeued in place),
// decoded to their Contracts records, with the rollouts of a message that carries only their store key read from the
// store on request. `pipeline queues`, `pipeline rollouts peek` and the dashboard's queue pages all read through here.
using Pipeline.Contracts;
using Pipeline.Stages.Work;

namespace Pipeline.Stages.Messaging;

/// <summary>One stage queue or error queue and its state.</summary>
/// <param name="Queue">Queue name (<c>scoring</c>, <c>scoring_error</c> ...).</param>
/// <param name="Stage">The stage the queue belongs to.</param>
/// <param name="IsError">Whether it is the stage's error queue.</param>
/// <param name="State">Depth and consumers; null when the queue is not declared yet (no worker has started for it).</param>
public sealed record StageQueueRow(string Queue, string Stage, bool IsError, QueueState? State);

/// <summary>A message peeked from a stage queue, decoded.</summary>
/// <param name="Position">Position from the head of the queue, from 1.</param>
/// <param name="Message">The raw message as the management API returned it.</param>
/// <param name="Envelope">Its MassTransit envelope.</param>
/// <param name="Contract">The Contracts record (for a fault: the faulted message), or null when it is none or does not decode.</param>
/// <param name="LoadedRollouts">Rollouts read from the store for a payload that carries only their key, when loading was asked for.</param>
public sealed record PeekedStageMessage(int Position, PeekedMessage Message, StageEnvelope Envelope, object? Contract,
    IReadOnlyList<Rollout>? LoadedRollouts);

/// <summary>Reads the stage queues' figures and waiting messages.</summary>
public static class StageQueueInspector
{
    /// <summary>Every stage queue followed by its error queue, in pipeline order.</summary>
    public static IReadOnlyList<string> QueueNames { get; } = StageQueues.All.SelectMany(s => new[] { s, StageQueues.ErrorQueue(s) }).ToList();

    /// <summary>The state of every queue of <see cref="QueueNames"/>.</summary>
    /// <exception cref="InvalidOperationException">The management API is unreachable or refuses the request.</exception>
    public static async Task<IReadOnlyList<StageQueueRow>> ListAsync(RabbitMqManagementClient management, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(management);
        var states = await management.GetQueuesAsync(QueueNames, cancellationToken);
        return QueueNames.Select((name, i) =>
        {
            var isError = name.EndsWith(StageQueues.ErrorSuffix, StringComparison.Ordinal);
            return new StageQueueRow(name, isError ? name[..^StageQueues.ErrorSuffix.Length] : name, isError, states[i]);
        }).ToList();
    }

    /// <summary>
    /// Up to <paramref name="count"/> messages from the head of <paramref name="queue"/>, left in place (the broker marks
    /// them redelivered). With <paramref name="shards"/>, the rollouts of payloads that travel by key are read from the store.
    /// </summary>
    /// <exception cref="ArgumentException">The queue is not a stage queue or error queue.</exception>
    /// <exception cref="InvalidOperationException">The queue does not exist, or the management API fails.</exception>
    public static async Task<IReadOnlyList<PeekedStageMessage>> PeekAsync(RabbitMqManagementClient management, string queue, int count,
        ShardStore? shards = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(management);
        if (!QueueNames.Contains(queue))
            throw new ArgumentException($"Unknown queue '{queue}'; the queues are: {string.Join(", ", QueueNames)}.", nameof(queue));
        var messages = await management.PeekAsync(queue, count, cancellationToken)
            ?? throw new InvalidOperationException($"Queue '{queue}' does not exist on virtual host {management.VirtualHost} (no worker has declared it yet).");
        var result = new List<PeekedStageMessage>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var envelope = StageEnvelope.Parse(messages[i].Body);
            var contract = TryDecode(envelope);
            IReadOnlyList<Rollout>? loaded = null;
            if (shards is not null && contract is IRolloutPayload { Rollouts: null } payload)
                loaded = await shards.ReadAsync<Rollout>(payload.RolloutsKey, cancellationToken);
            result.Add(new PeekedStageMessage(i + 1, messages[i], envelope, contract, loaded));
        }
        return result;
    }

    /// <summary>The envelope's Contracts record, or null when it is none or does not fit its record.</summary>
    public static object? TryDecode(StageEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        try
        {
            return envelope.DecodeContract();
        }
        catch (InvalidDataException)
        {
            // Shown raw instead: a message of an older or newer contract version is still worth seeing.
            return null;
        }
    }
}
