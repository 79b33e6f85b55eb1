using System.Security.Cryptography;
using System.Text;
using AngleSharp.Dom;
using Marten;
using MySign.Accounts.Domain;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using MySign.Otp.Passkeys;
using Wolverine.Tracking;

namespace MySign.Tests.Matrix;

/// <summary>
/// Factors × confirm steps: for every reception mode the product has (SMS, app, token, passkey), every step that confirms
/// an operation with it, and every switch from that mode to each other one. Each cell is a holder of its own in that mode,
/// driven over HTTP through the step's own doors: the step must word itself for the factor (where the code is, how many
/// digits, "Send new OTP" only where a code is sent, a passkey prompt instead of a code), refuse a wrong answer with the
/// step shown again in the same words, then accept the right one and do what it says. The rows come from the product's
/// lists: a new reception mode, or a new OTP purpose, is a failing row until it is handled here.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class FactorMatrixTests(AppFixture app)
{
    private const string Pin = "52719364";
    private const string Redirect = "https://wallet.example/cb";
    private static TestOperator? _operator;
    private AppFixture App => app;

    /// <summary>A holder of one factor, with a certificate, signed in; the operator of their office at hand.</summary>
    private sealed record Cell(TestHolder Holder, PortalClient Client, FactorDevice Device, TestOperator Operator)
    {
        public string Pin { get; set; } = FactorMatrixTests.Pin;
    }

    /// <summary>A step opened through its door: the client that holds it, the page, the form that takes the answer.</summary>
    private sealed record Opened(PortalClient Client, PortalClient.Page Page, IElement Form, string? Binding = null, Dictionary<string, string>? Fields = null);

    /// <summary>
    /// One confirm step. <paramref name="Purpose"/> is the OTP purpose it asks for; <paramref name="Resend"/> whether it
    /// offers "Send new OTP" to a factor that sends codes; <paramref name="Arrange"/> what the holder needs first.
    /// </summary>
    private sealed record Step(string Name, string Purpose, Func<FactorMatrixTests, Cell, Task<Opened>> Open,
        Func<FactorMatrixTests, Cell, Opened, string, Task<PortalClient.Page>> Submit, Func<FactorMatrixTests, Cell, PortalClient.Page, Task> Done,
        bool Resend = false, Func<FactorMatrixTests, Cell, Task>? Arrange = null, int DaysLeft = 0);

    private static readonly byte[] PdfDocument = BuildPdf();
    private static readonly byte[] TextDocument = "Contratto di fornitura n. 77"u8.ToArray();

    private static byte[] BuildPdf()
    {
        using var pdf = new Kernel.Documents.SimplePdf();
        return pdf.Heading("Offerta 2026-118").Text("Importo: 12.400 euro.").Build();
    }

    private static readonly Step[] Steps =
    [
        new("PIN change", "pin.change",
            async (t, c) =>
            {
                await c.Client.GetAsync("/pin");
                return t.Open(c.Client, await c.Client.PostAsync("/pin", new() { ["current"] = c.Pin, ["new"] = "97531864", ["confirm"] = "97531864" }));
            },
            (t, c, o, answer) => Post(o, answer),
            (t, c, page) => { page.Document.QuerySelector("#box-pin [role=status]")!.TextContent.ShouldContain("PIN was changed"); return Task.CompletedTask; },
            Resend: true),
        new("suspension", "certificate.suspend",
            (t, c) => t.StatusStep(c, "suspend", new() { ["reason"] = "lostDevice", ["pin"] = c.Pin }),
            (t, c, o, answer) => Post(o, answer),
            (t, c, page) => t.StatusIs(c, CertificateStatus.Suspended),
            Resend: true),
        new("reactivation", "certificate.reactivate",
            (t, c) => t.StatusStep(c, "reactivate", new() { ["pin"] = c.Pin }),
            (t, c, o, answer) => Post(o, answer),
            (t, c, page) => t.StatusIs(c, CertificateStatus.Active),
            Resend: true, Arrange: (t, c) => t.App.Host.ExecuteAndWaitAsync(m => m.InvokeAsync(new SuspendCertificateNow(c.Holder.Id, "temporaryAbsence", CertificateDoor.Portal)))),
        new("revocation", "certificate.revoke",
            (t, c) => t.StatusStep(c, "revoke", new() { ["reason"] = "keyCompromise", ["pin"] = c.Pin, ["understood"] = "yes" }),
            (t, c, o, answer) => Post(o, answer),
            (t, c, page) => t.StatusIs(c, CertificateStatus.Revoked),
            Resend: true),
        new("signing a PDF", "document.sign",
            (t, c) => t.SignStep(c, PdfDocument),
            (t, c, o, answer) => t.Sign(c, o, answer, "offerta.pdf", PdfDocument),
            (t, c, page) => { page.Document.QuerySelector("#sign-done")!.TextContent.ShouldContain("The signed PDF is ready"); return Task.CompletedTask; },
            Resend: true),
        new("signing another file", "document.sign",
            (t, c) => t.SignStep(c, TextDocument),
            (t, c, o, answer) => t.Sign(c, o, answer, "contratto.txt", TextDocument),
            (t, c, page) => { page.Document.QuerySelector("#sign-done")!.TextContent.ShouldContain("contratto.txt"); return Task.CompletedTask; },
            Resend: true),
        new("renewal: confirming the request", "renewal.confirm",
            (t, c) => t.RenewalConfirm(c),
            (t, c, o, answer) => Post(o, answer),
            (t, c, page) => { page.Document.QuerySelector("form[action$='/rao']").ShouldNotBeNull("the next step (RAO verification) opens"); return Task.CompletedTask; },
            Resend: true, DaysLeft: 30),
        new("renewal: activating the new certificate", "renewal.activate",
            (t, c) => t.RenewalActivate(c),
            (t, c, o, answer) => Post(o, answer),
            (t, c, page) => { page.Text.ShouldContain("has been renewed"); return Task.CompletedTask; },
            Resend: true, DaysLeft: 30),
        new("the CSC consent page", "csc.oauth",
            (t, c) => t.Consent(c),
            (t, c, o, answer) => Post(o, answer, new() { ["pin"] = c.Pin }),
            (t, c, page) => { page.Location!.ShouldStartWith(Redirect + "?code="); return Task.CompletedTask; }),
        new("a new PIN after the RAO desk", "pin.reissue",
            (t, c) => t.NewPin(c),
            (t, c, o, answer) => Post(o, answer),
            (t, c, page) => { page.Document.QuerySelector("#new-pin-done").ShouldNotBeNull(page.Text); return Task.CompletedTask; }),
        new("the OTP phone change", "otp.phone",
            async (t, c) =>
            {
                await c.Client.GetAsync("/otp/phone");
                return t.Open(c.Client, await c.Client.PostAsync("/otp/phone", new() { ["phone"] = "+39 347 " + Random.Shared.Next(1_000_000, 9_999_999) }));
            },
            (t, c, o, answer) => Post(o, answer),
            (t, c, page) => { page.Text.ShouldContain("sent to the new number"); return Task.CompletedTask; },
            Resend: true),
        new("adding a passkey", "otp.passkey",
            async (t, c) =>
            {
                await c.Client.GetAsync("/");
                var page = await c.Client.PostAsync("/otp/passkeys/add/start", []);
                var form = page.Document.QuerySelector("form[data-passkey-create]") ?? throw new InvalidOperationException("No passkey creation form: " + page.Text);
                var (_, attestation) = PasskeyDevice.Create(form.GetAttribute("data-passkey-create")!);
                return new Opened(c.Client, page, form, Fields: new() { ["name"] = "Second key", ["attestation"] = attestation });
            },
            (t, c, o, answer) => Post(o, answer),
            async (t, c, page) =>
            {
                page.Status.ShouldBe(HttpStatusCode.Redirect);
                await using var session = t.App.Store.QuerySession();
                (await session.Query<PasskeyCredential>().Where(p => p.HolderId == c.Holder.Id).ToListAsync()).ShouldContain(p => p.Name == "Second key");
            }),
        new("signing in (the factor after the password)", "signin",
            async (t, c) =>
            {
                await using (var session = t.App.Store.LightweightSession())
                {
                    var account = (await session.LoadAsync<HolderAccount>(c.Holder.Id))!;
                    account.FactorAtSignIn = true;
                    session.Store(account);
                    await session.SaveChangesAsync();
                }
                var browser = t.App.Client();
                return t.Open(browser, await browser.LoginAsync(c.Holder.Id, c.Holder.Password));
            },
            (t, c, o, answer) => Post(o, answer),
            (t, c, page) => { page.Location.ShouldBe("/"); return Task.CompletedTask; }),
    ];

    /// <summary>The OTP purposes that are not a step confirmed with the holder's chosen factor, and why.</summary>
    private static readonly Dictionary<string, string> NotFactorSteps = new()
    {
        ["account.activation"] = "before any factor is chosen: the registered mobile, by SMS",
        ["rao.login"] = "the operator's own sign-in, by SMS to the operator",
        ["account.recovery_mobile"] = "codes to the recovery mobile, which is not the OTP factor",
        ["account.recovery_mobile.new"] = "codes to the new recovery mobile",
        ["otp.phone.new"] = "the phone change's second half: always an SMS to the new number",
        ["otp.reset"] = "after the RAO's reset there is no factor: an SMS to the new phone",
        ["signin.passkey"] = "signing in with a passkey alone: no holder, no factor yet",
        ["csc.authorize"] = "the CSC API's explicit authorisation (sendOTP, authorize): the CSC API's own tests",
    };

    private static string Word(ReceptionMode mode) => mode switch
    {
        ReceptionMode.Sms => "SMS", ReceptionMode.AuthenticatorApp => "app", ReceptionMode.HardwareToken => "token", ReceptionMode.Passkey => "passkey",
        _ => mode.ToString(),
    };

    /// <summary>Every cell, named as the failure names it: "app: PIN change", "token → passkey: switching the factor".</summary>
    public static TheoryData<string> Cells()
    {
        var cells = new TheoryData<string>();
        foreach (var mode in Enum.GetValues<ReceptionMode>())
        {
            foreach (var step in Steps) cells.Add($"{Word(mode)}: {step.Name}");
            foreach (var target in Enum.GetValues<ReceptionMode>().Where(t => t != mode)) cells.Add($"{Word(mode)} → {Word(target)}: switching the factor");
        }
        return cells;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task a_step_words_itself_for_the_factor_refuses_a_wrong_answer_and_confirms_with_the_right_one(string cell)
    {
        var (modeWord, rest) = (cell[..cell.IndexOf(':')], cell[(cell.IndexOf(':') + 2)..]);
        var from = Enum.GetValues<ReceptionMode>().Single(m => cell.StartsWith(Word(m) + (rest == "switching the factor" ? " →" : ":"), StringComparison.Ordinal));
        var step = rest == "switching the factor"
            ? SwitchTo(Enum.GetValues<ReceptionMode>().Single(m => modeWord.EndsWith("→ " + Word(m), StringComparison.Ordinal)))
            : Steps.Single(s => s.Name == rest);

        var c = await CellAsync(from, step.DaysLeft);
        if (step.Arrange is not null) await step.Arrange(this, c);

        var opened = await step.Open(this, c);
        WordedFor(cell, c, opened.Page, opened.Form, step.Resend);

        var refused = await step.Submit(this, c, opened, await c.Device.WrongAnswerAsync(opened.Client, opened.Form, opened.Binding));
        refused.Status.ShouldBe(HttpStatusCode.UnprocessableEntity, $"{cell}: a wrong answer: {Snippet(refused)}");
        refused.Document.QuerySelector("[role=alert]").ShouldNotBeNull($"{cell}: the refusal says why");
        var again = Journeys.ConfirmForm(refused);
        WordedFor(cell + " (after a wrong answer)", c, refused, again, step.Resend);

        var done = await step.Submit(this, c, opened with { Page = refused, Form = again }, await c.Device.AnswerAsync(opened.Client, again, opened.Binding));
        done.Status.ShouldBeOneOf([HttpStatusCode.OK, HttpStatusCode.Redirect], $"{cell}: the right answer: {Snippet(done)}");
        try
        {
            await step.Done(this, c, done);
        }
        catch (Exception e) when (e is ShouldAssertException or NullReferenceException)
        {
            throw new ShouldAssertException($"{cell}: the right answer did not do what the step says: {e.Message}\n{Snippet(done)}", e);
        }
    }

    [Fact]
    public void every_otp_purpose_of_the_product_is_a_row_of_the_table_or_says_why_not()
    {
        _ = app.Host;
        var purposes = Web.Infrastructure.Modules.Assemblies.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name.EndsWith("Purpose", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Concat(MySign.Certificates.Status.ChangeStatusEndpoints.Purposes).Distinct().ToList();
        purposes.ShouldContain("pin.change");
        var covered = Steps.Select(s => s.Purpose).Append(MySign.Otp.Box.ModeSwitchEndpoints.Purpose).ToHashSet();
        purposes.Where(p => !covered.Contains(p) && !NotFactorSteps.ContainsKey(p))
            .ShouldBeEmpty("OTP purposes with no row in the factor matrix (add a step, or say in NotFactorSteps why it is not confirmed with the holder's factor)");
        NotFactorSteps.Keys.Where(k => !purposes.Contains(k)).ShouldBeEmpty("purposes said to be left out that the product no longer has");
    }

    // ---- the factor's words --------------------------------------------------------------------------------------

    /// <summary>What the step says and offers, for the holder's factor: the area is the box or section holding the form.</summary>
    private static void WordedFor(string cell, Cell c, PortalClient.Page page, IElement form, bool resend)
    {
        var area = form.Closest("section") ?? form;
        var text = Squash(area.TextContent);
        var resendButton = area.QuerySelectorAll("button").Any(b => b.TextContent.Trim() == "Send new OTP");
        var code = form.QuerySelector("input[name=code]");
        code.ShouldNotBeNull($"{cell}: the form takes the answer");
        switch (c.Device.Mode)
        {
            case ReceptionMode.Sms:
                text.ShouldContain("we sent by SMS to", Case.Insensitive, $"{cell}: says the code was sent by SMS: {text}");
                text.ShouldContain(((SmsDevice)c.Device).Phone[^3..], customMessage: $"{cell}: names the phone: {text}");
                code.GetAttribute("maxlength").ShouldBe("8", $"{cell}: eight digits by SMS");
                resendButton.ShouldBe(resend, $"{cell}: \"Send new OTP\" where the step offers it");
                break;
            case ReceptionMode.AuthenticatorApp or ReceptionMode.HardwareToken:
                var device = c.Device.Mode == ReceptionMode.AuthenticatorApp ? "authenticator app" : "hardware token";
                text.ShouldContain($"code your {device} shows now", Case.Insensitive, $"{cell}: says where the code is: {text}");
                code.GetAttribute("maxlength").ShouldBe("6", $"{cell}: six digits from an app or a token");
                resendButton.ShouldBeFalse($"{cell}: nothing to send again");
                break;
            case ReceptionMode.Passkey:
                form.QuerySelector("[data-passkey]").ShouldNotBeNull($"{cell}: asks for the passkey");
                code.GetAttribute("type").ShouldBe("hidden", $"{cell}: no code to type");
                resendButton.ShouldBeFalse($"{cell}: nothing to send again");
                break;
            default:
                throw new ShouldAssertException($"{cell}: the matrix does not know how {c.Device.Mode} should read: add it to WordedFor.");
        }
        if (c.Device.Mode != ReceptionMode.Sms)
            foreach (var words in new[] { "OTP sent", "we sent", "sent to", "Send new OTP" })
                text.ShouldNotContain(words, Case.Insensitive, $"{cell}: words that assume SMS: {text}");
    }

    private static string Squash(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();

    private static string Snippet(PortalClient.Page page) => $"{(int)page.Status} {page.Location} {Squash(page.Document.Body?.TextContent ?? "")[..Math.Min(500, Squash(page.Document.Body?.TextContent ?? "").Length)]}";

    // ---- the cells' holders and the steps' doors ---------------------------------------------------------------------

    private async Task<Cell> CellAsync(ReceptionMode mode, int daysLeft)
    {
        _operator ??= await Operators.CreateAsync(app.Store);
        var holder = await Holders.CreateAsync(app.Store, "Marta", "Fabbri");
        await using (var session = app.Store.LightweightSession())
        {
            var account = (await session.LoadAsync<HolderAccount>(holder.Id))!;
            account.Office = _operator.Office;
            session.Store(account);
            await session.SaveChangesAsync();
        }
        await app.Host.ExecuteAndWaitAsync(m => m.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Marta", "Fabbri", "FBBMRT80A41H501X", Pin,
            ValidFrom: daysLeft > 0 ? DateTimeOffset.UtcNow - TimeSpan.FromDays(3 * 365) + TimeSpan.FromDays(daysLeft) : null)));
        var device = await Factors.InstallAsync(app.Store, app.Host.Services, holder.Id, mode);
        var client = app.Client();
        (await client.LoginAsync(holder.Id, holder.Password)).Status.ShouldBe(HttpStatusCode.Redirect);
        await client.GetAsync("/");
        return new Cell(holder, client, device, _operator);
    }

    private Opened Open(PortalClient client, PortalClient.Page page) => new(client, page, Journeys.ConfirmForm(page));

    private async Task<Opened> StatusStep(Cell c, string action, Dictionary<string, string> form)
    {
        (await c.Client.GetAsync($"/certificate/{action}")).Status.ShouldBe(HttpStatusCode.OK, $"the {action} form opens");
        return Open(c.Client, await c.Client.PostAsync($"/certificate/{action}", form));
    }

    private async Task StatusIs(Cell c, CertificateStatus status)
    {
        await using var session = app.Store.QuerySession();
        (await session.LoadAsync<HolderCertificate>(c.Holder.Id))!.Status.ShouldBe(status);
    }

    private async Task<Opened> SignStep(Cell c, byte[] document)
    {
        await c.Client.GetAsync("/sign");
        return Open(c.Client, await c.Client.PostAsync("/sign/otp", [])) with { Binding = VerifyOtp.BindingFor([SHA256.HashData(document)]) };
    }

    private async Task<PortalClient.Page> Sign(Cell c, Opened o, string answer, string name, byte[] document)
    {
        using var body = new MultipartFormDataContent();
        foreach (var (field, value) in Hidden(o.Form)) body.Add(new StringContent(value), field);
        body.Add(new StringContent(o.Client.Token ?? ""), "__RequestVerificationToken");
        body.Add(new StringContent(c.Pin), "pin");
        body.Add(new StringContent(answer), "code");
        body.Add(new ByteArrayContent(document), "document", name);
        return await o.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, o.Form.GetAttribute("action")) { Content = body });
    }

    private async Task<(string Id, PortalClient.Page Confirm)> RenewalStarted(Cell c)
    {
        await c.Client.GetAsync("/renewal");
        var started = await c.Client.PostAsync("/renewal", new() { ["path"] = "rao" });
        started.Status.ShouldBe(HttpStatusCode.Redirect, Snippet(started));
        var id = started.Location!.Split('/').Last();
        await c.Client.GetAsync($"/renewal/{id}");
        return (id, await c.Client.PostAsync($"/renewal/{id}/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = c.Pin }));
    }

    private async Task<Opened> RenewalConfirm(Cell c) => Open(c.Client, (await RenewalStarted(c)).Confirm);

    private async Task<Opened> RenewalActivate(Cell c)
    {
        var (id, confirm) = await RenewalStarted(c);
        var form = Journeys.ConfirmForm(confirm);
        Journeys.Expect(await c.Client.PostAsync($"/renewal/{id}/confirm", new() { ["code"] = await c.Device.AnswerAsync(c.Client, form) }), HttpStatusCode.OK, "renewal confirm");
        Journeys.Expect(await c.Client.PostAsync($"/renewal/{id}/rao", new() { ["rao_username"] = c.Operator.Id, ["rao_password"] = c.Operator.Password }),
            HttpStatusCode.OK, "RAO verification");
        return Open(c.Client, await c.Client.PostAsync($"/renewal/{id}/pin", new() { ["new_pin"] = "86420135", ["confirm_pin"] = "86420135" }));
    }

    private async Task<Opened> Consent(Cell c)
    {
        var client = "matrix." + Guid.NewGuid().ToString("N")[..10];
        await using (var session = app.Store.LightweightSession())
        {
            session.Store(new MySign.RemoteSigning.Csc.OAuthClient { Id = client, Name = "Wallet di prova", RedirectUris = [Redirect], CreatedAt = DateTimeOffset.UtcNow });
            await session.SaveChangesAsync();
        }
        Guid credential;
        await using (var session = app.Store.QuerySession()) credential = (await session.LoadAsync<HolderCertificate>(c.Holder.Id))!.CertificateId;
        var hash = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData("contratto"u8.ToArray()));
        var challenge = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(new string('m', 43))));
        var review = await c.Client.GetAsync($"/csc/v2/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={Uri.EscapeDataString(Redirect)}&state=s" +
                                             $"&scope=credential&credentialID={credential}&numSignatures=1&hashes={hash}&code_challenge={challenge}&code_challenge_method=S256");
        var action = review.Document.QuerySelector("form[action$='/otp']")?.GetAttribute("action") ?? throw new InvalidOperationException("No consent page: " + Snippet(review));
        return Open(c.Client, await c.Client.PostAsync(action, []));
    }

    private async Task<Opened> NewPin(Cell c)
    {
        using var rao = app.Client();
        await Operators.SignInAsync(rao, app.Store, c.Operator);
        await rao.GetAsync($"/rao/holders/{c.Holder.Id}");
        Journeys.Expect(await rao.PostAsync($"/rao/holders/{c.Holder.Id}/desk/forgotten-pin", new()
        {
            ["doc_type"] = "identity_card", ["doc_number"] = "CA98765ZZ", ["doc_expiry"] = DateTime.UtcNow.AddYears(4).ToString("dd/MM/yyyy"),
        }), HttpStatusCode.Redirect, "the desk's forgotten PIN");
        var mail = await app.Smtp.WaitForAsync(c.Holder.Email, m => (m.TextBody ?? "").Contains("/new-pin?token="));
        var link = System.Text.RegularExpressions.Regex.Match(mail.TextBody!, @"/new-pin\?token=[A-Za-z0-9_-]+").Value;
        var browser = app.Client();
        var page = await browser.GetAsync(link);
        var token = page.Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        return Open(browser, await browser.PostAsync("/new-pin", new() { ["token"] = token, ["pin"] = "61948275", ["pin_confirm"] = "61948275" }));
    }

    /// <summary>The switch to <paramref name="target"/>: offered by the OTP box, confirmed with the factor the holder has now, and the new one's own proof.</summary>
    private static Step SwitchTo(ReceptionMode target) => new("switching the factor", MySign.Otp.Box.ModeSwitchEndpoints.Purpose,
        async (t, c) =>
        {
            var start = target switch
            {
                ReceptionMode.Sms => "/otp/sms/start", ReceptionMode.AuthenticatorApp => "/otp/app/start", ReceptionMode.HardwareToken => "/otp/token/start",
                ReceptionMode.Passkey => "/otp/passkeys/mode/start",
                _ => throw new ShouldAssertException($"The matrix does not know the switch to {target}: add it to SwitchTo."),
            };
            if (target == ReceptionMode.Passkey && c.Device.Mode != ReceptionMode.Passkey) await Factors.AddPasskeyAsync(t.App.Store, c.Holder.Id);
            var box = await c.Client.GetAsync("/portal/boxes/otp", htmx: true);
            box.Document.QuerySelector($"form[action='{start}']").ShouldNotBeNull($"the OTP box offers the switch to {target}");
            var page = await c.Client.PostAsync(start, []);
            var opened = t.Open(c.Client, page);
            return target switch
            {
                ReceptionMode.AuthenticatorApp => opened with { Fields = new() { ["app_code"] = OtpNet(page) } },
                ReceptionMode.HardwareToken => await t.WithToken(opened),
                _ => opened,
            };
        },
        (t, c, o, answer) => Post(o, answer),
        async (t, c, page) =>
        {
            page.Status.ShouldBe(HttpStatusCode.Redirect);
            await using var session = t.App.Store.QuerySession();
            (await session.LoadAsync<OtpSettings>(c.Holder.Id))!.Mode.ShouldBe(target);
        },
        Resend: target == ReceptionMode.AuthenticatorApp);

    /// <summary>The code the newly scanned app shows now (its key is on the enrolment page).</summary>
    private static string OtpNet(PortalClient.Page page)
    {
        var key = page.Document.QuerySelector("#totp-secret")!.TextContent.Replace(" ", "");
        return MySign.Otp.Codes.OneTimeCodes.Totp(MySign.Otp.Codes.Base32.Decode(key), DateTimeOffset.UtcNow);
    }

    private async Task<Opened> WithToken(Opened opened)
    {
        var (serial, token) = await Factors.ProvisionTokenAsync(app.Store, app.Host.Services);
        return opened with { Fields = new() { ["serial"] = serial, ["token_code"] = token.NextCode() } };
    }

    private static IEnumerable<(string Name, string Value)> Hidden(IElement form) =>
        form.QuerySelectorAll("input[type=hidden]").Select(i => (i.GetAttribute("name") ?? "", i.GetAttribute("value") ?? ""))
            .Where(i => i.Item1.Length > 0 && i.Item1 is not ("code" or "__RequestVerificationToken"));

    /// <summary>Posts the step's form as the browser would: its hidden fields, the step's own fields, the answer as the code.</summary>
    private static Task<PortalClient.Page> Post(Opened o, string answer, Dictionary<string, string>? more = null)
    {
        var fields = Hidden(o.Form).ToDictionary(f => f.Name, f => f.Value);
        foreach (var (k, v) in o.Fields ?? []) fields[k] = v;
        foreach (var (k, v) in more ?? []) fields[k] = v;
        fields["code"] = answer;
        return o.Client.PostAsync(o.Form.GetAttribute("action")!, fields);
    }
}
