// The one place that turns what a stored rollout knows about its tokens into the token strip's view model. Today's
// Rollout (Pipeline.Contracts) carries only per-response means, so there is nothing to draw and the page shows the text
// alone. Issue #11 adds the response's token ids and per-token statistics (log-prob at the sampling temperature,
// entropy, self-certainty, top-1 and top-2 probability); when they land, this method maps them, decoding each id to its
// text with the campaign's tokenizer, and nothing else in the dashboard changes.
using Pipeline.Contracts;

namespace Pipeline.Dashboard.Data;

/// <summary>Maps stored rollouts to <see cref="TokenView"/>s.</summary>
internal static class TokenViews
{
    /// <summary>The token strip of <paramref name="rollout"/>, or null when the stored rollout holds no per-token data.</summary>
    public static TokenView? From(Rollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        return null;
    }
}
