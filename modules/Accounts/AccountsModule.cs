using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MySign.Accounts.Domain;
using MySign.Accounts.Sessions;
using MySign.Kernel.Web;

namespace MySign.Accounts;

public static class AccountsModule
{
    public const string Schema = "accounts";

    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SessionOptions>(configuration.GetSection("Sessions"));
        services.ConfigureMarten(options =>
        {
            options.Schema.For<HolderAccount>().DatabaseSchemaName(Schema).Index(h => h.Office);
            options.Schema.For<RaoOperator>().DatabaseSchemaName(Schema);
            options.Schema.For<RaoLoginChallenge>().DatabaseSchemaName(Schema);
            options.Schema.For<FiscalCodeClaim>().DatabaseSchemaName(Schema);
            options.Schema.For<Security.KnownDevice>().DatabaseSchemaName(Schema);
            options.Schema.For<Login.PendingSignIn>().DatabaseSchemaName(Schema);
            options.Schema.For<Domain.IdentityCheck>().DatabaseSchemaName(Schema).Index(c => c.HolderId);
            options.Schema.For<Security.NotMeToken>().DatabaseSchemaName(Schema);
            options.Storage.ExtendedSchemaObjects.Add(Registration.UserIds.Numbers);
            options.Schema.For<PortalSession>().DatabaseSchemaName(Schema).Index(s => s.PrincipalId);
            options.Schema.For<AuditEntry>().DatabaseSchemaName(Schema).Index(a => a.HolderId);
            options.Schema.For<AccountToken>().DatabaseSchemaName(Schema).Index(t => t.HolderId);
            options.Storage.ExtendedSchemaObjects.Add(Login.SignInAttempts.Table);
            options.Schema.For<Account.RecoveryMobileChange>().DatabaseSchemaName(Schema);
        });
        services.AddAuthentication(Holder.Scheme)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(Holder.Scheme, _ => { });
        services.AddSingleton<Mail.HolderMailer>();
        services.AddSingleton<Login.SignInAttempts>();
        return services;
    }
}
