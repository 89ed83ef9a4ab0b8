// Stops and starts the RabbitMQ application of the local broker (infra/servers.sh has no restart verb): rabbitmqctl
// stop_app / start_app against the node infra/servers.sh runs (rabbit@localhost, epmd on 127.0.0.1). Debian's
// rabbitmqctl wrapper switches to user rabbitmq itself, so the caller needs to be root or rabbitmq.
using System.Diagnostics;

namespace Pipeline.Cli.Tests.EndToEnd;

internal static class BrokerControl
{
    /// <summary>The broker node, PIPELINE_RABBITMQ_NODENAME or infra/servers.sh's rabbit@localhost.</summary>
    static string NodeName => Environment.GetEnvironmentVariable("PIPELINE_RABBITMQ_NODENAME") is { Length: > 0 } node ? node : "rabbit@localhost";

    public static Task StopAppAsync() => RabbitMqCtlAsync("stop_app");

    public static Task StartAppAsync() => RabbitMqCtlAsync("start_app");

    /// <summary>Waits until the broker's application runs again (await_startup).</summary>
    public static Task AwaitStartupAsync() => RabbitMqCtlAsync("await_startup", "--timeout", "120");

    static async Task RabbitMqCtlAsync(params string[] args)
    {
        var info = new ProcessStartInfo("rabbitmqctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-q");
        info.ArgumentList.Add("-n");
        info.ArgumentList.Add(NodeName);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["RABBITMQ_NODENAME"] = NodeName;
        info.Environment["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("rabbitmqctl did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("rabbitmqctl is not on PATH; this test restarts the local broker of infra/servers.sh.", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"rabbitmqctl {string.Join(' ', args)} did not finish within 2 minutes.");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', args)} exited {process.ExitCode}: {await error} {await output}");
        }
    }
}
