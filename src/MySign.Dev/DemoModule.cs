using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MySign.Dev.Seeders;

[assembly: JasperFx.JasperFxAssembly]

namespace MySign.Dev;

public static class DemoModule
{
    /// <summary>Whether this run wants the demo data: Development by default, tests and `make bench` by Demo:Seed.</summary>
    public static bool IsOn(IConfiguration configuration, IHostEnvironment environment) => configuration.GetValue("Demo:Seed", environment.IsDevelopment());

    /// <summary>The seeders and the seeding at start. Called by the host only when <see cref="IsOn"/>.</summary>
    public static IServiceCollection AddDemo(this IServiceCollection services)
    {
        services.ConfigureMarten(options => options.Schema.For<DemoSeedMarker>().DatabaseSchemaName("host"));
        services.AddSingleton<IDemoSeeder, AccountsDemoSeeder>();
        services.AddSingleton<IDemoSeeder, CertificatesDemoSeeder>();
        services.AddSingleton<IDemoSeeder, OtpDemoSeeder>();
        services.AddSingleton<IDemoSeeder, HistoryDemoSeeder>();
        services.AddSingleton<IDemoSeeder, BillingDemoSeeder>();
        services.AddHostedService<DemoSeeding>();
        services.AddHostedService<DemoTokenProvisioning>();
        services.AddSingleton<MySign.Kernel.Web.IDevOutboxSource, DemoTokenDisplay>();
        return services;
    }
}
