using System.Security.Cryptography.X509Certificates;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Billing.Domain;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using MySign.Renewal.Domain;
using MySign.TrustServices.Domain;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Tests.Renewal;

[Collection(AppCollection.Name)]
public sealed class RenewalWizardTests(AppFixture app)
{
    private const string Pin = "52719364";
    private const string NewPin = "86420135";

    /// <summary>A holder whose certificate expires in a month (the window is open) and the Renewal module knows it.</summary>
    private async Task<(TestHolder Holder, PortalClient Client)> HolderInWindow(int daysLeft = 30, string? office = null)
    {
        var holder = await Holders.CreateAsync(app.Store);
        if (office is not null)
        {
            await using var session = app.Store.LightweightSession();
            var account = (await session.LoadAsync<MySign.Accounts.Domain.HolderAccount>(holder.Id))!;
            account.Office = office;
            session.Store(account);
            await session.SaveChangesAsync();
        }
        await app.Host.ExecuteAndWaitAsync(c => c.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Elena", "Neri", "NRELNE80A41H501X", Pin,
            ValidFrom: DateTimeOffset.UtcNow - TimeSpan.FromDays(3 * 365) + TimeSpan.FromDays(daysLeft))));
        var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        return (holder, client);
    }

    private static async Task<Guid> Start(PortalClient client, string path)
    {
        await client.GetAsync("/renewal");
        var started = await client.PostAsync("/renewal", new() { ["path"] = path });
        started.Status.ShouldBe(HttpStatusCode.Redirect, started.Text);
        var id = Guid.Parse(started.Location!.Split('/').Last());
        await client.GetAsync($"/renewal/{id}");
        return id;
    }

    private async Task PastConsentsAndOtp(PortalClient client, TestHolder holder, Guid id)
    {
        var otp = await client.PostAsync($"/renewal/{id}/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = Pin });
        otp.Status.ShouldBe(HttpStatusCode.OK, otp.Text);
        otp.Text.ShouldContain("Enter the OTP code to confirm the operation");
        var step3 = await client.PostAsync($"/renewal/{id}/confirm", new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) });
        step3.Status.ShouldBe(HttpStatusCode.OK, step3.Text);
    }

    private async Task<PortalClient.Page> ActivateAndConfirm(PortalClient client, TestHolder holder, Guid id)
    {
        var otp = await client.PostAsync($"/renewal/{id}/pin", new() { ["new_pin"] = NewPin, ["confirm_pin"] = NewPin });
        otp.Status.ShouldBe(HttpStatusCode.OK, otp.Text);
        return await client.PostAsync($"/renewal/{id}/activate", new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) });
    }

    private async Task<HolderCertificate> Certificate(string holderId)
    {
        await using var session = app.Store.QuerySession();
        return (await session.LoadAsync<HolderCertificate>(holderId))!;
    }

    private async Task<string> IssueCoupons(int count = 1)
    {
        var op = await Operators.CreateAsync(app.Store);
        using var rao = app.Client();
        await Operators.SignInAsync(rao, app.Store, op);
        await rao.GetAsync("/rao/coupons");
        var batch = await rao.PostAsync("/rao/coupons", new() { ["organisation"] = "ACME", ["count"] = count.ToString(), ["expires_on"] = DateTime.UtcNow.AddMonths(2).ToString("yyyy-MM-dd") });
        return (await rao.GetAsync(batch.Location!)).Document.QuerySelector("td code")!.TextContent;
    }

    [Fact]
    public async Task a_coupon_renews_the_certificate_with_a_new_iut_and_the_old_one_is_superseded()
    {
        var (holder, client) = await HolderInWindow();
        var before = await Certificate(holder.Id);
        var id = await Start(client, "coupon");
        (await client.GetAsync($"/renewal/{id}")).Text.ShouldContain($"holder of the signature certificate {before.UniqueIdentifier}");
        await PastConsentsAndOtp(client, holder, id);

        var unknown = await client.PostAsync($"/renewal/{id}/coupon", new() { ["coupon"] = "AAAA-BBBB-CCCC" });
        unknown.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        unknown.Document.QuerySelector("#coupon-error")!.TextContent.ShouldContain("does not exist");
        unknown.Document.QuerySelector("#coupon")!.GetAttribute("value").ShouldBe("AAAA-BBBB-CCCC");
        var coupon = await IssueCoupons();
        (await client.PostAsync($"/renewal/{id}/coupon", new() { ["coupon"] = coupon.ToLowerInvariant() })).Text.ShouldContain("Set the new signing PIN");

        var done = await ActivateAndConfirm(client, holder, id);
        done.Status.ShouldBe(HttpStatusCode.OK, done.Text);
        done.Text.ShouldContain("Your Remote Signature certificate has been renewed.");

        var after = await Certificate(holder.Id);
        after.UniqueIdentifier.ShouldNotBe(before.UniqueIdentifier);
        after.SerialNumber.ShouldNotBe(before.SerialNumber);
        after.ExpiresAt.ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddDays(3 * 365 - 2));
        // The holder is told by e-mail, with the new IUT (someone else renewing would be noticed).
        var mail = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: your signature certificate has been renewed");
        mail.TextBody!.ShouldContain(after.UniqueIdentifier);
        using var openssl = new OpenSsl();
        var (_, subject) = await openssl.RunAsync("x509", "-inform", "DER", "-in", openssl.Write("new.der", after.Der), "-noout", "-subject", "-enddate");
        subject.ShouldContain(after.UniqueIdentifier);
        // The CA puts the old serial on its CRL through the outbox, with the renewal's commit (docs/adr/0020).
        RevocationEntry? superseded = null;
        for (var wait = 0; wait < 100 && superseded is null; wait++)
        {
            await using (var read = app.Store.QuerySession()) superseded = await read.LoadAsync<RevocationEntry>(before.SerialNumber);
            if (superseded is null) await Task.Delay(100);
        }
        superseded.ShouldNotBeNull("the old certificate reached the CRL").Reason.ShouldBe(X509RevocationReason.Superseded);
        await using var session = app.Store.QuerySession();
        (await session.Query<Coupon>().SingleAsync(c => c.RedeemedBy == holder.Id)).RenewalId.ShouldBe(id);
        // The new PIN opens the new key; the home page no longer offers a renewal.
        var home = await client.GetAsync("/");
        home.Text.ShouldNotContain("Renew now");
        home.Text.ShouldContain("Renewal options open on");
    }

    [Fact]
    public async Task rao_credentials_renew_only_for_the_operators_own_office()
    {
        var office = await Operators.CreateAsync(app.Store);
        var other = await Operators.CreateAsync(app.Store);
        var (holder, client) = await HolderInWindow(office: office.Office);
        var id = await Start(client, "rao");
        await PastConsentsAndOtp(client, holder, id);

        var elsewhere = await client.PostAsync($"/renewal/{id}/rao", new() { ["rao_username"] = other.Id, ["rao_password"] = other.Password });
        elsewhere.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        elsewhere.Document.QuerySelector("#rao_username")!.GetAttribute("value").ShouldBe(other.Id);
        var wrong = await client.PostAsync($"/renewal/{id}/rao", new() { ["rao_username"] = office.Id, ["rao_password"] = "wrong" });
        wrong.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        // Another office's right password reads exactly like a wrong one: the step tells nothing about other offices.
        elsewhere.Document.QuerySelector("#rao-error")!.TextContent.ShouldBe(wrong.Document.QuerySelector("#rao-error")!.TextContent);
        (await client.PostAsync($"/renewal/{id}/rao", new() { ["rao_username"] = office.Id, ["rao_password"] = office.Password })).Text.ShouldContain("Set the new signing PIN");
        // Stopped at the desk: at the next visit the home page offers the renewal where it was left.
        using (var later = app.Client())
        {
            await later.LoginAsync(holder.Id, holder.Password);
            (await later.GetAsync("/")).Document.QuerySelector($"#box-renewal a[href='/renewal/{id}']")!.TextContent.ShouldBe("Continue the renewal in progress");
        }

        var done = await ActivateAndConfirm(client, holder, id);
        done.Text.ShouldContain("Your Remote Signature certificate has been renewed.");
        done.Document.QuerySelector("#renewal-gosign")!.TextContent.ShouldContain("GoSign");
        done.Document.QuerySelector("a.button.primary[href='/']")!.TextContent.ShouldBe("Back to the homepage");
    }

    [Fact]
    public async Task the_rao_step_is_no_password_oracle_and_no_lockout_weapon_against_operators()
    {
        var office = await Operators.CreateAsync(app.Store);
        var victim = await Operators.CreateAsync(app.Store);
        var (holder, client) = await HolderInWindow(office: office.Office);
        var id = await Start(client, "rao");
        await PastConsentsAndOtp(client, holder, id);

        // A holder hammers another office's operator (and their own office's) with wrong passwords.
        for (var i = 0; i < 6; i++)
            await client.PostAsync($"/renewal/{id}/rao", new() { ["rao_username"] = i % 2 == 0 ? victim.Id : office.Id, ["rao_password"] = "guess-" + i });
        // Neither operator's console sign-in is locked by it.
        using (var console = app.Client()) (await Operators.SignInAsync(console, app.Store, victim)).Status.ShouldBe(HttpStatusCode.Redirect);
        using (var console = app.Client()) (await Operators.SignInAsync(console, app.Store, office)).Status.ShouldBe(HttpStatusCode.Redirect);
        // The holder's RAO step is what gets locked: even the right operator password is refused for now.
        var locked = await client.PostAsync($"/renewal/{id}/rao", new() { ["rao_username"] = office.Id, ["rao_password"] = office.Password });
        locked.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        locked.Document.QuerySelector("#rao-error")!.TextContent.ShouldContain("15 minutes");
    }

    [Fact]
    public async Task a_suspended_certificate_is_not_offered_a_renewal_and_the_box_says_why_and_what_to_do()
    {
        var (holder, client) = await HolderInWindow();
        var certificate = await Certificate(holder.Id);
        await app.Host.ExecuteAndWaitAsync(c => c.PublishAsync(new CertificateStatusChanged(holder.Id, certificate.CertificateId, "suspended", DateTimeOffset.UtcNow)).AsTask()); // published, as Certificates does: Renewal and Otp both keep it
        var box = await client.GetAsync("/portal/boxes/renewal", htmx: true);
        box.Document.QuerySelector("#renewal-why")!.TextContent.ShouldContain("suspended, so it cannot be renewed now");
        box.Document.QuerySelector("#renewal-why a")!.GetAttribute("href").ShouldBe("/certificate/reactivate");
        var page = await client.GetAsync("/renewal");
        page.Document.QuerySelectorAll("button[name=path]").ShouldBeEmpty();
        (await client.PostAsync("/renewal", new() { ["path"] = "coupon" })).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);

        // An older fact arriving late (the "active" of before the suspension) changes nothing.
        await app.Host.ExecuteAndWaitAsync(c => c.PublishAsync(new CertificateStatusChanged(holder.Id, certificate.CertificateId, "active", DateTimeOffset.UtcNow.AddMinutes(-5))).AsTask());
        (await client.GetAsync("/renewal")).Document.QuerySelector("#renewal-why").ShouldNotBeNull();
        await app.Host.ExecuteAndWaitAsync(c => c.PublishAsync(new CertificateStatusChanged(holder.Id, certificate.CertificateId, "active", DateTimeOffset.UtcNow)).AsTask());
        (await client.GetAsync("/renewal")).Document.QuerySelectorAll("button[name=path]").Length.ShouldBe(3);
    }

    [Fact]
    public async Task steps_cannot_be_skipped_or_replayed_and_others_cannot_touch_the_renewal()
    {
        var (holder, client) = await HolderInWindow();
        var before = await Certificate(holder.Id);
        var id = await Start(client, "coupon");
        // Straight to the last step, or to the coupon, without consents and OTP.
        (await client.PostAsync($"/renewal/{id}/activate", new() { ["code"] = "12345678" })).Status.ShouldBe(HttpStatusCode.Conflict);
        (await client.PostAsync($"/renewal/{id}/coupon", new() { ["coupon"] = "AAAABBBBCCCC" })).Status.ShouldBe(HttpStatusCode.Conflict);

        var missing = await client.PostAsync($"/renewal/{id}/consents", new() { ["pin"] = "" });
        missing.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        missing.Document.QuerySelector("#conditions-error").ShouldNotBeNull();
        missing.Document.QuerySelector("#data_valid-error").ShouldNotBeNull();
        var wrongPin = await client.PostAsync($"/renewal/{id}/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = "11223344" });
        wrongPin.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        wrongPin.Document.QuerySelector("#pin-error")!.TextContent.ShouldContain("not correct");

        await client.PostAsync($"/renewal/{id}/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = Pin });
        var code = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);
        var wrongOtp = await client.PostAsync($"/renewal/{id}/confirm", new() { ["code"] = code == "12345678" ? "87654321" : "12345678" });
        wrongOtp.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        wrongOtp.Document.QuerySelector("#code-error").ShouldNotBeNull();

        // Someone else's renewal id: not found, whatever they try.
        var (_, intruder) = await HolderInWindow();
        (await intruder.GetAsync($"/renewal/{id}")).Status.ShouldBe(HttpStatusCode.NotFound);
        await intruder.GetAsync("/renewal");
        (await intruder.PostAsync($"/renewal/{id}/confirm", new() { ["code"] = code })).Status.ShouldBe(HttpStatusCode.NotFound);
        (await intruder.PostAsync($"/renewal/{id}/cancel", new())).Status.ShouldBe(HttpStatusCode.NotFound);

        // An expired code: said so, the step stays where it is; "Send new OTP" gives a fresh one.
        await using (var session = app.Store.LightweightSession())
        {
            var challenge = await session.Query<MySign.Otp.Challenges.OtpChallenge>().Where(c => c.HolderId == holder.Id && c.Context == id.ToString())
                .OrderByDescending(c => c.CreatedAt).FirstAsync();
            challenge.ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1);
            session.Store(challenge);
            await session.SaveChangesAsync();
        }
        var expired = await client.PostAsync($"/renewal/{id}/confirm", new() { ["code"] = code });
        expired.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        expired.Document.QuerySelector("#code-error")!.TextContent.ShouldContain("expired");
        (await client.PostAsync($"/renewal/{id}/resend", new())).Status.ShouldBe(HttpStatusCode.TooManyRequests, "30 seconds between sends");
        // Let the 30 seconds pass for the test: the earlier challenge is moved back in time.
        await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
        var resent = await client.PostAsync($"/renewal/{id}/resend", new());
        resent.Text.ShouldContain("Enter the OTP we sent by SMS to");
        resent.Document.QuerySelector("#otp-resent")!.TextContent.ShouldContain("A new code is on its way");
        code = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);

        (await client.PostAsync($"/renewal/{id}/confirm", new() { ["code"] = code })).Status.ShouldBe(HttpStatusCode.OK);
        // The same OTP step again is refused: it is no longer the current step.
        (await client.PostAsync($"/renewal/{id}/confirm", new() { ["code"] = code })).Status.ShouldBe(HttpStatusCode.Conflict);

        // Cancel leaves the certificate as it was.
        (await client.PostAsync($"/renewal/{id}/cancel", new())).Location.ShouldBe("/renewal?cancelled=1");
        var after = await Certificate(holder.Id);
        after.SerialNumber.ShouldBe(before.SerialNumber);
        after.Status.ShouldBe(CertificateStatus.Active);
        (await client.PostAsync($"/renewal/{id}/coupon", new() { ["coupon"] = "AAAABBBBCCCC" })).Status.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task an_activation_and_a_cancel_sent_together_never_leave_a_renewed_certificate_with_its_coupon_given_back()
    {
        var (holder, client) = await HolderInWindow();
        var id = await Start(client, "coupon");
        await PastConsentsAndOtp(client, holder, id);
        (await client.PostAsync($"/renewal/{id}/coupon", new() { ["coupon"] = await IssueCoupons() })).Status.ShouldBe(HttpStatusCode.OK);
        var codeSent = await client.PostAsync($"/renewal/{id}/pin", new() { ["new_pin"] = NewPin, ["confirm_pin"] = NewPin });
        codeSent.Document.QuerySelector("form[action$='/cancel']").ShouldBeNull("once the activation code is out, the wizard offers no Cancel");
        codeSent.Document.QuerySelector("#activating-no-cancel").ShouldNotBeNull();
        var code = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);

        var activate = client.PostAsync($"/renewal/{id}/activate", new() { ["code"] = code });
        var cancel = client.PostAsync($"/renewal/{id}/cancel", new());
        await Task.WhenAll(activate, cancel);

        (await cancel).Status.ShouldBe(HttpStatusCode.Conflict, "whichever comes first, a renewal whose activation code is out is only ever activated");
        (await cancel).Document.QuerySelector("#wizard-error")!.TextContent.ShouldContain("can no longer be cancelled");
        (await activate).Text.ShouldContain("Your Remote Signature certificate has been renewed.");
        await using var session = app.Store.QuerySession();
        (await session.LoadAsync<RenewalRequest>(id))!.Step.ShouldBe(RenewalStep.Done);
        (await session.Query<Coupon>().SingleAsync(c => c.RedeemedBy == holder.Id)).RenewalId.ShouldBe(id, "the coupon stays spent on the certificate it paid for");
    }

    /// <summary>
    /// "Send new OTP" from another tab commits while the activation is issuing the certificate: the activation's own save then
    /// loses (409), although the certificate was issued. The next code must finish this renewal with that certificate, not
    /// issue a second one from the same coupon (an outside probe did: issued, renewed, renewed). The test holds the
    /// certificate's row so the activation waits inside the issue while the resend commits.
    /// </summary>
    [Fact]
    public async Task an_activation_whose_save_loses_to_send_new_otp_renews_once_with_the_next_code()
    {
        var (holder, client) = await HolderInWindow();
        var id = await Start(client, "coupon");
        await PastConsentsAndOtp(client, holder, id);
        (await client.PostAsync($"/renewal/{id}/coupon", new() { ["coupon"] = await IssueCoupons() })).Status.ShouldBe(HttpStatusCode.OK);
        (await client.PostAsync($"/renewal/{id}/pin", new() { ["new_pin"] = NewPin, ["confirm_pin"] = NewPin })).Status.ShouldBe(HttpStatusCode.OK);
        var code = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);
        await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
        using var otherTab = app.Client();
        foreach (var cookie in client.Cookies.GetAllCookies().Cast<System.Net.Cookie>()) otherTab.Cookies.Add(cookie);
        await otherTab.GetAsync($"/renewal/{id}");

        Task<PortalClient.Page> activate;
        await using (var row = await HeldLock.RowAsync(app.ConnectionString, "certificates.mt_doc_holdercertificate", holder.Id))
        {
            activate = client.PostAsync($"/renewal/{id}/activate", new() { ["code"] = code });
            await row.WaitersAsync(1);
            (await otherTab.PostAsync($"/renewal/{id}/resend", new())).Status.ShouldBe(HttpStatusCode.OK);
        }
        var lost = await activate;
        lost.Status.ShouldBe(HttpStatusCode.Conflict, "the activation's save lost to the resend");
        // The certificate was issued: the page must not say nothing was done; it sends the holder back to the renewal.
        lost.Document.QuerySelector("h1")!.TextContent.ShouldBe("Changed meanwhile: open your renewal again");
        lost.Text.ShouldNotContain("nothing was done");
        var issued = await Certificate(holder.Id);

        var done = await client.PostAsync($"/renewal/{id}/activate", new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) });
        done.Text.ShouldContain("Your Remote Signature certificate has been renewed.");
        (await Certificate(holder.Id)).CertificateId.ShouldBe(issued.CertificateId, "the certificate issued for this renewal, not a second one");
        await using var session = app.Store.QuerySession();
        (await session.Query<CertificateOperation>().CountAsync(o => o.HolderId == holder.Id && o.What == "renewed")).ShouldBe(1, "one coupon, one renewal");
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task the_same_step_sent_eight_times_at_once_is_done_once_and_every_other_answer_says_it_was_already_done()
    {
        var (_, client) = await HolderInWindow();
        var id = await Start(client, "coupon");
        HttpRequestMessage Cancel()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/renewal/{id}/cancel")
                { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = client.Token! }) };
            request.Headers.Referrer = new Uri($"http://localhost/renewal/{id}");
            return request;
        }
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.SendAsync(Cancel())));

        answers.Count(a => a.Status == HttpStatusCode.Redirect).ShouldBe(1, string.Join(", ", answers.Select(a => a.Status)));
        foreach (var refused in answers.Where(a => a.Status != HttpStatusCode.Redirect))
        {
            // Lost the race to the save (the host's page, back to the renewal) or came after it (the wizard says the step is over).
            refused.Status.ShouldBe(HttpStatusCode.Conflict);
            var reload = refused.Document.QuerySelector(".error-page a.button")?.GetAttribute("href");
            if (reload is not null) reload.ShouldBe($"/renewal/{id}");
            else refused.Document.QuerySelector("#wizard-error")!.TextContent.ShouldNotBeEmpty();
        }
        await using var session = app.Store.QuerySession();
        (await session.LoadAsync<RenewalRequest>(id))!.Step.ShouldBe(RenewalStep.Cancelled);
    }

    [Fact]
    public async Task renewal_outside_the_window_is_refused()
    {
        var (holder, early) = await HolderInWindow(daysLeft: 200);
        await early.GetAsync("/renewal");
        (await early.PostAsync("/renewal", new() { ["path"] = "coupon" })).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        await using var session = app.Store.QuerySession();
        (await session.Query<RenewalRequest>().CountAsync(r => r.HolderId == holder.Id)).ShouldBe(0);
        (await early.GetAsync("/renewal")).Text.ShouldContain("Renewal options open on");
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task fifty_parallel_redemptions_of_one_coupon_let_exactly_one_win()
    {
        var coupon = await IssueCoupons();
        using var scope = app.Host.Services.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            bus.InvokeAsync<MySign.Billing.Contracts.CouponRedemption>(new MySign.Billing.Contracts.RedeemCoupon(coupon, $"h{i}", Guid.NewGuid()))));
        results.Count(r => r.Redeemed).ShouldBe(1);
        results.Where(r => !r.Redeemed).ShouldAllBe(r => r.ErrorKey == "coupon.error.used");
    }
}
