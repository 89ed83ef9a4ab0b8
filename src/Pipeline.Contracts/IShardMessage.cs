// Messages of the per-shard stages (generation, scoring, judging, pairs) name their shard of the iteration's prompts.
namespace Pipeline.Contracts;

/// <summary>A message about one shard of an iteration's prompts.</summary>
public interface IShardMessage : IStageMessage
{
    /// <summary>Shard of the iteration's prompts, from 0.</summary>
    int Shard { get; }
}
