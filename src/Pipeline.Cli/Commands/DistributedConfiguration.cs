// Configuration of the verbs that talk to the distributed deployment: an optional --config JSON file (Bus, Storage and
// Stages sections), then environment variables (Bus__RabbitMq__Host=..., Storage__Kind=AzureBlob), which win. Invalid
// settings become exceptions CommandSupport prints as one line.
using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Stages.Messaging;
using Pipeline.Storage;

namespace Pipeline.Cli.Commands;

/// <summary>Reads the distributed configuration and builds what the verbs need from it.</summary>
internal static class DistributedConfiguration
{
    /// <summary>The <c>--config FILE</c> option.</summary>
    internal static Option<string?> ConfigOption() => new("--config")
    {
        Description = "JSON file with Bus, Storage and Stages sections; environment variables (Bus__RabbitMq__Host=...) override it.",
    };

    /// <summary>The file (when given) overlaid with the environment.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid JSON.</exception>
    internal static IConfiguration Load(string? file)
    {
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            var path = Path.GetFullPath(file);
            if (!File.Exists(path))
                throw new FileNotFoundException($"Configuration file '{file}' does not exist.");
            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables();
        try
        {
            return builder.Build();
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{file}: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    /// <summary>The broker settings (<c>Bus:RabbitMq</c>); the operations verbs always address RabbitMQ, whatever Bus:Transport says.</summary>
    /// <exception cref="InvalidOperationException">The Bus section is invalid; the message lists every problem.</exception>
    internal static RabbitMqHostOptions Broker(IConfiguration configuration)
    {
        try
        {
            return BusOptions.FromConfiguration(configuration).RabbitMq;
        }
        catch (OptionsValidationException e)
        {
            throw new InvalidOperationException(string.Join(" ", e.Failures), e);
        }
    }

    /// <summary>The configured object store (<c>Storage</c> section); the caller disposes the returned provider.</summary>
    internal static (IObjectStore Store, ServiceProvider Provider) Store(IConfiguration configuration)
    {
        var provider = new ServiceCollection().AddPipelineStorage(configuration).BuildServiceProvider();
        return (provider.GetRequiredService<IObjectStore>(), provider);
    }
}
