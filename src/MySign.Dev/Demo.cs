using Marten;

namespace MySign.Dev;

/// <summary>
/// The demo holder and RAO operator that local runs and tests start with. Each module seeds its own
/// documents for them; nothing here reads another module's data.
/// </summary>
public static class Demo
{
    public const string HolderUserId = "m235477";
    public const string HolderPassword = "Demo-Holder-2026";
    public const string HolderFirstName = "Mario";
    public const string HolderLastName = "Rossi";
    public const string HolderFiscalCode = "RSSMRA80A01H501U";
    public const string HolderMobile = "+393331234567";
    /// <summary>The demo certificate's signature PIN.</summary>
    public const string HolderPin = "24681357";
    public const string HolderEmail = "mario.rossi@example.test";
    public const string RaoUsername = "rao.roma";
    public const string RaoPassword = "Demo-Operator-2026";
    /// <summary>Where the demo operator's sign-in OTP goes (read it at /dev/outbox).</summary>
    public const string RaoMobile = "+393471234567";
    public const string RaoOffice = "Roma Centro";
    /// <summary>A hardware token the demo TSP provisioned and nobody uses yet: its serial, and the code it shows at /dev/outbox.</summary>
    public const string TokenSerial = "MYS-DEMO-0001";
    /// <summary>The demo token's TOTP seed (demo data only: a real token's seed comes from its maker, through otp-import-tokens).</summary>
    public static readonly byte[] TokenSeed = "mysign-demo-token-01"u8.ToArray();
}

/// <summary>
/// A module's demo documents, written once at the first start in Development and tests. It returns the
/// messages that real operation would have sent (e.g. CertificateIssued), delivered after the seed commits.
/// </summary>
public interface IDemoSeeder
{
    IEnumerable<object> Seed(IDocumentSession session, DateTimeOffset now);
}
