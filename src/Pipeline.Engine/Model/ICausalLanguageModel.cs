// The training and evaluation surface every model backend offers: log-probabilities of given targets forward, the
// gradient of any loss expressed per log-probability backward, and flat parameter/gradient arrays for the optimizer.
namespace Pipeline.Engine.Model;

/// <summary>A causal language model whose loss is supplied by the caller as d(loss)/d(log-probability) per token.</summary>
public interface ICausalLanguageModel
{
    /// <summary>The model's hyper-parameters.</summary>
    ModelConfig Config { get; }

    /// <summary>All parameters, one flat array laid out as <see cref="Tensors"/> says.</summary>
    Span<float> Parameters { get; }

    /// <summary>Gradients, parallel to <see cref="Parameters"/>; <see cref="Backward"/> adds into them.</summary>
    Span<float> Gradients { get; }

    /// <summary>Named views into <see cref="Parameters"/> and <see cref="Gradients"/>, with HF names and shapes.</summary>
    IReadOnlyList<ParameterTensor> Tensors { get; }

    /// <summary>Logits [B, T, V] of the last forward pass; invalid after <see cref="Backward"/>, which reuses the memory.</summary>
    ReadOnlySpan<float> Logits { get; }

    /// <summary>Evaluates logits [B, T, V] for <paramref name="tokens"/> [B, T] (no gradient bookkeeping needed).</summary>
    ReadOnlySpan<float> Forward(ReadOnlySpan<int> tokens, int batch, int time);

    /// <summary>
    /// Forward pass writing logProbs[b,t] = log softmax(logits[b,t])[targets[b,t]], or 0 where the target is negative
    /// (prompt or padding positions, which then get no gradient). Prepares <see cref="Backward"/>.
    /// </summary>
    void ForwardLogProbs(ReadOnlySpan<int> tokens, ReadOnlySpan<int> targets, int batch, int time, Span<float> logProbs);

    /// <summary>Adds to <see cref="Gradients"/> the gradient of a loss whose derivative per log-probability is given [B, T].</summary>
    void Backward(ReadOnlySpan<float> dLogProbs);

    /// <summary>Sets <see cref="Gradients"/> to zero.</summary>
    void ZeroGrad();
}
