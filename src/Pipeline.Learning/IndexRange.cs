// A half-open range [Start, Start + Length) of indices: characters of a text or tokens of a response.
namespace Pipeline.Learning;

/// <summary>The half-open index range [<paramref name="Start"/>, <paramref name="Start"/> + <paramref name="Length"/>).</summary>
/// <param name="Start">First index in the range.</param>
/// <param name="Length">Number of indices in the range.</param>
public readonly record struct IndexRange(int Start, int Length)
{
    /// <summary>One past the last index.</summary>
    public int End => Start + Length;
}
