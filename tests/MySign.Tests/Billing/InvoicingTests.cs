using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Marten;
using MySign.Billing.Contracts;
using MySign.Billing.Domain;
using MySign.Billing.Invoicing;
using MySign.Billing.Sdi;
using Wolverine.Tracking;

namespace MySign.Tests.Billing;

/// <summary>
/// Italian invoicing as a buyer and an operator meet it: each paid order gets its FatturaPA invoice (valid against the
/// official schema, read with xmllint), the order page shows its number and where it is with the Sistema di Interscambio
/// (the sandbox here, answering RC, MC or NS), the mail carries the PDF as a courtesy copy with the same number and totals;
/// a rejected invoice reaches the operators, who correct it and send it again; a refund of an invoiced sale is a credit note.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class InvoicingTests(AppFixture app)
{
    private static readonly Dictionary<string, string> Consumer = new()
    {
        ["type"] = "private", ["billing_name"] = "Paolo Gallo", ["fiscal_code"] = "GLLPLA80A01H501X", ["address"] = "Via Roma 1", ["post_code"] = "00100",
        ["city"] = "Roma", ["province"] = "RM",
    };

    private static Dictionary<string, string> Buyer(string kind) => kind switch
    {
        "consumer" => new(Consumer),
        "consumer with PEC" => new(Consumer) { ["pec"] = "paolo.gallo@pec.example.it" },
        "company" => new(Consumer) { ["type"] = "company", ["billing_name"] = "Gallo Forniture S.r.l.", ["fiscal_code"] = "", ["vat_number"] = "12345678903", ["recipient_code"] = "M5UXCR1" },
        "company unknown to SdI" => new(Consumer) { ["type"] = "company", ["billing_name"] = "Gallo Errata S.r.l.", ["fiscal_code"] = "", ["vat_number"] = "12345678903", ["recipient_code"] = SdiRules.UnregisteredRecipientCode },
        "abroad" => new(Consumer) { ["type"] = "foreign", ["billing_name"] = "Société Générale de Signature", ["fiscal_code"] = "", ["vat_number"] = "FR40303265045",
            ["address"] = "12 Rue de la Paix", ["post_code"] = "75002", ["city"] = "Paris", ["province"] = "", ["country"] = "FR" },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>A holder at the store who signs up, types the billing information and pays; the order paid.</summary>
    private async Task<(PortalClient Client, Guid Renewal, Guid Order, string Email)> Paid(string buyer, string method, string? promo = null)
    {
        var (holder, client, renewal, order) = await StoreJourney.AtTheStoreAsync(app);
        await client.GetAsync($"/store/orders/{order}");
        if (promo is not null) (await client.PostAsync($"/store/orders/{order}/promo", new() { ["promo"] = promo })).Status.ShouldBe(HttpStatusCode.OK);
        var email = $"invoice-{holder.Id}@example.test";
        await StoreAccounts.CreateAndConfirmAsync(client, app.Smtp, order, "Paolo Gallo", email, "store-password-1");
        var pay = await client.PostAsync($"/store/orders/{order}/pay", new(Buyer(buyer)) { ["confirm"] = "on", ["method"] = method });
        pay.Status.ShouldBe(HttpStatusCode.Redirect, pay.Text);
        if (method == "transfer")
        {
            var reference = (await client.GetAsync($"/store/orders/{order}")).Document.QuerySelector("#transfer-reference")!.TextContent;
            using var bank = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
            var amount = (await Order(order)).Gross.ToString("0.00", CultureInfo.InvariantCulture);
            var imported = await BankStatements.ImportAsync(bank, BankStatements.Camt053(($"INV-{order:N}", amount, reference)), AppFixture.BankImportToken);
            (await imported.Content.ReadAsStringAsync()).ShouldContain("\"paid\":1");
        }
        else
        {
            (await client.PostAsync(pay.Location!, new() { ["decision"] = "approve" })).Location!.ShouldEndWith($"/store/orders/{order}");
        }
        return (client, renewal, order, email);
    }

    private async Task<Order> Order(Guid id)
    {
        await using var session = app.Store.QuerySession();
        return (await session.LoadAsync<Order>(id))!;
    }

    /// <summary>The order page, once the document shown first has reached <paramref name="state"/> (SdI's answer comes a second after the file).</summary>
    private async Task<PortalClient.Page> PageOnceSdi(PortalClient client, Guid order, string state, int document = 0)
    {
        PortalClient.Page page = null!;
        for (var i = 0; i < 150; i++)
        {
            page = await client.GetAsync($"/store/orders/{order}");
            var states = page.Document.QuerySelectorAll(".fiscal-document .sdi-state").Select(e => e.GetAttribute("data-state")).ToList();
            if (states.Count > document && states[document] == state) return page;
            await Task.Delay(200);
        }
        throw new TimeoutException($"The order's document {document} never became {state}: {string.Join(" | ", page.Document.QuerySelectorAll(".fiscal-document").Select(e => e.TextContent.Trim()))}");
    }

    private static XElement Xml(byte[] bytes) => XDocument.Load(new MemoryStream(bytes)).Root!;

    public static TheoryData<string, string, string?, string, string, string> Purchases() => new()
    {
        // buyer, method, promo code, total, CodiceDestinatario, what SdI answers
        { "consumer", "card", null, "36.60", "0000000", "available" },
        { "consumer with PEC", "paypal", null, "36.60", "0000000", "delivered" },
        { "company", "transfer", "WELCOME10", "32.94", "M5UXCR1", "delivered" },
        { "abroad", "paypal", "FIVEOFF", "30.50", "XXXXXXX", "available" },
    };

    [Theory, MemberData(nameof(Purchases))]
    public async Task a_paid_order_has_its_fatturapa_invoice_valid_against_the_xsd_on_its_page_with_its_sdi_state_and_a_courtesy_copy_with_the_same_number_and_totals(
        string buyer, string method, string? promo, string total, string recipient, string answer)
    {
        var (client, _, order, email) = await Paid(buyer, method, promo);
        var page = await PageOnceSdi(client, order, answer);
        var paid = await Order(order);
        var number = paid.InvoiceNumber!;
        number.ShouldMatch(@"^\d{4}/\d{6}$");
        var section = page.Document.QuerySelector(".fiscal-document")!;
        section.QuerySelector("h2")!.TextContent.ShouldBe($"Invoice {number}");
        var link = section.QuerySelector("a.document-xml")!.GetAttribute("href")!;
        link.ShouldMatch($@"^/store/orders/{order}/files/IT01234567897_[0-9A-Z]{{5}}\.xml$");

        using var download = await client.Http.GetAsync(link);
        download.Content.Headers.ContentDisposition!.FileName!.Trim('"').ShouldBe(link.Split('/').Last());
        var bytes = await download.Content.ReadAsByteArrayAsync();
        await Xmllint.ValidateAsync(Xmllint.FatturaPa, link.Split('/').Last(), bytes);
        var xml = Xml(bytes);
        xml.Descendants("Numero").Single().Value.ShouldBe(number);
        xml.Descendants("TipoDocumento").Single().Value.ShouldBe("TD01");
        xml.Descendants("ImportoTotaleDocumento").Single().Value.ShouldBe(total);
        xml.Descendants("CodiceDestinatario").Single().Value.ShouldBe(recipient);
        xml.Descendants("ModalitaPagamento").Single().Value.ShouldBe(method == "transfer" ? "MP05" : "MP08");
        if (promo is not null) xml.Descendants("ScontoMaggiorazione").ShouldHaveSingleItem();

        // The courtesy copy, downloaded and mailed: labelled so, with the same number and total.
        var money = "€" + decimal.Parse(total, CultureInfo.InvariantCulture).ToString("N2", CultureInfo.GetCultureInfo("en-GB"));
        var pdf = await Pdf.TextAsync(await client.Response($"/store/orders/{order}/invoice.pdf"));
        foreach (var expected in new[] { "Courtesy copy", number, money, "MySign S.p.A." }) pdf.ShouldContain(expected);
        var mail = await app.Smtp.WaitForAsync(email, m => m.Subject == "MySign Store: order confirmation and invoice");
        mail.TextBody!.ShouldContain("courtesy copy");
        var attached = (MimeKit.MimePart)mail.Attachments.Single();
        using var attachment = new MemoryStream();
        await attached.Content!.DecodeToAsync(attachment);
        var mailed = await Pdf.TextAsync(attachment.ToArray());
        foreach (var expected in new[] { "Courtesy copy", number, money }) mailed.ShouldContain(expected);

        // And in the holder's list of orders.
        (await client.GetAsync("/store/orders")).Document.QuerySelector($"a[href='{link}']").ShouldNotBeNull();
    }

    [Fact]
    public async Task the_demo_holder_finds_last_years_renewal_invoiced_and_accepted_by_the_sandbox_sdi()
    {
        using var demo = app.Client();
        (await demo.LoginAsync(MySign.Dev.Demo.HolderUserId, MySign.Dev.Demo.HolderPassword)).Location.ShouldBe("/");
        var orders = await demo.GetAsync("/store/orders");
        var link = orders.Document.QuerySelector(".orders-list a[download]")!.GetAttribute("href")!;
        var order = Guid.Parse(link.Split('/')[3]);
        var page = await PageOnceSdi(demo, order, "delivered");
        var invoice = (await Order(order)).Invoice!;
        invoice.Number.ShouldBe($"{invoice.Date.Year}/000001");
        invoice.Date.Year.ShouldBe(FiscalIssuer.Day(DateTimeOffset.UtcNow).Year - 1, "last year's");
        page.Document.QuerySelector(".fiscal-document h2")!.TextContent.ShouldBe($"Invoice {invoice.Number}");
        await Xmllint.ValidateAsync(Xmllint.FatturaPa, invoice.Latest().Name, await demo.Response(link));
    }

    [Fact]
    public async Task a_partita_iva_whose_check_digit_fails_is_refused_beside_the_field_with_everything_typed_kept()
    {
        var (holder, client, _, order) = await StoreJourney.AtTheStoreAsync(app);
        await client.GetAsync($"/store/orders/{order}");
        await StoreAccounts.CreateAndConfirmAsync(client, app.Smtp, order, "Paolo Gallo", $"vat-{holder.Id}@example.test", "store-password-1");
        var typed = new Dictionary<string, string>(Buyer("company")) { ["vat_number"] = "12345678904", ["confirm"] = "on", ["method"] = "card" };
        var refused = await client.PostAsync($"/store/orders/{order}/pay", typed);
        refused.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        refused.Document.QuerySelector("#vat_number-error")!.TextContent.ShouldContain("last digit does not match");
        refused.Document.QuerySelector("#vat_number")!.GetAttribute("aria-invalid").ShouldBe("true");
        foreach (var field in new[] { "billing_name", "vat_number", "address", "post_code", "city", "province", "recipient_code" })
            refused.Document.QuerySelector($"#{field}")!.GetAttribute("value").ShouldBe(typed[field], $"{field} kept as typed");
        (await Order(order)).Status.ShouldBe(OrderStatus.Cart, "nothing saved");
        (await Order(order)).Billing.ShouldBeNull();
    }

    [Fact]
    public async Task sdi_rejects_an_invoice_the_operators_list_it_correct_it_and_it_is_sent_again_with_a_new_progressive_and_delivered()
    {
        var (client, _, order, _) = await Paid("company unknown to SdI", "card");
        var rejected = await PageOnceSdi(client, order, "rejected");
        rejected.Document.QuerySelector(".fiscal-document .sdi-state")!.TextContent.ShouldContain("nothing is needed from you");
        var number = (await Order(order)).InvoiceNumber!;
        var first = (await Order(order)).Invoice!.Latest();
        first.Errors.ShouldContain(e => e.Code == SdiRules.UnknownRecipient);

        var (exit, listed) = await AppProcess.CommandAsync(app.ConnectionString, "invoices", "--state", "rejected");
        exit.ShouldBe(0, listed);
        listed.ShouldContain(number);
        listed.ShouldContain("00311");
        var wrong = await AppProcess.CommandAsync(app.ConnectionString, "invoices-resend", number, "--recipient-code", "ABC");
        wrong.Exit.ShouldNotBe(0, "a correction is checked as the store checks it");
        wrong.Output.ShouldContain("7 letters and digits");
        var (resent, output) = await AppProcess.CommandAsync(app.ConnectionString, "invoices-resend", number, "--recipient-code", "M5UXCR1");
        resent.ShouldBe(0, output);

        await PageOnceSdi(client, order, "delivered");
        var invoice = (await Order(order)).Invoice!;
        invoice.Files.Count.ShouldBe(2, "the rejected file is kept beside its correction");
        var (old, corrected) = (invoice.Files[0], invoice.Files[1]);
        corrected.Progressive.ShouldNotBe(old.Progressive);
        corrected.Name.ShouldNotBe(old.Name);
        old.State.ShouldBe(SdiState.Rejected);
        corrected.Correction.ShouldBe("recipient_code=M5UXCR1");
        Xml(Encoding.UTF8.GetBytes(corrected.Xml)).Descendants("Numero").Single().Value.ShouldBe(number, "the same number: a rejected file was never issued");
        Xml(Encoding.UTF8.GetBytes(corrected.Xml)).Descendants("ProgressivoInvio").Single().Value.ShouldBe(corrected.Progressive);
        await Xmllint.ValidateAsync(Xmllint.FatturaPa, invoice.Files.Select(f => (f.Name, Encoding.UTF8.GetBytes(f.Xml))));
        (await client.Response($"/store/orders/{order}/files/{old.Name}")).ShouldBe(Encoding.UTF8.GetBytes(old.Xml), "the rejected file is still there, as sent");
        (await AppProcess.CommandAsync(app.ConnectionString, "invoices", "--state", "rejected")).Output.ShouldNotContain(number);

        // What the sandbox answered is what SdI answers: signed messages valid against SdI's own schema.
        await using var session = app.Store.QuerySession();
        var answers = await session.Query<SdiAnswer>().Where(a => a.FileName == old.Name || a.FileName == corrected.Name).ToListAsync();
        answers.Select(a => a.Kind).Order().ShouldBe(["NS", "RC"]);
        await Xmllint.ValidateAsync(Xmllint.SdiMessages, answers.Select(a => (a.FileName + "_" + a.Kind + ".xml", Encoding.UTF8.GetBytes(a.Xml))));
    }

    [Fact]
    public async Task sdi_answers_need_the_token_and_one_for_a_file_we_never_sent_is_logged_and_kept()
    {
        using var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        var fileName = $"IT01234567897_{Random.Shared.Next(0, 99999):D5}.xml";
        var answer = $"""
            <types:RicevutaConsegna xmlns:types="http://www.fatturapa.gov.it/sdi/messaggi/v1.0" versione="1.0">
              <IdentificativoSdI>111</IdentificativoSdI><NomeFile>{fileName}</NomeFile><DataOraRicezione>2026-11-30T10:00:00.000+01:00</DataOraRicezione>
              <DataOraConsegna>2026-11-30T10:00:05.000+01:00</DataOraConsegna><Destinatario><Codice>M5UXCR1</Codice><Descrizione>x</Descrizione></Destinatario>
              <MessageId>{Guid.NewGuid():N}</MessageId>
            </types:RicevutaConsegna>
            """;
        async Task<HttpResponseMessage> Post(string body, string? token)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sdi") { Content = new StringContent(body, Encoding.UTF8, "application/xml") };
            if (token is not null) request.Headers.Authorization = new("Bearer", token);
            return await http.SendAsync(request);
        }
        (await Post(answer, null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Post(answer, "wrong")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Post("not xml at all", AppFixture.SdiWebhookToken)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Post("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>", AppFixture.SdiWebhookToken)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var first = await Post(answer, AppFixture.SdiWebhookToken);
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await first.Content.ReadAsStringAsync()).ShouldContain("\"duplicate\":false");
        (await (await Post(answer, AppFixture.SdiWebhookToken)).Content.ReadAsStringAsync()).ShouldContain("\"duplicate\":true", customMessage: "delivered twice, kept once");
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        await using var session = app.Store.QuerySession();
        var kept = await session.Query<SdiAnswer>().Where(a => a.FileName == fileName).ToListAsync();
        kept.ShouldHaveSingleItem().Outcome.ShouldBe("unknown_file");
        kept[0].Xml.ShouldContain("<IdentificativoSdI>111</IdentificativoSdI>");
    }

    [Fact]
    public async Task when_the_renewals_cancellation_crosses_its_payment_the_refund_gets_a_credit_note_referencing_the_invoice()
    {
        var (client, renewal, order, _) = await Paid("company", "card");
        await PageOnceSdi(client, order, "delivered");
        // Renewal's cancellation arrives after the payment (the two crossed): the money goes back, and so does the sale.
        await app.Host.InvokeMessageAndWaitAsync(new CancelRenewalOrder(renewal));
        var page = await PageOnceSdi(client, order, "delivered", document: 1);
        var paid = await Order(order);
        paid.RefundDue.ShouldBe(36.60m);
        page.Document.QuerySelector("#refund-due")!.TextContent.ShouldContain("€36.60");
        var note = paid.CreditNotes.ShouldHaveSingleItem();
        note.Number.ShouldMatch(@"^NC/\d{4}/\d{6}$");
        page.Document.QuerySelectorAll(".fiscal-document h2")[1].TextContent.ShouldBe($"Credit note {note.Number}");
        var xml = Xml(Encoding.UTF8.GetBytes(note.Latest().Xml));
        xml.Descendants("TipoDocumento").Single().Value.ShouldBe("TD04");
        xml.Descendants("DatiFattureCollegate").Single().Element("IdDocumento")!.Value.ShouldBe(paid.InvoiceNumber);
        xml.Descendants("ImportoTotaleDocumento").Single().Value.ShouldBe("36.60");
        await Xmllint.ValidateAsync(Xmllint.FatturaPa, note.Latest().Name, Encoding.UTF8.GetBytes(note.Latest().Xml));
        // Delivered twice, the cancellation makes one credit note.
        await app.Host.InvokeMessageAndWaitAsync(new CancelRenewalOrder(renewal));
        (await Order(order)).CreditNotes.Count.ShouldBe(1);
    }
}
