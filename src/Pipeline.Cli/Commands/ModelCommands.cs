// `pipeline model score` and `pipeline model sample`: look at a model folder (config.json, model.safetensors,
// tokenizer.json) from the shell: per-token log-prob, entropy and self-certainty of a given response, or samples.
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Engine.Tokenization;
using Pipeline.Learning.Policies;
using Pipeline.Learning.Updates;
using Spectre.Console;
using static Pipeline.Cli.Commands.CommandSupport;

namespace Pipeline.Cli.Commands;

/// <summary>The <c>model</c> verb group.</summary>
internal static class ModelCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Builds <c>model</c> with its <c>score</c> and <c>sample</c> subcommands.</summary>
    public static Command Create()
    {
        var model = new Command("model", "Inspect a model folder: score a response or sample continuations.");
        model.Subcommands.Add(CreateScore());
        model.Subcommands.Add(CreateSample());
        return model;
    }

    private static Option<string> ModelOption() =>
        new("--model") { Description = "Model folder: config.json, model.safetensors, tokenizer.json.", Required = true };

    private static Option<string> PromptOption() => new("--prompt") { Description = "Prompt text.", Required = true };

    private static Option<float> TemperatureOption(float fallback, string description) =>
        new("--temperature") { Description = description, DefaultValueFactory = _ => fallback };

    private static Command CreateScore()
    {
        Option<string> modelOption = ModelOption();
        Option<string> promptOption = PromptOption();
        var responseOption = new Option<string>("--response") { Description = "Response text to score.", Required = true };
        Option<float> temperatureOption = TemperatureOption(1f, "τ of p = softmax(z / τ): the temperature the response was sampled at.")
            .Where(t => float.IsFinite(t) && t > 0, "must be a number > 0");
        var jsonOption = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        Option<string> backendOption = PolicyBackends.BackendOption();
        var command = new Command("score",
            "Per response token: log-prob, entropy and self-certainty KL(U‖p) (log V kept) of the distribution that produced it, and their means.")
        {
            modelOption, promptOption, responseOption, temperatureOption, jsonOption, backendOption,
        };
        command.SetAction(parse => Run(parse, () =>
        {
            var (llama, tokenizer) = LoadModelFolder(parse.GetRequiredValue(modelOption), PolicyBackends.Named(parse.GetRequiredValue(backendOption)));
            using var disposeModel = llama;
            int[] prompt = Encode(tokenizer, llama, parse.GetRequiredValue(promptOption), "prompt");
            int[] response = Encode(tokenizer, llama, parse.GetRequiredValue(responseOption), "response");
            if (response.Length == 0) throw new ArgumentException("The response is empty: there is no token to score.");
            RequireContext(llama, parse.GetRequiredValue(modelOption), prompt.Length, response.Length, "response");
            ScoredResponse scored = new(llama.Statistics([new PromptResponse(prompt, response)], parse.GetValue(temperatureOption), 1)[0]);
            TextWriter output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(jsonOption))
            {
                var tokens = new JsonArray();
                for (int i = 0; i < response.Length; i++)
                {
                    tokens.Add(TokenJson(tokenizer, response[i], scored.Tokens[i]));
                }

                var root = new JsonObject
                {
                    ["tokens"] = tokens,
                    ["mean"] = MeansJson(scored),
                };
                output.WriteLine(root.ToJsonString(Indented));
                return;
            }

            var table = new Table().AddColumns("#", "token", "log-prob", "entropy", "self-certainty");
            for (int i = 0; i < response.Length; i++)
            {
                TokenStatistics s = scored.Tokens[i];
                table.AddRow(i.ToString(), Markup.Escape(Visible(tokenizer.Decode([response[i]]))), Number(s.LogProb),
                    Number(s.Entropy), Number(s.SelfCertainty));
            }

            table.AddRow("mean", "", Number(scored.MeanLogProb), Number(scored.MeanEntropy), Number(scored.MeanSelfCertainty));
            Console(output).Write(table);
        }));
        return command;
    }

    private static Command CreateSample()
    {
        Option<string> modelOption = ModelOption();
        Option<string> promptOption = PromptOption();
        var countOption = new Option<int>("-n") { Description = "Number of samples.", DefaultValueFactory = _ => 1 }
            .Where(n => n >= 1, "must be at least 1");
        Option<float> temperatureOption = TemperatureOption(1f, "Sampling temperature τ; 0 is greedy.")
            .Where(t => float.IsFinite(t) && t >= 0, "must be a number ≥ 0 (0 is greedy)");
        var seedOption = new Option<ulong>("--seed") { Description = "Seed; sample i uses the stream of (seed, i)." };
        var topKOption = new Option<int>("--top-k") { Description = "Keep the k likeliest tokens; 0 keeps all." }
            .Where(k => k >= 0, "must be ≥ 0 (0 keeps all)");
        var topPOption = new Option<float>("--top-p") { Description = "Nucleus mass; 1 keeps all.", DefaultValueFactory = _ => 1f }
            .Where(p => p > 0 && p <= 1, "must be in (0, 1]");
        var maxOption = new Option<int>("--max-new-tokens") { Description = "Length limit.", DefaultValueFactory = _ => 64 }
            .Where(m => m >= 1, "must be at least 1");
        var jsonOption = new Option<bool>("--json") { Description = "Print JSON with per-token statistics." };
        Option<string> backendOption = PolicyBackends.BackendOption();
        var command = new Command("sample", "Sample continuations of a prompt (stops at the tokenizer's EOS or the length limit).")
        {
            modelOption, promptOption, countOption, temperatureOption, seedOption, topKOption, topPOption, maxOption, jsonOption, backendOption,
        };
        command.SetAction(parse => Run(parse, () =>
        {
            var (llama, tokenizer) = LoadModelFolder(parse.GetRequiredValue(modelOption), PolicyBackends.Named(parse.GetRequiredValue(backendOption)));
            using var disposeModel = llama;
            int[] prompt = Encode(tokenizer, llama, parse.GetRequiredValue(promptOption), "prompt");
            int count = parse.GetValue(countOption);
            RequireContext(llama, parse.GetRequiredValue(modelOption), prompt.Length, parse.GetValue(maxOption), "--max-new-tokens");

            var options = new SamplingOptions
            {
                Temperature = parse.GetValue(temperatureOption),
                TopK = parse.GetValue(topKOption),
                TopP = parse.GetValue(topPOption),
                MaxNewTokens = parse.GetValue(maxOption),
                Seed = parse.GetValue(seedOption),
                StopTokens = tokenizer.EosId is int eos && eos < llama.Config.VocabSize ? [eos] : [],
            };
            var prompts = Enumerable.Repeat(prompt, count).ToArray();
            IReadOnlyList<GeneratedSequence> samples = llama.Generate(prompts, options);
            TextWriter output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(jsonOption))
            {
                var array = new JsonArray();
                foreach (GeneratedSequence sample in samples)
                {
                    array.Add(new JsonObject
                    {
                        ["index"] = sample.SequenceIndex,
                        ["text"] = tokenizer.Decode(sample.Tokens),
                        ["finishReason"] = sample.FinishReason == FinishReason.Stop ? "stop" : "length",
                        ["tokens"] = new JsonArray(sample.Tokens.Select((t, i) => (JsonNode)TokenJson(tokenizer, t, sample.Statistics[i])).ToArray()),
                        ["mean"] = MeansJson(new ScoredResponse(sample.Statistics)),
                    });
                }

                output.WriteLine(array.ToJsonString(Indented));
                return;
            }

            foreach (GeneratedSequence sample in samples)
            {
                var scored = new ScoredResponse(sample.Statistics);
                string reason = sample.FinishReason == FinishReason.Stop ? "stop" : "length";
                output.WriteLine($"[{sample.SequenceIndex}] {reason}, {sample.Tokens.Length} tokens, mean log-prob {Number(scored.MeanLogProb)}, " +
                    $"mean self-certainty {Number(scored.MeanSelfCertainty)}");
                output.WriteLine(tokenizer.Decode(sample.Tokens, skipSpecialTokens: true));
            }
        }));
        return command;
    }

    private static int[] Encode(ModelTokenizer tokenizer, IPolicy model, string text, string what)
    {
        int[] tokens = tokenizer.Encode(text);
        int outside = Array.FindIndex(tokens, t => t >= model.Config.VocabSize);
        if (outside >= 0)
        {
            throw new InvalidDataException(
                $"The {what} encodes to token {tokens[outside]}, outside the model's vocabulary of {model.Config.VocabSize}.");
        }

        if (what == "prompt" && tokens.Length == 0)
        {
            throw new ArgumentException("The prompt is empty: the first response token needs a prompt to condition on.");
        }

        return tokens;
    }

    /// <summary>
    /// Refuses a prompt that, with <paramref name="more"/> tokens after it (the response, or the new tokens), would not fit
    /// the model's context; the last token is never fed back, so the sequence needs prompt + more − 1 positions.
    /// </summary>
    private static void RequireContext(IPolicy model, string folder, int prompt, int more, string what)
    {
        int context = model.Config.MaxPositionEmbeddings;
        string where = $"max_position_embeddings in {Path.Combine(folder, "config.json")}";
        if (prompt >= context)
        {
            throw new ArgumentException($"The prompt is {prompt} tokens, but the model's context holds {context} ({where}); shorten the prompt.");
        }

        if (prompt + more - 1 > context)
        {
            throw new ArgumentException(what == "response"
                ? $"The prompt ({prompt} tokens) and the response ({more} tokens) do not fit the model's context of {context} tokens ({where})."
                : $"The prompt ({prompt} tokens) leaves room for {context - prompt + 1} new tokens in the model's context of {context} ({where}); lower {what} (now {more}) or shorten the prompt.");
        }
    }

    private static JsonObject TokenJson(ModelTokenizer tokenizer, int token, TokenStatistics s) => new()
    {
        ["id"] = token,
        ["token"] = tokenizer.Decode([token]),
        ["logProb"] = s.LogProb,
        ["entropy"] = s.Entropy,
        ["selfCertainty"] = s.SelfCertainty,
    };

    private static JsonObject MeansJson(ScoredResponse scored) => new()
    {
        ["logProb"] = scored.MeanLogProb,
        ["entropy"] = scored.MeanEntropy,
        ["selfCertainty"] = scored.MeanSelfCertainty,
    };

    private static string Number(double value) => value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Shows whitespace tokens visibly in the table.</summary>
    private static string Visible(string token) => token.Replace("\n", "\\n").Replace("\t", "\\t").Replace(" ", "␣");
}
