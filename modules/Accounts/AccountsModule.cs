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
            options.Storage.ExtendedSchemaObjects.Add(Registration.UserIds.Numbers);
            options.Schema.For<PortalSession>().DatabaseSchemaName(Schema).Index(s => s.PrincipalId);
            options.Schema.For<AuditEntry>().DatabaseSchemaName(Schema).Index(a => a.HolderId);
            options.Schema.For<AccountToken>().DatabaseSchemaName(Schema);
            options.Storage.ExtendedSchemaObjects.Add(Login.SignInAttempts.Table);
            options.Schema.For<Account.RecoveryMobileChange>().DatabaseSchemaName(Schema);
        });
        services.AddAuthentication(Holder.Scheme)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(Holder.Scheme, _ => { });
        services.AddSingleton<IDemoSeeder, AccountsDemoSeeder>();
        services.AddSingleton<Recovery.AccountMail>();
        services.AddSingleton<Login.SignInAttempts>();
        return services;
    }
}

public sealed class AccountsDemoSeeder(IConfiguration configuration) : IDemoSeeder
{
    public IEnumerable<object> Seed(IDocumentSession session, DateTimeOffset now)
    {
        // `make bench` signs in many holders (b000000, b000001, …) with the demo password.
        var hash = Passwords.Hash(Demo.HolderPassword);
        for (var i = 0; i < configuration.GetValue("Demo:BenchHolders", 0); i++)
            session.Store(new HolderAccount { Id = $"b{i:D6}", FirstName = "Bench", LastName = $"{i}", PasswordHash = hash });
        session.Store(new HolderAccount
        {
            Id = Demo.HolderUserId, FirstName = Demo.HolderFirstName, LastName = Demo.HolderLastName,
            Email = Demo.HolderEmail, PasswordHash = Passwords.Hash(Demo.HolderPassword), FiscalCode = Demo.HolderFiscalCode,
            Address = "Via del Corso 12", PostCode = "00186", City = "Roma", Province = "RM", Country = "IT",
            RecoveryMobile = Demo.HolderMobile, Office = Demo.RaoOffice, RegisteredBy = Demo.RaoUsername, RegisteredAt = now,
            ActivatedAt = now, Sex = "M", BirthDate = new DateOnly(1980, 1, 1), BirthPlace = "Roma",
        });
        session.Store(new FiscalCodeClaim { Id = Demo.HolderFiscalCode, HolderId = Demo.HolderUserId });
        var rao = new RaoOperator
        {
            Id = Demo.RaoUsername, Office = Demo.RaoOffice, FullName = "Giulia Bianchi", Mobile = Demo.RaoMobile,
            PasswordHash = Passwords.Hash(Demo.RaoPassword),
        };
        session.Store(rao);
        return [];
    }
}
