// Judging: the iteration's starting policy judges each rollout as its own verdict judge (by default the exact p("correct")
// of the one-token verdict; or J sampled verdicts, the score being the share of "correct" among the readable ones,
// unreadable ones counted), or, for the gold-label recipes (grpo-gold, irpo, and the self-correction ones), the verifier
// compares the extracted answer with the prompt's gold answer. TPO's judge is shown only the response's final answer
// (never its chain of thought). For Meta-Rewarding (sampled verdicts), a response whose verdicts disagree is also
// meta-judged: the policy compares its "correct" and "incorrect" judgements of it in both orders, and the rollout keeps
// both judgements' tokens and log-probs so the pair stage can turn a clear preference into a judgement pair.
using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Judging;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Updates;
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
            if (definition.Chain.TwoAttempts)
            {
                // The shard's own Acc@t1 / Acc@t2 on the campaign prompts, so a run shows what the update is trained on.
                foreach (int attempt in new[] { 1, 2 })
                {
                    var scored = judged.Where(r => r.Attempt == attempt).ToList();
                    if (scored.Count > 0) summary[$"attempt_{attempt}_accuracy"] = scored.Average(r => r.Scores[ScoreNames.Verifier]);
                }
            }
        }
        else
        {
            var results = await policies.UseAsync(command.Checkpoint, definition.Backend, policy => Judge(definition, command, policy, input), cancellationToken);
            var scores = results.Select(r => r.Score).ToList();
            judged = input.Select((r, i) =>
            {
                var s = new Dictionary<string, double>(r.Scores) { [ScoreNames.JudgeParseFailures] = scores[i].ParseFailures };
                if (scores[i].Score is { } score) s[ScoreNames.Judge] = score;
                return r with { Scores = s, MetaJudgement = results[i].Meta };
            }).ToList();
            if (definition.Chain.MetaJudges) summary["meta_judged"] = results.Count(r => r.Meta is not null);
            var readable = scores.Where(s => s.Score.HasValue).Select(s => s.Score!.Value).ToList();
            summary["mean_score"] = readable.Count > 0 ? readable.Average() : double.NaN;
            summary["parse_failures"] = scores.Sum(s => s.ParseFailures);
            summary["unscored"] = scores.Count(s => s.Score is null);
            summary["judge_samples"] = scores.Sum(s => s.Samples);
        }
        summary[StageTiming.WallSeconds] = clock.Elapsed.TotalSeconds;
        return await shards.WriteAsync(key, judged, summary, cancellationToken);
    }

    /// <summary>What the judge shows of a response: the whole response, or for TPO only its delimited final answer.</summary>
    public static string JudgedText(CampaignDefinition definition, Rollout rollout)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(rollout);
        return definition.Chain.JudgesAnswerOnly ? TaskRegistry.Get(definition.Task).AnswerOnly(rollout.Response) : rollout.Response;
    }

    private static List<(JudgeScore Score, MetaJudgement? Meta)> Judge(CampaignDefinition definition, JudgeRollouts command, LoadedPolicy policy,
        IReadOnlyList<Rollout> rollouts)
    {
        if (definition.Judging.Method == JudgeMethod.Probability)
        {
            // The verdict is one token: its exact probability is the expectation of the sampled share, without the noise.
            var probabilities = VerdictProbabilities.Compute(policy.Model, policy.Encoding,
                rollouts.Select(r => VerdictJudge.BuildPrompt(r.Prompt, JudgedText(definition, r))).ToList(), definition.Judging.BatchSize);
            return probabilities.Select(p => (new JudgeScore(p, 1, 0), (MetaJudgement?)null)).ToList();
        }
        var judge = new ModelJudge(policy.Model, policy.Encoding.Tokenizer, new SamplingOptions
        {
            Temperature = (float)definition.Judging.Temperature,
            MaxNewTokens = definition.Judging.MaxNewTokens,
            StopTokens = [policy.Encoding.Eos],
            Seed = StageSeeds.ForShard(definition, CampaignStage.Judging, command.Iteration, command.Shard),
        }, prependBos: true);
        // The judge draws the streams following the previous call's, so the rollouts' order fixes every verdict.
        var results = new List<(JudgeScore, MetaJudgement?)>(rollouts.Count);
        foreach (var r in rollouts)
        {
            string judged = JudgedText(definition, r);
            var verdicts = judge.Sample(VerdictJudge.BuildPrompt(r.Prompt, judged), definition.Judging.Samples).Select(VerdictJudge.ParseVerdict).ToList();
            var score = JudgeScore.FromParsed(verdicts.Select(v => v is { } right ? (right ? 1.0 : 0.0) : (double?)null).ToList());
            bool disagreed = verdicts.Contains(true) && verdicts.Contains(false);
            results.Add((score, definition.Chain.MetaJudges && disagreed ? MetaJudge(policy, judge, r) : null));
        }
        return results;
    }

    /// <summary>The meta-judge's two-order comparison of the two judgements of <paramref name="rollout"/>, with their tokens and log-probs.</summary>
    private static MetaJudgement MetaJudge(LoadedPolicy policy, ModelJudge judge, Rollout rollout)
    {
        var (shownFirst, shownSecond) = Learning.Judging.MetaJudge.Compare(judge, rollout.Prompt, rollout.Response,
            VerdictJudge.CorrectVerdict, VerdictJudge.IncorrectVerdict);
        string prompt = VerdictJudge.BuildPrompt(rollout.Prompt, rollout.Response);
        int[] promptTokens = policy.Encoding.Prompt(prompt);
        int[] correct = policy.Encoding.Response(VerdictJudge.CorrectVerdict), incorrect = policy.Encoding.Response(VerdictJudge.IncorrectVerdict);
        var logProbs = policy.Model.LogProbs([new PromptResponse(promptTokens, correct), new PromptResponse(promptTokens, incorrect)], 2);
        double preference = (shownFirst + shownSecond) / 2;
        return new MetaJudgement(prompt, promptTokens,
            new PairResponse(rollout.Sample, VerdictJudge.CorrectVerdict, correct, logProbs[0], preference),
            new PairResponse(rollout.Sample, VerdictJudge.IncorrectVerdict, incorrect, logProbs[1], 1 - preference),
            shownFirst, shownSecond);
    }
}
