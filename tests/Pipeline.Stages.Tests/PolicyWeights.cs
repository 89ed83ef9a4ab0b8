// The weights of a loaded policy, for tests that check whether an update changed them (the managed backend only).
using Pipeline.Learning.Policies;

namespace Pipeline.Stages.Tests;

internal static class PolicyWeights
{
    public static float[] Weights(this IPolicy policy) =>
        policy is ManagedPolicy managed ? managed.Model.Parameters.ToArray() : throw new NotSupportedException($"No weights of {policy.GetType().Name}.");
}
