using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using MySign.Certificates.Contracts;
using MySign.Kernel.Localization;
using MySign.Kernel.Web;
using MySign.Otp.Contracts;
using MySign.Renewal.Reminders;
using Wolverine.Tracking;
using System.Text.RegularExpressions;

namespace MySign.Tests.Foundation;

/// <summary>
/// Every kind of mail the portal sends, in both languages, sent by the flow that sends it: a text part and an HTML part,
/// no placeholder or key left unwritten, links that stand alone and agree between the parts, and every link followed the
/// moment the mail arrives (before the flow uses it), answering a page that is not an error. The kinds are the product's
/// own list: every string key ending in ".subject" is a mail's subject. A new kind fails here until a flow below sends it.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class EveryMailTests(AppFixture app)
{
    private const string Pin = "73194628";

    /// <summary>One language's run: its clients, its holders, and what its mails showed.</summary>
    private sealed class World(AppFixture app, string language)
    {
        public string Language => language;
        public readonly List<string> Failures = [];
        public readonly HashSet<string> Checked = [];
        private (PortalClient Client, TestOperator Operator)? _desk;

        public PortalClient Client()
        {
            var client = app.Client();
            client.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
            return client;
        }

        public Task<TestHolder> HolderAsync(string office = "") => Holders.CreateAsync(app.Store, "Ilaria", "Moretti", language, office);

        public async Task IssueCertificateAsync(TestHolder holder, DateTimeOffset? validFrom = null) =>
            await app.Host.ExecuteAndWaitAsync(c => c.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Ilaria", "Moretti", "MRTLRI80A41H501M", Pin,
                ValidFrom: validFrom)));

        /// <summary>Signed in from a new browser, whose mail (new_sign_in) is checked on the way.</summary>
        public async Task<PortalClient> SignInAsync(TestHolder holder)
        {
            var client = Client();
            (await client.LoginAsync(holder.Id, holder.Password)).Location.ShouldBe("/");
            await MailAsync("mail.new_sign_in.subject", holder.Email);
            await client.GetAsync("/account");
            return client;
        }

        /// <summary>A RAO operator of this run, signed in, and holders registered at their office.</summary>
        public async Task<(PortalClient Rao, TestOperator Operator)> DeskAsync()
        {
            if (_desk is { } desk) return desk;
            var op = await Operators.CreateAsync(app.Store);
            var rao = Client();
            (await Operators.SignInAsync(rao, app.Store, op)).Location.ShouldBe("/rao");
            return (_desk = (rao, op)).Value;
        }

        public async Task AtTheDeskAsync(TestHolder holder, string action) =>
            (await Desk.ActAsync((await DeskAsync()).Rao, holder.Id, action)).Status.ShouldBe(HttpStatusCode.OK);

        public async Task ChangeStatusAsync(PortalClient portal, TestHolder holder, string action, Dictionary<string, string> form) =>
            (await Holders.ChangeCertificateStatusAsync(portal, app.Store, holder, action, form)).Status.ShouldBe(HttpStatusCode.OK);

        /// <summary>
        /// Waits for the mail whose subject is <paramref name="kind"/> in this run's language and checks it, following each
        /// link with <paramref name="follower"/> (by default someone with no session, as from another device).
        /// </summary>
        public async Task<MimeMessage> MailAsync(string kind, string to, PortalClient? follower = null)
        {
            var cell = $"{kind} · {language}";
            MimeMessage mail;
            try { mail = await app.Smtp.WaitForAsync(to, m => m.Subject == Strings.T(kind, language), TimeSpan.FromSeconds(30)); }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                Failures.Add($"{cell}: {e.Message}");
                throw;
            }
            Checked.Add(kind);
            var text = mail.TextBody ?? "";
            if (text.Trim().Length == 0) Failures.Add($"{cell}: no text part");
            if (string.IsNullOrWhiteSpace(mail.HtmlBody)) Failures.Add($"{cell}: no HTML part");
            if (text.Contains('{') || text.Contains("mail.") || text.Contains("renewal.")) Failures.Add($"{cell}: something left unwritten in \"{text}\"");
            Layout(mail, cell);
            foreach (var link in MailLinks.InText(mail).Distinct())
            {
                if (!link.StartsWith("http://localhost/", StringComparison.Ordinal)) { Failures.Add($"{cell}: {link} is not the portal's"); continue; }
                using var own = follower is null ? Client() : null;
                var page = await (follower ?? own!).GetAsync(new Uri(link).PathAndQuery);
                if ((int)page.Status >= 400) Failures.Add($"{cell}: {link} answered {(int)page.Status} {page.Document.QuerySelector("h1")?.TextContent.Trim()}");
            }
            return mail;
        }

        /// <summary>
        /// The TSP's layout around the mail: the header with the mark (an inline image, nothing fetched from elsewhere), one
        /// greeting in the mail's language opening both parts, the footer with the TSP's name, support contact and why this
        /// address gets the mail, styles inline, and the same links in both parts.
        /// </summary>
        private void Layout(MimeMessage mail, string cell)
        {
            var tsp = app.Host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Kernel.Brand.TspOptions>>().Value;
            var text = (mail.TextBody ?? "").Replace("\r\n", "\n");
            var greeting = text.Split('\n')[0];
            var (mine, others) = language == "it" ? ("Gentile ", new[] { "Dear ", "Hello ", "Ciao ", "Gentile " }) : ("Dear ", new[] { "Gentile ", "Hello ", "Ciao ", "Dear " });
            if (!greeting.StartsWith(mine, StringComparison.Ordinal) || !greeting.EndsWith(',')) Failures.Add($"{cell}: the text part opens with \"{greeting}\", not the greeting");
            foreach (var word in others)
                if (Regex.Count(text, Regex.Escape(word)) > (word == mine ? 1 : 0)) Failures.Add($"{cell}: a second greeting (\"{word.Trim()}\") in \"{text}\"");
            var at = text.LastIndexOf("\n-- \n", StringComparison.Ordinal);
            var footer = at >= 0 ? text[at..] : "";
            foreach (var part in new[] { tsp.LegalName, tsp.SupportEmail, language == "it" ? "Ricevi " : "You receive " })
                if (at < 0 || !footer.Contains(part)) Failures.Add($"{cell}: the text part's footer lacks \"{part}\"");
            var html = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(mail.HtmlBody ?? "");
            if (html.DocumentElement.GetAttribute("lang") != language) Failures.Add($"{cell}: the HTML part is not marked as {language}");
            if (html.QuerySelector(".mail-header img[src='cid:mysign-mark']") is null
                || !mail.BodyParts.OfType<MimePart>().Any(p => p.ContentId == "mysign-mark" && p.ContentType.MimeType == "image/png"))
                Failures.Add($"{cell}: no header with the mark");
            if (html.QuerySelector(".mail-greeting")?.TextContent.Trim() != greeting) Failures.Add($"{cell}: the HTML part's greeting differs from the text part's");
            var htmlFooter = html.QuerySelector(".mail-footer")?.TextContent ?? "";
            foreach (var part in new[] { tsp.LegalName, tsp.SupportEmail, footer.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "?" })
                if (!htmlFooter.Contains(part)) Failures.Add($"{cell}: the HTML part's footer lacks \"{part}\"");
            if (html.QuerySelector("style, link") is not null || html.QuerySelector(".mail-body")?.GetAttribute("style") is null) Failures.Add($"{cell}: styles are not inline");
            Failures.AddRange(MailLinks.Problems(mail).Select(p => $"{cell}: {p}"));
        }
    }

    /// <summary>The desk's forgotten-PIN help, then the holder's new PIN from the mailed link, confirmed with the OTP.</summary>
    private static async Task NewPinFromTheDeskAsync(World w, AppFixture app, TestHolder holder)
    {
        await w.AtTheDeskAsync(holder, "forgotten_pin");
        using var mailbox = w.Client();
        var link = MailLinks.Click(await w.MailAsync("mail.new_pin.subject", holder.Email), "/new-pin");
        var token = (await mailbox.GetAsync(link)).Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        await mailbox.PostAsync("/new-pin", new() { ["token"] = token, ["pin"] = "58203917", ["pin_confirm"] = "58203917" });
        await mailbox.PostAsync("/new-pin/confirm", new() { ["token"] = token, ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) });
    }

    /// <summary>The flows that send mail. Each checks every mail it causes as it arrives, then goes on with its links.</summary>
    private static readonly Dictionary<string, Func<World, AppFixture, Task>> Flows = new()
    {
        ["forgotten User ID"] = async (w, _) =>
        {
            var holder = await w.HolderAsync();
            using var visitor = w.Client();
            await visitor.GetAsync("/forgot-user-id");
            await visitor.PostAsync("/forgot-user-id", new() { ["email"] = holder.Email });
            await w.MailAsync("mail.user_id.subject", holder.Email);
        },
        ["forgotten password"] = async (w, _) =>
        {
            var holder = await w.HolderAsync();
            using var visitor = w.Client();
            await visitor.GetAsync("/forgot-password");
            await visitor.PostAsync("/forgot-password", new() { ["user_id"] = holder.Id });
            var reset = await w.MailAsync("mail.reset.subject", holder.Email);
            var token = (await visitor.GetAsync(MailLinks.Click(reset, "/reset-password"))).Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
            await visitor.PostAsync("/reset-password", new() { ["token"] = token, ["password"] = "a-brand-new-password-9", ["confirm"] = "a-brand-new-password-9" });
            await w.MailAsync("mail.password_changed.subject", holder.Email);
        },
        ["an OTP factor changed"] = async (w, app) =>
        {
            var holder = await w.HolderAsync();
            await app.Host.InvokeMessageAndWaitAsync(new OtpFactorChanged(holder.Id, "phone", DateTimeOffset.UtcNow, w.Language));
            await w.MailAsync("mail.otp_changed.subject", holder.Email);
        },
        ["manage your account"] = async (w, app) =>
        {
            var holder = await w.HolderAsync();
            using var portal = await w.SignInAsync(holder);
            var mobile = $"+39348{Random.Shared.Next(1_000_000, 9_999_999)}";
            var started = await portal.PostAsync("/account/recovery/mobile", new() { ["mobile"] = mobile, ["current"] = holder.Password });
            await portal.PostAsync(started.Document.QuerySelector("#box-recovery form")!.GetAttribute("action")!,
                new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, mobile) });
            await w.MailAsync("mail.recovery_mobile_changed.subject", holder.Email);
            await portal.PostAsync("/account/sign-in", new() { ["factor"] = "on", ["password"] = holder.Password });
            await w.MailAsync("mail.signin_changed.subject", holder.Email);
            var address = $"new-{holder.Id}@example.test";
            await portal.GetAsync("/account");
            await portal.PostAsync("/account/recovery/email", new() { ["email"] = address, ["current"] = holder.Password });
            await w.MailAsync("mail.email_change_notice.subject", holder.Email);
            await w.MailAsync("mail.confirm_email.subject", address);
        },
        ["the RAO desk"] = async (w, app) =>
        {
            var (rao, op) = await w.DeskAsync();
            await rao.GetAsync("/rao/holders/new");
            var applicant = Applicant.New();
            (await rao.PostAsync("/rao/holders", applicant.Form())).Status.ShouldBe(HttpStatusCode.Redirect);
            await w.MailAsync("mail.activation.subject", applicant.Email);

            var blocked = await w.HolderAsync(op.Office);
            await w.IssueCertificateAsync(blocked);
            using (var portal = await w.SignInAsync(blocked)) await Holders.BlockPinAsync(portal);
            await w.AtTheDeskAsync(blocked, "unblock_pin");
            await w.MailAsync("mail.pin_unblocked.subject", blocked.Email);

            var lost = await w.HolderAsync(op.Office);
            await w.AtTheDeskAsync(lost, "reset_otp");
            using var mailbox = w.Client();
            var link = MailLinks.Click(await w.MailAsync("mail.otp_reset.subject", lost.Email), "/otp-reset");
            var token = (await mailbox.GetAsync(link)).Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
            var phone = $"+39339{Random.Shared.Next(1_000_000, 9_999_999)}";
            await mailbox.PostAsync("/otp-reset", new() { ["token"] = token, ["mobile"] = phone });
            await mailbox.PostAsync("/otp-reset/confirm", new() { ["token"] = token, ["code"] = await Holders.LastSmsCodeAsync(app.Store, phone) });
            await w.MailAsync("mail.otp_reset_done.subject", lost.Email);
        },
        ["a new PIN after the RAO desk"] = async (w, app) =>
        {
            var (_, op) = await w.DeskAsync();
            var holder = await w.HolderAsync(op.Office);
            await w.IssueCertificateAsync(holder);
            await NewPinFromTheDeskAsync(w, app, holder);
            await w.MailAsync("mail.certificate_rekeyed.subject", holder.Email);
        },
        ["a suspended certificate: its end date taken away, then a new PIN at the desk"] = async (w, app) =>
        {
            var (_, op) = await w.DeskAsync();
            var holder = await w.HolderAsync(op.Office);
            await w.IssueCertificateAsync(holder);
            using var portal = await w.SignInAsync(holder);
            var made = await portal.PostAsync("/certificate/emergency-code", new() { ["pin"] = Pin });
            var code = made.Document.QuerySelector("#emergency-code .code")!.TextContent.Trim();
            var later = DateTimeOffset.UtcNow.AddDays(3).ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);
            await w.ChangeStatusAsync(portal, holder, "suspend", new() { ["reason"] = "temporaryAbsence", ["until"] = later, ["pin"] = Pin });
            await w.MailAsync("mail.certificate_suspended.subject", holder.Email);
            using (var anyone = w.Client())
            {
                await anyone.GetAsync("/emergency");
                await anyone.PostAsync("/emergency", new() { ["user_id"] = holder.Id, ["code"] = code });
            }
            await w.MailAsync("mail.certificate_suspensionwithoutend.subject", holder.Email);

            await NewPinFromTheDeskAsync(w, app, holder);
            await w.MailAsync("mail.certificate_rekeyedsuspended.subject", holder.Email);
        },
        ["the certificate's life"] = async (w, _) =>
        {
            var holder = await w.HolderAsync();
            await w.IssueCertificateAsync(holder);
            using var portal = await w.SignInAsync(holder);
            await w.ChangeStatusAsync(portal, holder, "suspend", new() { ["reason"] = "temporaryAbsence", ["pin"] = Pin });
            await w.MailAsync("mail.certificate_suspended.subject", holder.Email);
            await w.ChangeStatusAsync(portal, holder, "reactivate", new() { ["pin"] = Pin });
            await w.MailAsync("mail.certificate_reactivated.subject", holder.Email);
            await w.ChangeStatusAsync(portal, holder, "revoke", new() { ["reason"] = "keyCompromise", ["pin"] = Pin, ["understood"] = "yes" });
            await w.MailAsync("mail.certificate_revoked.subject", holder.Email);
            await portal.GetAsync("/account");
            await portal.PostAsync("/account/password", new() { ["current"] = holder.Password, ["new"] = "a-new-long-password-31", ["confirm"] = "a-new-long-password-31" });
            var changed = await w.MailAsync("mail.password_changed.subject", holder.Email);
            using var mailbox = w.Client();
            var ask = await mailbox.GetAsync(MailLinks.Click(changed, "/not-me"));
            await mailbox.PostAsync("/not-me", new() { ["token"] = ask.Document.QuerySelector("input[name=token]")!.GetAttribute("value")! });
            await w.MailAsync("mail.not_me_done.subject", holder.Email);
        },
        ["a renewal through the store"] = async (w, app) =>
        {
            var (holder, portal, renewal, order, buyer) = await AtTheStoreAsync(w, app);
            using var signedIn = portal;
            await portal.GetAsync($"/store/orders/{order}");
            // A transfer first (its instructions by mail), then "choose another way to pay" and the card.
            (await portal.PostAsync($"/store/orders/{order}/pay", Payment("transfer"))).Status.ShouldBe(HttpStatusCode.Redirect);
            await w.MailAsync("mail.transfer.subject", buyer);
            await portal.GetAsync($"/store/orders/{order}");
            await portal.PostAsync($"/store/orders/{order}/retry", new());
            await portal.GetAsync($"/store/orders/{order}");
            var toProvider = await portal.PostAsync($"/store/orders/{order}/pay", Payment("card"));
            toProvider.Status.ShouldBe(HttpStatusCode.Redirect, "the billing form was accepted");
            await portal.GetAsync(toProvider.Location!);
            await portal.PostAsync(toProvider.Location!, new() { ["decision"] = "approve" });
            await w.MailAsync("mail.order_paid.subject", buyer);
            await AppClock.MessagesSettledAsync(app.ConnectionString);
            await portal.GetAsync($"/renewal/{renewal}");
            await portal.PostAsync($"/renewal/{renewal}/pin", new() { ["new_pin"] = "86420135", ["confirm_pin"] = "86420135" });
            await portal.PostAsync($"/renewal/{renewal}/activate", new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) });
            await w.MailAsync("renewal.mail.subject", holder.Email);
        },
        ["the renewal reminders"] = async (w, app) =>
        {
            var portal = app.Host.Services.GetRequiredService<PortalUrl>();
            foreach (var (stage, days, link) in new[] { ("days90", 60, "/renewal"), ("days30", 20, "/renewal"), ("days7", 3, "/renewal"), ("expired", -2, "/renewal"),
                         ("unpaid", 40, $"/renewal/{Guid.NewGuid()}") })
            {
                var holder = await w.HolderAsync();
                await app.Host.InvokeMessageAndWaitAsync(SendRemindersHandler.Reminder(holder.Id, "renewal.reminder." + stage, portal.For(link), "TINIT-" + holder.Id,
                    DateTimeOffset.UtcNow.AddDays(days)));
                await w.MailAsync($"renewal.reminder.{stage}.subject", holder.Email);
            }
        },
    };

    /// <summary>A holder in the renewal window at the store's cart, with a store account confirmed (its mails checked on the way).</summary>
    private static async Task<(TestHolder Holder, PortalClient Portal, Guid Renewal, Guid Order, string Buyer)> AtTheStoreAsync(World w, AppFixture app)
    {
        var holder = await w.HolderAsync();
        await w.IssueCertificateAsync(holder, DateTimeOffset.UtcNow - TimeSpan.FromDays(3 * 365) + TimeSpan.FromDays(20));
        var portal = await w.SignInAsync(holder);
        await portal.GetAsync("/renewal");
        var renewal = Guid.Parse((await portal.PostAsync("/renewal", new() { ["path"] = "store" })).Location!.Split('/').Last());
        await portal.GetAsync($"/renewal/{renewal}");
        await portal.PostAsync($"/renewal/{renewal}/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = Pin });
        await portal.PostAsync($"/renewal/{renewal}/confirm", new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) });
        var order = Guid.Parse((await portal.PostAsync($"/renewal/{renewal}/store", new())).Location!.Split('/').Last());
        await portal.GetAsync($"/store/orders/{order}");
        var buyer = $"buyer-{holder.Id}@example.test";
        var account = new Dictionary<string, string> { ["create"] = "1", ["name"] = "Ilaria Moretti", ["email"] = buyer, ["password"] = "store-password-1" };
        await portal.PostAsync($"/store/orders/{order}/account", account);
        // Followed by this browser: the confirmed account becomes the order's.
        await w.MailAsync("mail.store_confirm.subject", buyer, portal);
        await portal.GetAsync($"/store/orders/{order}");
        await portal.PostAsync($"/store/orders/{order}/account", account);
        await w.MailAsync("mail.store_exists.subject", buyer);
        await portal.GetAsync($"/store/orders/{order}");
        await portal.PostAsync($"/store/orders/{order}/forgot", new() { ["email"] = buyer });
        await w.MailAsync("mail.store_reset.subject", buyer);
        return (holder, portal, renewal, order, buyer);
    }

    private static Dictionary<string, string> Payment(string method) => new()
    {
        ["type"] = "private", ["billing_name"] = "Ilaria Moretti", ["fiscal_code"] = "MRTLRI80A41H501M", ["address"] = "Via Roma 1", ["post_code"] = "00100", ["city"] = "Roma", ["province"] = "RM",
        ["confirm"] = "on", ["method"] = method,
    };

    [Fact]
    public async Task every_mail_kind_in_both_languages_is_laid_out_as_the_tsp_sends_it_with_a_text_part_and_links_that_stand_alone_and_open()
    {
        var kinds = Strings.Keys("en").Where(k => k.EndsWith(".subject", StringComparison.Ordinal)).Order().ToList();
        kinds.ShouldContain("mail.activation.subject");
        var failures = new List<string>();
        foreach (var language in Strings.Languages)
        {
            var world = new World(app, language);
            foreach (var (name, flow) in Flows)
            {
                try { await flow(world, app); }
                catch (Exception e) { failures.Add($"flow \"{name}\" · {language} stopped: {e.GetType().Name}: {e.Message}"); }
            }
            failures.AddRange(world.Failures);
            failures.AddRange(kinds.Except(world.Checked).Select(k => $"{k} · {language}: no flow sent it (add the flow that does)"));
        }
        failures.Distinct().ShouldBeEmpty();
    }
}
