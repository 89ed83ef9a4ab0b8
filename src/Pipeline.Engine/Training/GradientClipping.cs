// Global L2-norm gradient clipping over the flat gradient array, as torch.nn.utils.clip_grad_norm_ does.
using System.Numerics.Tensors;

namespace Pipeline.Engine.Training;

/// <summary>Scales gradients so their global L2 norm is at most a limit.</summary>
public static class GradientClipping
{
    private const int ChunkSize = 1 << 16;

    /// <summary>Global L2 norm of <paramref name="gradients"/>, summed in double in a fixed chunk order.</summary>
    public static double GlobalNorm(ReadOnlySpan<float> gradients)
    {
        double sum = 0;
        for (int start = 0; start < gradients.Length; start += ChunkSize)
        {
            ReadOnlySpan<float> chunk = gradients.Slice(start, Math.Min(ChunkSize, gradients.Length - start));
            sum += TensorPrimitives.SumOfSquares(chunk);
        }

        return Math.Sqrt(sum);
    }

    /// <summary>
    /// When the global norm exceeds <paramref name="maxNorm"/>, multiplies all gradients by maxNorm / (norm + 1e-6)
    /// (PyTorch's factor). Returns the norm before clipping.
    /// </summary>
    public static double ClipByGlobalNorm(Span<float> gradients, double maxNorm)
    {
        double norm = GlobalNorm(gradients);
        double factor = maxNorm / (norm + 1e-6);
        if (factor < 1.0)
        {
            TensorPrimitives.Multiply(gradients, (float)factor, gradients);
        }

        return norm;
    }
}
