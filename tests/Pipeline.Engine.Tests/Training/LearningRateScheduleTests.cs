using Pipeline.Engine.Training;

namespace Pipeline.Engine.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void At_WarmsUpLinearlyThenDecaysByCosineToTheFloor()
    {
        var schedule = new LearningRateSchedule(PeakRate: 1f, WarmupSteps: 4, TotalSteps: 14, FloorRate: 0.1f);
        Assert.Equal(0.25f, schedule.At(0));
        Assert.Equal(1f, schedule.At(3));
        Assert.Equal(1f, schedule.At(4));
        Assert.Equal(0.55f, schedule.At(9), 1e-5f);     // half way through the decay: the mean of peak and floor
        Assert.Equal(0.1f, schedule.At(14));
        Assert.Equal(0.1f, schedule.At(100));
        for (int s = 4; s < 14; s++)
        {
            Assert.True(schedule.At(s + 1) <= schedule.At(s));
        }
    }
}
