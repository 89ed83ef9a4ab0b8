// SCoRe's reward shaping for the two-attempt self-correction setting: stage I rewards only the second attempt (the
// first is held near the base model by a KL term in the update); stage II rewards both and adds a bonus for improving.
namespace Pipeline.Learning.Objectives;

/// <summary>Rewards of a first attempt y1 and a correction y2 under SCoRe's two stages.</summary>
public static class SCoReRewards
{
    /// <summary>SCoRe's bonus coefficient α for stage II.</summary>
    public const double DefaultAlpha = 10;

    /// <summary>Stage I: the first attempt earns nothing (only its KL to the base is trained), the second earns r(y2).</summary>
    public static (double FirstAttempt, double SecondAttempt) StageOne(double firstReward, double secondReward) => (0, secondReward);

    /// <summary>
    /// Stage II: the first attempt earns r(y1); the second earns r(y2) + α(r(y2) − r(y1)), so going from wrong to right
    /// pays more than staying right, and going from right to wrong is penalised.
    /// </summary>
    public static (double FirstAttempt, double SecondAttempt) StageTwo(double firstReward, double secondReward, double alpha = DefaultAlpha) =>
        (firstReward, secondReward + alpha * (secondReward - firstReward));
}
