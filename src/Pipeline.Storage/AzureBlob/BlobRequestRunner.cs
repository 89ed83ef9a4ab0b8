// The single retry policy of the Azure Blob store. The SDK's own retries are switched off (MaxRetries = 0 where the client
// is built) so that every request is retried here, once, with exponential backoff and jitter and a bounded number of
// attempts; what is not transient, or still fails when the attempts run out, surfaces as a StorageException naming the key.
using System.Net.Sockets;
using Azure;
using Polly;
using Polly.Retry;

namespace Pipeline.Storage.AzureBlob;

internal sealed class BlobRequestRunner
{
    private readonly ResiliencePipeline _pipeline;
    private readonly string _container;
    private readonly int _maxAttempts;

    public BlobRequestRunner(AzureBlobStoreOptions options)
    {
        _container = options.Container;
        _maxAttempts = options.MaxAttempts;
        _pipeline = options.MaxAttempts == 1 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && IsTransient(e, args.Context.CancellationToken)),
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.FirstRetryDelay,
                MaxDelay = options.MaxRetryDelay,
            })
            .Build();
    }

    /// <summary>
    /// Runs <paramref name="request"/> (given the 1-based attempt number) under the retry policy. StorageExceptions thrown
    /// by the request (its own translation of expected answers such as 404) and caller cancellation pass through unchanged.
    /// </summary>
    public async Task<T> RunAsync<T>(string key, string operation, Func<int, CancellationToken, Task<T>> request, CancellationToken cancellationToken)
    {
        var attempts = 0;
        try
        {
            return await _pipeline.ExecuteAsync(async token => await request(++attempts, token), cancellationToken);
        }
        catch (Exception e) when (e is not StorageException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var why = IsTransient(e, cancellationToken)
                ? $"still failing after {attempts} attempt(s) (the retry budget is {_maxAttempts})"
                : "failed with a non-transient error";
            throw new StorageException(key,
                $"Azure Blob {operation} of '{key}' in container '{_container}' {why}: {Describe(e)}", e);
        }
    }

    public Task RunAsync(string key, string operation, Func<int, CancellationToken, Task> request, CancellationToken cancellationToken) =>
        RunAsync(key, operation, async (attempt, token) =>
        {
            await request(attempt, token);
            return true;
        }, cancellationToken);

    /// <summary>Failures worth another attempt: throttling, server errors, timeouts and broken connections.</summary>
    internal static bool IsTransient(Exception exception, CancellationToken callerToken) => exception switch
    {
        // Status 0: the SDK could not get an answer at all (connection refused or reset), reported with the cause inside.
        RequestFailedException failed => failed.Status is 0 or 408 or 429 or 500 or 502 or 503 or 504,
        HttpRequestException or IOException or SocketException or TimeoutException => true,
        // A checksum mismatch on transfer: the next attempt transfers the bytes again.
        InvalidDataException => true,
        // The SDK's network timeout surfaces as a cancellation the caller did not ask for.
        OperationCanceledException => !callerToken.IsCancellationRequested,
        _ => false,
    };

    private static string Describe(Exception exception) => exception switch
    {
        RequestFailedException { Status: 0 } failed => $"no response ({failed.InnerException?.Message ?? FirstLine(failed.Message)})",
        RequestFailedException failed => $"HTTP {failed.Status} {failed.ErrorCode}: {FirstLine(failed.Message)}",
        _ => $"{exception.GetType().Name}: {FirstLine(exception.Message)}",
    };

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
