// A tiny fork-join pool for splitting one product across cores. Parallel.For costs several microseconds per call and
// allocates; products here come back-to-back thousands of times per training step, so the caller runs part 0 itself
// and parked worker threads (one per extra core) run the rest, spinning briefly between jobs before they block.
namespace Pipeline.Engine.Kernels;

/// <summary>Runs a function over parts 0..n-1 on the caller plus dedicated worker threads, one job at a time.</summary>
internal static unsafe class GemmWorkers
{
    // Capped: the engine's products are too small to gain from many cores, and idle workers still cost a thread each.
    private static readonly Worker[] Workers = CreateWorkers(Math.Clamp(Environment.ProcessorCount - 1, 0, 7));
    private static int busy;

    /// <summary>How many parts can run at once: the caller plus the workers.</summary>
    public static int MaxParallelism => Workers.Length + 1;

    /// <summary>
    /// Runs body(part, state) for every part in [0, parts), the caller taking part 0, and returns true after all have
    /// finished. Returns false without running anything when there is no worker or another thread holds the pool
    /// (concurrent or nested products): the caller then does the whole job itself, in one piece.
    /// </summary>
    public static bool TryRun(int parts, delegate*<int, void*, void> body, void* state)
    {
        int helpers = Math.Min(parts - 1, Workers.Length);
        if (helpers <= 0 || Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            return false;
        }

        var done = new CountdownSignal(helpers);
        try
        {
            for (int w = 0; w < helpers; w++)
            {
                Workers[w].Start(body, state, w + 1, &done);
            }
            body(0, state);
            // Parts beyond the helper count (more parts than cores) also run here.
            for (int part = helpers + 1; part < parts; part++)
            {
                body(part, state);
            }

            // A helper that has not picked its part up yet is not running (another process holds its core): doing
            // the part here beats spinning for a whole time slice. Parts are fixed regions, so C is the same.
            for (int w = 0; w < helpers; w++)
            {
                if (Workers[w].TryTake())
                {
                    body(w + 1, state);
                    done.Signal();
                }
            }
        }
        finally
        {
            // The helpers read the caller's stack (state, done): never leave before they have finished.
            done.Wait();
            Volatile.Write(ref busy, 0);
        }
        return true;
    }

    private static Worker[] CreateWorkers(int count)
    {
        var workers = new Worker[count];
        for (int i = 0; i < count; i++)
        {
            workers[i] = new Worker(i);
        }
        return workers;
    }

    /// <summary>Counts finished helpers; lives on the caller's stack for the duration of one job.</summary>
    private struct CountdownSignal
    {
        private int remaining;

        public CountdownSignal(int count) => remaining = count;

        public void Signal() => Interlocked.Decrement(ref remaining);

        public void Wait()
        {
            // Pure spinning first: the helper's share takes about as long as the caller's, and yielding the core on a
            // busy machine can hand it to another process for a whole time slice (measured: 300 µs per product).
            for (int round = 0; Volatile.Read(ref remaining) > 0; round++)
            {
                if (round < MaxSpinRounds)
                {
                    Thread.SpinWait(4);
                }
                else
                {
                    Thread.Yield();
                }
            }
        }

        // About 2.5 ms at Thread.SpinWait(4) ≈ 0.12 µs.
        private const int MaxSpinRounds = 20_000;
    }

    private sealed class Worker
    {
        // Spin about 0.15 ms (250 × SpinWait(20), measured) after a job before blocking: training issues products
        // microseconds apart, but a longer spin would take the core from the engine's other parallel loops
        // (Parallel.For over elementwise work) that run between products.
        private const int SpinRounds = 250;
        private readonly ManualResetEventSlim wake = new(false, spinCount: 1);
        private delegate*<int, void*, void> body;
        private void* state;
        private int part;
        private CountdownSignal* done;
        private int pending;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Pipeline GEMM worker {index}" };
            thread.Start();
        }

        public void Start(delegate*<int, void*, void> job, void* jobState, int jobPart, CountdownSignal* signal)
        {
            body = job;
            state = jobState;
            part = jobPart;
            done = signal;
            Volatile.Write(ref pending, 1);
            wake.Set();
        }

        private void Loop()
        {
            while (true)
            {
                if (!SpinForJob())
                {
                    wake.Wait();
                }
                wake.Reset();
                if (!TryTake())
                {
                    continue;
                }
                body(part, state);
                done->Signal();
            }
        }

        /// <summary>Claims the posted part, for this worker or for the caller; exactly one of them wins it.</summary>
        public bool TryTake() => Interlocked.CompareExchange(ref pending, 0, 1) == 1;

        private bool SpinForJob()
        {
            for (int round = 0; round < SpinRounds; round++)
            {
                if (Volatile.Read(ref pending) != 0)
                {
                    return true;
                }
                Thread.SpinWait(20);
            }
            return false;
        }
    }
}
