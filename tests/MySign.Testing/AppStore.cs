using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MySign.Accounts;
using MySign.Billing;
using MySign.History;
using MySign.Otp;
using MySign.Renewal;
using MySign.Web.Infrastructure;

namespace MySign.Testing;

/// <summary>
/// A document store on the database of an app running as its own process, mapped exactly as the app maps it
/// (the same Storage.Configure and module registrations), so browser tests can set up holders and read the
/// sandbox SMS operator's messages.
/// </summary>
public static class AppStore
{
    public static IDocumentStore For(string connectionString)
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddMarten(options =>
        {
            Storage.Configure(options);
            options.Connection(connectionString);
        });
        services.AddAccounts(configuration);
        services.AddOtp(configuration);
        services.AddRenewal();
        services.AddHistory();
        services.AddBilling(configuration);
        return services.BuildServiceProvider().GetRequiredService<IDocumentStore>();
    }
}
