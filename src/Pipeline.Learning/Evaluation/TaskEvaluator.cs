// Measures a model on a held-out set of a task: greedy accuracy, maj@k, calibration (ECE) of two confidences,
// self-certainty AUROC (of the greedy responses, and of the samples as a campaign would score them: pooled and within one
// prompt), response length, and accuracy as its own verdict judge. Generation is batched through the
// engine's Generator; the judge's verdict log-probs come from batched teacher-forced passes.
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Judging;
using Pipeline.Learning.Policies;
using Pipeline.Learning.Signals;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Evaluation;

/// <summary>Evaluates one model on a task's held-out sets. Not thread-safe (the model and generator are reused).</summary>
public sealed class TaskEvaluator
{
    private readonly ITask _task;
    private readonly IPolicy _model;
    private readonly TaskEncoding _encoding;
    private readonly Verifier _verifier;

    /// <summary>Evaluates <paramref name="model"/>, which reads texts through <paramref name="encoding"/>, on <paramref name="task"/>.</summary>
    public TaskEvaluator(ITask task, IPolicy model, TaskEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(encoding);
        if (encoding.Tokenizer.VocabularySize > model.Config.VocabSize)
            throw new ArgumentException($"The tokenizer has {encoding.Tokenizer.VocabularySize} tokens, the model only {model.Config.VocabSize}.", nameof(encoding));
        _task = task;
        _model = model;
        _encoding = encoding;
        _verifier = new Verifier(task);
    }

    /// <summary>Evaluates one difficulty's problems, and the model as judge of <paramref name="judgeExamples"/>.</summary>
    public DifficultyReport Evaluate(string difficulty, IReadOnlyList<TaskProblem> problems, IReadOnlyList<JudgeExample> judgeExamples,
        EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(judgeExamples);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Samples, 1, nameof(options.Samples));
        if (problems.Count == 0) throw new ArgumentException("The evaluation set is empty.", nameof(problems));
        int maxNew = options.MaxNewTokens ?? 2 * problems.Max(p => _encoding.Response(p.Solution).Length) + 8;
        var prompts = problems.Select(p => _encoding.Prompt(p.Prompt)).ToArray();

        var greedy = _model.Generate(prompts, new SamplingOptions
        {
            Temperature = 0f,
            MaxBatchSize = options.BatchSize,
            MaxNewTokens = maxNew,
            StopTokens = [_encoding.Eos],
            Seed = options.Seed,
        });
        var greedyResponses = greedy.Select(g => new EvaluatedResponse(
            _encoding.DecodeResponse(g.Tokens),
            g.Tokens.Select(t => t == _encoding.Eos ? "" : _encoding.Tokenizer.Decode([t])).ToArray(),
            g.Statistics)).ToList();
        var samples = Sample(prompts, options, maxNew);
        var judgeProbabilities = JudgeProbabilities(judgeExamples, options.BatchSize);
        var report = Summarize(_task, difficulty, problems, greedyResponses, samples, judgeProbabilities,
            judgeExamples.Select(j => j.IsCorrect).ToList());
        if (options.JudgeSamples != SampleJudging.None) report = report with { SampleJudge = JudgeSamples(problems, samples, options) };
        if (!options.SecondAttempt) return report;

        var correctionPrompts = greedy.Select((g, i) => _encoding.CorrectionPrompt(prompts[i], g.Tokens)).ToArray();
        var second = _model.Generate(correctionPrompts, new SamplingOptions
        {
            Temperature = 0f,
            MaxBatchSize = options.BatchSize,
            MaxNewTokens = SecondAttemptBudget(_model.Config.MaxPositionEmbeddings, correctionPrompts.Max(p => p.Length), maxNew),
            StopTokens = [_encoding.Eos],
            Seed = options.Seed,
        });
        var outcomes = problems.Select((p, i) => (_verifier.IsCorrect(greedyResponses[i].Text, p.Answer),
            _verifier.IsCorrect(_encoding.DecodeResponse(second[i].Tokens), p.Answer))).ToList();
        return report with { SelfCorrection = SelfCorrectionReport.FromOutcomes(outcomes) };
    }

    /// <summary>
    /// The report from what the model produced: per problem its greedy response and the answers of its k samples, per
    /// verdict example the judge's p(correct). Kept apart from generation so each metric can be checked on crafted inputs.
    /// </summary>
    internal static DifficultyReport Summarize(ITask task, string difficulty, IReadOnlyList<TaskProblem> problems,
        IReadOnlyList<EvaluatedResponse> greedy, IReadOnlyList<SampledAnswer[]> samples, IReadOnlyList<double> judgeProbabilities,
        IReadOnlyList<bool> judgeLabels)
    {
        if (greedy.Count != problems.Count || samples.Count != problems.Count)
            throw new ArgumentException("One greedy response and one set of sampled answers per problem are needed.");
        if (judgeProbabilities.Count != judgeLabels.Count) throw new ArgumentException("One label per judge probability is needed.");
        var verifier = new Verifier(task);
        int n = problems.Count;
        var correct = new bool[n];
        var selfCertainty = new double[n];
        var answerConfidence = new double[n];
        int noAnswer = 0;
        for (int i = 0; i < n; i++)
        {
            var response = greedy[i];
            correct[i] = verifier.IsCorrect(response.Text, problems[i].Answer);
            var signals = ResponseSignals.FromTokens(response.Statistics);
            selfCertainty[i] = signals.SelfCertainty;
            var answerCharacters = task.FindAnswer(response.Text);
            if (answerCharacters is null) noAnswer++;
            answerConfidence[i] = signals.AnswerSpanConfidence(AnswerSpan.ToTokenRange(response.TokenTexts, answerCharacters));
        }

        var majorityCorrect = new bool[n];
        var bordaLowCorrect = new bool[n];
        var bordaHighCorrect = new bool[n];
        var samplesCorrect = new int[n];
        var voteShares = new double[n];
        var pooledSc = new List<double>();
        var pooledCorrect = new List<bool>();
        var groups = new List<(IReadOnlyList<double>, IReadOnlyList<bool>)>(n);
        for (int i = 0; i < n; i++)
        {
            var answers = samples[i].Select(s => s.Answer).ToList();
            var vote = AnswerVoting.Majority(answers);
            majorityCorrect[i] = vote.Winner == problems[i].Answer;
            voteShares[i] = vote.Share;
            var sc = samples[i].Select(s => s.SelfCertainty).ToList();
            var right = samples[i].Select(s => s.Answer == problems[i].Answer).ToList();
            bordaLowCorrect[i] = AnswerVoting.SelfCertaintyBorda(answers, sc, AnswerVoting.BordaLowPower).Winner == problems[i].Answer;
            bordaHighCorrect[i] = AnswerVoting.SelfCertaintyBorda(answers, sc, AnswerVoting.BordaHighPower).Winner == problems[i].Answer;
            samplesCorrect[i] = right.Count(r => r);
            pooledSc.AddRange(sc);
            pooledCorrect.AddRange(right);
            groups.Add((sc, right));
        }
        var (withinPrompt, mixedProblems) = Auroc.WithinGroups(groups);
        int k = samples.Count == 0 ? 0 : samples[0].Length;

        int judgeAgree = 0;
        for (int i = 0; i < judgeProbabilities.Count; i++)
            if (judgeProbabilities[i] >= 0.5 == judgeLabels[i]) judgeAgree++;

        var correctSc = selfCertainty.Where((_, i) => correct[i]).ToList();
        var incorrectSc = selfCertainty.Where((_, i) => !correct[i]).ToList();
        return new DifficultyReport(
            difficulty,
            n,
            Share(correct),
            (double)noAnswer / n,
            k,
            Share(majorityCorrect),
            Calibration.ExpectedCalibrationError(voteShares, majorityCorrect),
            Calibration.ExpectedCalibrationError(answerConfidence, correct),
            Auroc.Compute(selfCertainty, correct),
            Auroc.Compute(pooledSc, pooledCorrect),
            withinPrompt,
            mixedProblems,
            correctSc.Count > 0 ? correctSc.Average() : double.NaN,
            incorrectSc.Count > 0 ? incorrectSc.Average() : double.NaN,
            greedy.Average(g => (double)g.Statistics.Count),
            judgeProbabilities.Count,
            judgeProbabilities.Count == 0 ? double.NaN : (double)judgeAgree / judgeProbabilities.Count)
        {
            PassAtOne = k == 0 ? double.NaN : samplesCorrect.Average(c => (double)c / k),
            BordaAccuracyLowPower = Share(bordaLowCorrect),
            BordaAccuracyHighPower = Share(bordaHighCorrect),
            Outcomes = new ProblemOutcomes(correct, samplesCorrect, majorityCorrect),
        };
    }

    /// <summary>Rows per teacher-forced pass when the model judges its own samples.</summary>
    private const int SampleJudgeBatchSize = 64;

    /// <summary>
    /// New tokens a second attempt may take: <paramref name="wanted"/>, cut so the longest correction prompt plus its
    /// answer fits the model's context (a first attempt that ran to the length limit makes a long correction prompt).
    /// </summary>
    /// <exception cref="InvalidOperationException">The correction prompt alone fills the context.</exception>
    public static int SecondAttemptBudget(int contextLength, int longestPrompt, int wanted)
    {
        int room = contextLength - longestPrompt + 1;
        if (room < 1)
            throw new InvalidOperationException($"A correction prompt of {longestPrompt} tokens leaves no room in the model's context of {contextLength}.");
        return Math.Min(wanted, room);
    }

    /// <summary>
    /// The model's p(correct) as a verdict judge of each of its samples (the whole text, or only its final answer), scored
    /// against the verifier: accuracy at ½ and the within-prompt AUROC.
    /// </summary>
    private SampleJudgeReport JudgeSamples(IReadOnlyList<TaskProblem> problems, IReadOnlyList<SampledAnswer[]> samples, EvaluationOptions options)
    {
        bool answerOnly = options.JudgeSamples == SampleJudging.AnswerOnly;
        var examples = problems.SelectMany((p, i) => samples[i].Select(s => new JudgeExample(p.Id,
            VerdictJudge.BuildPrompt(p.Prompt, answerOnly ? _task.AnswerOnly(s.Text) : s.Text), "", s.Answer == p.Answer))).ToList();
        // k times as many rows as the fixed verdict examples: smaller passes keep the model's activation buffers (kept for
        // its lifetime, and a campaign caches one model per iteration) from growing k-fold; per-row results do not depend on it.
        var probabilities = JudgeProbabilities(examples, Math.Min(options.BatchSize, SampleJudgeBatchSize));
        return SummarizeSampleJudge(samples.Select(s => s.Length).ToList(), probabilities, examples.Select(e => e.IsCorrect).ToList(), answerOnly);
    }

    /// <summary>The sample-judge figures from per-sample p(correct) and correctness, problems' samples consecutive.</summary>
    internal static SampleJudgeReport SummarizeSampleJudge(IReadOnlyList<int> samplesPerProblem, IReadOnlyList<double> probabilities,
        IReadOnlyList<bool> correct, bool answerOnly)
    {
        int agree = 0, start = 0;
        var withinPrompt = new List<double>();
        for (int i = 0; i < probabilities.Count; i++)
            if (probabilities[i] >= 0.5 == correct[i]) agree++;
        foreach (int k in samplesPerProblem)
        {
            double auroc = Auroc.Compute(probabilities.Skip(start).Take(k).ToList(), correct.Skip(start).Take(k).ToList());
            if (!double.IsNaN(auroc)) withinPrompt.Add(auroc);
            start += k;
        }
        return new SampleJudgeReport(probabilities.Count == 0 ? double.NaN : (double)agree / probabilities.Count,
            withinPrompt.Count > 0 ? withinPrompt.Average() : double.NaN, withinPrompt.Count, answerOnly);
    }

    /// <summary>
    /// k samples per prompt: each one's extracted answer (null where it has none) and its self-certainty under the
    /// sampling distribution (the statistics are taken at the sampling temperature, as a campaign scores its samples).
    /// </summary>
    private List<SampledAnswer[]> Sample(int[][] prompts, EvaluationOptions options, int maxNew)
    {
        int k = options.Samples;
        var repeated = new int[prompts.Length * k][];
        for (int i = 0; i < prompts.Length; i++)
            for (int s = 0; s < k; s++) repeated[i * k + s] = prompts[i];
        var samples = _model.Generate(repeated, new SamplingOptions
        {
            Temperature = options.Temperature,
            MaxBatchSize = options.BatchSize,
            MaxNewTokens = maxNew,
            StopTokens = [_encoding.Eos],
            Seed = options.Seed,
        });
        var answers = new List<SampledAnswer[]>(prompts.Length);
        for (int i = 0; i < prompts.Length; i++)
        {
            var row = new SampledAnswer[k];
            for (int s = 0; s < k; s++)
            {
                var sample = samples[i * k + s];
                string text = _encoding.DecodeResponse(sample.Tokens);
                row[s] = new SampledAnswer(_task.ExtractAnswer(text), ResponseSignals.FromTokens(sample.Statistics).SelfCertainty, text);
            }
            answers.Add(row);
        }
        return answers;
    }

    /// <summary>
    /// The judge's p(correct) = σ(log p(correct verdict) − log p(incorrect verdict)) for each example, as
    /// <see cref="VerdictJudge.ProbabilityCorrect"/> defines it, from batched teacher-forced passes.
    /// </summary>
    internal double[] JudgeProbabilities(IReadOnlyList<JudgeExample> examples, int batchSize) =>
        VerdictProbabilities.Compute(_model, _encoding, examples.Select(e => e.Prompt).ToList(), batchSize);

    private static double Share(bool[] flags) => flags.Length == 0 ? double.NaN : (double)flags.Count(f => f) / flags.Length;
}

/// <summary>A greedy response as the evaluator scores it: its text, each token's text (EOS as ""), each token's statistics.</summary>
internal sealed record EvaluatedResponse(string Text, IReadOnlyList<string> TokenTexts, IReadOnlyList<TokenStatistics> Statistics);

/// <summary>One maj@k sample as the evaluator scores it: its extracted answer (null if none) and its self-certainty.</summary>
internal readonly record struct SampledAnswer(string? Answer, double SelfCertainty, string Text = "");
