// Pair construction: RLSF orders a prompt's samples by answer-span confidence (unweighted DPO pairs unless
// pairs.marginWeighting), self-rewarding by the policy's judge scores, IRPO correct versus incorrect by the verifier; the
// builders come from Learning. Samples of one prompt with the same tokens are one candidate (scored by
// the mean of their scores): otherwise a sampled judge can prefer a response over its own copy, and that pair teaches
// nothing. At most MaxPairsPerPrompt pairs per prompt are kept, the strongest preferences first. For Meta-Rewarding the
// same output also holds the judgement pairs: each meta-judged response whose two-order preference is clear gives one
// pair on its verdict prompt (the better judgement chosen), so the DPO update trains the actor and the judge together.
using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Learning.Pairs;
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Work;

/// <summary>Builds a shard's preference pairs (the <c>pairs</c> stage). Needs no model.</summary>
/// <param name="shards">Where outputs are stored.</param>
internal sealed class PairWork(ShardStore shards)
{
    /// <summary>
    /// The shard's pairs: read back when stored, otherwise built and stored. Summary: <c>prompts</c>, <c>pairs</c>,
    /// <c>groups_without_pair</c>, <c>ties_dropped</c>, <c>unscored_candidates</c>, <c>duplicates_merged</c>, <c>identical_dropped</c>, <c>capped</c>,
    /// <c>mean_score_gap</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The recipe builds no pairs, or a rollout lacks the recipe's score.</exception>
    public async Task<StoredShard<PreferencePairRecord>> RunAsync(CampaignDefinition definition, BuildPairs command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(command);
        string key = CampaignKeys.ShardOutput(command.CampaignId, command.Iteration, CampaignStage.Pairs, command.Shard);
        if (await shards.TryReadAsync<PreferencePairRecord>(key, cancellationToken) is { } stored) return stored;
        var input = await shards.RolloutsAsync(command, cancellationToken);
        var clock = Stopwatch.StartNew();
        var (pairs, summary) = Build(definition, input);
        summary[StageTiming.WallSeconds] = clock.Elapsed.TotalSeconds;
        return await shards.WriteAsync(key, pairs, summary, cancellationToken);
    }

    /// <summary>The pairs of <paramref name="rollouts"/> under the definition's recipe and settings, with the summary figures.</summary>
    public static (List<PreferencePairRecord> Pairs, Dictionary<string, double> Summary) Build(CampaignDefinition definition, IReadOnlyList<Rollout> rollouts)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(rollouts);
        string signal = definition.Chain.Signal;
        int merged = 0;
        var groups = RolloutGroups.ByPrompt(rollouts).Select(g =>
        {
            var distinct = g.GroupBy(r => string.Join(',', r.Tokens.Ids), StringComparer.Ordinal).Select(same => MergeScores(same.ToList(), signal)).ToList();
            merged += g.Count - distinct.Count;
            return distinct;
        }).ToList();
        PairBatch batch = signal switch
        {
            ScoreNames.AnswerConfidence => RlsfPairs.Build(groups.Select(g => (IReadOnlyList<double>)g.Select(r => Required(r, signal)).ToList()).ToList(),
                definition.Pairs.Threshold),
            // IRPO: the verifier's 0/1 scores, best vs worst, give one correct-versus-incorrect pair per prompt with both.
            ScoreNames.Judge or ScoreNames.Verifier => SelfRewardingPairs.Build(groups.Select(g => (IReadOnlyList<JudgedCandidate>)g
                .Select(r => new JudgedCandidate(r.Scores.TryGetValue(signal, out var s) ? s : null, r.Tokens.Ids.Length)).ToList()).ToList(),
                definition.Pairs.LengthBand),
            _ => throw new InvalidOperationException($"Recipe {definition.Recipe} builds no preference pairs."),
        };
        var records = new List<PreferencePairRecord>();
        int identical = 0, capped = 0;
        foreach (var byGroup in batch.Pairs.GroupBy(p => p.Group))
        {
            var group = groups[byGroup.Key];
            var distinct = byGroup.Where(p => !group[p.Chosen].Tokens.Ids.AsSpan().SequenceEqual(group[p.Rejected].Tokens.Ids)).ToList();
            identical += byGroup.Count() - distinct.Count;
            var kept = definition.Pairs.MaxPairsPerPrompt > 0
                ? distinct.OrderByDescending(p => p.ScoreGap).Take(definition.Pairs.MaxPairsPerPrompt).ToList()
                : distinct;
            capped += distinct.Count - kept.Count;
            records.AddRange(kept.Select(p => new PreferencePairRecord(group[0].PromptId, group[0].Prompt, group[0].Tokens.Prompt,
                Side(group[p.Chosen], p.ChosenScore), Side(group[p.Rejected], p.RejectedScore),
                signal == ScoreNames.AnswerConfidence && definition.Pairs.MarginWeighting ? RlsfPairs.MarginWeight(p) : 1.0)));
        }
        var judgementPairs = definition.Chain.MetaJudges ? JudgementPairs(rollouts, definition.Pairs.MetaJudgeBand) : default;
        int responsePairs = records.Count;
        if (judgementPairs.Pairs is { } built) records.AddRange(built);
        var summary = new Dictionary<string, double>
        {
            ["prompts"] = groups.Count,
            ["pairs"] = records.Count,
            ["groups_without_pair"] = batch.GroupsWithoutPair,
            ["ties_dropped"] = batch.TiesDropped,
            ["unscored_candidates"] = batch.UnscoredCandidates,
            ["duplicates_merged"] = merged,
            ["identical_dropped"] = identical,
            ["capped"] = capped,
            ["mean_score_gap"] = responsePairs > 0 ? records.Take(responsePairs).Average(r => r.Chosen.Score - r.Rejected.Score) : 0,
        };
        if (definition.Chain.MetaJudges)
        {
            summary["response_pairs"] = responsePairs;
            summary["judgement_pairs"] = records.Count - responsePairs;
            summary["judgement_ties"] = judgementPairs.Ties;
            summary["judgement_position_bias"] = judgementPairs.PositionBias;
        }
        return (records, summary);
    }

    /// <summary>
    /// Meta-Rewarding's judgement pairs: one per meta-judged response (identical responses of a prompt once) whose
    /// two-order preference is clear under <paramref name="band"/>; ties and position-biased comparisons are counted.
    /// </summary>
    public static (List<PreferencePairRecord> Pairs, int Ties, int PositionBias) JudgementPairs(IReadOnlyList<Rollout> rollouts, double band)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        var pairs = new List<PreferencePairRecord>();
        int ties = 0, positionBias = 0;
        var seen = new HashSet<(string, string)>();
        foreach (var r in rollouts)
        {
            if (r.MetaJudgement is not { } m || !seen.Add((r.PromptId, r.Response))) continue;
            switch (MetaJudgePairs.Decide(m.CorrectShownFirst, m.CorrectShownSecond, band))
            {
                case MetaJudgeOutcome.FirstBetter:
                    pairs.Add(new PreferencePairRecord(r.PromptId, m.Prompt, m.PromptTokens, m.Correct, m.Incorrect));
                    break;
                case MetaJudgeOutcome.SecondBetter:
                    pairs.Add(new PreferencePairRecord(r.PromptId, m.Prompt, m.PromptTokens, m.Incorrect, m.Correct));
                    break;
                case MetaJudgeOutcome.PositionBias:
                    positionBias++;
                    break;
                default:
                    ties++;
                    break;
            }
        }
        return (pairs, ties, positionBias);
    }

    private static PairResponse Side(Rollout rollout, double score) =>
        new(rollout.Sample, rollout.Response, rollout.Tokens.Ids, rollout.Tokens.PolicyLogProbs, score);

    /// <summary>The first of identical samples, carrying the mean of their <paramref name="signal"/> scores (absent when none has one).</summary>
    private static Rollout MergeScores(List<Rollout> same, string signal)
    {
        if (same.Count == 1) return same[0];
        var values = same.Where(r => r.Scores.ContainsKey(signal)).Select(r => r.Scores[signal]).ToList();
        var scores = new Dictionary<string, double>(same[0].Scores);
        scores.Remove(signal);
        if (values.Count > 0) scores[signal] = values.Average();
        return same[0] with { Scores = scores };
    }

    private static double Required(Rollout rollout, string score) =>
        rollout.Scores.TryGetValue(score, out var value)
            ? value
            : throw new InvalidOperationException($"Rollout {rollout.PromptId}#{rollout.Sample} has no '{score}' score; did the scoring stage run?");
}
