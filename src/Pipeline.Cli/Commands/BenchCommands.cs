// `pipeline bench engine` and `pipeline bench gemm`: the engine's speed next to PyTorch's on this machine, in one
// invocation. Each engine configuration runs in a fresh child process (this CLI re-invoked with the hidden --single
// option) and each torch configuration in its own python process, so every peak RSS belongs to one configuration. The
// child also measures libtorch 2.10 (the TorchSharp backend) after the engine, so those two share a process.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Backends.Torch.Runtime;
using Pipeline.Benchmarks;
using Spectre.Console;
using static Pipeline.Cli.Commands.CommandSupport;

namespace Pipeline.Cli.Commands;

/// <summary>The <c>bench</c> verb group.</summary>
internal static class BenchCommands
{
    /// <summary>Builds <c>bench</c> with its <c>engine</c> and <c>gemm</c> subcommands.</summary>
    public static Command Create()
    {
        var bench = new Command("bench", "Measure the engine against the PyTorch reference on this machine.");
        bench.Subcommands.Add(CreateEngine());
        bench.Subcommands.Add(CreateGemm());
        return bench;
    }

    private static Command CreateEngine()
    {
        string[] names = BenchmarkConfig.References.Select(c => c.Name).ToArray();
        var configOption = new Option<string?>("--config") { Description = "Only this reference configuration (default: all)." };
        configOption.AcceptOnlyFromAmong(names);
        var jsonOption = new Option<bool>("--json") { Description = "Print one JSON object per configuration instead of a table." };
        var repeatOption = new Option<int>("--repeat")
        {
            Description = "Measure every configuration this many times (engine, then PyTorch, in turn) and print per-figure medians.",
            DefaultValueFactory = _ => 1,
        };
        repeatOption.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--repeat must be at least 1.");
            }
        });
        var singleOption = new Option<string?>("--single")
        {
            Description = "Internal: measure the engine alone on this configuration in this process and print its JSON.",
            Hidden = true,
        };
        singleOption.AcceptOnlyFromAmong(names);
        var command = new Command("engine",
            "Training and generation tokens/s, peak RSS and GEMM GFLOP/s of the engine and of PyTorch (the reference torch_bench.py) "
            + "on the reference configurations, with ratios. gemm_gflops is the engine's GEMM on the fused gate|up product [B·T × C]·[2F × C]ᵀ.")
        {
            configOption, jsonOption, repeatOption, singleOption,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            var settings = new BenchmarkSettings();
            try
            {
                if (parse.GetValue(singleOption) is { } single)
                {
                    BenchmarkConfig config = BenchmarkConfig.Reference(single);
                    JsonObject alone = EngineBenchmark.Run(config, settings, error.WriteLine).ToJson();
                    try
                    {
                        alone["libtorch"] = LibTorchBenchmark.Run(config, settings, error.WriteLine).ToJson();
                    }
                    catch (TorchUnavailableException e)
                    {
                        error.WriteLine($"libtorch skipped: {e.Message}");
                    }

                    output.WriteLine(alone.ToJsonString());
                    return 0;
                }

                IAnsiConsole progress = Console(error);
                ReferenceScripts.RequireTorch();
                var configs = parse.GetValue(configOption) is { } name ? [BenchmarkConfig.Reference(name)] : BenchmarkConfig.References;
                int repeats = parse.GetValue(repeatOption);
                var comparisons = new List<(BenchmarkComparison Comparison, LibTorchBenchmarkResult? LibTorch)>();
                foreach (BenchmarkConfig config in configs)
                {
                    var runs = new List<BenchmarkComparison>();
                    var libTorchRuns = new List<LibTorchBenchmarkResult>();
                    for (int run = 1; run <= repeats; run++)
                    {
                        string label = repeats > 1 ? $"{config.Name} ({run}/{repeats})" : config.Name;
                        progress.MarkupLine($"[bold]{label}[/]: engine and libtorch in a fresh process");
                        (EngineBenchmarkResult engine, LibTorchBenchmarkResult? libTorch) = RunEngineProcess(config);
                        if (libTorch is not null)
                        {
                            libTorchRuns.Add(libTorch);
                        }

                        progress.MarkupLine($"[bold]{label}[/]: PyTorch reference");
                        runs.Add(new BenchmarkComparison(engine, TorchBenchmarkResult.Run(config, settings)));
                        if (repeats > 1)
                        {
                            // Straight to the writer: the console would wrap the JSON at its width.
                            error.WriteLine($"{label}: {runs[^1].ToJson().ToJsonString()}");
                        }
                    }

                    BenchmarkComparison comparison = BenchmarkComparison.Median(runs);
                    LibTorchBenchmarkResult? libTorchMedian = libTorchRuns.Count > 0 ? LibTorchBenchmarkResult.Median(libTorchRuns) : null;
                    comparisons.Add((comparison, libTorchMedian));
                    if (parse.GetValue(jsonOption))
                    {
                        JsonObject json = comparison.ToJson();
                        libTorchMedian?.AddTo(json, comparison.Engine);
                        output.WriteLine(json.ToJsonString());
                    }
                }

                if (!parse.GetValue(jsonOption))
                {
                    Console(output).Write(EngineTable(comparisons));
                }

                return 0;
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException or IOException or ArgumentException)
            {
                error.WriteLine($"error: {e.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
        });
        return command;
    }

    private static Command CreateGemm()
    {
        var jsonOption = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var command = new Command("gemm",
            "GFLOP/s of the engine's GEMM backends on the model's product shapes next to torch.mm (the reference torch_gemm_bench.py).")
        {
            jsonOption,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            try
            {
                const int threads = 2;
                ReferenceScripts.RequireTorch();
                Console(error).MarkupLine("GEMM: engine backends");
                IReadOnlyList<GemmMeasurement> ours = GemmBenchmark.Measure(GemmBenchmark.ModelShapes, GemmBenchmark.AvailableBackends(), threads);
                Console(error).MarkupLine("GEMM: torch.mm");
                IReadOnlyDictionary<string, double> torch = GemmBenchmark.ParseTorchReference(ReferenceScripts.Run("torch_gemm_bench.py",
                    ["--threads", threads.ToString(CultureInfo.InvariantCulture)], GemmBenchmark.ShapesJson(GemmBenchmark.ModelShapes)));

                if (parse.GetValue(jsonOption))
                {
                    foreach (GemmMeasurement m in ours)
                    {
                        double reference = torch.GetValueOrDefault(m.Shape.Name, double.NaN);
                        output.WriteLine(new JsonObject
                        {
                            ["shape"] = m.Shape.Name,
                            ["backend"] = m.Backend,
                            ["gflops"] = m.Gflops,
                            ["torch_gflops"] = double.IsNaN(reference) ? null : reference,
                            ["ratio"] = double.IsNaN(reference) ? null : m.Gflops / reference,
                        }.ToJsonString());
                    }

                    return 0;
                }

                var table = new Table().AddColumns("shape", "backend", "GFLOP/s", "torch GFLOP/s", "ratio");
                foreach (GemmMeasurement m in ours)
                {
                    double reference = torch.GetValueOrDefault(m.Shape.Name, double.NaN);
                    table.AddRow(Markup.Escape(m.Shape.Name), m.Backend, Number(m.Gflops, "0.0"), Number(reference, "0.0"),
                        Number(m.Gflops / reference, "0.00"));
                }

                Console(output).Write(table);
                return 0;
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException or IOException)
            {
                error.WriteLine($"error: {e.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>
    /// Runs this CLI again with <c>--single</c>, so the engine's peak RSS is that of one configuration; the child measures
    /// libtorch after the engine (null when libtorch does not load there).
    /// </summary>
    private static (EngineBenchmarkResult Engine, LibTorchBenchmarkResult? LibTorch) RunEngineProcess(BenchmarkConfig config)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable is running.");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            // Started as `dotnet pipeline.dll`: the host needs the entry assembly again.
            start.ArgumentList.Add(typeof(BenchCommands).Assembly.Location);
        }

        foreach (string argument in new[] { "bench", "engine", "--single", config.Name })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The engine benchmark of {config.Name} exited with {process.ExitCode}.");
        }

        string line = output.Trim();
        LibTorchBenchmarkResult? libTorch = JsonNode.Parse(line)?["libtorch"] is JsonObject figures ? LibTorchBenchmarkResult.FromJson(figures) : null;
        return (EngineBenchmarkResult.FromJson(line), libTorch);
    }

    private static Table EngineTable(IReadOnlyList<(BenchmarkComparison Comparison, LibTorchBenchmarkResult? LibTorch)> comparisons)
    {
        var table = new Table().AddColumns("config", "params", "", "engine", "PyTorch", "ratio", "target");
        foreach ((BenchmarkComparison c, LibTorchBenchmarkResult? libTorch) in comparisons)
        {
            string name = c.Engine.Config;
            string parameters = Number(c.Engine.Params / 1e6, "0.00") + " M";
            table.AddRow(name, parameters, "train tokens/s", Number(c.Engine.TrainTokensPerSecond, "0"),
                Number(c.Torch.TrainTokensPerSecond, "0"), Number(c.TrainRatio, "0.00"), "≥ 1.0");
            table.AddRow("", "", "generated tokens/s", Number(c.Engine.GenTokensPerSecond, "0"),
                Number(c.Torch.GenTokensPerSecond, "0"), Number(c.GenRatio, "0.00"), "≥ 1.5");
            table.AddRow("", "", "peak RSS MiB", Number(c.Engine.PeakRssMb, "0"), Number(c.Torch.PeakRssMb, "0"),
                Number(c.MemoryRatio, "0.00"), "≤ 1.5");
            table.AddRow("", "", "GEMM GFLOP/s (gate|up)", Number(c.Engine.GemmGflops, "0.0"), "", "", "");
            if (libTorch is not null)
            {
                // Same process as the engine; the "PyTorch" column holds libtorch 2.10's figure on these rows.
                table.AddRow("", "", "train tokens/s vs libtorch 2.10", Number(c.Engine.TrainTokensPerSecond, "0"),
                    Number(libTorch.TrainTokensPerSecond, "0"), Number(c.Engine.TrainTokensPerSecond / libTorch.TrainTokensPerSecond, "0.00"), "");
                table.AddRow("", "", "generated tokens/s vs libtorch 2.10", Number(c.Engine.GenTokensPerSecond, "0"),
                    Number(libTorch.GenTokensPerSecond, "0"), Number(c.Engine.GenTokensPerSecond / libTorch.GenTokensPerSecond, "0.00"), "");
            }
        }

        return table;
    }

    private static string Number(double value, string format) =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "-";
}
