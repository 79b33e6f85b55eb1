using MySign.Dev;
using MySign.Kernel.Localization;
using MySign.Kernel.Web;
using MySign.Web.Infrastructure;

namespace MySign.Tests.Foundation;

[Collection(AppCollection.Name)]
public sealed class LocalizationTests(AppFixture app)
{
    [Fact]
    public void every_string_key_exists_in_both_english_and_italian()
    {
        // The host loaded every module's catalogue at start.
        _ = app.Host;
        var english = Strings.Keys("en").ToHashSet();
        var italian = Strings.Keys("it").ToHashSet();
        english.Count.ShouldBeGreaterThan(40);
        english.Except(italian).ShouldBeEmpty("keys missing in Italian");
        italian.Except(english).ShouldBeEmpty("keys missing in English");
    }

    [Fact]
    public void every_key_a_template_uses_exists()
    {
        var root = AppProcess.RepositoryRoot();
        var keys = Strings.Keys("en").ToHashSet();
        var used = Directory.EnumerateFiles(root, "*.sbn", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/") && !f.Contains("/obj/"))
            .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), "\\b(?:t|tf) \"([a-z0-9_.]+)\"").Select(m => (File: f, Key: m.Groups[1].Value)))
            .ToList();
        used.ShouldNotBeEmpty();
        used.Where(u => !keys.Contains(u.Key)).Select(u => $"{Path.GetFileName(u.File)}: {u.Key}").ShouldBeEmpty();
    }

    /// <summary>
    /// Keys the code uses, written out (T("…"), error keys, audit entries) or built from a purpose, a state or an
    /// option ("otp.purpose." + purpose): each must exist in both languages, or a person reads the key itself.
    /// </summary>
    [Fact]
    public void every_key_the_code_uses_or_builds_exists_in_both_languages()
    {
        _ = app.Host;
        var root = AppProcess.RepositoryRoot();
        var code = Directory.EnumerateFiles(Path.Combine(root, "modules"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/bin/") && !f.Contains("/obj/") && !f.Contains("/Generated/"))
            .Select(f => (File: Path.GetFileName(f), Text: File.ReadAllText(f))).ToList();
        var used = new List<(string Where, string Key)>();
        foreach (var (file, text) in code)
        {
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, @"\b(?:T|Format)\(""([a-z0-9_]+(?:\.[a-z0-9_]+)+)"""))
                used.Add((file, m.Groups[1].Value));
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, @"""([a-z0-9_]+\.error\.[a-z0-9_.]+)"""))
                used.Add((file, m.Groups[1].Value));
            foreach (System.Text.RegularExpressions.Match call in System.Text.RegularExpressions.Regex.Matches(text, @"AuditEntry\.(?:Of|ByRao)\(([^;]*)"))
                foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(call.Groups[1].Value, @"""([a-z_]+\.[a-z_.]+)"""))
                    used.Add((file, "audit." + m.Groups[1].Value));
        }
        // Keys built at run time, from every value they can be built from.
        var purposes = Modules.Assemblies.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name.EndsWith("Purpose", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Concat(MySign.Certificates.Status.ChangeStatusEndpoints.Purposes).ToList();
        purposes.ShouldContain("certificate.suspend");
        used.AddRange(purposes.Select(p => ("purpose", "otp.purpose." + p)));
        used.AddRange(Enum.GetNames<MySign.Certificates.Domain.CertificateStatus>().Select(s => ("status", "certificate.status." + s.ToLowerInvariant())));
        used.AddRange(Enum.GetNames<MySign.Otp.Contracts.ReceptionMode>().Select(s => ("mode", "otp.mode." + s.ToLowerInvariant())));
        // What the boxes say of a certificate that has ended (the OTP box and the suspension box).
        used.AddRange(new[] { "revoked", "expired" }.SelectMany(s => new[] { ("ended", "otp.box.closed." + s), ("ended", "suspension.box.over." + s) }));
        used.AddRange(MySign.Certificates.Status.ChangeStatusEndpoints.RevocationReasons.Concat(MySign.Certificates.Status.ChangeStatusEndpoints.SuspensionReasons)
            .Select(r => ("reason", "status.reason." + r)));
        used.AddRange(MySign.Renewal.Domain.RenewalPaths.All.SelectMany(p => new[] { ("path", "renewal.option." + p), ("path", "renewal.step." + p) }));
        used.AddRange(Enum.GetValues<MySign.Certificates.Contracts.CertificateChange>()
            .SelectMany(c => new[] { "subject", "body", "sms" }.Select(part => ("change", $"mail.{MySign.Accounts.Mail.CertificateChangeMail.Kind(c)}.{part}"))));
        used.AddRange(Enum.GetValues<MySign.Certificates.Contracts.CertificateDoor>().Select(d => ("door", MySign.Accounts.Mail.CertificateChangeMail.DoorKey(d))));
        used.AddRange(MySign.Billing.Store.StoreEndpoints.Methods.SelectMany(m => new[] { ("method", "store.method." + m), ("method", "invoice.paid_with." + m) }));
        foreach (var language in new[] { "en", "it" })
        {
            var keys = Strings.Keys(language).ToHashSet();
            used.Where(u => !keys.Contains(u.Key)).Select(u => $"{u.Where}: {u.Key}").Distinct().ShouldBeEmpty($"keys missing in {language}");
        }
    }

    [Fact]
    public async Task the_it_switch_turns_the_portal_italian_and_remembers_it()
    {
        using var client = app.Client();
        await client.GetAsync("/login");
        var switched = await client.PostAsync("/lang", new Dictionary<string, string> { ["lang"] = "it", ["return"] = "/login" });
        switched.Location.ShouldBe("/login");
        var login = await client.GetAsync("/login");
        login.Document.DocumentElement.GetAttribute("lang").ShouldBe("it");
        login.Text.ShouldContain("Inserisci il tuo User ID");
        login.Text.ShouldContain("Ho dimenticato la password");

        await client.PostAsync("/login", new Dictionary<string, string> { ["user_id"] = Demo.HolderUserId, ["password"] = Demo.HolderPassword });
        var home = await client.GetAsync("/");
        home.Text.ShouldContain("Firme effettuate nell'ultima settimana");
        home.Text.ShouldContain("FIRMA REMOTA");
        home.Text.ShouldContain("Esci");
    }

    [Fact]
    public async Task the_it_switch_works_inside_the_rao_console_after_sign_in()
    {
        var op = await Operators.CreateAsync(app.Store);
        using var rao = app.Client();
        await Operators.SignInAsync(rao, app.Store, op);
        var console = await rao.GetAsync("/rao");
        var form = console.Document.QuerySelector("form.lang-switch")!;
        var switched = await rao.PostAsync(form.GetAttribute("action")!, new Dictionary<string, string>
        {
            ["lang"] = "it", ["return"] = form.QuerySelector("input[name=return]")!.GetAttribute("value")!,
        });
        switched.Status.ShouldBe(HttpStatusCode.Redirect, switched.Text);
        switched.Location.ShouldBe("/rao");
        (await rao.GetAsync("/rao")).Document.DocumentElement.GetAttribute("lang").ShouldBe("it");
    }

    [Fact]
    public void an_otp_destination_is_the_masked_number_or_the_device_in_words()
    {
        _ = app.Host;
        // Otp writes the answer's texts itself (no other module reads its strings).
        MySign.Otp.Challenges.OtpChallenges.Answer(Guid.Empty, MySign.Otp.Contracts.ReceptionMode.AuthenticatorApp, null, default).Destination.ShouldBe("Authenticator app");
        var sms = MySign.Otp.Challenges.OtpChallenges.Answer(Guid.Empty, MySign.Otp.Contracts.ReceptionMode.Sms, "+393331234567", default);
        sms.Destination.ShouldEndWith("567");
        sms.Destination.ShouldNotContain("333123");
        sms.Notice.ShouldBe("We sent you a code via SMS to " + sms.Destination);
        MySign.Otp.Challenges.OtpChallenges.Answer(Guid.Empty, MySign.Otp.Contracts.ReceptionMode.Sms, "+393331234567", default, 17).Wait!.ShouldContain("17");
        new MySign.Otp.Contracts.OtpVerified(MySign.Otp.Contracts.OtpOutcome.AlreadyUsed, 3).ErrorKey.ShouldBe("otp.error.alreadyused");
    }

    [Fact]
    public async Task accept_language_chooses_italian_when_no_choice_was_made()
    {
        using var client = app.Client();
        var request = new HttpRequestMessage(HttpMethod.Get, "/login");
        request.Headers.AcceptLanguage.ParseAdd("it-IT,it;q=0.9");
        var page = await client.SendAsync(request);
        page.Text.ShouldContain("ACCEDI");
    }
}
