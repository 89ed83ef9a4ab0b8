// Checks SCoRe's stage I and stage II reward shaping.
using Pipeline.Learning.Objectives;

namespace Pipeline.Learning.Tests.Objectives;

public class SCoReRewardsTests
{
    [Fact]
    public void StageOne_RewardsOnlyTheSecondAttempt()
    {
        Assert.Equal((0.0, 1.0), SCoReRewards.StageOne(0, 1));
        Assert.Equal((0.0, 0.0), SCoReRewards.StageOne(1, 0));
    }

    [Theory]
    [InlineData(0, 1, 0, 11)]  // wrong → right: bonus α
    [InlineData(1, 1, 1, 1)]   // right → right: no bonus
    [InlineData(1, 0, 1, -10)] // right → wrong: penalty α
    [InlineData(0, 0, 0, 0)]
    public void StageTwo_AddsTheImprovementBonusToTheSecondAttempt(double r1, double r2, double first, double second)
    {
        Assert.Equal((first, second), SCoReRewards.StageTwo(r1, r2));
    }

    [Fact]
    public void StageTwo_CustomAlpha()
    {
        Assert.Equal((0.0, 3.0), SCoReRewards.StageTwo(0, 1, alpha: 2));
    }
}
