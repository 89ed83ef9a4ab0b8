// Generation: the iteration's starting policy samples G responses per prompt of a shard; each response keeps the
// sampled token ids with the sampler's per-token statistics (every later signal derives from these), its text, and its
// extracted answer with the tokens that spell it. Seeds derive from (campaign, iteration, shard),
// and generation of a sequence does not depend on its batch, so a re-run produces the same rollouts. For the
// self-correction recipes every first attempt is followed, in the same stage, by one second attempt sampled on the
// correction prompt (the prompt's tokens, the first attempt's tokens as drawn, the fixed instruction).
using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Engine.Sampling;
using Pipeline.Engine.Training;
using Pipeline.Learning.Evaluation;
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
        ulong seed = StageSeeds.ForShard(definition, CampaignStage.Generation, command.Iteration, command.Shard);
        var promptTokens = command.Prompts.SelectMany(p => Enumerable.Repeat(encoding.Prompt(p.Text), g)).ToList();
        var generated = policy.Model.Generate(promptTokens, Options(definition, encoding, seed));
        var rollouts = new List<Rollout>(generated.Count * (definition.Chain.TwoAttempts ? 2 : 1));
        int truncated = 0;
        for (int i = 0; i < generated.Count; i++)
        {
            var prompt = command.Prompts[i / g];
            rollouts.Add(ToRollout(definition, task, encoding, prompt, prompt.Text, i % g, promptTokens[i], generated[i], attempt: 1));
            if (generated[i].FinishReason == FinishReason.Length) truncated++;
        }
        if (!definition.Chain.TwoAttempts) return (rollouts, truncated);

        // One second attempt per first attempt, from its own stream of seeds.
        var correctionTokens = generated.Select((s, i) => encoding.CorrectionPrompt(promptTokens[i], s.Tokens)).ToList();
        var secondOptions = Options(definition, encoding, SeededRandom.DeriveSeed(seed, "second-attempt"));
        secondOptions = secondOptions with
        {
            MaxNewTokens = TaskEvaluator.SecondAttemptBudget(policy.Model.Config.MaxPositionEmbeddings, correctionTokens.Max(t => t.Length), definition.MaxNewTokens),
        };
        var second = policy.Model.Generate(correctionTokens, secondOptions);
        for (int i = 0; i < second.Count; i++)
        {
            var prompt = command.Prompts[i / g];
            string correctionPrompt = SelfCorrection.BuildPrompt(prompt.Text, rollouts[i].Response);
            rollouts.Add(ToRollout(definition, task, encoding, prompt, correctionPrompt, i % g, correctionTokens[i], second[i], attempt: 2));
            if (second[i].FinishReason == FinishReason.Length) truncated++;
        }
        return (rollouts, truncated);
    }

    private static SamplingOptions Options(CampaignDefinition definition, TaskEncoding encoding, ulong seed) => new()
    {
        Temperature = (float)definition.Temperature,
        MaxNewTokens = definition.MaxNewTokens,
        StopTokens = [encoding.Eos],
        Seed = seed,
    };

    private static Rollout ToRollout(CampaignDefinition definition, ITask task, TaskEncoding encoding, CampaignPrompt prompt, string promptText,
        int sample, int[] promptTokens, GeneratedSequence sequence, int attempt)
    {
        string response = encoding.DecodeResponse(sequence.Tokens);
        var answer = AnswerSpan.ToTokenRange(encoding.TokenTexts(sequence.Tokens), task.FindAnswer(response));
        return new Rollout(prompt.Id, promptText, sample, response,
            SampledTokenRecords.From(promptTokens, sequence, (float)definition.Temperature),
            task.ExtractAnswer(response), answer is { } a ? new TokenSpan(a.Start, a.Length) : null,
            new Dictionary<string, double>(), prompt.GoldAnswer, attempt);
    }
}
