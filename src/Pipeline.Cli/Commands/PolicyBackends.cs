// The policy backends a stage host offers campaigns besides the managed engine: libtorch through TorchSharp, configured
// by the `Torch` section (Device: cpu, cuda or cuda:N; Threads; Bfloat16). Registering it loads nothing: libtorch is
// loaded, and the device checked, when a campaign with `backend: torch` first loads a policy.
using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Backends.Torch.Policies;
using Pipeline.Learning.Policies;
using Pipeline.Stages.Hosting;

namespace Pipeline.Cli.Commands;

/// <summary>Registers the backends of the CLI's stage hosts.</summary>
internal static class PolicyBackends
{
    /// <summary>Configuration section of the libtorch backend.</summary>
    public const string TorchSection = "Torch";

    /// <summary>Adds the libtorch backend ("torch") for campaigns to name, configured from <see cref="TorchSection"/>.</summary>
    public static IServiceCollection AddPolicyBackends(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddPolicyBackend(new TorchPolicyBackend(TorchOptions(configuration)));
    }

    /// <summary>
    /// The <c>--backend</c> option of the verbs that load one model folder (<c>model score</c>, <c>model sample</c>,
    /// <c>eval</c>): <c>managed</c> (default) or <c>torch</c>, the latter configured by <c>Torch__*</c> environment variables.
    /// </summary>
    public static Option<string> BackendOption()
    {
        var option = new Option<string>("--backend")
        {
            Description = "Policy backend: managed (the project's engine) or torch (libtorch; Torch__Device, Torch__Threads from the environment).",
            DefaultValueFactory = _ => ManagedPolicyBackend.BackendName,
        };
        option.AcceptOnlyFromAmong(ManagedPolicyBackend.BackendName, TorchPolicyBackend.BackendName);
        return option;
    }

    /// <summary>The backend named <paramref name="name"/> (an accepted <see cref="BackendOption"/> value).</summary>
    public static IPolicyBackend Named(string name) => name == TorchPolicyBackend.BackendName
        ? new TorchPolicyBackend(TorchOptions(new ConfigurationBuilder().AddEnvironmentVariables().Build()))
        : new ManagedPolicyBackend();

    /// <summary>Reads <c>Torch:Device</c>, <c>Torch:Threads</c> and <c>Torch:Bfloat16</c> (each optional).</summary>
    /// <exception cref="OptionsValidationException">A value does not parse or is out of range.</exception>
    internal static TorchOptions TorchOptions(IConfiguration configuration)
    {
        var section = configuration.GetSection(TorchSection);
        var options = new TorchOptions();
        var errors = new List<string>();
        foreach (var child in section.GetChildren())
        {
            if (child.Key is not ("Device" or "Threads" or "Bfloat16"))
                errors.Add($"unknown key '{TorchSection}:{child.Key}' (known: Device, Threads, Bfloat16)");
        }

        if (section["Device"] is { Length: > 0 } device)
            options = options with { Device = device };
        if (section["Threads"] is { Length: > 0 } threads)
        {
            if (int.TryParse(threads, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count > 0)
                options = options with { Threads = count };
            else
                errors.Add($"'{TorchSection}:Threads' must be a positive integer, got '{threads}'");
        }
        if (section["Bfloat16"] is { Length: > 0 } bf16)
        {
            if (bool.TryParse(bf16, out bool on))
                options = options with { Bfloat16 = on };
            else
                errors.Add($"'{TorchSection}:Bfloat16' must be true or false, got '{bf16}'");
        }

        if (errors.Count > 0)
            throw new OptionsValidationException(TorchSection, typeof(TorchOptions), errors.Select(e => $"Invalid torch configuration: {e}"));
        return options;
    }
}
