// `pipeline worker --stage STAGE [--config FILE]`: one process hosting one stage's consumers (or several, or all), on
// the configured bus and store, until Ctrl-C or SIGTERM. Any number of workers of a stage share its queue.
using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Stages.Hosting;
using Pipeline.Stages.Messaging;
using static Pipeline.Cli.Commands.CommandSupport;

namespace Pipeline.Cli.Commands;

/// <summary>The <c>worker</c> verb.</summary>
internal static class WorkerCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var stageOption = new Option<string>("--stage")
        {
            Description = $"Stage(s) to host: {string.Join(", ", WorkerRoles.All.Select(s => s.Name()))} (generation also hosts evaluation), "
                + "all, or a comma-separated list.",
            Required = true,
        };
        var configOption = PipelineHosts.ConfigOption();
        var command = new Command("worker", "Host stage consumers on the configured bus and store until stopped (Ctrl-C, SIGTERM).")
        {
            stageOption, configOption,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, async token =>
        {
            var stages = WorkerRoles.Parse(parse.GetRequiredValue(stageOption));
            var configuration = PipelineHosts.Configuration(parse.GetValue(configOption));
            var transport = BusOptions.FromConfiguration(configuration).Transport;
            var builder = PipelineHosts.Builder(configuration, LogLevel.Information, LineLoggerProvider.To(parse.InvocationConfiguration.Error));
            builder.Services.AddPolicyBackends(builder.Configuration);
            builder.Services.AddPipelineStages(builder.Configuration, stages);
            using var host = builder.Build();
            await host.StartAsync(token);
            parse.InvocationConfiguration.Output.WriteLine(
                $"worker ready: {string.Join(", ", stages.Select(s => s.Name()))} on {transport}");
            // Returns once the token fires (System.CommandLine cancels it on SIGINT/SIGTERM) or the host is told to stop.
            await host.WaitForShutdownAsync(token);
        }));
        return command;
    }
}
