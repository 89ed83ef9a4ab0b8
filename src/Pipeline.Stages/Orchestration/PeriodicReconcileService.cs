// The orchestrator's safety net: events can be lost (a worker died after storing its output but before publishing) and
// sends can fail, so every running campaign is reconciled on a timer as well. Since progress is derived from the store,
// a reconcile with nothing new does nothing but read. The first pass, at start-up, also re-sends work marked as sent
// that has no output yet: the reconciler records a dispatch before sending it, so an orchestrator that died in between
// left units marked but never sent; the stages are idempotent, so a unit that was in fact sent only re-publishes.
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Stages.Hosting;

namespace Pipeline.Stages.Orchestration;

/// <summary>Reconciles every running campaign each <see cref="StageOptions.ReconcileInterval"/>.</summary>
internal sealed class PeriodicReconcileService(CampaignStateStore states, CampaignReconciler reconciler, IBus bus, StageOptions options,
    ILogger<PeriodicReconcileService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await ReconcileRunningAsync(stoppingToken, redispatch: true);
        using var timer = new PeriodicTimer(options.ReconcileInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            await ReconcileRunningAsync(stoppingToken);
    }

    /// <summary>
    /// One pass: reconciles each campaign whose state says running; a failing campaign is logged and skipped. Only
    /// <paramref name="cancellationToken"/> ends the pass with an exception. With <paramref name="redispatch"/>, work
    /// that was sent and has no output yet is sent again.
    /// </summary>
    public async Task ReconcileRunningAsync(CancellationToken cancellationToken, bool redispatch = false)
    {
        IReadOnlyList<string> ids;
        try
        {
            ids = await states.ListIdsAsync(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Only our own stop may end the loop: a store timeout surfaces as an OperationCanceledException too (the Azure
            // SDK's network timeout), and letting it escape would stop the whole worker host.
            logger.LogWarning(e, "Periodic reconcile could not list campaigns.");
            return;
        }
        var sender = new BusCommandSender(bus);
        foreach (var id in ids)
        {
            try
            {
                var state = await states.ReadAsync(id, cancellationToken);
                if (state?.Status == CampaignStatus.Running)
                    await reconciler.ReconcileAsync(id, sender,
                        redispatch ? new ReconcileRequest(Redispatch: true, Cause: "orchestrator start") : new ReconcileRequest(), cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Periodic reconcile of campaign {CampaignId} failed.", id);
            }
        }
    }
}
