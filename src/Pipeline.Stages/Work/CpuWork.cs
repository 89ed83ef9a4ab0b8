// Stage work is seconds to minutes of synchronous arithmetic. Run inline in a consumer it would hold a thread-pool thread
// all that time, one the bus, the storage client and the engine's own Parallel.For need (the pool grows slowly, and on a
// small machine a few busy consumers starve it); a thread of its own costs nothing next to the work.
namespace Pipeline.Stages.Work;

internal static class CpuWork
{
    /// <summary>Runs <paramref name="work"/> on a dedicated thread; a token already cancelled means it never starts.</summary>
    public static Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
