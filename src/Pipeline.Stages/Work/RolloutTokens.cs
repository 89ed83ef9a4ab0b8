// Rollouts and pairs travel as text; stages that run the model turn them back into the token ids the policy produced.
// The task encodings are one character per token, so re-encoding is exact; the end-of-sequence token the sampler kept
// is restored from the rollout's token count.
using Pipeline.Contracts;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Updates;

namespace Pipeline.Stages.Work;

internal static class RolloutTokens
{
    /// <summary>BOS + prompt.</summary>
    public static int[] Prompt(TaskEncoding encoding, string prompt) => encoding.Prompt(prompt);

    /// <summary>The response tokens, with EOS when the sampler produced one (token count one above the text's tokens).</summary>
    public static int[] Response(TaskEncoding encoding, Rollout rollout)
    {
        var text = encoding.Tokenizer.Encode(rollout.Response);
        return rollout.TokenCount > text.Length ? [.. text, encoding.Eos] : text;
    }

    /// <summary>(BOS + prompt, response) of a rollout.</summary>
    public static PromptResponse Pair(TaskEncoding encoding, Rollout rollout) =>
        new(Prompt(encoding, rollout.Prompt), Response(encoding, rollout));

    /// <summary>Rollouts grouped by prompt, in order of first appearance, each group ordered by sample index.</summary>
    public static List<List<Rollout>> ByPrompt(IEnumerable<Rollout> rollouts) => rollouts
        .Select((r, i) => (r, i))
        .GroupBy(x => x.r.PromptId, StringComparer.Ordinal)
        .OrderBy(g => g.Min(x => x.i))
        .Select(g => g.Select(x => x.r).OrderBy(r => r.Sample).ToList())
        .ToList();
}
