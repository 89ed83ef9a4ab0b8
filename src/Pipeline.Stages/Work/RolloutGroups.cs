// A prompt's samples belong together (GRPO groups, votes, pairs); shards keep them adjacent, and this puts them back
// together in a stable order whatever order they were read in.
using Pipeline.Contracts;

namespace Pipeline.Stages.Work;

internal static class RolloutGroups
{
    /// <summary>Rollouts grouped by prompt, in order of first appearance, each group ordered by sample index.</summary>
    public static List<List<Rollout>> ByPrompt(IEnumerable<Rollout> rollouts) => rollouts
        .Select((r, i) => (r, i))
        .GroupBy(x => x.r.PromptId, StringComparer.Ordinal)
        .OrderBy(g => g.Min(x => x.i))
        .Select(g => g.Select(x => x.r).OrderBy(r => r.Sample).ToList())
        .ToList();
}
