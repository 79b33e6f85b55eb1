using MySign.Dev;
using System.Text;
using System.Text.RegularExpressions;
using Marten;
using MySign.Accounts.Domain;
using MySign.Renewal.Domain;

namespace MySign.Tests.Foundation;

/// <summary>The host as it is shipped: ASPNETCORE_ENVIRONMENT=Production, no demo data, the secrets fly.toml's deployment sets.</summary>
public sealed partial class ProductionStartTests : IAsyncLifetime
{
    private readonly SmtpServer _smtp = new();

    public Task InitializeAsync() => _smtp.StartAsync();
    public async Task DisposeAsync() => await _smtp.DisposeAsync();

    public static Dictionary<string, string> Production(bool hosted) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Demo__Seed"] = "false",
        ["Otp__Pepper"] = "production-test-pepper", ["Certificates__KeySecret"] = "production-test-key-secret",
        ["Billing__Payments__WebhookSecret"] = "production-test-webhook-secret", ["Wolverine__Mode"] = "Solo",
        ["Billing__Payments__Provider"] = hosted ? "hosted" : "", ["Billing__Payments__Url"] = hosted ? "http://127.0.0.1:9/" : "",
        ["Billing__Payments__ApiKey"] = hosted ? "production-test-api-key" : "",
        ["Billing__Payments__Iban"] = "IT42L1234512345123456789012", ["Billing__Payments__Beneficiary"] = "Firma Sicura S.p.A.",
        ["Billing__Payments__Bic"] = "BCITITMM",
        // The seller invoices are made out by, and the PEC channel to SdI (a closed port unless a test gives it a server).
        ["Billing__Seller__VatNumber"] = "12345678903", ["Billing__Seller__FiscalCode"] = "12345678903", ["Billing__Seller__Name"] = "Firma Sicura S.p.A.",
        ["Billing__Seller__Street"] = "Corso Vittorio Emanuele II 10", ["Billing__Seller__PostCode"] = "10123", ["Billing__Seller__City"] = "Torino",
        ["Billing__Seller__Province"] = "TO", ["Billing__Seller__RegimeFiscale"] = "RF01", ["Billing__Seller__Rea__Office"] = "TO",
        ["Billing__Seller__Rea__Number"] = "1234567", ["Billing__Sdi__Channel"] = "pec", ["Billing__Sdi__Pec__Host"] = "127.0.0.1",
        ["Billing__Sdi__Pec__Port"] = "9", ["Billing__Sdi__Pec__User"] = "fatture@pec.firmasicura.example", ["Billing__Sdi__Pec__Password"] = "production-test-pec-password",
        ["Billing__Sdi__Pec__From"] = "fatture@pec.firmasicura.example", ["Billing__Sdi__WebhookToken"] = "production-test-sdi-token",
    };

    [Fact]
    public async Task production_refuses_to_start_with_the_sandbox_payment_provider_and_names_the_setting()
    {
        await using var app = new AppProcess();
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => app.StartAsync(_smtp, Production(hosted: false)));
        refused.Message.ShouldContain("Billing__Payments__Provider=hosted");
        refused.Message.ShouldNotContain("Application started");
    }

    /// <summary>Only Development may use development defaults: a Staging (or any other) host needs Production's settings.</summary>
    [Theory]
    [InlineData("Otp__Pepper", "Otp:Pepper must be configured")]
    [InlineData("Certificates__KeySecret", "Certificates:KeySecret must be configured")]
    [InlineData("Billing__Payments__WebhookSecret", "Billing:Payments:WebhookSecret must be configured")]
    [InlineData("Billing__Payments__Provider", "Billing__Payments__Provider=hosted")]
    [InlineData("Portal__BaseUrl", "Portal:BaseUrl must be configured")]
    [InlineData("Billing__Payments__Iban", "Billing__Payments__Iban")]
    [InlineData("Billing__Seller__VatNumber", "Billing__Seller__VatNumber")]
    [InlineData("Billing__Sdi__Channel", "Billing__Sdi__Channel")]
    public async Task staging_refuses_every_development_default_and_names_the_setting(string missing, string message)
    {
        await using var app = new AppProcess();
        var settings = Production(hosted: true);
        settings["ASPNETCORE_ENVIRONMENT"] = "Staging";
        settings[missing] = "";
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => app.StartAsync(_smtp, settings, releaseStep: true));
        refused.Message.ShouldContain(message);
    }

    [Fact]
    public async Task production_refuses_to_start_without_the_account_holders_wire_transfers_to_and_names_the_settings()
    {
        await using var app = new AppProcess();
        var settings = Production(hosted: true);
        settings["Billing__Payments__Iban"] = "";
        settings["Billing__Payments__Bic"] = "";
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => app.StartAsync(_smtp, settings));
        refused.Message.ShouldContain("Billing__Payments__Iban, Billing__Payments__Bic must be configured in Production");
    }

    [Fact]
    public async Task production_refuses_to_start_without_the_sellers_settings_and_names_them()
    {
        await using var app = new AppProcess();
        var settings = Production(hosted: true);
        foreach (var setting in new[] { "VatNumber", "Name", "Rea__Number", "RegimeFiscale" }) settings.Remove("Billing__Seller__" + setting);
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => app.StartAsync(_smtp, settings));
        refused.Message.ShouldContain("Billing__Seller__VatNumber, Billing__Seller__Name, Billing__Seller__RegimeFiscale, Billing__Seller__Rea__Number must be configured in Production");
    }

    [Fact]
    public async Task production_refuses_to_start_with_the_sandbox_sdi()
    {
        await using var app = new AppProcess();
        var settings = Production(hosted: true);
        settings["Billing__Sdi__Channel"] = "sandbox";
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => app.StartAsync(_smtp, settings));
        refused.Message.ShouldContain("Billing__Sdi__Channel must be");
        refused.Message.ShouldContain("the sandbox SdI would accept invoices nobody sends");
    }

    /// <summary>The keys live in the HSM (docs/adr/0015): Production names the vendor's module, the token and its PIN, or does not start.</summary>
    [Theory]
    [InlineData("Hsm__Library", "Hsm:Library must be configured")]
    [InlineData("Hsm__TokenLabel", "Hsm:TokenLabel must be configured")]
    [InlineData("Hsm__Pin", "Hsm:Pin must be configured")]
    public async Task production_refuses_to_start_without_its_hsm_and_names_the_setting(string missing, string message)
    {
        // Deployed as an operator does (release step and CA ceremony, with the token), then a node restarted without the setting.
        await using var app = new AppProcess();
        var settings = Production(hosted: true);
        await app.StartAsync(_smtp, settings, releaseStep: true);
        await app.KillAsync();
        settings[missing] = "";
        var refused = await Should.ThrowAsync<InvalidOperationException>(app.RestartAsync);
        refused.Message.ShouldContain(message);
    }

    [Fact]
    public async Task production_refuses_to_start_without_its_public_address()
    {
        await using var app = new AppProcess();
        var settings = Production(hosted: true);
        settings["Portal__BaseUrl"] = "";
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => app.StartAsync(_smtp, settings));
        refused.Message.ShouldContain("Portal:BaseUrl must be configured in Production");
    }

    [Fact]
    public async Task in_development_links_in_mails_point_at_the_port_the_portal_listens_on()
    {
        await using var app = new AppProcess();
        await app.StartAsync(_smtp, new Dictionary<string, string> { ["Portal__BaseUrl"] = "" });
        using var visitor = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, app.BaseAddress);
        await visitor.GetAsync("/forgot-password");
        await visitor.PostAsync("/forgot-password", new() { ["user_id"] = Demo.HolderUserId });
        var mail = await _smtp.WaitForAsync(Demo.HolderEmail, m => m.TextBody?.Contains("/reset-password?token=") == true);
        mail.TextBody!.ShouldContain(app.BaseAddress.ToString().TrimEnd('/') + "/reset-password?token=");

        // A card payment at the sandbox provider sends the browser back to this port too, not to 5000.
        using var store = AppStore.For(app.ConnectionString);
        using var holder = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, app.BaseAddress);
        await holder.LoginAsync(Demo.HolderUserId, Demo.HolderPassword);
        await holder.GetAsync("/renewal");
        var renewal = (await holder.PostAsync("/renewal", new() { ["path"] = "store" })).Location!;
        await holder.GetAsync(renewal);
        await holder.PostAsync(renewal + "/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = Demo.HolderPin });
        await holder.PostAsync(renewal + "/confirm", new() { ["code"] = await Holders.LastSmsCodeAsync(store, Demo.HolderMobile) });
        var order = Guid.Parse((await holder.PostAsync(renewal + "/store", new())).Location!.Split('/').Last());
        await StoreAccounts.CreateAndConfirmAsync(holder, _smtp, order, "Mario Rossi", "port-test@example.test", "a store password 1");
        var provider = (await holder.PostAsync($"/store/orders/{order}/pay", new()
        {
            ["type"] = "private", ["billing_name"] = "Mario Rossi", ["fiscal_code"] = Demo.HolderFiscalCode, ["address"] = "Via del Corso 12", ["post_code"] = "00186", ["city"] = "Roma", ["province"] = "RM",
            ["confirm"] = "on", ["method"] = "card",
        })).Location!;
        await holder.GetAsync(provider);
        (await holder.PostAsync(provider, new() { ["decision"] = "approve" })).Location
            .ShouldBe(app.BaseAddress.ToString().TrimEnd('/') + $"/store/orders/{order}");
    }

    [GeneratedRegex(@"/activate\?token=[A-Za-z0-9_-]+")]
    private static partial Regex ActivationLink();

    /// <summary>
    /// fly.toml's deployment, end to end, with nothing from the demo: the release step on an empty database, the host in
    /// Production with the hosted payment provider (a stub on loopback), an operator made by command, a holder
    /// registered and activated, three years later a renewal bought in the store and paid by a signed webhook.
    /// </summary>
    [Fact]
    public async Task a_fresh_production_deployment_registers_activates_and_sells_a_renewal_without_demo_data()
    {
        await using var provider = new PaymentProviderStub();
        // The PEC provider's server: TLS, and only the seller's mailbox with its password may send.
        await using var pec = new SmtpServer(tls: true, "fatture@pec.firmasicura.example", "production-test-pec-password");
        await pec.StartAsync();
        var settings = Production(hosted: true);
        settings["Billing__Payments__Url"] = provider.Url;
        settings["Billing__Sdi__Pec__Port"] = pec.Port.ToString();
        settings["Billing__Sdi__Pec__TrustedCertificate"] = pec.CertificatePath;
        settings["Metrics__Token"] = "production-test-metrics-token";
        await using var app = new AppProcess();
        await app.StartAsync(_smtp, settings, releaseStep: true);
        using var store = AppStore.For(app.ConnectionString);
        await using (var empty = store.QuerySession())
        {
            (await empty.Query<HolderAccount>().CountAsync()).ShouldBe(0, "no demo holder");
            (await empty.Query<RaoOperator>().CountAsync()).ShouldBe(0, "no demo operator");
        }
        PortalClient Browser() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, app.BaseAddress);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var ready = await http.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.OK, await ready.Content.ReadAsStringAsync());

        var op = new TestOperator("rao.torino", "a torino operator passphrase", "Torino Centro", "+393471112299");
        var (exit, output) = await app.RunWithInputAsync(op.Password, "rao-add", op.Id, op.Office, "Anna Operatrice", op.Mobile);
        exit.ShouldBe(0, output);
        (await app.RunAsync("rao-list")).Output.ShouldContain("rao.torino\tTorino Centro");

        using var rao = Browser();
        (await Operators.SignInAsync(rao, store, op)).Location.ShouldBe("/rao");
        var applicant = Applicant.New("Paola");
        await rao.GetAsync("/rao/holders/new");
        var registered = await rao.PostAsync("/rao/holders", applicant.Form());
        registered.Status.ShouldBe(HttpStatusCode.Redirect, registered.Text);
        var userId = registered.Location!.Split('/').Last().Split('?')[0];

        using var holder = Browser();
        var activationMail = await _smtp.WaitForAsync(applicant.Email, m => ActivationLink().IsMatch(m.TextBody ?? ""));
        // The footer names the TSP that runs this release (its seller settings), never the demo company of Development.
        activationMail.TextBody!.ShouldContain("Firma Sicura S.p.A.");
        activationMail.TextBody!.ShouldNotContain("MySign S.p.A.");
        var activation = ActivationLink().Match(activationMail.TextBody!).Value;
        var token = (await holder.GetAsync(activation)).Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        const string password = "paola's production passphrase", pin = "40516273", newPin = "73928164";
        (await holder.PostAsync("/activate", new() { ["token"] = token, ["password"] = password, ["password_confirm"] = password, ["pin"] = pin, ["pin_confirm"] = pin }))
            .Status.ShouldBe(HttpStatusCode.OK);
        (await holder.PostAsync("/activate/confirm", new() { ["token"] = token, ["code"] = await Holders.LastSmsCodeAsync(store, applicant.Mobile) })).Location.ShouldBe("/");

        await AppClock.DueInAMonthAsync(store, app.ConnectionString, userId);
        await holder.GetAsync("/renewal");
        var renewal = (await holder.PostAsync("/renewal", new() { ["path"] = "store" })).Location!;
        await holder.GetAsync(renewal);
        (await holder.PostAsync(renewal + "/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = pin })).Status.ShouldBe(HttpStatusCode.OK);
        (await holder.PostAsync(renewal + "/confirm", new() { ["code"] = await Holders.LastSmsCodeAsync(store, applicant.Mobile) })).Status.ShouldBe(HttpStatusCode.OK);
        var cart = (await holder.PostAsync(renewal + "/store", new())).Location!;
        var order = Guid.Parse(cart.Split('/').Last());
        (await holder.GetAsync(cart)).Document.QuerySelector("#cart-total")!.TextContent.ShouldBe("€36.60", "the catalogue came with the release");
        await StoreAccounts.CreateAndConfirmAsync(holder, _smtp, order, "Paola " + applicant.LastName, "store-" + applicant.Email, "paola-store-password");
        var toProvider = await holder.PostAsync($"/store/orders/{order}/pay", new()
        {
            ["type"] = "private", ["billing_name"] = "Paola " + applicant.LastName, ["fiscal_code"] = applicant.FiscalCode,
            ["address"] = "Via Roma 1", ["post_code"] = "10121", ["city"] = "Torino", ["province"] = "TO", ["confirm"] = "on", ["method"] = "card",
        });
        toProvider.Location!.ShouldStartWith("https://pay.provider.example/", customMessage: "the browser goes to the real provider's page");
        provider.Sessions.ShouldHaveSingleItem().GetProperty("amount").GetString().ShouldBe("36.60");

        var webhook = ProviderWebhook.Paid(settings["Billing__Payments__WebhookSecret"], order);
        (await http.SendAsync(webhook)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var renewalId = Guid.Parse(renewal.Split('/').Last());
        for (var i = 0; i < 100; i++)
        {
            await using var session = store.QuerySession();
            if ((await session.LoadAsync<RenewalRequest>(renewalId))?.Step == RenewalStep.Activate) break;
            await Task.Delay(100);
        }
        await holder.GetAsync(renewal);
        (await holder.PostAsync(renewal + "/pin", new() { ["new_pin"] = newPin, ["confirm_pin"] = newPin })).Status.ShouldBe(HttpStatusCode.OK);
        (await holder.PostAsync(renewal + "/activate", new() { ["code"] = await Holders.LastSmsCodeAsync(store, applicant.Mobile) }))
            .Text.ShouldContain("Your Remote Signature certificate has been renewed.");

        // The renewal's invoice went to SdI by PEC, over TLS, from the seller's PEC mailbox: FatturaPA, valid, the seller's.
        var invoice = await pec.WaitForAsync("sdi01@pec.fatturapa.it", m => m.Attachments.Any(), TimeSpan.FromSeconds(60));
        invoice.From.Mailboxes.Single().Address.ShouldBe("fatture@pec.firmasicura.example");
        var file = (MimeKit.MimePart)invoice.Attachments.Single();
        file.FileName!.ShouldMatch(@"^IT12345678903_[0-9A-Z]{5}\.xml$");
        invoice.Subject.ShouldBe(file.FileName);
        using (var xml = new MemoryStream())
        {
            await file.Content!.DecodeToAsync(xml);
            await Xmllint.ValidateAsync(Xmllint.FatturaPa, file.FileName!, xml.ToArray());
            Encoding.UTF8.GetString(xml.ToArray()).ShouldContain("<Denominazione>Firma Sicura S.p.A.</Denominazione>");
        }
        // SdI's receipt comes back through the PEC mailbox's forwarding to the webhook: the holder sees the invoice delivered.
        var receipt = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sdi") { Content = new StringContent($"""
            <types:RicevutaConsegna xmlns:types="http://www.fatturapa.gov.it/sdi/messaggi/v1.0" versione="1.0"><IdentificativoSdI>4242</IdentificativoSdI>
            <NomeFile>{file.FileName}</NomeFile><DataOraRicezione>2026-12-01T10:00:00.000+01:00</DataOraRicezione><DataOraConsegna>2026-12-01T10:00:09.000+01:00</DataOraConsegna>
            <Destinatario><Codice>0000000</Codice><Descrizione>PEC</Descrizione></Destinatario><MessageId>778899</MessageId></types:RicevutaConsegna>
            """, Encoding.UTF8, "application/xml") };
        receipt.Headers.Authorization = new("Bearer", settings["Billing__Sdi__WebhookToken"]);
        (await http.SendAsync(receipt)).StatusCode.ShouldBe(HttpStatusCode.OK);
        for (var i = 0; i < 100 && (await holder.GetAsync(cart)).Document.QuerySelector(".sdi-state")?.GetAttribute("data-state") != "delivered"; i++) await Task.Delay(100);
        (await holder.GetAsync(cart)).Document.QuerySelector(".sdi-state")!.GetAttribute("data-state").ShouldBe("delivered");

        (await http.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "metrics are not public in Production");
        var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new("Bearer", settings["Metrics__Token"]);
        var metrics = await (await http.SendAsync(scrape)).Content.ReadAsStringAsync();
        metrics.ShouldContain("mysign_renewals_completed");
        metrics.ShouldContain("http_server_request_duration");
    }

    [Fact]
    public async Task production_starts_with_the_hosted_provider_sends_hsts_and_no_server_header_and_has_no_sandbox_pages()
    {
        await using var app = new AppProcess();
        await app.StartAsync(_smtp, Production(hosted: true), releaseStep: true);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var login = await http.GetAsync("/login");
        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        login.Headers.Contains("Strict-Transport-Security").ShouldBeTrue();
        login.Headers.GetValues("Strict-Transport-Security").Single().ShouldContain("max-age=");
        login.Headers.Contains("Server").ShouldBeFalse("no Server header tells what runs the site");
        (await http.GetAsync("/store/sandbox/cs_0123456789abcdef01234567")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetAsync("/dev/outbox")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
