// The prompts of a campaign iteration, derived from the definition alone so every process computes the same set:
// iteration n takes the n-th slice of the task's campaign prompts (unlabelled, the campaign difficulty, disjoint from
// the held-out sets and from the base model's SFT data), split into contiguous shards.
using Pipeline.Contracts;
using Pipeline.Learning.Tasks;

namespace Pipeline.Stages.Campaigns;

/// <summary>The deterministic prompt set of (definition, iteration) and its shards.</summary>
public static class CampaignPrompts
{
    /// <summary>
    /// The task's splits with only the campaign and evaluation sets (prefix-stable: the first N prompts are the same for any
    /// larger count), for the definition's task seed.
    /// </summary>
    public static TaskSplits Splits(CampaignDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return TaskRegistry.Get(definition.Task).Splits(definition.TaskSeed, new SplitSizes(CampaignOnly: true));
    }

    /// <summary>All prompts of <paramref name="iteration"/> (from 1); gold answers only when the recipe uses a verifier.</summary>
    public static IReadOnlyList<CampaignPrompt> ForIteration(CampaignDefinition definition, int iteration)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (iteration < 1 || iteration > definition.Iterations)
            throw new ArgumentOutOfRangeException(nameof(iteration), iteration, $"Iterations run from 1 to {definition.Iterations}.");
        bool gold = definition.Chain.UsesGoldAnswers;
        return Splits(definition).Campaign
            .Skip((iteration - 1) * definition.PromptsPerIteration)
            .Take(definition.PromptsPerIteration)
            .Select(p => new CampaignPrompt(p.Id, p.Prompt, gold ? p.Answer : null))
            .ToList();
    }

    /// <summary>The prompts of <paramref name="iteration"/> in <see cref="CampaignDefinition.Shards"/> contiguous shards (sizes differ by at most one).</summary>
    public static IReadOnlyList<IReadOnlyList<CampaignPrompt>> Sharded(CampaignDefinition definition, int iteration)
    {
        var prompts = ForIteration(definition, iteration);
        int shards = definition.Shards;
        var result = new List<IReadOnlyList<CampaignPrompt>>(shards);
        for (int k = 0; k < shards; k++)
        {
            int start = prompts.Count * k / shards, end = prompts.Count * (k + 1) / shards;
            result.Add(prompts.Skip(start).Take(end - start).ToList());
        }
        return result;
    }

    /// <summary>Shard <paramref name="shard"/> of <paramref name="iteration"/>'s prompts.</summary>
    public static IReadOnlyList<CampaignPrompt> Shard(CampaignDefinition definition, int iteration, int shard)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (shard < 0 || shard >= definition.Shards)
            throw new ArgumentOutOfRangeException(nameof(shard), shard, $"Shards run from 0 to {definition.Shards - 1}.");
        return Sharded(definition, iteration)[shard];
    }

    /// <summary>
    /// The held-out problems evaluation uses: per difficulty (the definition's list, or every held-out one), the first
    /// <see cref="EvaluationSettings.ProblemsPerDifficulty"/> problems of the task's evaluation set.
    /// </summary>
    public static IReadOnlyList<(string Difficulty, IReadOnlyList<TaskProblem> Problems)> EvaluationSets(CampaignDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var splits = Splits(definition);
        var labels = definition.Evaluation.Difficulties ?? splits.Evaluation.Keys.Order(StringComparer.Ordinal).ToList();
        return labels.Select(l => (l, (IReadOnlyList<TaskProblem>)splits.Evaluation[l].Take(definition.Evaluation.ProblemsPerDifficulty).ToList())).ToList();
    }
}
