// Supervised fine-tuning: negative log-likelihood of the response tokens.
namespace Pipeline.Learning.Objectives;

/// <summary>SFT loss: mean negative log-likelihood of response tokens.</summary>
public static class SftLoss
{
    /// <summary>
    /// −Σ w_s,t · logp_s,t with the weights of <paramref name="averaging"/> (token mean: the mean NLL over every response
    /// token of the batch); the gradient per token is −w_s,t.
    /// </summary>
    public static TokenLoss Compute(IReadOnlyList<float[]> logProbs, TokenAveraging averaging = TokenAveraging.TokenMean)
    {
        var weights = TokenLoss.TokenWeights(logProbs.Select(l => l.Length).ToList(), averaging);
        double loss = 0;
        var gradients = new float[logProbs.Count][];
        for (int s = 0; s < logProbs.Count; s++)
        {
            gradients[s] = new float[logProbs[s].Length];
            for (int t = 0; t < logProbs[s].Length; t++)
            {
                loss -= weights[s] * logProbs[s][t];
                gradients[s][t] = (float)-weights[s];
            }
        }
        return new TokenLoss(loss, gradients);
    }
}
