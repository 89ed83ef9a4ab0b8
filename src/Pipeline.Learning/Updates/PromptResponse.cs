// The unit every update trains on: a prompt the model conditions on and a response whose tokens are scored.
namespace Pipeline.Learning.Updates;

/// <summary>A prompt and a response as token ids; only the response's tokens are scored and trained.</summary>
/// <param name="Prompt">Conditioning tokens (at least one: the first response token needs a distribution).</param>
/// <param name="Response">The scored tokens, through the stop token when there is one.</param>
public sealed record PromptResponse(int[] Prompt, int[] Response);
