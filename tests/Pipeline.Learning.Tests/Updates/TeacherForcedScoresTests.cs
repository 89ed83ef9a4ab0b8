// Batched teacher-forced scores agree with one-sequence scoring, including a reference model loaded from a checkpoint.
using Pipeline.Learning.Policies;
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Tests.Updates;

public sealed class TeacherForcedScoresTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "teacher-forced-" + Guid.NewGuid().ToString("N"));

    private static readonly PromptResponse[] Pairs =
    [
        TinyPolicy.Pair("12+3=", "15;# 15\n"),
        TinyPolicy.Pair("1=", "1"),
        TinyPolicy.Pair("abc", "defgh abc"),
    ];

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void SelfCertainty_PaddedBatch_MatchesTheResponseScorerAtTheSamplingTemperature()
    {
        var model = TinyPolicy.Create();

        var batched = TeacherForcedScores.SelfCertainty(new ManagedPolicy(model), Pairs, temperature: 0.9f, microBatchSize: 2);

        for (int s = 0; s < Pairs.Length; s++)
            Assert.Equal(ResponseScorer.Score(model, Pairs[s].Prompt, Pairs[s].Response, 0.9f).MeanSelfCertainty, batched[s], 5);
    }

    [Fact]
    public void LogProbs_ReferenceLoadedFromCheckpoint_EqualTheSavedModelsAndLeaveGradientsAlone()
    {
        var model = TinyPolicy.Create(seed: 11);
        model.Save(_folder);
        var reference = LlamaModel.Load(_folder);

        var original = TeacherForcedScores.LogProbs(model, Pairs);
        var loaded = TeacherForcedScores.LogProbs(reference, Pairs, microBatchSize: 1);

        Assert.Equal(Pairs.Select(p => p.Response.Length), loaded.Select(l => l.Length));
        for (int s = 0; s < Pairs.Length; s++) Assert.Equal(original[s], loaded[s]);
        Assert.All(loaded.SelectMany(l => l), v => Assert.True(v < 0));
        Assert.All(reference.Gradients.ToArray(), g => Assert.Equal(0f, g));
    }
}
