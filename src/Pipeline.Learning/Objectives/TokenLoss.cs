// A loss over sequences of per-token log-probs and its gradient with respect to each of those log-probs, which is what
// the engine's backward pass takes.
namespace Pipeline.Learning.Objectives;

/// <summary>A loss and ∂loss/∂logp for every token of every sequence.</summary>
/// <param name="Loss">The loss value.</param>
/// <param name="Gradients">Gradients[s][t] = ∂loss/∂logp of token t of sequence s, in the input's order.</param>
public sealed record TokenLoss(double Loss, float[][] Gradients)
{
    /// <summary>1/|o| per token for sequence mean (divided by the sequence count), 1/Σ|o| for token mean.</summary>
    internal static double[] TokenWeights(IReadOnlyList<int> lengths, TokenAveraging averaging)
    {
        if (lengths.Count == 0) throw new ArgumentException("The batch holds no sequence.");
        if (lengths.Any(n => n == 0)) throw new ArgumentException("A sequence holds no token.");
        long total = lengths.Sum(n => (long)n);
        return lengths.Select(n => averaging == TokenAveraging.SequenceMean ? 1.0 / ((double)n * lengths.Count) : 1.0 / total).ToArray();
    }
}
