using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace MySign.Certificates.Custody;

/// <summary>
/// The secret that seals holder keys together with the PIN (Certificates:KeySecret, docs/adr/0005): required everywhere but
/// Development, so a copy of the database alone is not enough to try PINs.
/// </summary>
public sealed class KeySecret(IConfiguration configuration, IHostEnvironment environment)
{
    public byte[] Value { get; } = System.Text.Encoding.UTF8.GetBytes(configuration["Certificates:KeySecret"] is { Length: > 0 } secret ? secret
        : (!environment.IsDevelopment() ? throw new InvalidOperationException("Certificates:KeySecret must be configured in Production (and every environment but Development).") : "mysign-development-key-secret"));
}
