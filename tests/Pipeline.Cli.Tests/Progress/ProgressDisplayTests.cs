// The progress displays and what feeds them: which display an invocation gets, the plain display's lines and their pace,
// the live display's bars drawn on an ANSI console, the rows a campaign state becomes, and the log's one-line format.
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Pipeline.Cli.Commands;
using Pipeline.Cli.Progress;
using Pipeline.Contracts;
using Pipeline.Learning.Bootstrap;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
using Spectre.Console;

namespace Pipeline.Cli.Tests.Progress;

public sealed class ProgressDisplayTests
{
    /// <summary>A clock that moves only when told.</summary>
    sealed class ManualClock : TimeProvider
    {
        DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _now.UtcTicks;

        public void Advance(TimeSpan by) => _now += by;
    }

    static ProgressRow Bootstrap(int step, int total = 100) => LearningCommands.BootstrapRow(
        new BootstrapProgress(step, total, 1.25, 5000, TimeSpan.FromSeconds(step), TimeSpan.FromSeconds(total - step)));

    [Theory]
    [InlineData(false, null, "xterm-256color", true, true)]
    [InlineData(false, null, "xterm-256color", false, false)]
    [InlineData(false, null, "dumb", true, false)]
    [InlineData(true, null, "xterm-256color", true, false)]
    [InlineData(false, "plain", "xterm-256color", true, false)]
    [InlineData(false, "PLAIN", null, true, false)]
    [InlineData(false, "live", "dumb", false, true)]
    [InlineData(false, "auto", null, true, true)]
    [InlineData(false, " ", null, false, false)]
    public void IsLive_TerminalOptionsAndEnvironment_ChooseTheDisplay(bool noProgress, string? variable, string? term, bool terminal, bool expected)
    {
        Assert.Equal(expected, ProgressDisplays.IsLive(noProgress, variable, term, terminal));
    }

    [Fact]
    public void IsLive_UnknownVariableValue_RefusedNamingTheVariable()
    {
        var error = Assert.Throws<ArgumentException>(() => ProgressDisplays.IsLive(false, "fancy", null, true));

        Assert.Equal("PIPELINE_PROGRESS='fancy' is not one of plain, live, auto.", error.Message);
    }

    [Fact]
    public void Plain_BootstrapRows_FirstThenOncePerIntervalThenTheLast()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var display = new PlainProgressDisplay(output, clock);

        for (int step = 1; step <= 100; step++)
        {
            display.Show("bootstrap", [Bootstrap(step)]);
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        display.Show("bootstrap", [Bootstrap(100)]);

        var lines = output.ToString().TrimEnd().Split('\n');
        Assert.Equal(["1", "11", "21", "31", "41", "51", "61", "71", "81", "91", "100"],
            lines.Select(l => Regex.Match(l, @"^bootstrap (\d+)/100 steps").Groups[1].Value));
        Assert.Equal("bootstrap 1/100 steps  loss 1.2500  5000 tok/s  elapsed 00:01  eta 01:39", lines[0]);
        Assert.Equal("bootstrap 100/100 steps  loss 1.2500  5000 tok/s  elapsed 01:40", lines[^1]);
    }

    [Fact]
    public void Plain_RowsWithoutInterval_NotPrintedButEventLinesAre()
    {
        var output = new StringWriter();
        var display = new PlainProgressDisplay(output, new ManualClock());

        display.Show("campaign", [new ProgressRow("1/generation", "iter 1 generation", 1, 2, "shards")]);
        display.WriteLine("12:00:00 iteration 1: generation shard 0 done (8 rollouts)");
        display.WriteDetail("12:00:00   -> iteration 1: scoring shard 0");

        Assert.Equal("12:00:00 iteration 1: generation shard 0 done (8 rollouts)\n12:00:00   -> iteration 1: scoring shard 0\n",
            output.ToString().ReplaceLineEndings("\n"));
    }

    static IAnsiConsole AnsiConsoleOver(StringWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
        });
        console.Profile.Width = 160;
        return console;
    }

    [Fact]
    public void Live_RowsAndEventLines_DrawnAsBarsWithTheirFiguresAndLinesAbove()
    {
        var output = new StringWriter();
        var display = new LiveProgressDisplay(AnsiConsoleOver(output));

        display.Show("bootstrap", [Bootstrap(50)]);
        display.WriteLine("warning: the machine is busy");
        display.WriteDetail("12:00:00   -> iteration 1: generation shard 0");
        display.Show("bootstrap", [Bootstrap(100)]);
        display.Stop();
        display.Stop();
        display.WriteLine("after the display");

        var text = output.ToString();
        Assert.Contains("\u001b[", text);
        var frame = Regex.Replace(text, @"\u001b\[[0-9;?]*[A-Za-z]", "");
        Assert.Contains("warning: the machine is busy", frame);
        Assert.DoesNotContain("-> iteration 1", frame);
        Assert.Matches(@"bootstrap\s.*\s100%\s+01:40\s+done\s+100/100 steps  loss 1\.2500  5000 tok/s", frame);
        Assert.EndsWith("after the display" + Environment.NewLine, text);
    }

    [Fact]
    public void Live_SourceRowsReplaced_GoneRowsRemovedAndOrderKept()
    {
        var output = new StringWriter();
        using var display = new LiveProgressDisplay(AnsiConsoleOver(output));

        display.Show("campaign", [new ProgressRow("a", "first", 0, 1, "units"), new ProgressRow("b", "second", 0, 1, "units")]);
        display.Show("campaign", [new ProgressRow("a", "first", 1, 1, "units"), new ProgressRow("c", "third", 0, 1, "units")]);
        display.Stop();

        var lastFrame = Regex.Replace(output.ToString(), @"\u001b\[[0-9;?]*[A-Za-z]", "\n").Split("\n")
            .Where(l => l.Contains("units", StringComparison.Ordinal)).TakeLast(2).ToList();
        Assert.StartsWith("first", lastFrame[0]);
        Assert.StartsWith("third", lastFrame[1]);
    }

    static CampaignDefinition Definition() => CampaignDefinition.LoadBuiltIn("self-training") with { Iterations = 2 };

    static CampaignState State()
    {
        var state = new CampaignState { CampaignId = "c", Recipe = "self-training", Iterations = 2 };
        var baseline = state.Iteration(0);
        baseline.Stage("evaluation").Total = 1;
        baseline.Stage("evaluation").Done = 1;
        baseline.Evaluation = [new DifficultyMetrics("d2s1", 4, 0.75, 0.75, 0.1, 10, 0.5, 12, 0.5)];
        baseline.EvaluationSeconds = 30;
        var first = state.Iteration(1);
        first.StartPolicy = new CheckpointReference("checkpoints/c/iter-0/", "ab");
        first.Stage("generation").Total = 2;
        first.Stage("generation").Done = 1;
        first.Stage("generation").Dispatched.Add(1);
        first.ShardSummaries["generation"] = new() { [0] = new() { ["rollouts"] = 64, ["mean_tokens"] = 20, ["wall_seconds"] = 8 } };
        first.Stage("scoring").Total = 2;
        first.Stage("update").Total = 2;
        first.Stage("update").Done = 1;
        first.ChunkMetrics[0] = new() { ["step"] = 4, ["loss"] = 0.5 };
        first.Stage("evaluation").Total = 1;
        var second = state.Iteration(2);
        second.Stage("generation").Total = 2;
        return state;
    }

    [Fact]
    public void CampaignRows_State_FinishedIterationFoldedStagesOfTheStartedOneLaterOnesHidden()
    {
        var clock = new ManualClock();
        var rows = CampaignProgress.Rows(State(), Definition(), new RowTimes(clock));

        Assert.Equal(["campaign", "0", "1/generation", "1/scoring", "1/update", "1/evaluation"], rows.Select(r => r.Key));
        Assert.Equal("0/2 iterations", rows[0].Count);
        Assert.Equal(("iter 0 (base)", "1/1 stages", "greedy d2s1=0.750  30 s compute"), (rows[1].Description, rows[1].Count, rows[1].Detail));
        Assert.Equal(("iter 1 generation", "1/2 shards", "1 running  64 rollouts  8.0 rollouts/s  160 tok/s"),
            (rows[2].Description, rows[2].Count, rows[2].Detail));
        Assert.Equal("waiting", rows[3].Detail);
        Assert.Null(rows[3].Elapsed);
        Assert.Equal(("1/2 chunks", $"step 4/{Definition().Update.Steps}  loss 0.5000"), (rows[4].Count, rows[4].Detail));
        Assert.All(rows, r => Assert.Null(r.PlainInterval));
    }

    [Fact]
    public void CampaignRows_ElapsedRunsFromFirstSeenStartedToFirstSeenFinishedAndRemainingFollowsThePace()
    {
        var clock = new ManualClock();
        var times = new RowTimes(clock);
        var state = State();

        CampaignProgress.Rows(state, Definition(), times);
        clock.Advance(TimeSpan.FromSeconds(7));
        state.Iteration(1).Stage("generation").Done = 2;
        var update = CampaignProgress.Rows(state, Definition(), times).Single(r => r.Key == "1/update");
        clock.Advance(TimeSpan.FromSeconds(5));
        var rows = CampaignProgress.Rows(state, Definition(), times);

        // One of two chunks done in 7 s: the other is due in 7 s more.
        Assert.Equal((TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7)), (update.Elapsed, update.Remaining));
        Assert.Null(rows[0].Remaining);

        var generation = rows.Single(r => r.Key == "1/generation");
        Assert.True(generation.IsFinished);
        Assert.Equal(TimeSpan.FromSeconds(7), generation.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(12), rows[0].Elapsed);
    }

    [Fact]
    public void CampaignProgress_Reconciles_EventLinesDetailLinesRowsAndTheEnd()
    {
        var display = new RecordingDisplay();
        var progress = new CampaignProgress(display, Definition(), endOnFailure: true) { CampaignId = "c" };
        var state = State();

        progress.OnReconciled(new CampaignState { CampaignId = "other" }, "iteration 1: elsewhere", []);
        progress.OnReconciled(state, "iteration 1: generation shard 0 done (64 rollouts)", [new DispatchIntent(1, CampaignStage.Scoring, 0)]);
        Assert.False(progress.Finished.IsCompleted);
        state.Iteration(1).Stage("scoring").Failures.Add(new StageFailure(0, "the shard is gone", DateTimeOffset.UnixEpoch));
        progress.OnReconciled(state, null, []);

        Assert.True(progress.Finished.IsCompletedSuccessfully);
        Assert.Matches(@"^\d\d:\d\d:\d\d iteration 1: generation shard 0 done \(64 rollouts\)$", Assert.Single(display.Lines));
        Assert.Matches(@"^\d\d:\d\d:\d\d   -> iteration 1: scoring shard 0$", Assert.Single(display.Details));
        Assert.Contains("FAILED shard 0: the shard is gone", display.Rows[^1].Single(r => r.Key == "1/scoring").Detail);
        Assert.Equal("1 failed unit(s)", display.Rows[^1][0].Detail);
    }

    sealed class RecordingDisplay : IProgressDisplay
    {
        public List<string> Lines { get; } = [];

        public List<string> Details { get; } = [];

        public List<IReadOnlyList<ProgressRow>> Rows { get; } = [];

        public void Show(string source, IReadOnlyList<ProgressRow> rows) => Rows.Add(rows);

        public void WriteLine(string line) => Lines.Add(line);

        public void WriteDetail(string line) => Details.Add(line);

        public void Stop()
        {
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public void LogLine_WarningWithException_OneLineWithTheInnermostCause()
    {
        var exception = new InvalidOperationException("Broker unreachable", new IOException("Connection refused"));

        var line = LineLoggerProvider.Format(new DateTime(2026, 1, 1, 9, 5, 7), LogLevel.Warning, "MassTransit", "Bus start faulted", exception);

        Assert.Equal("09:05:07 warn: MassTransit: Bus start faulted (Connection refused)", line);
    }

    [Fact]
    public void LogLine_ErrorWithException_KeepsTheWholeExceptionOnOneLine()
    {
        Exception exception;
        try
        {
            throw new InvalidOperationException("a bug");
        }
        catch (InvalidOperationException e)
        {
            exception = e;
        }

        var line = LineLoggerProvider.Format(new DateTime(2026, 1, 1, 9, 5, 7), LogLevel.Error, "Stage", "consumer faulted", exception);

        Assert.StartsWith("09:05:07 fail: Stage: consumer faulted (System.InvalidOperationException: a bug", line);
        Assert.DoesNotContain('\n', line);
    }
}
