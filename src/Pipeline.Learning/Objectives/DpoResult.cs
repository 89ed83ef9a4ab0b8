// The DPO/IRPO loss with its gradients and the usual diagnostics (implicit rewards, margins, preference accuracy).
namespace Pipeline.Learning.Objectives;

/// <summary>DPO (or IRPO) loss over a batch of pairs, gradients per token, and diagnostics averaged over pairs.</summary>
/// <param name="Loss">Weighted mean over pairs of −log σ(h) + α·NLL(y_w)/|y_w| (the plain mean when every weight is 1).</param>
/// <param name="ChosenGradients">∂loss/∂logp for each chosen response's tokens.</param>
/// <param name="RejectedGradients">∂loss/∂logp for each rejected response's tokens.</param>
/// <param name="ChosenReward">Mean implicit reward β(log π(y_w) − log ref(y_w)).</param>
/// <param name="RejectedReward">Mean implicit reward β(log π(y_l) − log ref(y_l)).</param>
/// <param name="Accuracy">Fraction of pairs whose chosen reward exceeds the rejected one.</param>
/// <param name="NllTerm">Weighted mean of the added α·NLL(y_w)/|y_w|, the part of <paramref name="Loss"/> it makes (0 for plain DPO).</param>
public sealed record DpoResult(double Loss, float[][] ChosenGradients, float[][] RejectedGradients,
    double ChosenReward, double RejectedReward, double Accuracy, double NllTerm)
{
    /// <summary>Mean implicit reward gap: <see cref="ChosenReward"/> − <see cref="RejectedReward"/>.</summary>
    public double RewardGap => ChosenReward - RejectedReward;
}
