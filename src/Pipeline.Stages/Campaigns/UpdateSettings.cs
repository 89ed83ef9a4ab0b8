// Settings of the policy update: optimiser, chunking, and the objective's coefficients.
using Pipeline.Learning.Objectives;

namespace Pipeline.Stages.Campaigns;

/// <summary>The <c>update</c> section of a campaign file.</summary>
public sealed record UpdateSettings
{
    /// <summary>Peak learning rate (default 1e-4).</summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>Linear warm-up steps of the schedule (default 0).</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Learning rate at the last step as a fraction of the peak (cosine decay; default 1: constant).</summary>
    public double FinalRateFraction { get; init; } = 1.0;

    /// <summary>Optimizer steps per iteration (default 8).</summary>
    public int Steps { get; init; } = 8;

    /// <summary>Optimizer steps per chunk; the trainer state is saved after each chunk (default 4).</summary>
    public int StepsPerChunk { get; init; } = 4;

    /// <summary>Prompts (GRPO groups, DPO pairs or SFT examples) per optimizer step (default 16).</summary>
    public int PromptsPerStep { get; init; } = 16;

    /// <summary>Sequences per forward/backward pass (default 16).</summary>
    public int MicroBatchSize { get; init; } = 16;

    /// <summary>Global gradient-norm clip (default 1).</summary>
    public double MaxGradientNorm { get; init; } = 1.0;

    /// <summary>AdamW weight decay (default 0).</summary>
    public double WeightDecay { get; init; }

    /// <summary>DPO's β (default 0.1).</summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>IRPO's α on the chosen response's NLL (default 0; irpo sets it).</summary>
    public double NllWeight { get; init; }

    /// <summary>GRPO's PPO clip range ε (default 0.2).</summary>
    public double Clip { get; init; } = 0.2;

    /// <summary>GRPO's k3 KL coefficient to the reference (default 0.005); SCoRe's small β₁.</summary>
    public double KlBeta { get; init; } = 0.005;

    /// <summary>
    /// GRPO's KL reference: <c>base</c> (default), the campaign's base model, fixed for the whole campaign as in the
    /// INTUITOR and verl code; or <c>iteration</c>, the iteration's starting policy (re-anchored every iteration).
    /// </summary>
    public KlReference KlReference { get; init; } = KlReference.Base;

    /// <summary>
    /// How GRPO averages per-token losses: <c>token-mean</c> (default; verl-intuitor's <c>loss_agg_mode</c>) or
    /// <c>sequence-mean</c> (each response weighs the same, so short responses weigh more per token).
    /// </summary>
    public TokenAveraging TokenAveraging { get; init; } = TokenAveraging.TokenMean;

        /// <summary>SCoRe: stage I's strong KL coefficient β₂ on the first attempt (default 0.1).</summary>
    public double FirstAttemptKlBeta { get; init; } = 0.1;

    /// <summary>SCoRe: stage II's bonus α on r(y2) − r(y1) (default 10).</summary>
    public double CorrectionBonus { get; init; } = 10;

    /// <summary>SCoRe: optimizer steps of each iteration that run stage I; the rest run stage II (default 8; ≥ steps: stage I only).</summary>
    public int StageOneSteps { get; init; } = 8;

    /// <summary>Self-training: minimum vote share of the majority answer (default 0.5).</summary>
    public double MinVoteShare { get; init; } = 0.5;

    /// <summary>Self-training: kept responses shorter than this fraction of the kept mean are dropped (default 0.5).</summary>
    public double MinLengthFraction { get; init; } = 0.5;
}

/// <summary>The policy GRPO's KL term is measured against.</summary>
public enum KlReference
{
    /// <summary>The campaign's base model (iteration 0), fixed.</summary>
    Base,

    /// <summary>The iteration's starting policy (the one that sampled).</summary>
    Iteration,
}
