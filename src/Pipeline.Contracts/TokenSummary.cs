// What the sampling distributions said about a response, summarised so a message stays small.
namespace Pipeline.Contracts;

/// <summary>Means over a response's tokens, each token scored by the distribution that produced it.</summary>
/// <param name="MeanLogProb">Mean log-probability of the chosen tokens.</param>
/// <param name="MeanEntropy">Mean entropy of the distributions (nats).</param>
/// <param name="SelfCertainty">Mean KL(U ‖ p) (INTUITOR's self-certainty).</param>
public sealed record TokenSummary(double MeanLogProb, double MeanEntropy, double SelfCertainty);
