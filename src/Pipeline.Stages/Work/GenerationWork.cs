// Generation: the iteration's starting policy samples G responses per prompt of a shard; each response keeps the
// sampled token ids with the sampler's per-token statistics (every later signal derives from these), its text, and its
// extracted answer with the tokens that spell it. Seeds derive from (campaign, iteration, shard),
// and generation of a sequence does not depend on its batch, so a re-run produces the same rollouts.
using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Signals;
using Pipeline.Learning.Tasks;
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Work;

/// <summary>Samples a shard's rollouts (the <c>generation</c> stage).</summary>
/// <param name="shards">Where outputs are stored.</param>
/// <param name="policies">Where policies are loaded from.</param>
internal sealed class GenerationWork(ShardStore shards, PolicyLoader policies)
{
    /// <summary>
    /// The shard's rollouts: read back when stored already, otherwise sampled (<see cref="CampaignDefinition.SamplesPerPrompt"/>
    /// per prompt, all samples of a prompt adjacent) and stored at <see cref="CampaignKeys.ShardOutput"/>.
    /// Summary: <c>prompts</c>, <c>rollouts</c>, <c>mean_tokens</c>, <c>answer_rate</c>, <c>truncated_rate</c>, <c>mean_self_certainty</c>, <c>wall_seconds</c>.
    /// </summary>
    public async Task<StoredShard<Rollout>> RunAsync(CampaignDefinition definition, GenerateRollouts command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(command);
        string key = CampaignKeys.ShardOutput(command.CampaignId, command.Iteration, CampaignStage.Generation, command.Shard);
        if (await shards.TryReadAsync<Rollout>(key, cancellationToken) is { } stored) return stored;
        if (command.Prompts.Count == 0) throw new ArgumentException("The shard holds no prompt.", nameof(command));

        var clock = Stopwatch.StartNew();
        var (rollouts, truncated) = await policies.UseAsync(command.Checkpoint, definition.Backend, policy => Sample(definition, command, policy), cancellationToken);
        var summary = new Dictionary<string, double>
        {
            ["prompts"] = command.Prompts.Count,
            ["rollouts"] = rollouts.Count,
            ["mean_tokens"] = rollouts.Average(r => (double)r.Tokens.Ids.Length),
            ["answer_rate"] = rollouts.Count(r => r.Answer is not null) / (double)rollouts.Count,
            ["truncated_rate"] = truncated / (double)rollouts.Count,
            ["mean_self_certainty"] = rollouts.Average(r => SampledTokenRecords.SelfCertainty(r.Tokens)),
            [StageTiming.WallSeconds] = clock.Elapsed.TotalSeconds,
        };
        return await shards.WriteAsync(key, rollouts, summary, cancellationToken);
    }

    private (List<Rollout> Rollouts, int Truncated) Sample(CampaignDefinition definition, GenerateRollouts command, LoadedPolicy policy)
    {
        var encoding = policy.Encoding;
        var task = TaskRegistry.Get(definition.Task);
        int g = definition.SamplesPerPrompt;
        var promptTokens = command.Prompts.Select(p => encoding.Prompt(p.Text)).ToList();
        var generated = policy.Model.Generate(promptTokens.SelectMany(p => Enumerable.Repeat(p, g)).ToList(), new SamplingOptions
        {
            Temperature = (float)definition.Temperature,
            MaxNewTokens = definition.MaxNewTokens,
            StopTokens = [encoding.Eos],
            Seed = StageSeeds.ForShard(definition, CampaignStage.Generation, command.Iteration, command.Shard),
        });
        var rollouts = new List<Rollout>(generated.Count);
        int truncated = 0;
        for (int i = 0; i < generated.Count; i++)
        {
            var prompt = command.Prompts[i / g];
            var sequence = generated[i];
            if (sequence.FinishReason == FinishReason.Length) truncated++;
            string response = encoding.DecodeResponse(sequence.Tokens);
            var answer = AnswerSpan.ToTokenRange(encoding.TokenTexts(sequence.Tokens), task.FindAnswer(response));
            rollouts.Add(new Rollout(prompt.Id, prompt.Text, i % g, response,
                SampledTokenRecords.From(promptTokens[i / g], sequence, (float)definition.Temperature),
                task.ExtractAnswer(response), answer is { } a ? new TokenSpan(a.Start, a.Length) : null,
                new Dictionary<string, double>(), prompt.GoldAnswer));
        }
        return (rollouts, truncated);
    }
}
