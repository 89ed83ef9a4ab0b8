// Judging: the iteration's starting policy judges each rollout as its own verdict judge (by default the exact p("correct")
// of the one-token verdict; or J sampled verdicts, the score being the share of "correct" among the readable ones,
// unreadable ones counted), or, for the gold-label recipes (grpo-gold, irpo), the verifier compares the extracted answer
// with the prompt's gold answer.
using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Judging;
using Pipeline.Learning.Tasks;
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Work;

/// <summary>Attaches judge or verifier scores to a shard's rollouts (the <c>judging</c> stage).</summary>
/// <param name="shards">Where outputs are stored.</param>
/// <param name="policies">Where policies are loaded from.</param>
internal sealed class JudgingWork(ShardStore shards, PolicyLoader policies)
{
    /// <summary>
    /// The shard's judged rollouts: read back when stored, otherwise judged and stored. Scores: <c>verifier</c> (grpo-gold),
    /// or <c>judge</c> (absent when every verdict was unreadable) and <c>judge_parse_failures</c>. Summary:
    /// <c>rollouts</c>, <c>mean_score</c>, <c>parse_failures</c>, <c>unscored</c>, <c>judge_samples</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">grpo-gold rollouts without a gold answer.</exception>
    public async Task<StoredShard<Rollout>> RunAsync(CampaignDefinition definition, JudgeRollouts command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(command);
        string key = CampaignKeys.ShardOutput(command.CampaignId, command.Iteration, CampaignStage.Judging, command.Shard);
        if (await shards.TryReadAsync<Rollout>(key, cancellationToken) is { } stored) return stored;
        var input = await shards.RolloutsAsync(command, cancellationToken);
        if (input.Count == 0) throw new ArgumentException("The shard holds no rollout.", nameof(command));

        var clock = Stopwatch.StartNew();
        List<Rollout> judged;
        var summary = new Dictionary<string, double> { ["rollouts"] = input.Count };
        if (definition.Chain.Signal == ScoreNames.Verifier)
        {
            var verifier = new Verifier(TaskRegistry.Get(definition.Task));
            judged = input.Select(r => r with
            {
                Scores = new Dictionary<string, double>(r.Scores)
                {
                    [ScoreNames.Verifier] = verifier.Reward(r.Response,
                        r.GoldAnswer ?? throw new InvalidOperationException($"Rollout of prompt '{r.PromptId}' has no gold answer; the verifier needs one.")),
                },
            }).ToList();
            summary["mean_score"] = judged.Average(r => r.Scores[ScoreNames.Verifier]);
            summary["parse_failures"] = 0;
            summary["unscored"] = 0;
            summary["judge_samples"] = 0;
        }
        else
        {
            var scores = await policies.UseAsync(command.Checkpoint, definition.Backend, policy => Judge(definition, command, policy, input), cancellationToken);
            judged = input.Select((r, i) =>
            {
                var s = new Dictionary<string, double>(r.Scores) { [ScoreNames.JudgeParseFailures] = scores[i].ParseFailures };
                if (scores[i].Score is { } score) s[ScoreNames.Judge] = score;
                return r with { Scores = s };
            }).ToList();
            var readable = scores.Where(s => s.Score.HasValue).Select(s => s.Score!.Value).ToList();
            summary["mean_score"] = readable.Count > 0 ? readable.Average() : double.NaN;
            summary["parse_failures"] = scores.Sum(s => s.ParseFailures);
            summary["unscored"] = scores.Count(s => s.Score is null);
            summary["judge_samples"] = scores.Sum(s => s.Samples);
        }
        summary[StageTiming.WallSeconds] = clock.Elapsed.TotalSeconds;
        return await shards.WriteAsync(key, judged, summary, cancellationToken);
    }

    private static List<JudgeScore> Judge(CampaignDefinition definition, JudgeRollouts command, LoadedPolicy policy, IReadOnlyList<Rollout> rollouts)
    {
        if (definition.Judging.Method == JudgeMethod.Probability)
        {
            // The verdict is one token: its exact probability is the expectation of the sampled share, without the noise.
            var probabilities = VerdictProbabilities.Compute(policy.Model, policy.Encoding,
                rollouts.Select(r => VerdictJudge.BuildPrompt(r.Prompt, r.Response)).ToList(), definition.Judging.BatchSize);
            return probabilities.Select(p => new JudgeScore(p, 1, 0)).ToList();
        }
        var judge = new ModelJudge(policy.Model, policy.Encoding.Tokenizer, new SamplingOptions
        {
            Temperature = (float)definition.Judging.Temperature,
            MaxNewTokens = definition.Judging.MaxNewTokens,
            StopTokens = [policy.Encoding.Eos],
            Seed = StageSeeds.ForShard(definition, CampaignStage.Judging, command.Iteration, command.Shard),
        }, prependBos: true);
        // The judge draws the streams following the previous call's, so the rollouts' order fixes every verdict.
        return rollouts.Select(r => VerdictJudge.ScoreBySampling(judge, r.Prompt, r.Response, definition.Judging.Samples)).ToList();
    }
}
