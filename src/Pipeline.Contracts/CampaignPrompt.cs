// A prompt as the orchestrator hands it to generation; the gold answer travels only for recipes that use a verifier.
namespace Pipeline.Contracts;

/// <summary>One campaign prompt.</summary>
/// <param name="Id">Stable id (task, difficulty, split and index).</param>
/// <param name="Text">The text the policy is conditioned on.</param>
/// <param name="GoldAnswer">The gold answer, only for recipes with a verifier reward (grpo-gold); null otherwise.</param>
public sealed record CampaignPrompt(string Id, string Text, string? GoldAnswer = null);
