using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace MySign.Custody;

/// <summary>
/// Which tokens keep the keys: <c>Hsm:Library</c> (the vendor's PKCS#11 module), <c>Hsm:TokenLabel</c> and <c>Hsm:Pin</c> for
/// the online token; <c>Hsm:Root:*</c> for the root's token, which only the CA ceremony opens. Only Development has defaults
/// (SoftHSM2's module and the labels `scripts/services.sh` gives its tokens); the PIN never has one. Elsewhere a missing
/// setting stops the start, named (<see cref="CryptoToken.Open"/>). <c>Hsm:LockFile</c> is for SoftHSM2 only (both tokens are
/// files of one store, so the root's token shares it).
/// </summary>
public static class HsmSettings
{
    public const string SoftHsmLibrary = "/usr/lib/softhsm/libsofthsm2.so";

    public static TokenSettings Online(IConfiguration configuration, IHostEnvironment environment) => Read(configuration, environment, "Hsm", "mysign");

    public static TokenSettings Root(IConfiguration configuration, IHostEnvironment environment) => Read(configuration, environment, "Hsm:Root", "mysign-root");

    private static TokenSettings Read(IConfiguration configuration, IHostEnvironment environment, string section, string developmentLabel)
    {
        string? Value(string name) => configuration[$"{section}:{name}"] is { Length: > 0 } value ? value : null;
        string? Shared(string name) => configuration[$"Hsm:{name}"] is { Length: > 0 } value ? value : null;
        var development = environment.IsDevelopment();
        return new TokenSettings(Value("Library") ?? (development ? SoftHsmLibrary : ""), Value("TokenLabel") ?? (development ? developmentLabel : ""),
            Value("Pin") ?? "", section, Value("LockFile") ?? Shared("LockFile"));
    }
}
