// Messages, consumers and probes the bus tests send through a real bus. Each test host gets its own probe singletons,
// which the consumers report to, so a test can see how often and how concurrently its consumers ran.
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Pipeline.Stages.Tests.Messaging;

public sealed record EchoRequest(string Text);

public sealed record EchoReply(string Text, Uri ReceivedOn);

/// <summary>Fails its first <see cref="Failures"/> deliveries, then succeeds.</summary>
public sealed record FlakyCommand(int Failures);

public sealed record DoomedCommand(Guid Id);

public sealed record SlowCommand(int Index);

public sealed record IdleCommand;

/// <summary>Counts deliveries and records how each consumer run ended.</summary>
public sealed class AttemptProbe
{
    int _attempts;

    public int Attempts => Volatile.Read(ref _attempts);

    public TaskCompletionSource Succeeded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<Fault> FaultPublished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int RecordAttempt() => Interlocked.Increment(ref _attempts);
}

/// <summary>Tracks how many SlowCommand consumers run at once.</summary>
public sealed class ConcurrencyProbe
{
    readonly object _gate = new();
    int _inFlight;
    int _completed;

    public int MaxInFlight { get; private set; }

    /// <summary>Released once this many consumers run at the same time, so none waits out the hold time needlessly.</summary>
    public int ReleaseAt { get; set; } = int.MaxValue;

    public TimeSpan HoldTime { get; set; } = TimeSpan.FromSeconds(2);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource AllDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Expected { get; set; }

    public void Enter()
    {
        lock (_gate)
        {
            _inFlight++;
            MaxInFlight = Math.Max(MaxInFlight, _inFlight);
            if (_inFlight >= ReleaseAt)
                Release.TrySetResult();
        }
    }

    public void Exit()
    {
        lock (_gate)
        {
            _inFlight--;
            if (++_completed == Expected)
                AllDone.TrySetResult();
        }
    }
}

public sealed class EchoRequestConsumer : IConsumer<EchoRequest>
{
    public Task Consume(ConsumeContext<EchoRequest> context) =>
        context.RespondAsync(new EchoReply(context.Message.Text, context.ReceiveContext.InputAddress));
}

public sealed class FlakyConsumer(AttemptProbe probe) : IConsumer<FlakyCommand>
{
    public Task Consume(ConsumeContext<FlakyCommand> context)
    {
        var attempt = probe.RecordAttempt();
        if (attempt <= context.Message.Failures)
            throw new InvalidOperationException($"Flaky failure {attempt} of {context.Message.Failures}.");
        probe.Succeeded.TrySetResult();
        return Task.CompletedTask;
    }
}

public sealed class DoomedConsumer(AttemptProbe probe) : IConsumer<DoomedCommand>
{
    public Task Consume(ConsumeContext<DoomedCommand> context)
    {
        var attempt = probe.RecordAttempt();
        throw new InvalidOperationException($"Doomed attempt {attempt}.");
    }
}

/// <summary>Reports the faults MassTransit publishes when Flaky or Doomed commands exhaust their retries.</summary>
public sealed class FaultReportingConsumer(AttemptProbe probe) : IConsumer<Fault<FlakyCommand>>, IConsumer<Fault<DoomedCommand>>
{
    public Task Consume(ConsumeContext<Fault<FlakyCommand>> context) => Report(context.Message);

    public Task Consume(ConsumeContext<Fault<DoomedCommand>> context) => Report(context.Message);

    Task Report(Fault fault)
    {
        probe.FaultPublished.TrySetResult(fault);
        return Task.CompletedTask;
    }
}

public sealed class SlowConsumer(ConcurrencyProbe probe) : IConsumer<SlowCommand>
{
    public async Task Consume(ConsumeContext<SlowCommand> context)
    {
        probe.Enter();
        try
        {
            await Task.WhenAny(probe.Release.Task, Task.Delay(probe.HoldTime));
        }
        finally
        {
            probe.Exit();
        }
    }
}

/// <summary>Consumers that only occupy an endpoint, so the broker shows the limits applied to it.</summary>
public sealed class PlainIdleConsumer : IConsumer<IdleCommand>
{
    public Task Consume(ConsumeContext<IdleCommand> context) => Task.CompletedTask;
}

public sealed class DefinedIdleConsumer : IConsumer<IdleCommand>
{
    public Task Consume(ConsumeContext<IdleCommand> context) => Task.CompletedTask;
}

public sealed class OverriddenIdleConsumer : IConsumer<IdleCommand>
{
    public Task Consume(ConsumeContext<IdleCommand> context) => Task.CompletedTask;
}

/// <summary>The prefetch count a consumer definition declares, as the stage definitions will.</summary>
public static class IdleDefinitions
{
    public const int DefinedPrefetchCount = 7;
}

public sealed class DefinedIdleConsumerDefinition : ConsumerDefinition<DefinedIdleConsumer>
{
    public DefinedIdleConsumerDefinition() => Endpoint(e => e.PrefetchCount = IdleDefinitions.DefinedPrefetchCount);
}

public sealed class OverriddenIdleConsumerDefinition : ConsumerDefinition<OverriddenIdleConsumer>
{
    public OverriddenIdleConsumerDefinition() => Endpoint(e => e.PrefetchCount = IdleDefinitions.DefinedPrefetchCount);
}

public static class EchoClient
{
    public static async Task<Response<EchoReply>> EchoAsync(this IHost host, string text)
    {
        using var scope = host.Services.CreateScope();
        var client = scope.ServiceProvider.GetRequiredService<IRequestClient<EchoRequest>>();
        return await client.GetResponse<EchoReply>(new EchoRequest(text), timeout: RequestTimeout.After(s: (int)BusTestHost.WaitLimit.TotalSeconds));
    }
}

/// <summary>The flaky consumer's endpoint, retried as a stage endpoint is (Stages:Retry:Intervals).</summary>
internal sealed class FlakyConsumerDefinition(Pipeline.Stages.Hosting.StageOptions options)
    : Pipeline.Stages.Consumers.StageConsumerDefinition<FlakyConsumer>("flaky", concurrency: 1, options);

/// <summary>The doomed consumer's endpoint, retried as a stage endpoint is (Stages:Retry:Intervals).</summary>
internal sealed class DoomedConsumerDefinition(Pipeline.Stages.Hosting.StageOptions options)
    : Pipeline.Stages.Consumers.StageConsumerDefinition<DoomedConsumer>("doomed", concurrency: 1, options);
