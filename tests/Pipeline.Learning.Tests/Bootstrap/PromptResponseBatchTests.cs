// Checks the right-padded teacher-forcing layout: inputs, targets on response positions only, padding ignored.
using Pipeline.Learning.Bootstrap;

namespace Pipeline.Learning.Tests.Bootstrap;

public class PromptResponseBatchTests
{
    [Fact]
    public void Pack_TwoRows_TargetsOnResponseOnly_PaddedRight()
    {
        var batch = PromptResponseBatch.Pack([([1, 2], [3, 4, 5]), ([6], [7])], pad: 0);

        Assert.Equal(2, batch.Batch);
        Assert.Equal(4, batch.Time); // 2 + 3 − 1
        Assert.Equal([1, 2, 3, 4, 6, 0, 0, 0], batch.Tokens);
        Assert.Equal([-1, 3, 4, 5, 7, -1, -1, -1], batch.Targets);
        Assert.Equal([1, 0], batch.ResponseStarts);
        Assert.Equal([3, 1], batch.ResponseLengths);
        Assert.Equal(4, batch.TargetCount);
    }

    [Fact]
    public void Pack_EmptyRowsOrParts_Throw()
    {
        Assert.Throws<ArgumentException>(() => PromptResponseBatch.Pack([], 0));
        Assert.Throws<ArgumentException>(() => PromptResponseBatch.Pack([([], [1])], 0));
        Assert.Throws<ArgumentException>(() => PromptResponseBatch.Pack([([1], [])], 0));
    }
}
