using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MySign.Dev;
using MySign.Kernel.Brand;
using MySign.Kernel.Localization;

namespace MySign.Tests.Foundation;

/// <summary>
/// MySign looks and reads like a trust service provider: one identity in the header, the home page as the seed's management
/// menu, a page saying how to get MySign, an RAO console that is its own place, and letterheads on the PDFs — in both languages.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class LookTests(AppFixture app)
{
    private PortalClient Client(string language)
    {
        var client = app.Client();
        client.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        return client;
    }

    /// <summary>The seed's sentence for each of the six boxes, in the home page's order.</summary>
    public static readonly TheoryData<string, string[]> Menus = new()
    {
        { "en", ["General information about your certificate: status, activation date, unique identifier number.",
                 "Choose how you receive the OTP codes that finalise your signature operations.",
                 "The history of the signatures you made; the search filters limit it to a precise time frame.",
                 "Change the security PIN of your certificate: enter the current PIN and the new one, then confirm with an OTP code.",
                 "See when your certificate expires and renew it.",
                 "You can temporarily suspend your signature or revoke it, permanently interrupting its validity."] },
        { "it", ["Le informazioni generali sul tuo certificato: stato, data di attivazione, numero identificativo univoco.",
                 "Scegli come ricevere i codici OTP che completano le tue operazioni di firma.",
                 "Lo storico delle firme effettuate; i filtri di ricerca lo limitano a un periodo preciso.",
                 "Cambia il PIN di sicurezza del tuo certificato: inserisci il PIN attuale e quello nuovo, poi conferma con un codice OTP.",
                 "Qui vedi quando scade il tuo certificato e puoi rinnovarlo.",
                 "Puoi sospendere temporaneamente la firma o revocarla, interrompendone definitivamente la validità."] },
    };

    [Theory]
    [MemberData(nameof(Menus))]
    public async Task the_home_page_is_the_management_menu_each_box_with_what_it_is_for_its_state_and_its_actions(string language, string[] leads)
    {
        using var client = Client(language);
        (await client.LoginAsync(Demo.HolderUserId, Demo.HolderPassword)).Location.ShouldBe("/");
        var home = (await client.GetAsync("/")).Document;
        var boxes = home.QuerySelectorAll(".boxes > .box-slot > .box");
        boxes.Select(b => b.QuerySelector(".box-lead")?.TextContent.Trim()).ShouldBe(leads);
        foreach (var box in boxes)
        {
            var title = box.QuerySelector("h2")!.TextContent;
            box.QuerySelector(".box-head h2").ShouldNotBeNull($"{title}: the title heads the box");
            (box.QuerySelector(".box-head .chip")?.TextContent.Trim() ?? "").ShouldNotBeEmpty($"{title}: its state at a glance");
            box.QuerySelectorAll("a.button, button").Length.ShouldBeGreaterThan(0, $"{title}: its actions");
        }
    }

    [Theory]
    [InlineData("en", "Don't have MySign yet?", "registration office", "identity document")]
    [InlineData("it", "Non hai ancora MySign?", "ufficio di registrazione", "documento d'identità")]
    public async Task dont_have_mysign_yet_leads_to_a_page_saying_where_to_go_and_what_to_bring(string language, string question, string where, string bring)
    {
        using var visitor = Client(language);
        var login = (await visitor.GetAsync("/login")).Document;
        var link = login.QuerySelectorAll("p").Single(p => p.TextContent.Contains(question)).QuerySelector("a")!.GetAttribute("href")!;
        link.ShouldNotBe("/trusty", "not the FAQ");
        var page = await visitor.GetAsync(link);
        page.Status.ShouldBe(HttpStatusCode.OK);
        page.Text.ShouldContain(where);
        page.Text.ShouldContain(bring);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("it")]
    public async Task every_header_shows_the_mark_and_selfcare_signature_and_the_page_loads_nothing_from_elsewhere(string language)
    {
        using var client = Client(language);
        foreach (var path in new[] { "/login", "/how-to-activate", "/emergency", "/rao/login" })
        {
            var page = (await client.GetAsync(path)).Document;
            page.QuerySelector("header .brand svg.mark").ShouldNotBeNull(path);
            page.QuerySelectorAll("script[src], link[href], img[src]").Select(e => e.GetAttribute("src") ?? e.GetAttribute("href"))
                .Where(u => !u!.StartsWith('/')).ShouldBeEmpty(path);
        }
        // The header names the product as the page's own heading does, in the page's language.
        var product = language == "it" ? "SelfCare Firma" : "SelfCare Signature";
        var login = (await client.GetAsync("/login")).Document;
        login.QuerySelector("header .brand")!.TextContent.ShouldContain(product);
        login.QuerySelector("h1")!.TextContent.ShouldContain(product);
    }

    [Fact]
    public void the_stylesheets_tokens_are_the_colours_mails_and_pdfs_use()
    {
        var css = File.ReadAllText(Path.Combine(AppProcess.RepositoryRoot(), "src", "MySign.Web", "wwwroot", "css", "app.css"));
        foreach (var (token, value) in new[] { ("brand", Look.Brand), ("brand-dark", Look.BrandDark), ("accent", Look.Accent), ("ink", Look.Ink), ("muted", Look.Muted),
                     ("line", Look.Line), ("bg", Look.Background) })
            Regex.Match(css, $@"--{token}:\s*(#[0-9a-f]{{6}})").Groups[1].Value.ShouldBe(value, token);
    }

    [Theory]
    [InlineData("en", "Operator", "For registration authority operators only")]
    [InlineData("it", "Operatore", "Riservata agli operatori")]
    public async Task the_rao_console_is_its_own_place_office_operator_and_sign_out_without_the_holders_trusty_or_emergency_footer(
        string language, string operatorWord, string footer)
    {
        var op = await Operators.CreateAsync(app.Store);
        using var rao = Client(language);
        (await Operators.SignInAsync(rao, app.Store, op)).Location.ShouldBe("/rao");
        foreach (var path in new[] { "/rao", "/rao/holders/new", "/rao/coupons" })
        {
            var page = (await rao.GetAsync(path)).Document;
            var header = page.QuerySelector("header.rao-header")!;
            header.QuerySelector(".rao-who")!.TextContent.ShouldContain(op.Office, customMessage: path);
            header.QuerySelector(".rao-who")!.TextContent.ShouldContain(operatorWord, customMessage: path);
            header.QuerySelector("form[action='/rao/logout'] button").ShouldNotBeNull(path);
            page.QuerySelector(".trusty-icon, #trusty-panel").ShouldBeNull(path);
            page.QuerySelector("a[href='/emergency']").ShouldBeNull(path);
            page.QuerySelector(".site-footer")!.TextContent.ShouldContain(footer);
        }
    }

    [Theory]
    [InlineData("en", "dd/mm/yyyy")]
    [InlineData("it", "gg/mm/aaaa")]
    public async Task registration_and_the_desk_take_dates_typed_the_same_way_never_through_the_browsers_date_picker(string language, string format)
    {
        var op = await Operators.CreateAsync(app.Store);
        using var rao = Client(language);
        await Operators.SignInAsync(rao, app.Store, op);
        var form = (await rao.GetAsync("/rao/holders/new")).Document;
        form.QuerySelectorAll("input[type=date]").ShouldBeEmpty();
        foreach (var id in new[] { "birth_date", "doc_expiry" })
        {
            form.QuerySelector($"#{id}")!.GetAttribute("placeholder").ShouldBe(format);
            form.QuerySelector($"label[for={id}]")!.TextContent.ShouldContain(format);
        }
        // Typed as the field shows it, the registration goes through.
        var applicant = Applicant.New();
        var typed = applicant.Form();
        typed["birth_date"] = applicant.BirthDate.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);
        typed["doc_expiry"] = DateTime.UtcNow.AddYears(3).ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);
        (await rao.PostAsync("/rao/holders", typed)).Status.ShouldBe(HttpStatusCode.Redirect);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("it")]
    public async Task registration_asks_the_holders_language_and_the_activation_mail_is_written_in_it(string operatorLanguage)
    {
        var op = await Operators.CreateAsync(app.Store);
        using var rao = Client(operatorLanguage);
        await Operators.SignInAsync(rao, app.Store, op);
        (await rao.GetAsync("/rao/holders/new")).Document.QuerySelectorAll("input[name=language]").Select(i => i.GetAttribute("value")).ShouldBe(["en", "it"]);
        var holderLanguage = operatorLanguage == "en" ? "it" : "en";
        var applicant = Applicant.New();
        var form = applicant.Form();
        form["language"] = holderLanguage;
        (await rao.PostAsync("/rao/holders", form)).Status.ShouldBe(HttpStatusCode.Redirect);
        var mail = await app.Smtp.WaitForAsync(applicant.Email);
        mail.Subject.ShouldBe(Strings.T("mail.activation.subject", holderLanguage));
        mail.TextBody!.ShouldStartWith(holderLanguage == "it" ? "Gentile " : "Dear ");
    }

    [Theory]
    [InlineData("en", "Registration Request", "VAT")]
    [InlineData("it", "Richiesta di Registrazione", "P.IVA")]
    public async Task the_registration_request_and_the_invoice_carry_the_letterhead(string language, string title, string vat)
    {
        var tsp = app.Host.Services.GetRequiredService<IOptions<TspOptions>>().Value;
        var op = await Operators.CreateAsync(app.Store);
        using var rao = Client(language);
        await Operators.SignInAsync(rao, app.Store, op);
        await rao.GetAsync("/rao/holders/new");
        var applicant = Applicant.New();
        var registered = await rao.PostAsync("/rao/holders", applicant.Form());
        var userId = registered.Location!.Split('/', '?')[3];
        var request = await rao.Response($"/rao/holders/{userId}/registration-request.pdf");
        var text = await Pdf.TextAsync(request);
        foreach (var expected in new[] { "MySign", "SelfCare Signature", tsp.LegalName, tsp.Address, $"{vat} {tsp.VatNumber}", tsp.SupportEmail, title })
            text.ShouldContain(expected, customMessage: "the Registration Request");
        await RenderAsync(request, $"registration-request-{language}");

        using var demo = Client(language);
        await demo.LoginAsync(Demo.HolderUserId, Demo.HolderPassword);
        var order = (await demo.GetAsync("/store/orders")).Document.QuerySelector(".orders-list a[download]")!.GetAttribute("href")!.Split('/')[3];
        var invoice = await demo.Response($"/store/orders/{order}/invoice.pdf");
        var invoiceText = await Pdf.TextAsync(invoice);
        foreach (var expected in new[] { "MySign", "SelfCare Signature", "Via della Firma 1", "IT01234567897", tsp.SupportEmail })
            invoiceText.ShouldContain(expected, customMessage: "the invoice's courtesy copy");
        // The letterhead comes first, above the document's title.
        invoiceText.IndexOf("SelfCare Signature", StringComparison.Ordinal).ShouldBeLessThan(invoiceText.IndexOf(Strings.T("invoice.title", language), StringComparison.Ordinal));
        await RenderAsync(invoice, $"invoice-{language}");
    }

    /// <summary>The first page drawn by poppler's pdftoppm into TestResults/pdf, for a person to look at (and proof that it renders).</summary>
    private static async Task RenderAsync(byte[] pdf, string name)
    {
        var folder = Path.Combine(AppProcess.RepositoryRoot(), "TestResults", "pdf");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, name + ".pdf");
        await File.WriteAllBytesAsync(file, pdf);
        using var process = Process.Start(new ProcessStartInfo("pdftoppm", ["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", file, Path.Combine(folder, name)])
            { RedirectStandardError = true })!;
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, await process.StandardError.ReadToEndAsync());
        new FileInfo(Path.Combine(folder, name + ".png")).Length.ShouldBeGreaterThan(1000);
    }
}
