// Meta-Rewarding's meta-judge (arXiv 2407.19594) for the verdict judge: the policy sees a response and two of its own
// judgements of it, labelled A and B, and says which is better. Each pair is judged in both orders and the two
// preferences are combined, because a model that simply prefers a position would otherwise decide every pair.
namespace Pipeline.Learning.Judging;

/// <summary>The meta-judge prompt and its two-order comparison.</summary>
public static class MetaJudge
{
    /// <summary>The continuation that prefers the judgement shown first.</summary>
    public const string FirstBetter = " A";

    /// <summary>The continuation that prefers the judgement shown second.</summary>
    public const string SecondBetter = " B";

    /// <summary>
    /// The verdict prompt of (<paramref name="prompt"/>, <paramref name="response"/>), then the two judgements (verdict
    /// words) as A and B, then the question.
    /// </summary>
    public static string BuildPrompt(string prompt, string response, string judgementA, string judgementB) =>
        VerdictJudge.BuildPrompt(prompt, response) + "\nA:" + judgementA + "\nB:" + judgementB + "\nBetter:";

    /// <summary>
    /// p(<paramref name="first"/> is better) in each order: shown as A (σ of log p(" A") − log p(" B")), and shown as B.
    /// A model without position bias gives the same number twice.
    /// </summary>
    public static (double ShownFirst, double ShownSecond) Compare(IJudgeModel model, string prompt, string response, string first, string second)
    {
        ArgumentNullException.ThrowIfNull(model);
        var asA = model.ContinuationLogProbs(BuildPrompt(prompt, response, first, second), [FirstBetter, SecondBetter]);
        var asB = model.ContinuationLogProbs(BuildPrompt(prompt, response, second, first), [FirstBetter, SecondBetter]);
        return (Logistic.Sigmoid(asA[0] - asA[1]), Logistic.Sigmoid(asB[1] - asB[0]));
    }
}
