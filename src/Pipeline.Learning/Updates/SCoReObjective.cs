// SCoRe as an update objective: each unit is one prompt's first attempts and, aligned with them, the second attempts
// written after each; a step trains both attempts in one optimizer step (each attempt conditioned on its own prompt: the
// second on the problem, the first attempt and the correction instruction). Stage I for the iteration's first
// StageOneSteps optimizer steps, stage II after, so every iteration runs both and the stages interleave across
// iterations; the stage is read from the trainer's step count, so a resumed update picks the same stage.
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Policies;

namespace Pipeline.Learning.Updates;

/// <summary>One attempt as sampled: the prompt it was conditioned on, its tokens, the verifier's reward and its log-probs.</summary>
/// <param name="Prompt">The prompt tokens (for a second attempt, the correction prompt).</param>
/// <param name="Response">The response tokens.</param>
/// <param name="Reward">The verifier's r: 1 right, 0 wrong.</param>
/// <param name="OldLogProbs">Per-token log-probs under the sampling policy (null: the current policy).</param>
/// <param name="ReferenceLogProbs">Per-token log-probs under the KL reference.</param>
public sealed record SCoReAttempt(int[] Prompt, int[] Response, double Reward, float[]? OldLogProbs, float[]? ReferenceLogProbs);

/// <summary>One prompt's first attempts and their second attempts, aligned by index.</summary>
/// <param name="FirstAttempts">The first attempts.</param>
/// <param name="SecondAttempts">The second attempt written after each first attempt.</param>
public sealed record SCoReUnit(IReadOnlyList<SCoReAttempt> FirstAttempts, IReadOnlyList<SCoReAttempt> SecondAttempts);

/// <summary>SCoRe's two-stage objective over prompt units.</summary>
/// <param name="units">The units.</param>
/// <param name="options">α, the KL coefficients and the clip.</param>
/// <param name="stageOneSteps">Optimizer steps of each iteration's update that run stage I; the rest run stage II.</param>
public sealed class SCoReObjective(IReadOnlyList<SCoReUnit> units, SCoReOptions options, int stageOneSteps) : IUpdateObjective
{
    /// <inheritdoc />
    public int UnitCount => units.Count;

    /// <summary>The stage of the step a trainer at <paramref name="trainerStep"/> takes next.</summary>
    public SCoReStage StageAt(long trainerStep) => trainerStep < stageOneSteps ? SCoReStage.One : SCoReStage.Two;

    /// <inheritdoc />
    public ObjectiveStep Step(IPolicyTrainer trainer, IReadOnlyList<int> unitIndices)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(unitIndices);
        var batch = unitIndices.Select(i => units[i]).ToList();
        if (batch.Count == 0) return new ObjectiveStep(null, new Dictionary<string, double>());
        var stage = StageAt(trainer.Step);
        var passes = MicroBatching.Passes(trainer.Options, batch, u => u.FirstAttempts.Concat(u.SecondAttempts).Select(a => new PromptResponse(a.Prompt, a.Response)));
        int totalSequences = batch.Sum(u => u.FirstAttempts.Count + u.SecondAttempts.Count);
        double firstKl = 0, secondKl = 0;
        var update = trainer.Apply(passes.Select(p => p.Batch).ToList(), (i, logProbs) =>
        {
            var (start, count, pass) = passes[i];
            var groups = new List<SCoReGroup>(count);
            int row = 0;
            foreach (var unit in batch.Skip(start).Take(count))
            {
                var first = unit.FirstAttempts.Select(a => new GrpoSequence(logProbs[row++], a.OldLogProbs, a.ReferenceLogProbs)).ToList();
                var second = unit.SecondAttempts.Select(a => new GrpoSequence(logProbs[row++], a.OldLogProbs, a.ReferenceLogProbs)).ToList();
                groups.Add(new SCoReGroup(unit.FirstAttempts.Select(a => a.Reward).ToList(), unit.SecondAttempts.Select(a => a.Reward).ToList(), first, second));
            }
            var result = SCoReLoss.Compute(groups, stage, options);
            double share = (double)pass.BatchSize / totalSequences;
            firstKl += share * result.FirstKl;
            secondKl += share * result.SecondKl;
            // Back to the pass's row order: per unit its first attempts, then its second attempts.
            var gradients = new float[pass.BatchSize][];
            int f = 0, s = 0;
            row = 0;
            foreach (var unit in batch.Skip(start).Take(count))
            {
                for (int k = 0; k < unit.FirstAttempts.Count; k++) gradients[row++] = result.FirstGradients[f++];
                for (int k = 0; k < unit.SecondAttempts.Count; k++) gradients[row++] = result.SecondGradients[s++];
            }
            return new TokenLoss(result.Loss * share, MicroBatching.Scale(gradients, share));
        });
        var attempts = batch.SelectMany(u => u.FirstAttempts.Zip(u.SecondAttempts)).ToList();
        return new ObjectiveStep(update, new Dictionary<string, double>
        {
            ["stage"] = (int)stage,
            ["first_attempt_reward"] = attempts.Average(a => a.First.Reward),
            ["second_attempt_reward"] = attempts.Average(a => a.Second.Reward),
            ["kl_first_attempt"] = firstKl,
            ["kl_second_attempt"] = secondKl,
        });
    }
}
