using Marten;
using Microsoft.Extensions.Configuration;
using MySign.Accounts.Domain;
using MySign.Billing.Domain;
using MySign.Billing.Payments;
using MySign.Certificates.Contracts;
using MySign.Certificates.Issuance;
using MySign.History.Contracts;
using MySign.History.Domain;
using MySign.History.Recording;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;

namespace MySign.Dev.Seeders;

// Each module's demo documents, written with the module's own public types, once, when the demo seed is on.

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


public sealed class CertificatesDemoSeeder : IDemoSeeder
{
    /// <summary>A real certificate, issued after the seed commits (the message carries the PIN, so it is invoked, never queued).
    /// Backdated so that two months are left: the demo shows the renewal window open.</summary>
    public IEnumerable<object> Seed(IDocumentSession session, DateTimeOffset now) =>
    [
        new IssueCertificate(Demo.HolderUserId, Demo.HolderFirstName, Demo.HolderLastName, Demo.HolderFiscalCode, Demo.HolderPin,
            ValidFrom: now - Issuer.Validity + TimeSpan.FromDays(61)),
    ];
}


public sealed class HistoryDemoSeeder : IDemoSeeder
{
    private static readonly string[] Documents = ["Contratto_locazione.pdf", "Offerta_2026-118.pdf", "Verbale_assemblea.pdf", "Fattura_0042.xml"];

    public IEnumerable<object> Seed(IDocumentSession session, DateTimeOffset now)
    {
        var counters = new SignatureCounters { Id = Demo.HolderUserId };
        for (var i = 0; i < 12; i++)
        {
            var at = now.AddDays(-i * 2).AddHours(-i);
            var id = new Guid($"00000000-0000-4000-8000-{i:D12}");
            var record = SignatureMadeHandler.ToRecord(new SignatureMade(id, Demo.HolderUserId, Guid.Empty, at,
                Documents[i % Documents.Length], "SHA-256", true, i % 3 == 0 ? SignatureChannel.Api : SignatureChannel.Portal));
            session.Store(record);
            counters.Count(record, now);
        }
        session.Store(counters);
        return [];
    }
}


public sealed class OtpDemoSeeder : IDemoSeeder
{
    public IEnumerable<object> Seed(IDocumentSession session, DateTimeOffset now)
    {
        session.Store(new OtpSettings { Id = Demo.HolderUserId, Mode = ReceptionMode.Sms, PhoneNumber = Demo.HolderMobile });
        return [];
    }
}

public sealed class BillingDemoSeeder(IConfiguration configuration) : IDemoSeeder
{
    /// <summary>
    /// Last year's renewal, bought in the store by card: an order like the store makes, and the provider's payment applied
    /// by the same handler that applies every payment, so its invoice is issued and sent to the (sandbox) SdI as any other.
    /// The buyer has a PEC, so SdI delivers it (RC).
    /// </summary>
    public IEnumerable<object> Seed(IDocumentSession session, DateTimeOffset now)
    {
        var product = Billing.Catalogue.CatalogueFile.Load(configuration).Products.First(p => p.Sku == Product.RemoteSignature3Years);
        var paidAt = now.AddYears(-1);
        var order = new Order
        {
            Id = new Guid("00000000-0000-4000-8000-00000000b111"), HolderId = Demo.HolderUserId, RenewalId = new Guid("00000000-0000-4000-8000-00000000b112"),
            Sku = product.Sku, ProductName = product.Name.GetValueOrDefault("en") ?? product.Sku, ProductNameIt = product.Name.GetValueOrDefault("it"), Status = OrderStatus.AwaitingPayment,
            CreatedAt = paidAt.AddMinutes(-10), CustomerEmail = Demo.HolderEmail, Method = "card", ProviderSession = "cs_demo_last_year", Language = "it",
            Billing = new BillingInfo("private", $"{Demo.HolderFirstName} {Demo.HolderLastName}", Demo.HolderFiscalCode, null, "Via del Corso 12", "00186", "Roma", "RM",
                Pec: "mario.rossi@pec.example.test"),
        };
        order.Price(product.NetPrice, product.VatRate, 0);
        session.Store(order);
        return [new ApplyPaymentEvent("card", new PaymentEvent("evt_demo_last_year", "payment.succeeded", order.Id,
            order.Gross.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), "EUR"), paidAt)];
    }
}
