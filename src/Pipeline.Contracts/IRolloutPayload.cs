// Rollouts ride inline in messages while small, so a queue can be read by a person; the stored copy is always the truth.
namespace Pipeline.Contracts;

/// <summary>A message carrying a shard's rollouts: always by store key, and inline as well when they fit the size bound.</summary>
public interface IRolloutPayload
{
    /// <summary>Store key of the shard's rollouts (JSON lines of <see cref="Rollout"/>).</summary>
    string RolloutsKey { get; }

    /// <summary>Number of rollouts in the shard.</summary>
    int Count { get; }

    /// <summary>The rollouts themselves when they fit the inline bound; null when only the key is given.</summary>
    IReadOnlyList<Rollout>? Rollouts { get; }
}
