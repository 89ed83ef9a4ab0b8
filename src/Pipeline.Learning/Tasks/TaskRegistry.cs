// The embedded tasks by name: campaigns and commands name a task, and this is the one place that knows which class it is.
using Pipeline.Learning.Tasks.Arith;

namespace Pipeline.Learning.Tasks;

/// <summary>Resolves task names.</summary>
public static class TaskRegistry
{
    private static readonly IReadOnlyDictionary<string, ITask> Tasks = new ITask[] { new ArithTask() }
        .ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>The names of the embedded tasks.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Tasks.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The task called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No task has that name; the message lists the known ones.</exception>
    public static ITask Get(string name) =>
        Tasks.TryGetValue(name ?? "", out var task)
            ? task
            : throw new ArgumentException($"Unknown task '{name}': the embedded tasks are: {string.Join(", ", Names)}.");

    /// <summary>Whether a task is called <paramref name="name"/>.</summary>
    public static bool Contains(string name) => Tasks.ContainsKey(name ?? "");
}
