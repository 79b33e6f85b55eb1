using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Marten;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.X509;
using Wolverine.Tracking;
using CertificateStatus = MySign.Certificates.Domain.CertificateStatus;

namespace MySign.Tests.Matrix;

/// <summary>
/// Certificate states × doors and views: for every state a certificate can be in (the product's CertificateStatus) and the
/// two ways a holder gets a new one (re-keyed at the RAO desk, renewed through the wizard), what every view says and
/// offers: the home page's boxes, the certificate page, the RAO console's holder page and list, the CSC API's
/// credentials/list and credentials/info, the OCSP responder and the CRL. Each cell is one view of one state; they must
/// all agree. A holder per state is made once, the real way (RAO registration, activation, then the portal's, the desk's
/// or the wizard's doors), and every view of it is a cell of its own. A new state is a failing row until it is arranged
/// here; a view is one line in <see cref="Views"/>.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class StateMatrixTests(AppFixture app)
{
    private AppFixture App => app;

    /// <summary>RFC 5280 reason codes by number, as the views name them.</summary>
    private static readonly string[] Reasons =
        ["Unspecified", "KeyCompromise", "CACompromise", "AffiliationChanged", "Superseded", "CessationOfOperation", "CertificateHold", "7", "RemoveFromCrl"];

    /// <summary>A state: how a holder gets there, and what it is (the status every view must say, the operation the RAO's list names).</summary>
    private sealed record State(string Name, string Status, string Operation, Func<StateMatrixTests, PortalHolder, Task> Arrange,
        Func<StateMatrixTests, Task<PortalHolder>>? Holder = null)
    {
        public bool Signs => Status == "active";
        public bool InUse => Status is "active" or "suspended";
    }

    /// <summary>A holder in a state, as the views see it: the certificate in use now, and the one it replaced (re-key, renewal) if any.</summary>
    private sealed record Arranged(State State, PortalHolder Holder, HolderCertificate Current, HolderCertificate? Replaced);

    private sealed record View(string Name, Func<StateMatrixTests, Arranged, Task> Check);

    /// <summary>The states a certificate has (CertificateStatus), then the histories that end in a new certificate.</summary>
    private static readonly Dictionary<string, State> States = new State[]
    {
        new("active", "active", "Certificate issued", (t, h) => Task.CompletedTask),
        new("suspended", "suspended", "Certificate suspended — by the holder in the portal", (t, h) => Journeys.ChangeStatusAsync(t.App, h, "suspend")),
        new("revoked", "revoked", "Certificate revoked — by the holder in the portal", (t, h) => Journeys.ChangeStatusAsync(t.App, h, "revoke")),
        new("expired", "expired", "Certificate issued", (t, h) => Task.CompletedTask, t => t.ExpiredHolderAsync()),
        new("re-keyed", "active", "New certificate under a new PIN", (t, h) => Journeys.RekeyAsync(t.App, h)),
        new("renewed", "active", "Certificate renewed", async (t, h) => await Journeys.RenewAsync(t.App, h)),
    }.ToDictionary(s => s.Name);

    private static readonly string[] Histories = ["re-keyed", "renewed"];

    private static readonly View[] Views =
    [
        new("home: certificate box", (t, a) => t.Home(a, box =>
        {
            box("#box-certificate .status").ShouldBe(Word(a.State.Status));
            Has(box, "#box-certificate a[href='/sign']", a.State.Signs, "Sign a document");
        })),
        new("home: suspension box", (t, a) => t.Home(a, box =>
        {
            Has(box, "#box-suspension a[href='/certificate/suspend']", a.State.Status == "active", "Suspend");
            Has(box, "#box-suspension a[href='/certificate/reactivate']", a.State.Status == "suspended", "Reactivate");
            Has(box, "#box-suspension a[href='/certificate/revoke']", a.State.InUse, "Revoke");
            Has(box, "#box-suspension form[action='/certificate/emergency-code'], #box-suspension form[action='/certificate/emergency-code/kept']", a.State.InUse,
                "the emergency code");
        })),
        new("home: PIN box", (t, a) => t.Home(a, box => Has(box, "#box-pin #pin-change-link", a.State.InUse, "Change PIN"))),
        new("home: renewal box", (t, a) => t.Home(a, box => Has(box, "#box-renewal #renewal-days-left", a.State.InUse, "days left"))),
        new("home: OTP box", (t, a) => t.Home(a, box => Has(box, "#box-otp form[action='/otp/token/start']", a.State.InUse, "OTP changes"))),
        new("certificate page", async (t, a) =>
        {
            var page = (await a.Holder.Client.GetAsync("/certificate")).Document;
            page.QuerySelector(".detail")!.TextContent.ShouldContain(Word(a.State.Status));
            page.QuerySelector(".detail")!.TextContent.ShouldContain(a.Current.UniqueIdentifier);
        }),
        new("RAO holder page", async (t, a) =>
        {
            using var rao = await t.Operator(a);
            var page = (await rao.GetAsync($"/rao/holders/{a.Holder.UserId}")).Document;
            page.QuerySelector("#holder-certificate-status")!.TextContent.ShouldContain(Word(a.State.Status));
            page.QuerySelector("#holder-iut")!.TextContent.Trim().ShouldBe(a.Current.UniqueIdentifier);
            page.QuerySelectorAll(".trail li").Select(li => li.TextContent).ShouldContain(o => o.Contains(a.State.Operation));
        }),
        new("RAO holder list", async (t, a) =>
        {
            using var rao = await t.Operator(a);
            var row = (await rao.GetAsync("/rao")).Document.QuerySelector($"a[href='/rao/holders/{a.Holder.UserId}']")!.Closest("tr")!;
            row.QuerySelectorAll("td").Last().TextContent.Trim().ShouldBe(Word(a.State.Status));
        }),
        new("CSC credentials/list", async (t, a) =>
        {
            var http = await t.Csc(a);
            (await Call(http, "credentials/list", "{}")).GetProperty("credentialIDs").EnumerateArray().Select(c => c.GetString())
                .ShouldBe([a.Current.CertificateId.ToString()]);
            (await Call(http, "credentials/list", """{"onlyValid": true}""")).GetProperty("credentialIDs").GetArrayLength().ShouldBe(a.State.Signs ? 1 : 0, "onlyValid");
        }),
        new("CSC credentials/info", async (t, a) =>
        {
            var info = await Call(await t.Csc(a), "credentials/info", $$"""{"credentialID": "{{a.Current.CertificateId}}"}""");
            info.GetProperty("cert").GetProperty("status").GetString().ShouldBe(a.State.Status == "active" ? "valid" : a.State.Status);
            info.GetProperty("key").GetProperty("status").GetString().ShouldBe(a.State.Signs ? "enabled" : "disabled");
        }),
        new("OCSP", async (t, a) =>
        {
            (await t.Ocsp(a.Current)).ShouldBe(a.State.Status switch { "suspended" => "revoked: CertificateHold", "revoked" => "revoked: KeyCompromise", _ => "good" });
            if (a.Replaced is { } old) (await t.Ocsp(old)).ShouldBe("revoked: Superseded", "the certificate it replaced");
        }),
        new("CRL", async (t, a) =>
        {
            var crl = await t.Crl();
            crl.GetValueOrDefault(a.Current.SerialNumber).ShouldBe(a.State.Status switch { "suspended" => "CertificateHold", "revoked" => "KeyCompromise", _ => null });
            if (a.Replaced is { } old) crl.GetValueOrDefault(old.SerialNumber).ShouldBe("Superseded", "the certificate it replaced");
        }),
    ];

    /// <summary>Every cell, named as the failure names it: "revoked × OCSP".</summary>
    public static TheoryData<string> Cells()
    {
        var cells = new TheoryData<string>();
        foreach (var state in Enum.GetNames<CertificateStatus>().Select(s => s.ToLowerInvariant()).Concat(Histories))
        foreach (var view in Views)
            cells.Add($"{state} × {view.Name}");
        return cells;
    }

    private static readonly ConcurrentDictionary<string, Lazy<Task<Arranged>>> Arrangements = new();

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task every_view_says_what_the_certificate_is_and_offers_only_what_applies(string cell)
    {
        var (stateName, viewName) = (cell[..cell.IndexOf(" × ", StringComparison.Ordinal)], cell[(cell.IndexOf(" × ", StringComparison.Ordinal) + 3)..]);
        States.TryGetValue(stateName, out var state).ShouldBeTrue($"{cell}: the matrix does not know how a holder gets to \"{stateName}\": add it to States.");
        var arranged = await Arrangements.GetOrAdd(stateName, _ => new Lazy<Task<Arranged>>(() => ArrangeAsync(state!))).Value;
        try
        {
            await Views.Single(v => v.Name == viewName).Check(this, arranged);
        }
        catch (Exception e) when (e is ShouldAssertException or NullReferenceException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ShouldAssertException($"{cell}: {e.Message}", e);
        }
    }

    // ---- arranging the states ------------------------------------------------------------------------------------------

    private async Task<Arranged> ArrangeAsync(State state)
    {
        var holder = state.Holder is { } make ? await make(this) : await Journeys.RegisteredAsync(app, "Sara", "F");
        var first = await CertificateOf(holder.UserId);
        await state.Arrange(this, holder);
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        var current = await CertificateOf(holder.UserId);
        return new Arranged(state, holder, current, current.CertificateId == first.CertificateId ? null : Histories.Contains(state.Name) ? first : null);
    }

    /// <summary>
    /// No door expires a certificate: time does. So this holder's account is made as registration and activation leave it
    /// (at the operator's office, activated) and its first certificate is one that ended half a minute ago (the run's CA is
    /// minutes old, and no certificate starts before its issuer).
    /// </summary>
    private async Task<PortalHolder> ExpiredHolderAsync()
    {
        var op = await Operators.CreateAsync(app.Store);
        var holder = await Holders.CreateAsync(app.Store, "Sara", "Testa");
        await using (var session = app.Store.LightweightSession())
        {
            var account = (await session.LoadAsync<MySign.Accounts.Domain.HolderAccount>(holder.Id))!;
            (account.Office, account.RegisteredBy, account.RegisteredAt, account.ActivatedAt) = (op.Office, op.Id, DateTimeOffset.UtcNow.AddYears(-3), DateTimeOffset.UtcNow.AddYears(-3));
            session.Store(account);
            await session.SaveChangesAsync();
        }
        await app.Host.ExecuteAndWaitAsync(m => m.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Sara", "Testa", "TSTSRA80A41H501X", Journeys.FirstPin,
            ValidFrom: DateTimeOffset.UtcNow.AddMinutes(-3), NotAfter: DateTimeOffset.UtcNow.AddSeconds(-30))));
        var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        var applicant = new Applicant("Sara", "Testa", "F", new DateOnly(1980, 1, 1), holder.Email, holder.Phone);
        return new PortalHolder(holder.Id, holder.Password, applicant, op, client) { Device = new SmsDevice(app.Store, holder.Phone) };
    }

    private async Task<HolderCertificate> CertificateOf(string holderId)
    {
        await using var session = app.Store.QuerySession();
        return (await session.LoadAsync<HolderCertificate>(holderId))!;
    }

    // ---- the views --------------------------------------------------------------------------------------------------------

    private static string Word(string status) => char.ToUpperInvariant(status[0]) + status[1..];

    private async Task Home(Arranged a, Action<Func<string, string>> check)
    {
        var page = (await a.Holder.Client.GetAsync("/")).Document;
        check(selector => page.QuerySelector(selector)?.TextContent.Trim() ?? throw new ShouldAssertException($"nothing at {selector}"));
    }

    /// <summary>An offer is there, or not, as the state says.</summary>
    private static void Has(Func<string, string> box, string selector, bool expected, string what)
    {
        string? found;
        try { found = box(selector); }
        catch (ShouldAssertException) { found = null; }
        (found is not null).ShouldBe(expected, $"{what} {(expected ? "should be offered" : "should not be offered")}");
    }

    private async Task<PortalClient> Operator(Arranged a)
    {
        var rao = app.Client();
        await Operators.SignInAsync(rao, app.Store, a.Holder.RegisteredBy);
        return rao;
    }

    private async Task<HttpClient> Csc(Arranged a)
    {
        var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost/csc/v2/") };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", "10.7." + Random.Shared.Next(0, 250) + "." + Random.Shared.Next(1, 250));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{a.Holder.UserId}:{a.Holder.Password}")));
        var token = (await Call(http, "auth/login", "{}")).GetProperty("access_token").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<JsonElement> Call(HttpClient http, string method, string json)
    {
        var answer = await http.PostAsync(method, new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await answer.Content.ReadAsStringAsync();
        answer.IsSuccessStatusCode.ShouldBeTrue($"{method}: {(int)answer.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<X509Certificate> Issuing()
    {
        using var client = app.Client();
        return new X509CertificateParser().ReadCertificate(Encoding.ASCII.GetBytes((await client.GetAsync("/ca/issuing.pem")).Html));
    }

    /// <summary>What the OCSP responder says of a certificate, asked as a relying party would (BouncyCastle, not our code): "good", "revoked: reason", "unknown".</summary>
    private async Task<string> Ocsp(HolderCertificate certificate)
    {
        var generator = new OcspReqGenerator();
        generator.AddRequest(new CertificateID(CertificateID.DigestSha1, await Issuing(), new BigInteger(certificate.SerialNumber, 16)));
        using var client = app.Client();
        var request = new HttpRequestMessage(HttpMethod.Post, "/ocsp") { Content = new ByteArrayContent(generator.Generate().GetEncoded()) };
        request.Content.Headers.ContentType = new("application/ocsp-request");
        var answer = await client.Http.SendAsync(request);
        var response = new OcspResp(await answer.Content.ReadAsByteArrayAsync());
        response.Status.ShouldBe(0, "a successful OCSP response");
        var status = ((BasicOcspResp)response.GetResponseObject()).Responses.Single().GetCertStatus();
        return status switch
        {
            null => "good",
            RevokedStatus revoked => "revoked: " + (revoked.HasRevocationReason ? Reasons[revoked.RevocationReason] : "none"),
            _ => "unknown",
        };
    }

    /// <summary>The CRL at the address in every certificate, read by BouncyCastle: serial (hex, upper case) → reason.</summary>
    private async Task<Dictionary<string, string?>> Crl()
    {
        using var client = app.Client();
        var crl = new X509CrlParser().ReadCrl(await client.Response("/crl/issuing.crl"));
        crl.Verify((await Issuing()).GetPublicKey());
        return (crl.GetRevokedCertificates() ?? new HashSet<X509CrlEntry>()).ToDictionary(e => e.SerialNumber.ToString(16).ToUpperInvariant(), e =>
        {
            var extension = e.GetExtensionValue(X509Extensions.ReasonCode);
            return extension is null ? null
                : Reasons[CrlReason.GetInstance(Org.BouncyCastle.X509.Extension.X509ExtensionUtilities.FromExtensionValue(extension)).IntValueExact];
        });
    }
}
