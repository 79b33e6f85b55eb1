using JasperFx.CommandLine.Descriptions;
using JasperFx.Resources;
using Microsoft.Extensions.DependencyInjection;

namespace MySign.Kernel.Operations;

/// <summary>
/// How `resources setup` (fly.toml's release command) finds one of our release steps among the system's stateful resources:
/// release data (the catalogue) or a migration (the TrustServices split).
/// </summary>
public sealed class ReleaseStep(IStatefulResource resource, string title, string description) : ISystemPart
{
    public string Title => title;
    public Uri SubjectUri => resource.SubjectUri;

    public Task WriteToConsole()
    {
        Console.WriteLine(description);
        return Task.CompletedTask;
    }

    public ValueTask<IReadOnlyList<IStatefulResource>> FindResources() => ValueTask.FromResult<IReadOnlyList<IStatefulResource>>([resource]);

    public Task AssertEnvironmentAsync(IServiceProvider services, JasperFx.Environment.EnvironmentCheckResults results, CancellationToken token) => Task.CompletedTask;

    /// <summary>Registers <typeparamref name="T"/> (a singleton) as a release step of `resources setup`.</summary>
    public static IServiceCollection Add<T>(IServiceCollection services, string title, string description) where T : class, IStatefulResource
    {
        services.AddSingleton<T>();
        return services.AddSingleton<ISystemPart>(provider => new ReleaseStep(provider.GetRequiredService<T>(), title, description));
    }
}
