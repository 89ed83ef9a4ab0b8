// Scoring: one teacher-forced pass of the iteration's starting policy over each rollout gives its self-certainty (at the
// sampling temperature, INTUITOR) and its answer-span confidence (at temperature 1, RLSF); the answers of each prompt's
// samples give every rollout its vote share (self-training). All three are attached whatever the recipe: they cost one
// pass, and the recipe reads the one it learns from.
using Pipeline.Contracts;
using Pipeline.Learning.Signals;
using Pipeline.Learning.Tasks.Arith;
using Pipeline.Learning.Updates;
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Work;

/// <summary>Attaches confidence signals to a shard's rollouts (the <c>scoring</c> stage).</summary>
/// <param name="shards">Where outputs are stored.</param>
/// <param name="policies">Where policies are loaded from.</param>
public sealed class ScoringWork(ShardStore shards, PolicyLoader policies)
{
    private readonly ArithTask _task = new();

    /// <summary>
    /// The shard's scored rollouts (scores <c>self_certainty</c>, <c>answer_confidence</c>, <c>votes</c>, <c>majority</c>):
    /// read back when stored, otherwise computed and stored. Summary: <c>rollouts</c>, <c>mean_self_certainty</c>,
    /// <c>mean_answer_confidence</c>, <c>mean_vote_share</c> (of each prompt's majority answer), <c>answer_rate</c>.
    /// </summary>
    public async Task<StoredShard<Rollout>> RunAsync(CampaignDefinition definition, ScoreRollouts command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(command);
        string key = CampaignKeys.ShardOutput(command.CampaignId, command.Iteration, CampaignStage.Scoring, command.Shard);
        if (await shards.TryReadAsync<Rollout>(key, cancellationToken) is { } stored) return stored;
        var input = await shards.RolloutsAsync(command, cancellationToken);
        if (input.Count == 0) throw new ArgumentException("The shard holds no rollout.", nameof(command));

        var signals = await policies.UseAsync(command.Checkpoint, policy => Signals(definition, policy, input), cancellationToken);
        var groups = RolloutTokens.ByPrompt(input.Select((r, i) => r with { Scores = Scores(r, signals[i]) }));
        var scored = new List<Rollout>(input.Count);
        var majorityShares = new List<double>();
        foreach (var group in groups)
        {
            var vote = AnswerVoting.Majority(group.Select(r => r.Answer).ToList());
            majorityShares.Add(vote.Share);
            foreach (var rollout in group)
            {
                var scores = new Dictionary<string, double>(rollout.Scores)
                {
                    [ScoreNames.Votes] = rollout.Answer is null ? 0 : group.Count(r => r.Answer == rollout.Answer) / (double)group.Count,
                    [ScoreNames.Majority] = rollout.Answer is not null && rollout.Answer == vote.Winner ? 1 : 0,
                };
                scored.Add(rollout with { Scores = scores });
            }
        }
        var summary = new Dictionary<string, double>
        {
            ["rollouts"] = scored.Count,
            ["mean_self_certainty"] = scored.Average(r => r.Scores[ScoreNames.SelfCertainty]),
            ["mean_answer_confidence"] = scored.Average(r => r.Scores[ScoreNames.AnswerConfidence]),
            ["mean_vote_share"] = majorityShares.Average(),
            ["answer_rate"] = scored.Count(r => r.Answer is not null) / (double)scored.Count,
        };
        return await shards.WriteAsync(key, scored, summary, cancellationToken);
    }

    private static Dictionary<string, double> Scores(Rollout rollout, (double SelfCertainty, double AnswerConfidence) signal) =>
        new(rollout.Scores)
        {
            [ScoreNames.SelfCertainty] = signal.SelfCertainty,
            [ScoreNames.AnswerConfidence] = signal.AnswerConfidence,
        };

    private (double SelfCertainty, double AnswerConfidence)[] Signals(CampaignDefinition definition, LoadedPolicy policy, IReadOnlyList<Rollout> rollouts)
    {
        var model = policy.Model;
        int vocab = model.Config.VocabSize;
        var result = new (double, double)[rollouts.Count];
        int batchSize = definition.Scoring.BatchSize;
        for (int start = 0; start < rollouts.Count; start += batchSize)
        {
            var part = rollouts.Skip(start).Take(batchSize).ToList();
            var pairs = part.Select(r => RolloutTokens.Pair(policy.Encoding, r)).ToList();
            var batch = SequenceBatch.Pack(pairs);
            var logits = model.Forward(batch.Tokens, batch.BatchSize, batch.Time);
            for (int b = 0; b < part.Count; b++)
            {
                int[] tokens = [.. pairs[b].Prompt, .. pairs[b].Response];
                var row = logits.Slice(b * batch.Time * vocab, batch.Time * vocab);
                var sampled = ResponseSignals.Compute(row, vocab, tokens, pairs[b].Prompt.Length, (float)definition.Temperature);
                var plain = definition.Temperature == 1.0 ? sampled : ResponseSignals.Compute(row, vocab, tokens, pairs[b].Prompt.Length, 1f);
                var tokenTexts = pairs[b].Response.Select(t => t == policy.Encoding.Eos ? "" : policy.Encoding.Tokenizer.Decode([t])).ToList();
                var answer = AnswerSpan.ToTokenRange(tokenTexts, _task.FindAnswer(part[b].Response));
                result[start + b] = (sampled.SelfCertainty, plain.AnswerSpanConfidence(answer, definition.Scoring.Confidence));
            }
        }
        return result;
    }
}
