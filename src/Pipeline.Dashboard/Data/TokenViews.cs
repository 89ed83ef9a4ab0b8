// The one place that turns what a stored rollout knows about its tokens into the token strip's view model: the sampled
// ids, each shown as its piece of the response text, with the sampler's statistics of the distribution it was drawn from.
using Pipeline.Contracts;
using Pipeline.Learning.Tasks;

namespace Pipeline.Dashboard.Data;

/// <summary>Maps stored rollouts to <see cref="TokenView"/>s.</summary>
internal static class TokenViews
{
    /// <summary>
    /// The token strip of <paramref name="rollout"/>. With the campaign's <paramref name="encoding"/> each id shows as its
    /// piece of the text; without one, a response whose text has one character per token shows those characters, and
    /// any other shows the ids.
    /// </summary>
    public static TokenView? From(Rollout rollout, TaskEncoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var t = rollout.Tokens;
        if (t is null || t.Ids.Length == 0) return null;
        var pieces = Pieces(rollout, encoding);
        var cells = new TokenCell[t.Ids.Length];
        for (int i = 0; i < cells.Length; i++)
            cells[i] = new TokenCell(pieces[i], At(t.LogProbs, i), At(t.Entropies, i), At(t.SelfCertainties, i), At(t.Top1Probs, i), At(t.Top2Probs, i));
        return new TokenView(cells);
    }

    static IReadOnlyList<string> Pieces(Rollout rollout, TaskEncoding? encoding)
    {
        var ids = rollout.Tokens.Ids;
        if (encoding is not null)
            return encoding.TokenTexts(ids).Select((p, i) => p.Length == 0 && ids[i] == encoding.Eos ? "⏎" : p).ToList();
        int textTokens = rollout.Tokens.Stopped ? ids.Length - 1 : ids.Length;
        if (rollout.Response.Length == textTokens)
            return [.. rollout.Response.Select(c => c.ToString()), .. rollout.Tokens.Stopped ? new[] { "⏎" } : []];
        return ids.Select(id => $"⟨{id}⟩").ToList();
    }

    static double? At(float[]? values, int i) => values is not null && i < values.Length ? values[i] : null;
}
