// Measures a model on a held-out set of a task: greedy accuracy, maj@k, calibration (ECE) of two confidences,
// self-certainty AUROC, response length, and accuracy as its own verdict judge. Generation is batched through the
// engine's Generator; the judge's verdict log-probs come from batched teacher-forced passes.
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Bootstrap;
using Pipeline.Learning.Judging;
using Pipeline.Learning.Signals;
using Pipeline.Learning.Tasks;

namespace Pipeline.Learning.Evaluation;

/// <summary>Evaluates one model on a task's held-out sets. Not thread-safe (the model and generator are reused).</summary>
public sealed class TaskEvaluator
{
    private readonly ITask _task;
    private readonly LlamaModel _model;
    private readonly TaskEncoding _encoding;
    private readonly Verifier _verifier;
    private readonly Generator _generator;

    /// <summary>Evaluates <paramref name="model"/>, which reads texts through <paramref name="encoding"/>, on <paramref name="task"/>.</summary>
    public TaskEvaluator(ITask task, LlamaModel model, TaskEncoding encoding)
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
        _generator = new Generator(model);
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
        _generator.MaxBatchSize = options.BatchSize;
        int maxNew = options.MaxNewTokens ?? 2 * problems.Max(p => _encoding.Response(p.Solution).Length) + 8;
        var prompts = problems.Select(p => _encoding.Prompt(p.Prompt)).ToArray();

        var greedy = _generator.Generate(prompts, new SamplingOptions
        {
            Temperature = 0f,
            MaxNewTokens = maxNew,
            StopTokens = [_encoding.Eos],
            Seed = options.Seed,
        });
        var correct = new bool[problems.Count];
        var selfCertainty = new double[problems.Count];
        var answerConfidence = new double[problems.Count];
        int noAnswer = 0;
        for (int i = 0; i < problems.Count; i++)
        {
            var sequence = greedy[i];
            string text = _encoding.DecodeResponse(sequence.Tokens);
            correct[i] = _verifier.IsCorrect(text, problems[i].Answer);
            var signals = ResponseSignals.FromTokens(sequence.Statistics);
            selfCertainty[i] = signals.SelfCertainty;
            var answerCharacters = _task.FindAnswer(text);
            if (answerCharacters is null) noAnswer++;
            var tokenTexts = sequence.Tokens.Select(t => t == _encoding.Eos ? "" : _encoding.Tokenizer.Decode([t])).ToList();
            answerConfidence[i] = signals.AnswerSpanConfidence(AnswerSpan.ToTokenRange(tokenTexts, answerCharacters));
        }

        var (majorityCorrect, voteShares) = MajorityVote(problems, prompts, options, maxNew);
        var correctSc = selfCertainty.Where((_, i) => correct[i]).ToList();
        var incorrectSc = selfCertainty.Where((_, i) => !correct[i]).ToList();
        return new DifficultyReport(
            difficulty,
            problems.Count,
            Share(correct),
            (double)noAnswer / problems.Count,
            options.Samples,
            Share(majorityCorrect),
            Calibration.ExpectedCalibrationError(voteShares, majorityCorrect),
            Calibration.ExpectedCalibrationError(answerConfidence, correct),
            Auroc.Compute(selfCertainty, correct),
            correctSc.Count > 0 ? correctSc.Average() : double.NaN,
            incorrectSc.Count > 0 ? incorrectSc.Average() : double.NaN,
            greedy.Average(g => (double)g.Tokens.Length),
            judgeExamples.Count,
            JudgeAccuracy(judgeExamples, options.BatchSize));
    }

    /// <summary>Whether each problem's majority answer over k samples is right, and that answer's vote share.</summary>
    private (bool[] Correct, double[] Shares) MajorityVote(IReadOnlyList<TaskProblem> problems, int[][] prompts, EvaluationOptions options, int maxNew)
    {
        int k = options.Samples;
        var repeated = new int[problems.Count * k][];
        for (int i = 0; i < problems.Count; i++)
            for (int s = 0; s < k; s++) repeated[i * k + s] = prompts[i];
        var samples = _generator.Generate(repeated, new SamplingOptions
        {
            Temperature = options.Temperature,
            MaxNewTokens = maxNew,
            StopTokens = [_encoding.Eos],
            Seed = options.Seed,
        });
        var correct = new bool[problems.Count];
        var shares = new double[problems.Count];
        for (int i = 0; i < problems.Count; i++)
        {
            var answers = new string?[k];
            for (int s = 0; s < k; s++) answers[s] = _task.ExtractAnswer(_encoding.DecodeResponse(samples[i * k + s].Tokens));
            var vote = AnswerVoting.Majority(answers);
            correct[i] = vote.Winner == problems[i].Answer;
            shares[i] = vote.Share;
        }
        return (correct, shares);
    }

    /// <summary>
    /// Share of examples where σ(log p(correct verdict) − log p(incorrect verdict)) ≥ ½ matches the label; NaN for none.
    /// </summary>
    private double JudgeAccuracy(IReadOnlyList<JudgeExample> examples, int batchSize)
    {
        if (examples.Count == 0) return double.NaN;
        var rows = new List<(int[] Prompt, int[] Response)>(2 * examples.Count);
        foreach (var example in examples)
        {
            int[] prompt = _encoding.Prompt(example.Prompt);
            rows.Add((prompt, _encoding.Continuation(VerdictJudge.CorrectVerdict)));
            rows.Add((prompt, _encoding.Continuation(VerdictJudge.IncorrectVerdict)));
        }
        var logProbs = ContinuationLogProbs(rows, batchSize);
        int agree = 0;
        for (int i = 0; i < examples.Count; i++)
        {
            bool judgedCorrect = VerdictJudge.ProbabilityCorrect(logProbs[2 * i], logProbs[2 * i + 1]) >= 0.5;
            if (judgedCorrect == examples[i].IsCorrect) agree++;
        }
        return (double)agree / examples.Count;
    }

    /// <summary>Σ log p(response | prompt) of each row from batched teacher-forced passes.</summary>
    private double[] ContinuationLogProbs(IReadOnlyList<(int[] Prompt, int[] Response)> rows, int batchSize)
    {
        var sums = new double[rows.Count];
        for (int start = 0; start < rows.Count; start += batchSize)
        {
            var chunk = rows.Skip(start).Take(batchSize).ToList();
            var batch = PromptResponseBatch.Pack(chunk, _encoding.Pad);
            var logProbs = new float[batch.Batch * batch.Time];
            _model.ForwardLogProbs(batch.Tokens, batch.Targets, batch.Batch, batch.Time, logProbs);
            for (int b = 0; b < batch.Batch; b++)
            {
                double sum = 0;
                int offset = b * batch.Time + batch.ResponseStarts[b];
                for (int t = 0; t < batch.ResponseLengths[b]; t++) sum += logProbs[offset + t];
                sums[start + b] = sum;
            }
        }
        return sums;
    }

    private static double Share(bool[] flags) => flags.Length == 0 ? double.NaN : (double)flags.Count(f => f) / flags.Length;
}
