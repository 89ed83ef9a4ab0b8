// A policy checkpoint loaded for use: the model, the task's encoding over its tokenizer, and where its files are.
using Pipeline.Contracts;
using Pipeline.Learning.Policies;
using Pipeline.Learning.Tasks;

namespace Pipeline.Stages.Work;

/// <summary>A loaded policy. The model is not thread-safe: use it through <see cref="PolicyLoader.UseAsync{T}(CheckpointReference, string?, Func{LoadedPolicy, T}, CancellationToken)"/>.</summary>
/// <param name="Reference">The checkpoint it was loaded from.</param>
/// <param name="Folder">Local folder of its files (config.json, model.safetensors, tokenizer.json).</param>
/// <param name="Model">The model.</param>
/// <param name="Encoding">The task encoding over its tokenizer (BOS/EOS conventions).</param>
internal sealed record LoadedPolicy(CheckpointReference Reference, string Folder, IPolicy Model, TaskEncoding Encoding);
