// The inputs of GRPO for one prompt: the group's rewards and, per sampled response, the per-token log-probs under the
// policy being trained, the policy that sampled it, and the frozen reference.
namespace Pipeline.Learning.Objectives;

/// <summary>Per-token log-probs of one sampled response.</summary>
/// <param name="LogProbs">Under the policy being updated (the values the gradient is taken with respect to).</param>
/// <param name="OldLogProbs">Under the policy that sampled the response; null means the same as <paramref name="LogProbs"/> (ratio 1).</param>
/// <param name="ReferenceLogProbs">Under the reference model; may be null only when the KL coefficient is 0.</param>
public sealed record GrpoSequence(float[] LogProbs, float[]? OldLogProbs, float[]? ReferenceLogProbs);

/// <summary>One prompt's group: a scalar reward per sampled response.</summary>
/// <param name="Rewards">u_i for each response.</param>
/// <param name="Sequences">The responses' log-probs, in the order of <paramref name="Rewards"/>.</param>
public sealed record GrpoGroup(IReadOnlyList<double> Rewards, IReadOnlyList<GrpoSequence> Sequences);

/// <summary>GRPO settings (INTUITOR's defaults).</summary>
/// <param name="ClipEpsilon">PPO clip range ε: the ratio is clipped to [1 − ε, 1 + ε].</param>
/// <param name="KlBeta">Coefficient β of the k3 KL estimate to the reference.</param>
/// <param name="AdvantageEpsilon">Added to the group's standard deviation before dividing.</param>
/// <param name="Averaging">How per-token losses are averaged over the batch.</param>
public sealed record GrpoOptions(
    double ClipEpsilon = 0.2,
    double KlBeta = 0.005,
    double AdvantageEpsilon = 1e-4,
    TokenAveraging Averaging = TokenAveraging.SequenceMean);
