// The GRPO loss, its per-token gradients and diagnostics.
namespace Pipeline.Learning.Objectives;

/// <summary>GRPO loss over a batch of groups.</summary>
/// <param name="Loss">The averaged per-token loss.</param>
/// <param name="Gradients">∂loss/∂logp per token, one array per response, groups concatenated in input order.</param>
/// <param name="Advantages">The advantage of each response, in the same order.</param>
/// <param name="ClipFraction">Fraction of tokens whose clipped term was the active one (no policy gradient).</param>
/// <param name="MeanKl">Mean k3 KL estimate over all tokens (0 when β = 0 and no reference is given).</param>
public sealed record GrpoResult(double Loss, float[][] Gradients, double[] Advantages, double ClipFraction, double MeanKl);
