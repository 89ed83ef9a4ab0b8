// A policy backend a host offers campaigns by name, registered with AddPolicyBackend: kept apart from the IPolicyBackend
// service, which is the default backend, so adding one never changes what a campaign without a backend runs on.
using Pipeline.Learning.Policies;

namespace Pipeline.Stages.Hosting;

/// <summary>A backend campaigns may choose by its <see cref="IPolicyBackend.Name"/>.</summary>
/// <param name="Backend">The backend.</param>
public sealed record NamedPolicyBackend(IPolicyBackend Backend);
