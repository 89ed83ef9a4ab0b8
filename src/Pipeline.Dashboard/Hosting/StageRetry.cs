// `POST /stages/{stage}/retry`: give a stage's failed work another go once its cause is fixed. On RabbitMQ that is
// `pipeline stage retry`: the error queue's messages move back to the stage queue (ErrorQueueMover). On the in-memory bus
// a faulted message cannot be taken back out of the process's error queue, so the orchestrator is asked to send the
// failed work again instead: every running campaign with a failure in that stage is resumed, which redispatches the
// work it sent and never saw finish (CampaignService.ResumeAsync). Stages are idempotent, so a unit that was still
// under way is only computed once.
using Pipeline.Stages.Messaging;
using Pipeline.Stages.Orchestration;

namespace Pipeline.Dashboard.Hosting;

/// <summary>Retries a stage's failed work on the configured transport.</summary>
internal sealed class StageRetry(DashboardSettings settings, CampaignService campaigns)
{
    /// <summary>Retries <paramref name="stage"/>'s failed work and says what was done, in one line.</summary>
    /// <exception cref="KeyNotFoundException">The stage is not a stage queue.</exception>
    /// <exception cref="InvalidOperationException">The broker is unreachable, or the stage queue is not declared.</exception>
    public async Task<string> RetryAsync(string stage, CancellationToken cancellationToken)
    {
        if (!StageQueues.All.Contains(stage))
            throw new KeyNotFoundException($"There is no stage '{stage}'; the stages are {string.Join(", ", StageQueues.All)}.");
        if (settings.HasBroker)
        {
            var moved = await ErrorQueueMover.MoveAsync(settings.Bus.RabbitMq, stage, cancellationToken);
            return $"Moved {moved} message(s) from {StageQueues.ErrorQueue(stage)} back to {stage}.";
        }
        var resumed = new List<string>();
        foreach (var state in await campaigns.ListAsync(cancellationToken))
        {
            if (state.Status == CampaignStatus.Running && state.Failures().Any(f => f.Stage == stage))
            {
                await campaigns.ResumeAsync(state.CampaignId, cancellationToken);
                resumed.Add(state.CampaignId);
            }
        }
        return resumed.Count == 0
            ? $"No running campaign has failed {stage} work; nothing was sent."
            : $"Sent the failed {stage} work of {string.Join(", ", resumed)} again (in-memory bus: the orchestrator redispatches it).";
    }
}
