// Draws what the offline signal gates read: for each validation prompt its greedy answer and N samples at the campaign
// temperature, each sample scored by every label-free signal a recipe can use (self-certainty, its per-token-type
// normalised form and its negation, answer-span confidence, the minimum chosen-token probability over the step results,
// the policy's own verdict p(correct), and its answer's vote share). Correctness against the gold answer is attached for
// the gates only; no signal reads it.
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Judging;
using Pipeline.Learning.Policies;
using Pipeline.Learning.Signals;
using Pipeline.Learning.Tasks;

namespace Pipeline.Learning.Evaluation;

/// <summary>Samples and scores validation prompts for <see cref="SignalGates"/>.</summary>
public static class GateSampling
{
    /// <summary>Score names the samples carry.</summary>
    public static readonly IReadOnlyList<string> SignalNames =
        ["self_certainty", "self_certainty_token_normalised", "negative_self_certainty", "answer_confidence", "min_step_probability", "judge", "votes"];

    /// <summary>
    /// The gate inputs of <paramref name="problems"/>: greedy correctness and <paramref name="samples"/> scored samples each,
    /// sampled at <paramref name="temperature"/> (statistics at that temperature, as a campaign scores its samples).
    /// </summary>
    public static List<GatePrompt> Sample(ITask task, IPolicy model, TaskEncoding encoding, IReadOnlyList<TaskProblem> problems, int samples,
        float temperature, ulong seed, int batchSize = 64, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(encoding);
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 2);
        if (problems.Count == 0) throw new ArgumentException("No problems to sample.", nameof(problems));
        int maxNew = 2 * problems.Max(p => encoding.Response(p.Solution).Length) + 8;
        var prompts = problems.Select(p => encoding.Prompt(p.Prompt)).ToArray();
        var verifier = new Verifier(task);

        progress?.Report($"greedy answers to {problems.Count} prompts");
        var greedy = model.Generate(prompts, new SamplingOptions
        {
            Temperature = 0f, MaxBatchSize = batchSize, MaxNewTokens = maxNew, StopTokens = [encoding.Eos], Seed = seed,
        });
        progress?.Report($"{samples} samples of {problems.Count} prompts at temperature {temperature}");
        var repeated = prompts.SelectMany(p => Enumerable.Repeat(p, samples)).ToArray();
        var sampled = model.Generate(repeated, new SamplingOptions
        {
            Temperature = temperature, MaxBatchSize = batchSize, MaxNewTokens = maxNew, StopTokens = [encoding.Eos], Seed = seed,
        });

        var texts = sampled.Select(s => encoding.DecodeResponse(s.Tokens)).ToList();
        var tokenTexts = sampled.Select(s => s.Tokens.Select(t => t == encoding.Eos ? "" : encoding.Tokenizer.Decode([t])).ToArray()).ToList();
        // Per-token-type moments from the samples themselves: label-free, as a campaign could estimate them.
        var moments = StepSignals.TokenTypeMoments(sampled.Select(s => ((IReadOnlyList<int>)s.Tokens, (IReadOnlyList<TokenStatistics>)s.Statistics)));
        progress?.Report($"the policy judging {sampled.Count} samples");
        var judge = VerdictProbabilities.Compute(model, encoding,
            texts.Select((t, k) => VerdictJudge.BuildPrompt(problems[k / samples].Prompt, t)).ToList(), batchSize);

        var result = new List<GatePrompt>(problems.Count);
        for (int i = 0; i < problems.Count; i++)
        {
            var answers = Enumerable.Range(0, samples).Select(s => task.ExtractAnswer(texts[i * samples + s])).ToList();
            var shares = PseudoLabels.AnswerShares(answers, new double[samples], PseudoLabelRule.Majority, 0);
            var row = new List<GateSample>(samples);
            for (int s = 0; s < samples; s++)
            {
                int k = i * samples + s;
                var statistics = sampled[k].Statistics;
                double sc = 0, spanConfidence = 0, minStep = 1, normalised = 0;
                if (statistics.Length > 0)
                {
                    var signals = ResponseSignals.FromTokens(statistics);
                    sc = signals.SelfCertainty;
                    spanConfidence = signals.AnswerSpanConfidence(AnswerSpan.ToTokenRange(tokenTexts[k], task.FindAnswer(texts[k])));
                    minStep = StepSignals.MinStepResultProbability(tokenTexts[k], statistics);
                    normalised = StepSignals.NormalizedSelfCertainty(sampled[k].Tokens, statistics, moments);
                }
                row.Add(new GateSample(answers[s], answers[s] == problems[i].Answer, new Dictionary<string, double>
                {
                    ["self_certainty"] = sc,
                    ["self_certainty_token_normalised"] = normalised,
                    ["negative_self_certainty"] = -sc,
                    ["answer_confidence"] = spanConfidence,
                    ["min_step_probability"] = minStep,
                    ["judge"] = judge[k],
                    ["votes"] = shares[s],
                }, sampled[k].Tokens.Length));
            }
            bool greedyCorrect = verifier.IsCorrect(encoding.DecodeResponse(greedy[i].Tokens), problems[i].Answer);
            result.Add(new GatePrompt(greedyCorrect, row));
        }
        return result;
    }
}
