// What a stage's stored shard output amounts to for the event it publishes: key, records, summary and the inline copy.
namespace Pipeline.Stages.Work;

/// <summary>A shard output as stored (JSON lines under <paramref name="Key"/>, summary alongside).</summary>
/// <typeparam name="T">Record type (<see cref="Contracts.Rollout"/> or <see cref="Contracts.PreferencePairRecord"/>).</typeparam>
/// <param name="Key">Store key of the JSON lines.</param>
/// <param name="Records">Every record, in stored order.</param>
/// <param name="Summary">Shard-level figures by name.</param>
/// <param name="Inline">The records when their JSON fits the inline bound, else null (messages then carry only the key).</param>
/// <param name="Reused">True when the output already existed and was read back instead of written.</param>
public sealed record StoredShard<T>(string Key, IReadOnlyList<T> Records, IReadOnlyDictionary<string, double> Summary,
    IReadOnlyList<T>? Inline, bool Reused)
{
    /// <summary>Number of records.</summary>
    public int Count => Records.Count;
}
