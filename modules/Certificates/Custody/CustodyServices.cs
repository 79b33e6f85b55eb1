using Microsoft.Extensions.DependencyInjection;

namespace MySign.Certificates.Custody;

public static class CustodyServices
{
    /// <summary>The module's own tables: the calls made on each SAD, and the activation audit.</summary>
    public static Weasel.Core.ISchemaObject SadCalls => SadGrants.Calls;
    public static Weasel.Core.ISchemaObject ActivationAudit => Custody.ActivationAudit.Table;

    /// <summary>The signature activation module: the only door to a holder's key (docs/adr/0015).</summary>
    public static IServiceCollection AddSignatureActivation(this IServiceCollection services)
    {
        services.AddSingleton<KeySecret>();
        services.AddSingleton<PinCheck>();
        services.AddSingleton<HolderKeyRing>();
        services.AddSingleton<ActivationAudit>();
        services.AddSingleton<SignatureActivation>();
        services.AddSingleton<SadActivation>();
        return services;
    }
}
