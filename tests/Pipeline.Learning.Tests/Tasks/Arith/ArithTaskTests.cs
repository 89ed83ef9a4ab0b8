// Checks the arith task: seeded determinism, the difficulty knob, gold and corrupted solutions, answer extraction,
// splits that keep evaluation prompts out of everything else, judge examples and the alphabet.
using System.Text.RegularExpressions;
using Pipeline.Learning.Judging;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Tasks.Arith;

namespace Pipeline.Learning.Tests.Tasks.Arith;

public partial class ArithTaskTests
{
    private readonly ArithTask _task = new();

    private static ArithSplitOptions SmallSplits(int seed = 11) => new(
        seed,
        TrainDifficulties: [new(1, 1), new(2, 1), new(2, 2)],
        SftPerDifficulty: 300,
        CampaignDifficulty: new(2, 3),
        CampaignCount: 200,
        EvaluationDifficulties: [new(1, 1), new(2, 1), new(2, 2), new(2, 3), new(2, 4)],
        EvaluationPerDifficulty: 40,
        JudgePerDifficulty: 60,
        ValidationCount: 50);

    [Fact]
    public void Generate_SameSeed_SameProblems_OtherSeed_Different()
    {
        var d = new ArithDifficulty(2, 2);

        Assert.Equal(_task.Generate(5, d, 50), _task.Generate(5, d, 50));
        Assert.NotEqual(_task.Generate(5, d, 50).Select(p => p.Prompt), _task.Generate(6, d, 50).Select(p => p.Prompt));
    }

    [Fact]
    public void Generate_FixedSeed_GivesTheSameFirstProblemOnEveryRuntime()
    {
        // The engine's SeededRandom is our own algorithm: this pins the sequence so stored datasets stay reproducible.
        var first = _task.Generate(1, new ArithDifficulty(2, 2), 1)[0];

        Assert.Equal("73+73+27=", first.Prompt);
        Assert.Equal("73+73=146;146+27=173;#### 173", first.Solution);
        Assert.Equal("173", first.Answer);
        Assert.Equal("d2s2", first.Difficulty);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    [InlineData(4, 5)]
    public void Generate_DifficultySetsOperandDigitsAndSteps(int digits, int steps)
    {
        foreach (var p in _task.Generate(3, new ArithDifficulty(digits, steps), 40))
        {
            var operands = OperandPattern().Matches(p.Prompt).Select(m => m.Value).ToList();
            Assert.Equal(steps + 1, operands.Count);
            Assert.All(operands, o => Assert.Equal(digits, o.Length));
            Assert.All(operands, o => Assert.True(o.Length == 1 || o[0] != '0', $"leading zero in {p.Prompt}"));
            Assert.DoesNotContain('-', p.Prompt);
            Assert.Equal(steps, Steps(p.Solution).Count);
        }
    }

    [Fact]
    public void Generate_Subtraction_UsesMinusAndNeverGoesNegative()
    {
        var problems = _task.Generate(4, new ArithDifficulty(2, 4, Subtraction: true), 100);

        Assert.Contains(problems, p => p.Prompt.Contains('-'));
        Assert.All(problems, p => Assert.All(Steps(p.Solution), s => Assert.True(s.Result >= 0, p.Solution)));
        Assert.All(problems, p => Assert.DoesNotContain("-", p.Answer));
    }

    [Fact]
    public void Generate_GoldSolutions_AreArithmeticallyRightAndVerify()
    {
        var verifier = new Verifier(_task);
        foreach (var p in _task.Generate(8, new ArithDifficulty(3, 3, Subtraction: true), 100))
        {
            var steps = Steps(p.Solution);
            var operands = OperandPattern().Matches(p.Prompt).Select(m => int.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(operands[0], steps[0].Left);
            Assert.Equal(operands.Skip(1), steps.Select(s => s.Right));
            Assert.Equal(p.Prompt.Where(c => c is '+' or '-'), steps.Select(s => s.Op));
            Assert.All(steps, s => Assert.True(s.IsRight, p.Solution));
            Assert.Equal(steps[^1].Result.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Answer);
            Assert.True(verifier.IsCorrect(p.Solution, p.Answer));
            Assert.Equal(EvaluateLeftToRight(p.Prompt), int.Parse(p.Answer, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Generate_ReturnsDistinctPrompts_AndThrowsWhenTheSpaceIsTooSmall()
    {
        var set = _task.Generate(2, new ArithDifficulty(1, 1), 90);

        Assert.Equal(90, set.Select(p => p.Prompt).Distinct().Count());
        Assert.Throws<InvalidOperationException>(() => _task.Generate(2, new ArithDifficulty(1, 1), 101));
    }

    [Theory]
    [InlineData("1+2=3;#### 3", "3")]
    [InlineData("#### 0", "0")]
    [InlineData("9+9=18;####18", "18")]
    [InlineData("5-9=-4;#### -4", "-4")]
    [InlineData("1+1=2;#### 2  \nanything after the answer line", "2")]
    [InlineData("1+1=2;#### 2\n#### 5", "2")]
    public void ExtractAnswer_WellFormed_ReturnsTheAnswer(string response, string expected)
    {
        Assert.Equal(expected, _task.ExtractAnswer(response));
        var range = _task.FindAnswer(response)!.Value;
        Assert.Equal(expected, response.Substring(range.Start, range.Length));
    }

    [Theory]
    [InlineData("1+2=3;")]
    [InlineData("1+2=3;###3")]
    [InlineData("1+2=3;#### ")]
    [InlineData("1+2=3;#### x3")]
    [InlineData("1+2=3;#### 3;")]
    [InlineData("1+2=3;#### 3 4")]
    [InlineData("1+2=3;#### 03")]
    [InlineData("1+2=3;#### -0")]
    [InlineData("1+2=3;#### -")]
    [InlineData("")]
    public void ExtractAnswer_MalformedOrMissing_IsNull(string response)
    {
        Assert.Null(_task.ExtractAnswer(response));
        Assert.Null(_task.FindAnswer(response));
    }

    [Fact]
    public void CorruptSolution_IsWrongButKeepsTheLayout()
    {
        var verifier = new Verifier(_task);
        int finalOnly = 0, carried = 0;
        foreach (var p in _task.Generate(9, new ArithDifficulty(2, 3, Subtraction: true), 200))
        {
            string bad = _task.CorruptSolution(p, 1);
            Assert.NotEqual(p.Solution, bad);
            Assert.False(verifier.IsCorrect(bad, p.Answer), $"{p.Solution} vs {bad}");
            var steps = Steps(bad);
            Assert.Equal(3, steps.Count);
            Assert.NotNull(_task.ExtractAnswer(bad));
            bool stepWrong = steps.Any(s => !s.IsRight);
            bool answerMismatch = _task.ExtractAnswer(bad) != steps[^1].Result.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(stepWrong ^ answerMismatch, bad); // exactly one kind of error
            if (answerMismatch) finalOnly++; else carried++;
        }
        Assert.True(finalOnly > 20 && carried > 20, $"final-only {finalOnly}, carried {carried}");
    }

    [Fact]
    public void CorruptSolution_IsDeterministicPerSeed()
    {
        var problems = _task.Generate(9, new ArithDifficulty(2, 2), 30);

        Assert.Equal(problems.Select(p => _task.CorruptSolution(p, 4)), problems.Select(p => _task.CorruptSolution(p, 4)));
        Assert.NotEqual(problems.Select(p => _task.CorruptSolution(p, 4)), problems.Select(p => _task.CorruptSolution(p, 5)));
    }

    [Fact]
    public void BuildSplits_EvaluationPromptsAppearInNoOtherSplit()
    {
        var splits = _task.BuildSplits(SmallSplits());

        var evalPrompts = splits.Evaluation.Values.SelectMany(s => s).Select(p => p.Prompt).ToList();
        Assert.Equal(evalPrompts.Count, evalPrompts.Distinct().Count());
        var held = evalPrompts.ToHashSet();
        Assert.DoesNotContain(splits.Sft, p => held.Contains(p.Prompt));
        Assert.DoesNotContain(splits.Campaign, p => held.Contains(p.Prompt));
        Assert.DoesNotContain(splits.Judge, j => held.Contains(j.Prompt[..(j.Prompt.IndexOf('=') + 1)]));
        var campaign = splits.Campaign.Select(p => p.Prompt).ToHashSet();
        Assert.Equal(200, campaign.Count);
        Assert.DoesNotContain(splits.Sft, p => campaign.Contains(p.Prompt));
    }

    [Fact]
    public void BuildSplits_Validation_CampaignDifficultyDisjointFromEverySplit()
    {
        var splits = _task.BuildSplits(SmallSplits());

        Assert.Equal(50, splits.Validation.Count);
        Assert.All(splits.Validation, p => Assert.Equal("d2s3", p.Difficulty));
        var validation = splits.Validation.Select(p => p.Prompt).ToHashSet();
        Assert.Equal(50, validation.Count);
        Assert.DoesNotContain(splits.Evaluation.Values.SelectMany(s => s), p => validation.Contains(p.Prompt));
        Assert.DoesNotContain(splits.Campaign, p => validation.Contains(p.Prompt));
        Assert.DoesNotContain(splits.Sft, p => validation.Contains(p.Prompt));
        Assert.Equal(splits.Validation, _task.BuildSplits(SmallSplits()).Validation);
    }

    [Fact]
    public void Splits_Recommended_ThousandPerHeldOutSetAndValidation_CampaignOnlyKeepsThem()
    {
        var full = _task.Splits(1);
        var campaignOnly = _task.Splits(1, new SplitSizes(CampaignOnly: true));

        Assert.Equal(1000, _task.EvaluationProblemsPerDifficulty);
        Assert.All(full.Evaluation.Values, s => Assert.Equal(1000, s.Count));
        Assert.Equal(1000, full.Validation.Count);
        Assert.Equal(full.Validation, campaignOnly.Validation);
        Assert.Equal(full.Campaign, campaignOnly.Campaign);
        Assert.Equal(full.Evaluation["d2s3"], campaignOnly.Evaluation["d2s3"]);
    }

    [Fact]
    public void BuildSplits_SizesDifficultiesAndDeterminism()
    {
        var splits = _task.BuildSplits(SmallSplits());

        Assert.Equal(900, splits.Sft.Count);
        Assert.Equal(["d1s1", "d2s1", "d2s2"], splits.Sft.Select(p => p.Difficulty).Distinct().Order());
        Assert.All(splits.Campaign, p => Assert.Equal("d2s3", p.Difficulty));
        Assert.Equal(["d1s1", "d2s1", "d2s2", "d2s3", "d2s4"], splits.Evaluation.Keys.Order());
        Assert.All(splits.Evaluation, e => Assert.All(e.Value, p => Assert.Equal(e.Key, p.Difficulty)));
        Assert.All(splits.Evaluation.Values, s => Assert.Equal(40, s.Count));
        Assert.Equal(splits.Sft, _task.BuildSplits(SmallSplits()).Sft);
        Assert.NotEqual(splits.Sft.Select(p => p.Prompt), _task.BuildSplits(SmallSplits(12)).Sft.Select(p => p.Prompt));
        var ids = splits.Sft.Concat(splits.Campaign).Concat(splits.Evaluation.Values.SelectMany(s => s)).Select(p => p.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void BuildSplits_RecommendedOptions_AreFeasible()
    {
        var options = ArithSplitOptions.Recommended(1);

        var splits = _task.BuildSplits(options);

        Assert.Equal(options.TrainDifficulties.Count * options.SftPerDifficulty + options.CampaignSftCount, splits.Sft.Count);
        Assert.Equal(options.CampaignCount, splits.Campaign.Count);
        Assert.All(splits.Evaluation.Values, s => Assert.Equal(options.EvaluationPerDifficulty, s.Count));
    }

    [Fact]
    public void BuildSplits_JudgeExamples_HalfCorrectWithMatchingVerdicts()
    {
        var splits = _task.BuildSplits(SmallSplits());

        Assert.Equal(180, splits.Judge.Count);
        Assert.Equal(90, splits.Judge.Count(j => j.IsCorrect));
        foreach (var j in splits.Judge)
        {
            Assert.EndsWith("\nVerdict:", j.Prompt);
            Assert.Equal(j.IsCorrect ? VerdictJudge.CorrectVerdict : VerdictJudge.IncorrectVerdict, j.Verdict);
            string response = j.Prompt[..^"\nVerdict:".Length];
            var steps = Steps(response);
            bool consistent = steps.All(s => s.IsRight) && _task.ExtractAnswer(response) == steps[^1].Result.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(j.IsCorrect, consistent);
        }
    }

    [Fact]
    public void JudgeExamples_AlternateGoldAndCorruptedSolutionsOfTheGivenProblems()
    {
        var problems = _task.Generate(3, new ArithDifficulty(2, 3), 6);

        var examples = _task.JudgeExamples(problems, seed: 2);

        Assert.Equal(problems.Select(p => p.Id), examples.Select(e => e.ProblemId));
        Assert.Equal([true, false, true, false, true, false], examples.Select(e => e.IsCorrect));
        for (int i = 0; i < problems.Count; i++)
        {
            string judged = i % 2 == 0 ? problems[i].Solution : _task.CorruptSolution(problems[i], 2);
            Assert.Equal(VerdictJudge.BuildPrompt(problems[i].Prompt, judged), examples[i].Prompt);
        }
    }

    [Fact]
    public void BuildSplits_CampaignSftCount_AddsDistinctHarderProblemsOutsideCampaignAndEvaluation()
    {
        var options = SmallSplits() with { CampaignSftCount = 30 };

        var splits = _task.BuildSplits(options);

        var harder = splits.Sft.Where(p => p.Difficulty == options.CampaignDifficulty.Label).ToList();
        Assert.Equal(30, harder.Count);
        Assert.Equal(options.TrainDifficulties.Count * options.SftPerDifficulty + 30, splits.Sft.Count);
        var elsewhere = splits.Campaign.Concat(splits.Evaluation.Values.SelectMany(s => s)).Select(p => p.Prompt).ToHashSet();
        Assert.DoesNotContain(harder, p => elsewhere.Contains(p.Prompt));
        Assert.Equal(30, harder.Select(p => p.Prompt).Distinct().Count());
    }

    [Fact]
    public void Alphabet_CoversEveryTextOfEverySplit()
    {
        var splits = _task.BuildSplits(SmallSplits() with { TrainDifficulties = [new(3, 3, Subtraction: true)], CorrectionPerDifficulty = 20,
            MetaJudgePerDifficulty = 8, AnswerJudgePerDifficulty = 8 });
        Assert.NotEmpty(splits.Corrections);
        var alphabet = _task.Alphabet.ToHashSet();

        Assert.Equal(_task.Alphabet.Length, alphabet.Count);
        var texts = splits.Sft.Concat(splits.Campaign).Concat(splits.Evaluation.Values.SelectMany(s => s))
            .SelectMany(p => new[] { p.Prompt, p.Solution })
            .Concat(splits.Judge.Select(j => j.Prompt + j.Verdict))
            .Concat(splits.Corrections.Select(c => c.Prompt + c.Response))
            .Concat(splits.MetaJudge.Concat(splits.AnswerJudge).Select(j => j.Prompt + j.Verdict))
            .Append("5-9=-4;#### -4");
        Assert.All(texts, t => Assert.All(t, c => Assert.Contains(c, alphabet)));
    }

    [Theory]
    [InlineData("digit-slip")]
    [InlineData("carry-slip")]
    [InlineData("miscopied-operand")]
    [InlineData("stopped-early")]
    public void MistakenSolution_EachFamily_WrongAnswerInTheTaskLayout(string family)
    {
        var verifier = new Verifier(_task);
        foreach (var p in _task.Generate(9, new ArithDifficulty(2, 2), 100))
        {
            string bad = _task.MistakenSolution(p, family, 1);
            Assert.False(verifier.IsCorrect(bad, p.Answer), $"{family}: {p.Solution} vs {bad}");
            Assert.NotNull(_task.ExtractAnswer(bad));
            var steps = Steps(bad);
            switch (family)
            {
                case "carry-slip":
                    // One step result off by exactly ten, the later steps computed from it.
                    Assert.Single(steps, s => !s.IsRight);
                    Assert.Contains(steps, s => Math.Abs(s.Result - (s.Op == '+' ? s.Left + s.Right : s.Left - s.Right)) == 10);
                    break;
                case "miscopied-operand":
                    // Every step is right arithmetic, but one adds an operand that is not the prompt's at that place.
                    Assert.All(steps, s => Assert.True(s.IsRight, bad));
                    Assert.Equal(2, steps.Count);
                    break;
                case "stopped-early":
                    Assert.Single(steps);
                    Assert.True(steps[0].IsRight);
                    Assert.Equal(steps[0].Result.ToString(System.Globalization.CultureInfo.InvariantCulture), _task.ExtractAnswer(bad));
                    break;
            }
        }
    }

    [Fact]
    public void MistakenSolution_StoppedEarlyOnOneStep_AnswersTheFirstOperand()
    {
        var problem = new TaskProblem("arith/d2s1/x/0", "d2s1", "12+34=", "12+34=46;#### 46", "46");

        Assert.Equal("#### 12", _task.MistakenSolution(problem, "stopped-early", 1));
    }

    [Fact]
    public void CorrectionExamples_AlternateGoldAndEveryErrorFamily_SecondAttemptAlwaysGold()
    {
        var problems = _task.Generate(3, new ArithDifficulty(2, 2), 16);

        var examples = _task.CorrectionExamples(problems, 1);

        Assert.Equal(16, examples.Count);
        for (int i = 0; i < examples.Count; i++)
        {
            Assert.Equal(problems[i].Solution, examples[i].Response);
            Assert.StartsWith(problems[i].Prompt, examples[i].Prompt);
            Assert.EndsWith(SelfCorrection.Instruction, examples[i].Prompt);
            string first = examples[i].Prompt[problems[i].Prompt.Length..^SelfCorrection.Instruction.Length];
            Assert.Equal(i % 2 == 0, first == problems[i].Solution);
            Assert.Equal(i % 2 == 0 ? "correct" : ArithTask.ErrorFamilies[i / 2 % 4], examples[i].Family);
        }
        Assert.Equal(ArithTask.ErrorFamilies.Append("correct").Order(), examples.Select(e => e.Family).Distinct().Order());
    }

    [Fact]
    public void BuildSplits_Corrections_OnlyAtTrainingDifficultiesNeverTheCampaignOne()
    {
        var splits = _task.BuildSplits(SmallSplits() with { CorrectionPerDifficulty = 40, CampaignSftCount = 10 });

        Assert.Equal(3 * 40, splits.Corrections.Count);
        var campaignLike = splits.Corrections.Where(c => c.ProblemId.Contains("/d2s3/", StringComparison.Ordinal));
        Assert.Empty(campaignLike);
        var heldOut = splits.Campaign.Concat(splits.Evaluation.Values.SelectMany(s => s)).Select(p => p.Prompt).ToHashSet();
        // A correction prompt's problem is everything up to its first '='; none is a campaign or held-out prompt.
        Assert.DoesNotContain(splits.Corrections, c => heldOut.Contains(c.Prompt[..(c.Prompt.IndexOf('=', StringComparison.Ordinal) + 1)]));
    }

    [Fact]
    public void MetaJudgeExamples_RightVerdictNamedInBothPositionsForRightAndWrongResponses()
    {
        var problems = _task.Generate(3, new ArithDifficulty(2, 2), 8);

        var examples = _task.MetaJudgeExamples(problems, 1);

        for (int i = 0; i < examples.Count; i++)
        {
            var e = examples[i];
            bool rightFirst = i / 2 % 2 == 0;
            string right = e.IsCorrect ? VerdictJudge.CorrectVerdict : VerdictJudge.IncorrectVerdict;
            string wrong = e.IsCorrect ? VerdictJudge.IncorrectVerdict : VerdictJudge.CorrectVerdict;
            Assert.Equal(i % 2 == 0, e.IsCorrect);
            Assert.EndsWith(rightFirst ? $"\nA:{right}\nB:{wrong}\nBetter:" : $"\nA:{wrong}\nB:{right}\nBetter:", e.Prompt);
            Assert.Equal(rightFirst ? MetaJudge.FirstBetter : MetaJudge.SecondBetter, e.Verdict);
        }
        // Neither the position nor the verdict word alone tells the answer.
        Assert.Contains(examples, e => e.IsCorrect && e.Verdict == MetaJudge.SecondBetter);
        Assert.Contains(examples, e => !e.IsCorrect && e.Verdict == MetaJudge.FirstBetter);
    }

    [Fact]
    public void AnswerOnly_ShowsTheDelimitedAnswerAndNeverAStep()
    {
        Assert.Equal("#### 97", _task.AnswerOnly("12+34=46;46+51=97;#### 97"));
        Assert.Equal("", _task.AnswerOnly("12+34=46;46+51="));
    }

    [Fact]
    public void AnswerJudgeExamples_JudgeTheAnswerAloneLabelledByIt()
    {
        var problems = _task.Generate(3, new ArithDifficulty(2, 2), 8);

        var examples = _task.AnswerJudgeExamples(problems, 1);

        for (int i = 0; i < examples.Count; i++)
        {
            var e = examples[i];
            Assert.StartsWith(problems[i].Prompt + "#### ", e.Prompt);
            Assert.DoesNotContain(';', e.Prompt);
            Assert.Equal(e.IsCorrect, e.Prompt == VerdictJudge.BuildPrompt(problems[i].Prompt, "#### " + problems[i].Answer));
            Assert.Equal(e.IsCorrect ? VerdictJudge.CorrectVerdict : VerdictJudge.IncorrectVerdict, e.Verdict);
        }
        Assert.Equal(4, examples.Count(e => e.IsCorrect));
    }

    [Fact]
    public void Splits_CampaignOnly_HasNoCorrections()
    {
        var splits = _task.Splits(1, new SplitSizes(CampaignOnly: true));

        Assert.Empty(splits.Corrections);
        Assert.Empty(splits.MetaJudge);
        Assert.Empty(splits.AnswerJudge);
    }

    private sealed record Step(int Left, char Op, int Right, int Result)
    {
        public bool IsRight => Result == (Op == '+' ? Left + Right : Left - Right);
    }

    /// <summary>The "a±b=c;" steps of a solution (the prompt part before the first step's text is not needed).</summary>
    private static List<Step> Steps(string solution) =>
        StepPattern().Matches(solution).Select(m => new Step(
            int.Parse(m.Groups["a"].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups["op"].Value[0],
            int.Parse(m.Groups["b"].Value, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(m.Groups["c"].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();

    private static int EvaluateLeftToRight(string prompt)
    {
        var tokens = Regex.Matches(prompt, @"\d+|[+-]").Select(m => m.Value).ToList();
        int value = int.Parse(tokens[0], System.Globalization.CultureInfo.InvariantCulture);
        for (int i = 1; i < tokens.Count; i += 2)
        {
            int x = int.Parse(tokens[i + 1], System.Globalization.CultureInfo.InvariantCulture);
            value = tokens[i] == "+" ? value + x : value - x;
        }
        return value;
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex OperandPattern();

    [GeneratedRegex(@"(?<a>-?\d+)(?<op>[+-])(?<b>\d+)=(?<c>-?\d+);")]
    private static partial Regex StepPattern();
}
