// Runs `pipeline signals` and `pipeline compare` through the real parser: signals on a two-step bootstrapped model prints
// every gate as JSON; bad input (too many prompts, an unknown recipe, a missing base model) is one error line; compare's
// campaign ids are stable per definition and change with any setting.
using System.Text.Json.Nodes;
using Pipeline.Cli.Commands;
using Pipeline.Stages.Campaigns;
using static Pipeline.Cli.Tests.Commands.CliInvocation;

namespace Pipeline.Cli.Tests.Commands;

public sealed class ScienceCommandsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pipeline-cli-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Signals_TinyModel_Json_EveryGate()
    {
        Assert.Equal(0, Invoke("bootstrap", "--task", "arith", "--out", _folder, "--steps", "2").ExitCode);

        var (exitCode, output, _) = Invoke("signals", "--model", _folder, "--prompts", "3", "--samples", "2", "--json", "--no-progress");

        Assert.Equal(0, exitCode);
        var gates = JsonNode.Parse(output)!["Gates"]!;
        Assert.Equal(3, gates["Prompts"]!.GetValue<int>());
        var signals = gates["Signals"]!.AsArray().Select(s => s!["Signal"]!.GetValue<string>()).ToList();
        Assert.Equal(Pipeline.Learning.Evaluation.GateSampling.SignalNames.Order(StringComparer.Ordinal), signals);
        Assert.Equal(["majority", "sc-borda p=0.3", "sc-borda p=1.2"], gates["Selectors"]!.AsArray().Select(s => s!["Selector"]!.GetValue<string>()));
        Assert.Contains(gates["PairBuilders"]!.AsArray(), p => p!["Builder"]!.GetValue<string>().StartsWith("rlsf", StringComparison.Ordinal));
    }

    [Fact]
    public void Signals_MorePromptsThanValidation_OneErrorLine()
    {
        var (exitCode, output, error) = Invoke("signals", "--model", _folder, "--prompts", "5000");

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Equal("error: --prompts 5000 exceeds the 1000 validation prompts of task 'arith'.", error.TrimEnd());
    }

    [Fact]
    public void Compare_UnknownRecipe_OneErrorLine_NothingRun()
    {
        var (exitCode, _, error) = Invoke("compare", "grpo-gold", "grpo-golden", "--runs", _folder);

        Assert.Equal(1, exitCode);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("error: ", error);
        Assert.Contains("grpo-golden", error);
        Assert.False(Directory.Exists(Path.Combine(_folder, "campaigns")));
    }

    [Fact]
    public void Compare_MissingBaseModel_OneErrorLine()
    {
        var (exitCode, _, error) = Invoke("compare", "grpo-gold", "--runs", _folder, "--base-model", Path.Combine(_folder, "absent"));

        Assert.Equal(1, exitCode);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("error: ", error);
    }

    [Fact]
    public void CampaignId_StablePerDefinition_ChangesWithAnySetting()
    {
        var gold = CampaignDefinition.LoadBuiltIn("grpo-gold");

        string id = ScienceCommands.CampaignId("grpo-gold", 1, gold);

        Assert.Equal(id, ScienceCommands.CampaignId("grpo-gold", 1, CampaignDefinition.LoadBuiltIn("grpo-gold")));
        Assert.StartsWith("cmp-grpo-gold-s1-", id);
        Assert.True(CampaignKeys.IsValidId(id));
        Assert.NotEqual(id, ScienceCommands.CampaignId("grpo-gold", 1, gold with { Update = gold.Update with { LearningRate = 2e-4 } }));
    }
}
