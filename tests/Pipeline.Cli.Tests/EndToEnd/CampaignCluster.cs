// A throw-away distributed deployment on the real servers of infra/servers.sh: its own RabbitMQ virtual host and its
// own Azurite container (the servers are shared with other test runs), stage workers as separate `pipeline worker`
// processes, and the CLI verbs run as processes against the same settings. Disposing kills every process it started
// and deletes the virtual host, the container and the local folders.
using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Stages.Messaging;
using Pipeline.Storage;
using Pipeline.Storage.Checkpoints;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit.Abstractions;

namespace Pipeline.Cli.Tests.EndToEnd;

internal sealed class CampaignCluster : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account, as infra/servers.sh serves it.</summary>
    public const string AzuriteConnectionString = "UseDevelopmentStorage=true";

    static readonly TimeSpan CliLimit = TimeSpan.FromMinutes(2);
    static readonly TimeSpan WorkerStartLimit = TimeSpan.FromSeconds(90);

    readonly ITestOutputHelper _log;
    readonly List<PipelineProcess> _processes = [];
    readonly ServiceProvider _storage;
    readonly DateTime _started = DateTime.UtcNow;
    int _workerCount;

    CampaignCluster(string name, RabbitMqHostOptions broker, RabbitMqManagementClient management, string folder, ITestOutputHelper log,
        string blobConnection)
    {
        Name = name;
        Broker = broker;
        Management = management;
        Folder = folder;
        _log = log;
        Environment = new Dictionary<string, string>
        {
            ["Bus__Transport"] = "RabbitMq",
            ["Bus__RabbitMq__Host"] = broker.Host,
            ["Bus__RabbitMq__VirtualHost"] = broker.VirtualHost,
            ["Bus__StopTimeout"] = "5s",
            ["Storage__Kind"] = "AzureBlob",
            ["Storage__AzureBlob__ConnectionString"] = blobConnection,
            ["Storage__AzureBlob__Container"] = name,
            // Short retries keep the poison test quick; a short reconcile interval repairs a lost event within seconds.
            ["Stages__Retry__Intervals"] = "200ms,1s",
            ["Stages__Orchestrator__ReconcileInterval"] = "5s",
        };
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Environment.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value)))
            .Build();
        _storage = new ServiceCollection().AddPipelineStorage(configuration).BuildServiceProvider();
    }

    /// <summary>The name of the virtual host and of the blob container.</summary>
    public string Name { get; }

    public RabbitMqHostOptions Broker { get; }

    /// <summary>Management API client on the cluster's virtual host.</summary>
    public RabbitMqManagementClient Management { get; }

    /// <summary>Local folder of the cluster: campaign files, worker caches.</summary>
    public string Folder { get; }

    /// <summary>The settings every process of the cluster gets as environment variables.</summary>
    public Dictionary<string, string> Environment { get; }

    public IObjectStore Store => _storage.GetRequiredService<IObjectStore>();

    public CheckpointStore Checkpoints => _storage.GetRequiredService<CheckpointStore>();

    /// <summary>
    /// Creates the virtual host and the blob container (on infra/servers.sh's Azurite unless <paramref name="blobConnection"/>
    /// names another); fails (not skips) with a hint when the servers are not running.
    /// </summary>
    public static async Task<CampaignCluster> CreateAsync(string purpose, ITestOutputHelper log, string blobConnection = AzuriteConnectionString)
    {
        var name = $"e2e-{purpose}-{Guid.NewGuid():N}"[..(purpose.Length + 13)];
        var host = System.Environment.GetEnvironmentVariable("PIPELINE_RABBITMQ_HOST") is { Length: > 0 } h ? h : "127.0.0.1";
        var broker = new RabbitMqHostOptions { Host = host, VirtualHost = name };
        var management = new RabbitMqManagementClient(broker);
        try
        {
            await management.CreateVirtualHostAsync(name, broker.Username);
        }
        catch (InvalidOperationException e)
        {
            management.Dispose();
            throw new InvalidOperationException($"RabbitMQ is needed for the end-to-end tests; start it with infra/servers.sh start. {e.Message}", e);
        }
        var folder = Path.Combine(Path.GetTempPath(), "pipeline-e2e", name);
        Directory.CreateDirectory(folder);
        var cluster = new CampaignCluster(name, broker, management, folder, log, blobConnection);
        try
        {
            await new BlobContainerClient(blobConnection, name).CreateIfNotExistsAsync();
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException or HttpRequestException)
        {
            await cluster.DisposeAsync();
            throw new InvalidOperationException($"Azurite is needed for the end-to-end tests; start it with infra/servers.sh start. {e.Message}", e);
        }
        log.WriteLine($"cluster {name}: virtual host and container created");
        return cluster;
    }

    /// <summary>Starts <c>pipeline worker --stage <paramref name="stage"/></c> with its own cache folder and waits until it is ready.</summary>
    public async Task<PipelineProcess> StartWorkerAsync(string stage)
    {
        var number = Interlocked.Increment(ref _workerCount);
        var environment = new Dictionary<string, string>(Environment)
        {
            ["Stages__CacheDirectory"] = Path.Combine(Folder, $"cache-{stage}-{number}"),
        };
        var worker = PipelineProcess.Start($"{stage}#{number}", environment, Folder, "worker", "--stage", stage);
        lock (_processes) _processes.Add(worker);
        try
        {
            await worker.WaitForOutputAsync("worker ready", WorkerStartLimit);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException(e.Message + "\n" + DescribeProcesses(), e);
        }
        Log($"worker {worker.Name} ready (pid {worker.Id})");
        return worker;
    }

    /// <summary>The usual deployment: one worker per stage the recipe uses, each its own process.</summary>
    public async Task<Dictionary<string, PipelineProcess>> StartWorkersAsync(params string[] stages)
    {
        // Started one after the other: each start costs a few seconds of CPU, and the machine is shared.
        var workers = new Dictionary<string, PipelineProcess>();
        foreach (var stage in stages) workers[stage] = await StartWorkerAsync(stage);
        return workers;
    }

    /// <summary>SIGKILLs a worker.</summary>
    public void Kill(PipelineProcess worker)
    {
        worker.Kill();
        Log($"killed {worker.Name} (pid {worker.Id})");
    }

    /// <summary>Runs one CLI verb to completion and returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunCliAsync(params string[] args)
    {
        using var process = PipelineProcess.Start("pipeline " + string.Join(' ', args.Take(2)), Environment, Folder, args);
        if (!await process.WaitForExitAsync(CliLimit))
            throw new TimeoutException($"`pipeline {string.Join(' ', args)}` did not finish within {CliLimit.TotalSeconds:0} s.\n{process.Describe()}");
        return (process.ExitCode, process.Output, process.Error);
    }

    /// <summary>Writes a campaign file into the cluster folder and returns its path.</summary>
    public string WriteCampaignFile(string fileName, string json)
    {
        var path = Path.Combine(Folder, fileName);
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary><c>pipeline campaign start FILE --base-model DIR --id ID</c>; asserts success.</summary>
    public async Task StartCampaignAsync(string campaignFile, string id)
    {
        var (exitCode, output, error) = await RunCliAsync("campaign", "start", campaignFile, "--base-model", TinyBaseModel.Directory, "--id", id);
        Assert.True(exitCode == 0, $"campaign start exited {exitCode}: {error}\n{output}");
        Assert.Equal(id, output.Trim());
        Log($"campaign {id} started");
    }

    /// <summary><c>pipeline campaign status ID --json</c>, parsed.</summary>
    public async Task<JsonNode> StatusAsync(string id)
    {
        var (exitCode, output, error) = await RunCliAsync("campaign", "status", id, "--json");
        Assert.True(exitCode == 0, $"campaign status exited {exitCode}: {error}\n{output}");
        return JsonNode.Parse(output) ?? throw new InvalidOperationException($"campaign status printed no JSON: {output}");
    }

    /// <summary>Polls the status until <paramref name="done"/> holds; throws with the last status and every process's output otherwise.</summary>
    public async Task<JsonNode> WaitForStatusAsync(string id, Func<JsonNode, bool> done, TimeSpan limit, string what)
    {
        var deadline = DateTime.UtcNow + limit;
        JsonNode? last = null;
        while (true)
        {
            last = await StatusAsync(id);
            if (done(last))
            {
                Log($"campaign {id}: {what}");
                return last;
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Campaign {id}: not {what} within {limit.TotalSeconds:0} s. Last status:\n{last.ToJsonString()}\n{DescribeProcesses()}");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>Waits until the campaign's status is completed.</summary>
    public Task<JsonNode> WaitForCompletionAsync(string id, TimeSpan limit) =>
        WaitForStatusAsync(id, s => (string?)s["status"] == "completed", limit, "completed");

    /// <summary>Polls <paramref name="condition"/> every 100 ms; throws with every process's output when the limit passes.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Not {what} within {limit.TotalSeconds:0} s.\n{DescribeProcesses()}");
            await Task.Delay(100);
        }
        Log(what);
    }

    /// <summary>The exact number of ready (not delivered) messages of a queue, over AMQP; null when the queue does not exist.</summary>
    public async Task<uint?> ReadyAsync(string queue)
    {
        var factory = Broker.CreateConnectionFactory("pipeline end-to-end test");
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>The SHA-256 of <paramref name="file"/> as the manifest of the checkpoint at <paramref name="prefix"/> records it.</summary>
    public async Task<string> CheckpointFileHashAsync(string prefix, string file)
    {
        var manifest = await Checkpoints.ReadManifestAsync(await Checkpoints.ResolveAsync(prefix));
        return manifest.Files.Single(f => f.Name == file).Sha256;
    }

    /// <summary>Reads a stored object fully.</summary>
    public async Task<byte[]> ReadAsync(string key)
    {
        await using var stream = await Store.OpenReadAsync(key);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>The captured output of every process the cluster started.</summary>
    public string DescribeProcesses()
    {
        lock (_processes) return string.Join("\n", _processes.Select(p => p.Describe()));
    }

    public void Log(string message) =>
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{(DateTime.UtcNow - _started).TotalSeconds,6:0.0} s] {message}"));

    public async ValueTask DisposeAsync()
    {
        List<PipelineProcess> processes;
        lock (_processes) processes = [.. _processes];
        foreach (var process in processes)
        {
            process.Dispose();
        }
        try
        {
            await Management.DeleteVirtualHostAsync(Name);
        }
        catch (InvalidOperationException e)
        {
            _log.WriteLine($"could not delete virtual host {Name}: {e.Message}");
        }
        Management.Dispose();
        try
        {
            await new BlobContainerClient(AzuriteConnectionString, Name).DeleteIfExistsAsync();
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException or HttpRequestException)
        {
            _log.WriteLine($"could not delete container {Name}: {e.Message}");
        }
        await _storage.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A process may still hold a cache file for a moment; the folder is under the temp dir.
        }
    }
}
