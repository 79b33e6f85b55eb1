using System.Text.RegularExpressions;
using Marten;
using MySign.Accounts.Contracts;
using MySign.Accounts.Domain;
using MySign.Billing.Domain;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace MySign.Tests.Rao;

[Collection(AppCollection.Name)]
public sealed partial class RaoConsoleTests(AppFixture app)
{
    [GeneratedRegex(@"http://localhost(/activate\?token=[A-Za-z0-9_-]+)")]
    private static partial Regex ActivationLink();

    private async Task<PortalClient> Operator(TestOperator op)
    {
        var client = app.Client();
        var signedIn = await Operators.SignInAsync(client, app.Store, op);
        signedIn.Status.ShouldBe(HttpStatusCode.Redirect);
        signedIn.Location.ShouldBe("/rao");
        return client;
    }

    private static async Task<string> Register(PortalClient rao, Applicant applicant)
    {
        await rao.GetAsync("/rao/holders/new");
        var saved = await rao.PostAsync("/rao/holders", applicant.Form());
        saved.Status.ShouldBe(HttpStatusCode.Redirect, saved.Text);
        var id = Regex.Match(saved.Location!, "^/rao/holders/([a-z][0-9]{6})\\?registered=1$").Groups[1].Value;
        id.ShouldNotBeEmpty(saved.Location);
        return id;
    }

    [Fact]
    public async Task an_operator_signs_in_with_password_then_otp_and_sessions_do_not_cross_areas()
    {
        var op = await Operators.CreateAsync(app.Store);
        using var client = app.Client();
        await client.GetAsync("/rao/login");
        var wrong = await client.PostAsync("/rao/login", new() { ["username"] = op.Id, ["password"] = "not-the-password" });
        wrong.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        wrong.Document.QuerySelector("#username")!.GetAttribute("value").ShouldBe(op.Id);

        var otp = await client.PostAsync("/rao/login", new() { ["username"] = op.Id, ["password"] = op.Password });
        otp.Status.ShouldBe(HttpStatusCode.OK);
        otp.Text.ShouldContain("Enter the OTP sent to");
        var pending = otp.Document.QuerySelector("input[name=pending]")!.GetAttribute("value")!;
        (await client.GetAsync("/rao")).Location!.ShouldStartWith("/rao/login", customMessage: "the password alone opens nothing");

        var badCode = await client.PostAsync("/rao/login/otp", new() { ["pending"] = pending, ["code"] = "00000000" });
        badCode.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        badCode.Text.ShouldContain("not correct");
        var code = await Holders.LastSmsCodeAsync(app.Store, op.Mobile);
        var done = await client.PostAsync("/rao/login/otp", new() { ["pending"] = pending, ["code"] = code });
        done.Location.ShouldBe("/rao");
        var home = await client.GetAsync("/rao");
        home.Status.ShouldBe(HttpStatusCode.OK);
        home.Text.ShouldContain($"Holders registered at {op.Office}");

        // The same code again, or the pending sign-in replayed, opens nothing more.
        (await client.PostAsync("/rao/login/otp", new() { ["pending"] = pending, ["code"] = code })).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        // An operator's session is no holder session, and a holder's is no operator session.
        (await client.GetAsync("/")).Location.ShouldBe("/login");
        var holder = await Holders.CreateAsync(app.Store);
        using var holderClient = app.Client();
        await holderClient.LoginAsync(holder.Id, holder.Password);
        (await holderClient.GetAsync("/rao")).Location.ShouldBe("/rao/login");
        (await holderClient.GetAsync("/rao/holders/new")).Location.ShouldBe("/rao/login");
    }

    [Fact]
    public async Task a_bad_fiscal_code_is_explained_next_to_the_field_keeps_the_input_and_saves_nothing()
    {
        var op = await Operators.CreateAsync(app.Store);
        using var rao = await Operator(op);
        var applicant = Applicant.New();
        var form = applicant.Form();
        var typo = applicant.FiscalCode[..15] + (applicant.FiscalCode[15] == 'A' ? 'B' : 'A');
        form["fiscal_code"] = typo;
        form["birth_date"] = DateTime.UtcNow.AddYears(-17).ToString("yyyy-MM-dd");
        form["doc_expiry"] = "2020-01-01";
        await rao.GetAsync("/rao/holders/new");
        var refused = await rao.PostAsync("/rao/holders", form);

        refused.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        refused.Document.QuerySelector("#fiscal_code-error")!.TextContent.ShouldContain("check character");
        refused.Document.QuerySelector("#fiscal_code")!.GetAttribute("aria-invalid").ShouldBe("true");
        refused.Document.QuerySelector("#birth_date-error")!.TextContent.ShouldContain("of age");
        refused.Document.QuerySelector("#doc_expiry-error")!.TextContent.ShouldContain("expired");
        refused.Document.QuerySelector("#fiscal_code")!.GetAttribute("value").ShouldBe(typo);
        refused.Document.QuerySelector("#last_name")!.GetAttribute("value").ShouldBe(applicant.LastName);
        refused.Document.QuerySelector("#email")!.GetAttribute("value").ShouldBe(applicant.Email);
        refused.Document.QuerySelector("input[name=sex][value=F]")!.HasAttribute("checked").ShouldBeTrue();

        // A valid code that belongs to somebody else (another birth date) is refused as inconsistent.
        form = applicant.Form();
        form["birth_date"] = applicant.BirthDate.AddDays(1).ToString("yyyy-MM-dd");
        (await rao.PostAsync("/rao/holders", form)).Document.QuerySelector("#fiscal_code-error")!.TextContent.ShouldContain("date of birth");

        await using var session = app.Store.QuerySession();
        (await session.Query<HolderAccount>().CountAsync(h => h.LastName == applicant.LastName)).ShouldBe(0);
    }

    [Fact]
    public async Task registration_prints_the_request_mails_the_link_and_the_holder_activates_once()
    {
        var op = await Operators.CreateAsync(app.Store);
        using var rao = await Operator(op);
        var applicant = Applicant.New("Giovanni", "M");
        var userId = await Register(rao, applicant);

        var page = await rao.GetAsync($"/rao/holders/{userId}?registered=1");
        page.Text.ShouldContain($"registered with User ID {userId}");
        var iut = page.Document.QuerySelector("#holder-iut")!.TextContent;
        iut.ShouldMatch("^IUT[0-9]{14}$");
        var pdf = await Pdf.TextAsync(await rao.Response($"/rao/holders/{userId}/registration-request.pdf"));
        pdf.ShouldContain("Registration Request");
        pdf.ShouldContain(userId);
        pdf.ShouldContain(iut);
        pdf.ShouldContain($"Giovanni");
        pdf.ShouldContain(applicant.LastName);
        pdf.ShouldContain(applicant.FiscalCode);
        pdf.ShouldContain(op.Office);
        pdf.ShouldContain("Holder's signature");
        pdf.ShouldContain("RAO operator's signature");

        // The same fiscal code cannot be registered twice.
        await rao.GetAsync("/rao/holders/new");
        (await rao.PostAsync("/rao/holders", applicant.Form())).Document.QuerySelector("#fiscal_code-error")!.TextContent.ShouldContain("already registered");

        var mail = await app.Smtp.WaitForAsync(applicant.Email, m => m.Subject == "MySign: your User ID and the activation link");
        mail.TextBody!.ShouldContain(userId);
        mail.HtmlBody!.ShouldContain("<a href=\"http://localhost/activate?token=");
        var link = ActivationLink().Match(mail.TextBody!).Groups[1].Value;

        using var holder = app.Client();
        (await holder.LoginAsync(userId, "anything-at-all-123")).Status.ShouldBe(HttpStatusCode.UnprocessableEntity, "no password before activation");
        var form = await holder.GetAsync(link);
        form.Status.ShouldBe(HttpStatusCode.OK);
        var token = form.Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        var weak = await holder.PostAsync("/activate", new() { ["token"] = token, ["password"] = "short", ["password_confirm"] = "short", ["pin"] = "111111", ["pin_confirm"] = "111111" });
        weak.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        weak.Document.QuerySelector("#password-error")!.TextContent.ShouldContain("at least 12 characters");
        weak.Document.QuerySelector("#pin-error").ShouldNotBeNull();

        const string password = "giovanni's first passphrase";
        var otp = await holder.PostAsync("/activate", new() { ["token"] = token, ["password"] = password, ["password_confirm"] = password, ["pin"] = "40516273", ["pin_confirm"] = "40516273" });
        otp.Status.ShouldBe(HttpStatusCode.OK);
        otp.Text.ShouldContain("Enter the OTP sent to");
        var wrong = await holder.PostAsync("/activate/confirm", new() { ["token"] = token, ["code"] = "12345678" });
        wrong.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        wrong.Document.QuerySelector("#code-error").ShouldNotBeNull();
        wrong.Text.ShouldContain(applicant.Mobile[^3..], customMessage: "the step still says where the code went");
        var code = await Holders.LastSmsCodeAsync(app.Store, applicant.Mobile);
        var activated = await holder.PostAsync("/activate/confirm", new() { ["token"] = token, ["code"] = code });
        activated.Location.ShouldBe("/");
        var home = await holder.GetAsync("/");
        home.Status.ShouldBe(HttpStatusCode.OK);
        home.Text.ShouldContain($"Giovanni {applicant.LastName}");
        home.Document.QuerySelector("#emergency-code")!.TextContent.ShouldMatch(@"(?s).*[3-9A-Y]{4}-[3-9A-Y]{4}-[3-9A-Y]{4}-[3-9A-Y]{4}.*",
            "the first certificate comes with its emergency code, shown until the holder keeps it");
        var certificate = await holder.GetAsync("/certificate");
        certificate.Text.ShouldContain(iut, customMessage: "the first certificate carries the IUT given at registration");
        certificate.Text.ShouldContain("Active");

        (await app.Client().GetAsync(link)).Status.ShouldBe(HttpStatusCode.Gone, "the link works once");
        using var again = app.Client();
        (await again.LoginAsync(userId, password)).Location.ShouldBe("/");
        (await rao.GetAsync("/rao")).Text.ShouldContain(userId);
    }

    [Fact]
    public async Task names_in_a_script_the_registration_request_cannot_print_or_with_bidi_controls_are_refused_beside_the_field()
    {
        var op = await Operators.CreateAsync(app.Store);
        using var rao = await Operator(op);
        await rao.GetAsync("/rao/holders/new");
        var form = Applicant.New().Form();
        form["first_name"] = "محمد";
        form["birth_place"] = "Roma\u202Eamor";
        form["doc_issuer"] = "Comune di Roma\u2066";
        var refused = await rao.PostAsync("/rao/holders", form);
        refused.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        refused.Document.QuerySelector("#first_name-error")!.TextContent.ShouldContain("cannot print this script");
        refused.Document.QuerySelector("#first_name")!.GetAttribute("value").ShouldBe("محمد", "what was typed is kept");
        refused.Document.QuerySelector("#birth_place-error")!.TextContent.ShouldContain("text-direction");
        refused.Document.QuerySelector("#doc_issuer-error")!.TextContent.ShouldContain("text-direction");
        await using var session = app.Store.QuerySession();
        (await session.Query<HolderAccount>().Where(h => h.Email == form["email"]).AnyAsync()).ShouldBeFalse("nothing saved half-way");
    }

    [Fact]
    public async Task an_operator_cannot_see_print_or_renew_for_another_offices_holder()
    {
        var a = await Operators.CreateAsync(app.Store);
        var b = await Operators.CreateAsync(app.Store);
        using var raoA = await Operator(a);
        using var raoB = await Operator(b);
        var userId = await Register(raoA, Applicant.New());

        (await raoB.GetAsync($"/rao/holders/{userId}")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await raoB.GetAsync($"/rao/holders/{userId}/registration-request.pdf")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await raoB.GetAsync("/rao")).Text.ShouldNotContain(userId);
        (await raoA.GetAsync($"/rao/holders/{userId}")).Status.ShouldBe(HttpStatusCode.OK);

        using var scope = app.Host.Services.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        var refused = await bus.InvokeAsync<RaoCredentialsVerified>(new VerifyRaoCredentials(b.Id, b.Password, userId));
        refused.Authorised.ShouldBeFalse();
        refused.ErrorKey.ShouldBe("rao.verify.error.invalid", "the same answer as a wrong password: nothing about other offices");
        (await bus.InvokeAsync<RaoCredentialsVerified>(new VerifyRaoCredentials(a.Id, "wrong password", userId))).Authorised.ShouldBeFalse();
        var allowed = await bus.InvokeAsync<RaoCredentialsVerified>(new VerifyRaoCredentials(a.Id, a.Password, userId));
        allowed.Authorised.ShouldBeTrue();
        allowed.Office.ShouldBe(a.Office);

        // Every RAO action is on the holder's trail, with who did it.
        await using var session = app.Store.QuerySession();
        var trail = await session.Query<AuditEntry>().Where(e => e.HolderId == userId).ToListAsync();
        trail.ShouldContain(e => e.What == "rao.registered" && e.Actor == a.Id && e.Office == a.Office);
        trail.ShouldContain(e => e.What == "rao.renewal_refused");
        trail.ShouldContain(e => e.What == "rao.renewal_authorised" && e.Actor == a.Id);
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task fifty_concurrent_registrations_get_fifty_distinct_user_ids_and_iuts()
    {
        var op = await Operators.CreateAsync(app.Store);
        using var rao = await Operator(op);
        await rao.GetAsync("/rao/holders/new");
        var applicants = Enumerable.Range(0, 50).Select(i => Applicant.New(birth: new DateOnly(1960, 1, 1).AddDays(i * 97))).ToList();
        var results = await Task.WhenAll(applicants.Select(a => rao.PostAsync("/rao/holders", a.Form())));
        results.ShouldAllBe(r => r.Status == HttpStatusCode.Redirect);

        await using var session = app.Store.QuerySession();
        var holders = await session.Query<HolderAccount>().Where(h => h.Office == op.Office).ToListAsync();
        holders.Count.ShouldBe(50);
        holders.Select(h => h.Id).Distinct().Count().ShouldBe(50);
        holders.Select(h => h.Iut).Distinct().Count().ShouldBe(50);
        holders.ShouldAllBe(h => Regex.IsMatch(h.Id, "^[a-z][0-9]{6}$"));
    }

    [Fact]
    public async Task an_operator_issues_a_coupon_batch_lists_it_and_downloads_the_csv_other_offices_cannot()
    {
        var a = await Operators.CreateAsync(app.Store);
        var b = await Operators.CreateAsync(app.Store);
        using var raoA = await Operator(a);
        using var raoB = await Operator(b);

        await raoA.GetAsync("/rao/coupons");
        var bad = await raoA.PostAsync("/rao/coupons", new() { ["organisation"] = "Studio Bianchi", ["count"] = "9999", ["expires_on"] = "2001-01-01" });
        bad.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        bad.Document.QuerySelector("#count-error")!.TextContent.ShouldContain("1 to 500");
        bad.Document.QuerySelector("#expires_on-error").ShouldNotBeNull();
        bad.Document.QuerySelector("#organisation")!.GetAttribute("value").ShouldBe("Studio Bianchi");

        var expires = DateTime.UtcNow.AddMonths(6).ToString("yyyy-MM-dd");
        var issued = await raoA.PostAsync("/rao/coupons", new() { ["organisation"] = "=Studio Bianchi", ["count"] = "5", ["expires_on"] = expires });
        issued.Status.ShouldBe(HttpStatusCode.Redirect);
        var batchPath = issued.Location!;
        var batch = await raoA.GetAsync(batchPath);
        var codes = batch.Document.QuerySelectorAll("td code").Select(c => c.TextContent).ToList();
        codes.Count.ShouldBe(5);
        codes.ShouldAllBe(c => Regex.IsMatch(c, "^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$"));
        var csv = System.Text.Encoding.UTF8.GetString(await raoA.Response(batchPath + "/coupons.csv")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        csv.Length.ShouldBe(6);
        csv[1].ShouldContain("\"'=Studio Bianchi\"", customMessage: "no spreadsheet formula injection");
        (await raoA.GetAsync("/rao/coupons")).Text.ShouldContain("=Studio Bianchi");

        (await raoB.GetAsync(batchPath)).Status.ShouldBe(HttpStatusCode.NotFound);
        (await raoB.GetAsync(batchPath + "/coupons.csv")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await raoB.GetAsync("/rao/coupons")).Text.ShouldNotContain("Studio Bianchi");
        await using var session = app.Store.QuerySession();
        (await session.Query<Coupon>().CountAsync(c => c.Office == a.Office)).ShouldBe(5);
    }
}
