// The embedded `arith` task: seeded chains of additions (optionally subtractions) of fixed-width operands, solved one
// operation per step ("12+34=46;46+5=51;#### 51"). Each step is a two-operand sum a tiny character-level model can
// learn, and every step reads only the previous result and the next operand of the prompt, so more steps (the harder
// difficulty) reuse the same skill. A tiny model does not find the extra step by itself (it stops after the number of
// steps it was trained on), so the recommended splits add a small share of the harder difficulty to SFT: the base model
// then solves some of it, which leaves room for self-improvement one step beyond training.
using Pipeline.Engine.Training;
using Pipeline.Learning.Judging;

namespace Pipeline.Learning.Tasks.Arith;

/// <summary>The arith task: problem generation, answer extraction, corrupted solutions and splits.</summary>
public sealed class ArithTask : ITask
{
    /// <summary>Marks the final answer: the response ends with this, a space and the answer.</summary>
    public const string AnswerDelimiter = "####";

    private const int AttemptsPerProblem = 50;

    /// <inheritdoc />
    public string Name => "arith";

    /// <inheritdoc />
    public string Alphabet { get; } = new string(
        ("0123456789+-=;# \n" + VerdictJudge.BuildPrompt("", "") + VerdictJudge.CorrectVerdict + VerdictJudge.IncorrectVerdict
            + SelfCorrection.Instruction + MetaJudge.BuildPrompt("", "", MetaJudge.FirstBetter, MetaJudge.SecondBetter))
            .Distinct().Order().ToArray());

    /// <summary>
    /// The answer is the integer after the first <see cref="AnswerDelimiter"/> (spaces allowed in between): an optional
    /// minus sign and digits without leading zeros, followed by nothing but whitespace up to the end of its line.
    /// </summary>
    public IndexRange? FindAnswer(string response)
    {
        int delimiter = response.IndexOf(AnswerDelimiter, StringComparison.Ordinal);
        if (delimiter < 0) return null;
        int p = delimiter + AnswerDelimiter.Length;
        while (p < response.Length && response[p] == ' ') p++;
        int start = p;
        if (p < response.Length && response[p] == '-') p++;
        int digitsStart = p;
        while (p < response.Length && char.IsAsciiDigit(response[p])) p++;
        int digits = p - digitsStart;
        if (digits == 0) return null;
        if (response[digitsStart] == '0' && (digits > 1 || digitsStart > start)) return null; // "007", "-0"
        for (int q = p; q < response.Length && response[q] != '\n'; q++)
            if (!char.IsWhiteSpace(response[q])) return null;
        return new IndexRange(start, p - start);
    }

    /// <inheritdoc />
    public int CampaignPromptCount => ArithSplitOptions.Recommended(1).CampaignCount;

    /// <inheritdoc />
    public IReadOnlyList<string> EvaluationDifficulties => [.. ArithSplitOptions.Recommended(1).EvaluationDifficulties.Select(d => d.Label)];

    /// <inheritdoc />
    public int EvaluationProblemsPerDifficulty => ArithSplitOptions.Recommended(1).EvaluationPerDifficulty;

    /// <inheritdoc />
    /// <remarks>The <see cref="ArithSplitOptions.Recommended"/> ladder with the sizes' overrides.</remarks>
    public TaskSplits Splits(int seed, SplitSizes? sizes = null)
    {
        var options = ArithSplitOptions.Recommended(seed);
        if (sizes is null) return BuildSplits(options);
        return BuildSplits(sizes.CampaignOnly
            ? options with
            {
                SftPerDifficulty = 0, JudgePerDifficulty = 0, CampaignSftCount = 0, CorrectionPerDifficulty = 0, MetaJudgePerDifficulty = 0,
                AnswerJudgePerDifficulty = 0,
            }
            : options with
            {
                SftPerDifficulty = sizes.SftPerDifficulty ?? options.SftPerDifficulty,
                JudgePerDifficulty = sizes.JudgePerDifficulty ?? options.JudgePerDifficulty,
                CorrectionPerDifficulty = sizes.CorrectionPerDifficulty ?? options.CorrectionPerDifficulty,
                MetaJudgePerDifficulty = sizes.MetaJudgePerDifficulty ?? options.MetaJudgePerDifficulty,
                AnswerJudgePerDifficulty = sizes.AnswerJudgePerDifficulty ?? options.AnswerJudgePerDifficulty,
            });
    }

    /// <inheritdoc />
    public string? ExtractAnswer(string response) =>
        FindAnswer(response) is { } range ? response.Substring(range.Start, range.Length) : null;

    /// <summary>
    /// <paramref name="count"/> distinct problems of <paramref name="difficulty"/>, the same for the same seed.
    /// Throws when the difficulty has too few distinct problems.
    /// </summary>
    public IReadOnlyList<TaskProblem> Generate(int seed, ArithDifficulty difficulty, int count) =>
        Generate(SeededRandom.DeriveSeed((ulong)seed, difficulty.Label), difficulty, count, "set", exclude: new HashSet<string>(), distinct: true);

    /// <summary>
    /// A wrong solution of <paramref name="problem"/>, chosen by <paramref name="seed"/>: either one digit of the final
    /// answer is changed (the steps stay right), or one digit of an intermediate result is changed and the later steps
    /// carry the error forward. Either way the final answer differs from the gold answer.
    /// </summary>
    public string CorruptSolution(TaskProblem problem, int seed)
    {
        var chain = Parse(problem.Prompt);
        var rng = new SeededRandom(SeededRandom.DeriveSeed((ulong)seed, problem.Id));
        int steps = chain.Operators.Length;
        int target = rng.NextInt(0, steps + 1); // == steps: the final answer only
        var correct = chain.RunningValues();
        if (target == steps) return chain.Solution(correct, CorruptDigit(correct[^1], rng));
        var wrong = chain.RunningValues(target, CorruptDigit(correct[target], rng));
        return chain.Solution(wrong, wrong[^1]);
    }

    /// <summary>
    /// The error families of synthetic first attempts, in the order <see cref="CorrectionExamples"/> cycles through them:
    /// <c>digit-slip</c> (one digit of a step result or of the answer, carried forward), <c>carry-slip</c> (a step result
    /// off by ten, carried forward), <c>miscopied-operand</c> (a step adds another operand of the prompt) and
    /// <c>stopped-early</c> (the chain ends one step short and answers the last result written).
    /// </summary>
    public static IReadOnlyList<string> ErrorFamilies { get; } = ["digit-slip", "carry-slip", "miscopied-operand", "stopped-early"];

    /// <summary>A solution of <paramref name="problem"/> with one mistake of <paramref name="family"/>, chosen by <paramref name="seed"/>.</summary>
    public string MistakenSolution(TaskProblem problem, string family, int seed)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var chain = Parse(problem.Prompt);
        var rng = new SeededRandom(SeededRandom.DeriveSeed((ulong)seed, family + "/" + problem.Id));
        int steps = chain.Operators.Length;
        var correct = chain.RunningValues();
        switch (family)
        {
            case "digit-slip":
                return CorruptSolution(problem, seed);
            case "carry-slip":
            {
                int k = rng.NextInt(0, steps);
                int slipped = correct[k] >= 10 && rng.NextInt(0, 2) == 0 ? correct[k] - 10 : correct[k] + 10;
                var wrong = chain.RunningValues(k, slipped);
                return chain.Solution(wrong, wrong[^1]);
            }
            case "miscopied-operand":
            {
                int k = rng.NextInt(0, steps);
                int right = chain.Operands[k + 1];
                var others = chain.Operands.Where((v, i) => i != k + 1 && v != right).ToList();
                int copied = others.Count > 0 ? others[rng.NextInt(0, others.Count)] : right + 1;
                var operands = (int[])chain.Operands.Clone();
                operands[k + 1] = copied;
                var miscopied = new ArithChain(operands, chain.Operators);
                var values = miscopied.RunningValues();
                return miscopied.Solution(values, values[^1]);
            }
            case "stopped-early":
                return chain.Solution(correct, steps > 1 ? correct[steps - 2] : chain.Operands[0], steps - 1);
            default:
                throw new ArgumentOutOfRangeException(nameof(family), family, $"Unknown error family (known: {string.Join(", ", ErrorFamilies)}).");
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Even positions put the gold solution in the first turn (the second attempt keeps it), odd positions a mistaken
    /// solution of the next error family in <see cref="ErrorFamilies"/>; the second attempt is always the gold solution.
    /// </remarks>
    public IReadOnlyList<CorrectionExample> CorrectionExamples(IReadOnlyList<TaskProblem> problems, int seed)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var examples = new List<CorrectionExample>(problems.Count);
        for (int i = 0; i < problems.Count; i++)
        {
            var p = problems[i];
            string family = i % 2 == 0 ? "correct" : ErrorFamilies[i / 2 % ErrorFamilies.Count];
            string first = i % 2 == 0 ? p.Solution : MistakenSolution(p, family, seed);
            examples.Add(new CorrectionExample(p.Id, SelfCorrection.BuildPrompt(p.Prompt, first), p.Solution, family));
        }
        return examples;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Problem i judges the gold solution when i is even, otherwise a mistaken one (the error families in turn); the right
    /// verdict is shown as A for i = 0, 1 mod 4 and as B for i = 2, 3 mod 4, so neither the position nor the verdict word
    /// gives the answer away.
    /// </remarks>
    public IReadOnlyList<JudgeExample> MetaJudgeExamples(IReadOnlyList<TaskProblem> problems, int seed)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var examples = new List<JudgeExample>(problems.Count);
        for (int i = 0; i < problems.Count; i++)
        {
            var p = problems[i];
            bool correct = i % 2 == 0;
            string response = correct ? p.Solution : MistakenSolution(p, ErrorFamilies[i / 2 % ErrorFamilies.Count], seed);
            string right = correct ? VerdictJudge.CorrectVerdict : VerdictJudge.IncorrectVerdict;
            string wrong = correct ? VerdictJudge.IncorrectVerdict : VerdictJudge.CorrectVerdict;
            bool rightFirst = i / 2 % 2 == 0;
            examples.Add(new JudgeExample(p.Id, rightFirst ? MetaJudge.BuildPrompt(p.Prompt, response, right, wrong) : MetaJudge.BuildPrompt(p.Prompt, response, wrong, right),
                rightFirst ? MetaJudge.FirstBetter : MetaJudge.SecondBetter, correct));
        }
        return examples;
    }

    /// <inheritdoc />
    /// <remarks>Even positions judge the gold answer, odd ones the answer of a mistaken solution (the error families in turn).</remarks>
    public IReadOnlyList<JudgeExample> AnswerJudgeExamples(IReadOnlyList<TaskProblem> problems, int seed)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var examples = new List<JudgeExample>(problems.Count);
        for (int i = 0; i < problems.Count; i++)
        {
            var p = problems[i];
            string response = i % 2 == 0 ? p.Solution : MistakenSolution(p, ErrorFamilies[i / 2 % ErrorFamilies.Count], seed);
            // The label is the answer's: a chain stopped early on a final "+0" still answers right.
            bool correct = ExtractAnswer(response) == p.Answer;
            examples.Add(new JudgeExample(p.Id, VerdictJudge.BuildPrompt(p.Prompt, AnswerOnly(response)),
                correct ? VerdictJudge.CorrectVerdict : VerdictJudge.IncorrectVerdict, correct));
        }
        return examples;
    }

    /// <inheritdoc />
    public string AnswerOnly(string response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return ExtractAnswer(response) is { } answer ? AnswerDelimiter + " " + answer : "";
    }

    /// <summary>
    /// Builds every split. Evaluation sets are drawn first and their prompts are excluded from all other splits; then the
    /// validation set, excluded from the campaign, SFT and judge data; campaign prompts are excluded from SFT and judge data.
    /// Judge examples alternate correct and corrupted solutions. SFT ends with the CampaignSftCount problems of the campaign
    /// difficulty.
    /// </summary>
    public TaskSplits BuildSplits(ArithSplitOptions options)
    {
        var heldOut = new HashSet<string>(StringComparer.Ordinal);
        var evaluation = new Dictionary<string, IReadOnlyList<TaskProblem>>(StringComparer.Ordinal);
        foreach (var d in options.EvaluationDifficulties)
        {
            var set = Generate(SeededRandom.DeriveSeed((ulong)options.Seed, "eval/" + d.Label), d, options.EvaluationPerDifficulty, "eval", heldOut, distinct: true);
            evaluation.Add(d.Label, set);
            heldOut.UnionWith(set.Select(p => p.Prompt));
        }

        // Validation next: its prompts are excluded from the campaign prompts and SFT like the held-out ones.
        var validation = Generate(SeededRandom.DeriveSeed((ulong)options.Seed, "validation/" + options.CampaignDifficulty.Label),
            options.CampaignDifficulty, options.ValidationCount, "validation", heldOut, distinct: true);
        heldOut.UnionWith(validation.Select(p => p.Prompt));

        var campaign = Generate(SeededRandom.DeriveSeed((ulong)options.Seed, "campaign/" + options.CampaignDifficulty.Label),
            options.CampaignDifficulty, options.CampaignCount, "campaign", heldOut, distinct: true);
        heldOut.UnionWith(campaign.Select(p => p.Prompt));

        var sft = new List<TaskProblem>();
        var judge = new List<JudgeExample>();
        var corrections = new List<CorrectionExample>();
        var metaJudge = new List<JudgeExample>();
        var answerJudge = new List<JudgeExample>();
        foreach (var d in options.TrainDifficulties)
        {
            if (options.CorrectionPerDifficulty > 0)
                corrections.AddRange(CorrectionExamples(Generate(SeededRandom.DeriveSeed((ulong)options.Seed, "correction/" + d.Label), d,
                    options.CorrectionPerDifficulty, "correction", heldOut, distinct: false), options.Seed));
            if (options.MetaJudgePerDifficulty > 0)
                metaJudge.AddRange(MetaJudgeExamples(Generate(SeededRandom.DeriveSeed((ulong)options.Seed, "meta-judge/" + d.Label), d,
                    options.MetaJudgePerDifficulty, "meta-judge", heldOut, distinct: false), options.Seed));
            if (options.AnswerJudgePerDifficulty > 0)
                answerJudge.AddRange(AnswerJudgeExamples(Generate(SeededRandom.DeriveSeed((ulong)options.Seed, "answer-judge/" + d.Label), d,
                    options.AnswerJudgePerDifficulty, "answer-judge", heldOut, distinct: false), options.Seed));
            sft.AddRange(Generate(SeededRandom.DeriveSeed((ulong)options.Seed, "sft/" + d.Label), d, options.SftPerDifficulty, "sft", heldOut, distinct: false));
            var judged = Generate(SeededRandom.DeriveSeed((ulong)options.Seed, "judge/" + d.Label), d, options.JudgePerDifficulty, "judge", heldOut, distinct: false);
            judge.AddRange(JudgeExamples(judged, options.Seed));
        }
        if (options.CampaignSftCount > 0)
        {
            var d = options.CampaignDifficulty;
            sft.AddRange(Generate(SeededRandom.DeriveSeed((ulong)options.Seed, "sft-campaign/" + d.Label), d, options.CampaignSftCount, "sft", heldOut, distinct: true));
        }
        return new TaskSplits(sft, campaign, evaluation, judge)
        {
            Corrections = corrections, MetaJudge = metaJudge, AnswerJudge = answerJudge, Validation = validation,
        };
    }

    /// <inheritdoc />
    /// <remarks>
    /// Even positions judge the gold solution (verdict correct), odd
    /// positions a solution corrupted by <see cref="CorruptSolution"/> with <paramref name="seed"/> (verdict incorrect).
    /// </remarks>
    public IReadOnlyList<JudgeExample> JudgeExamples(IReadOnlyList<TaskProblem> problems, int seed)
    {
        var examples = new List<JudgeExample>(problems.Count);
        for (int i = 0; i < problems.Count; i++)
        {
            bool correct = i % 2 == 0;
            var p = problems[i];
            string response = correct ? p.Solution : CorruptSolution(p, seed);
            examples.Add(new JudgeExample(p.Id, VerdictJudge.BuildPrompt(p.Prompt, response),
                correct ? VerdictJudge.CorrectVerdict : VerdictJudge.IncorrectVerdict, correct));
        }
        return examples;
    }

    private static List<TaskProblem> Generate(ulong streamSeed, ArithDifficulty difficulty, int count, string split,
        IReadOnlySet<string> exclude, bool distinct)
    {
        difficulty.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var rng = new SeededRandom(streamSeed);
        var problems = new List<TaskProblem>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long attempts = 0, maxAttempts = (long)AttemptsPerProblem * count + 1000;
        while (problems.Count < count)
        {
            if (++attempts > maxAttempts)
                throw new InvalidOperationException(
                    $"Difficulty {difficulty.Label} has too few {(distinct ? "distinct " : "")}problems for {count} in split '{split}'.");
            var chain = ArithChain.Random(rng, difficulty);
            string prompt = chain.Prompt();
            if (exclude.Contains(prompt) || distinct && !seen.Add(prompt)) continue;
            var values = chain.RunningValues();
            problems.Add(new TaskProblem($"arith/{difficulty.Label}/{split}/{problems.Count}", difficulty.Label, prompt,
                chain.Solution(values, values[^1]), ArithChain.Format(values[^1])));
        }
        return problems;
    }

    private static ArithChain Parse(string prompt)
    {
        var operands = new List<int>();
        var operators = new List<char>();
        int value = 0, digits = 0;
        foreach (char c in prompt)
        {
            if (char.IsAsciiDigit(c)) { value = value * 10 + (c - '0'); digits++; continue; }
            if (digits == 0 || c is not ('+' or '-' or '=')) throw new FormatException($"Not an arith prompt: '{prompt}'.");
            operands.Add(value);
            value = digits = 0;
            if (c == '=') break;
            operators.Add(c);
        }
        if (operators.Count == 0 || operands.Count != operators.Count + 1) throw new FormatException($"Not an arith prompt: '{prompt}'.");
        return new ArithChain([.. operands], [.. operators]);
    }

    /// <summary>Changes one digit of <paramref name="value"/>, keeping it a canonical integer (no new leading zero).</summary>
    private static int CorruptDigit(int value, SeededRandom rng)
    {
        char[] text = ArithChain.Format(value).ToCharArray();
        int first = text[0] == '-' ? 1 : 0;
        int position = rng.NextInt(first, text.Length);
        int lowest = position == first && text.Length - first > 1 ? 1 : 0;
        int current = text[position] - '0';
        int replacement = lowest + rng.NextInt(0, 9 - lowest); // uniform over {lowest..9} without the current digit
        if (replacement >= current) replacement++;
        text[position] = (char)('0' + replacement);
        return int.Parse(text, provider: System.Globalization.CultureInfo.InvariantCulture);
    }
}
