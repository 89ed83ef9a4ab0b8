// `pipeline dashboard [--config FILE] [--runs DIR] [--urls URL]`: the campaign dashboard in the browser, over the
// configured store and bus (a folder under runs/, or Azure Blob with RabbitMQ), until Ctrl-C or SIGTERM. It hosts no
// stage: it reads the store, lists and peeks the broker's queues, and sends resume nudges and retries like the
// campaign and stage verbs do. `pipeline run --dashboard` serves the same pages from the embedded run's own host.
using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Dashboard;
using Pipeline.Stages.Hosting;
using Pipeline.Stages.Messaging;
using static Pipeline.Cli.Commands.CommandSupport;

namespace Pipeline.Cli.Commands;

/// <summary>The <c>dashboard</c> verb.</summary>
internal static class DashboardCommand
{
    /// <summary>Where the dashboard listens unless told otherwise: this machine only.</summary>
    internal const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>The <c>--urls</c> option.</summary>
    internal static Option<string> UrlsOption()
    {
        var option = new Option<string>("--urls")
        {
            Description = $"Address(es) to listen on, ';'-separated (default {DefaultUrls}); any address that is not loopback needs "
                + "Dashboard:Token or PIPELINE_DASHBOARD_TOKEN.",
            DefaultValueFactory = _ => DefaultUrls,
        };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && UrlsFault(result.GetValueOrDefault<string>() ?? "") is { } fault)
                result.AddError($"--urls {fault}");
        });
        return option;
    }

    /// <summary>
    /// What is wrong with a Kestrel address list, or null: each address is http:// or https://, a host (a name, an IP, [IPv6],
    /// * or +) and an optional port from 0 to 65535.
    /// </summary>
    internal static string? UrlsFault(string urls)
    {
        var addresses = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (addresses.Length == 0) return "is empty; expected an address such as " + DefaultUrls + ".";
        foreach (var address in addresses)
        {
            var match = System.Text.RegularExpressions.Regex.Match(address, @"^https?://(?<host>\[[0-9A-Fa-f:.]+\]|[^/:\[\]]+)(:(?<port>[^/]*))?/?$");
            if (!match.Success)
                return $"'{address}' is not an address such as {DefaultUrls}.";
            var port = match.Groups["port"];
            if (port.Success && !(int.TryParse(port.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number <= 65535))
                return $"'{address}': the port '{port.Value}' is not a number from 0 to 65535.";
        }
        return null;
    }

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var configOption = PipelineHosts.ConfigOption();
        var runsOption = new Option<string?>("--runs") { Description = "Look at the folder store under DIR (overrides the configured Storage)." };
        var urlsOption = UrlsOption();
        var command = new Command("dashboard", "Serve the campaign dashboard (campaigns, stage outputs, queues, actions) until stopped.")
        {
            configOption, runsOption, urlsOption,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, async token =>
        {
            var configuration = PipelineHosts.Configuration(parse.GetValue(configOption));
            if (parse.GetValue(runsOption) is { } runs)
            {
                RequireFolderPath(Path.GetFullPath(runs), "--runs");
                configuration = new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Storage:Kind"] = "Folder",
                    ["Storage:Folder:Root"] = Path.GetFullPath(runs),
                }).Build();
            }
            var builder = PipelineHosts.WebBuilder(configuration, LogLevel.Warning, parse.GetRequiredValue(urlsOption),
                LineLoggerProvider.To(parse.InvocationConfiguration.Error));
            builder.Services.AddStageServices(builder.Configuration);
            // A bus without consumers: resume nudges the orchestrator through it, as `pipeline campaign resume` does.
            builder.Services.AddPipelineBus(builder.Configuration);
            builder.Services.AddDashboard(builder.Configuration);
            await using var app = builder.Build();
            app.MapDashboard();
            await app.StartAsync(token);
            parse.InvocationConfiguration.Output.WriteLine($"dashboard at {string.Join(", ", app.Urls)}; Ctrl-C to stop");
            await app.WaitForShutdownAsync(token);
        }));
        return command;
    }
}
