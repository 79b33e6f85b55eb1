using MySign.Kernel.Localization;
using MySign.Kernel.Web;

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
    public void an_otp_destination_is_the_masked_number_or_the_device_in_words()
    {
        _ = app.Host;
        new MySign.Otp.Contracts.OtpIssued(Guid.Empty, MySign.Otp.Contracts.ReceptionMode.AuthenticatorApp, null, default).Destination.ShouldBe("Authenticator app");
        new MySign.Otp.Contracts.OtpIssued(Guid.Empty, MySign.Otp.Contracts.ReceptionMode.Sms, "••••567", default).Destination.ShouldBe("••••567");
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
