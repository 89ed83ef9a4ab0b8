// Scoring: attaches the confidence signals the sampling policy defines, derived from the per-token statistics the sampler
// stored with each rollout (no model pass): self-certainty at the sampling temperature (INTUITOR), answer-span confidence
// (RLSF), and, from the answers of each prompt's samples, every rollout's vote share and pseudo-label flag (self-training,
// TTRL's grpo-majority; majority or self-certainty Borda voting), plus the controls' −self-certainty and Bernoulli(½) coin.
// Each recipe's update or pair stage reads the one it learns from.
using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Learning;
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Signals;
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Work;

/// <summary>Attaches confidence signals to a shard's rollouts (the <c>scoring</c> stage). Needs no model.</summary>
/// <param name="shards">Where outputs are stored.</param>
internal sealed class ScoringWork(ShardStore shards)
{
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
        var clock = Stopwatch.StartNew();
        var (scored, summary) = Score(definition, input);
        summary[StageTiming.WallSeconds] = clock.Elapsed.TotalSeconds;
        return await shards.WriteAsync(key, scored, summary, cancellationToken);
    }

    /// <summary>The rollouts with their scores, and the shard's summary figures.</summary>
    public static (List<Rollout> Rollouts, Dictionary<string, double> Summary) Score(CampaignDefinition definition, IReadOnlyList<Rollout> rollouts)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(rollouts);
        var scored = new List<Rollout>(rollouts.Count);
        var majorityShares = new List<double>();
        var rule = definition.Scoring.PseudoLabel;
        double power = definition.Scoring.BordaPower;
        ulong coinSeed = StageSeeds.Derive(definition, "scoring/bernoulli");
        foreach (var group in RolloutGroups.ByPrompt(rollouts))
        {
            var signals = group.Select(r => SampledTokenRecords.Signals(r.Tokens)).ToList();
            var answers = group.Select(r => r.Answer).ToList();
            var certainties = signals.Select(s => s.SelfCertainty).ToList();
            var vote = PseudoLabels.Vote(answers, certainties, rule, power);
            var shares = PseudoLabels.AnswerShares(answers, certainties, rule, power);
            majorityShares.Add(vote.Share);
            for (int i = 0; i < group.Count; i++)
            {
                var rollout = group[i];
                var span = rollout.AnswerSpan is { } a ? new IndexRange(a.Start, a.Length) : (IndexRange?)null;
                var scores = new Dictionary<string, double>(rollout.Scores)
                {
                    [ScoreNames.SelfCertainty] = signals[i].SelfCertainty,
                    [ScoreNames.NegativeSelfCertainty] = -signals[i].SelfCertainty,
                    [ScoreNames.AnswerConfidence] = signals[i].AnswerSpanConfidence(span, definition.Scoring.Confidence),
                    [ScoreNames.Votes] = shares[i],
                    [ScoreNames.Majority] = ControlRewards.MatchesPseudoLabel(rollout.Answer, vote.Winner),
                    [ScoreNames.Bernoulli] = ControlRewards.Bernoulli(coinSeed, rollout.PromptId, rollout.Sample),
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
        return (scored, summary);
    }
}
