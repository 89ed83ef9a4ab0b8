// Messages of the policy update name their chunk of the iteration's optimizer steps.
namespace Pipeline.Contracts;

/// <summary>A message about one chunk of an iteration's policy update.</summary>
public interface IChunkMessage : IStageMessage
{
    /// <summary>The chunk of optimizer steps, from 0.</summary>
    int Chunk { get; }
}
