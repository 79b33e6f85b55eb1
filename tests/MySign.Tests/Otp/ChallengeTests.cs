using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Otp.Challenges;
using MySign.Otp.Contracts;
using Wolverine;

namespace MySign.Tests.Otp;

/// <summary>The OTP rules through the Otp module's own messages, on the real database and the sandbox SMS operator.</summary>
[Collection(AppCollection.Name)]
public sealed class ChallengeTests(AppFixture app)
{
    private async Task<T> Ask<T>(object message)
    {
        using var scope = app.Host.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<T>(message);
    }

    private async Task<(TestHolder Holder, OtpIssued Issued, string Code)> Issue(string purpose = "pin.change", string context = "c1")
    {
        var holder = await Holders.CreateAsync(app.Store);
        var issued = await Ask<OtpIssued>(new IssueOtp(holder.Id, purpose, context));
        issued.Throttled.ShouldBeFalse();
        return (holder, issued, await Holders.LastSmsCodeAsync(app.Store, holder.Phone));
    }

    private async Task Change(Guid challengeId, Action<OtpChallenge> change)
    {
        await using var session = app.Store.LightweightSession();
        var challenge = (await session.LoadAsync<OtpChallenge>(challengeId))!;
        change(challenge);
        session.Store(challenge);
        await session.SaveChangesAsync();
    }

    [Fact]
    public async Task an_sms_code_of_eight_digits_confirms_its_purpose_once()
    {
        var (holder, issued, code) = await Issue();
        code.Length.ShouldBe(8);
        issued.MaskedDestination.ShouldEndWith(holder.Phone[^3..]);
        issued.MaskedDestination.ShouldNotContain(holder.Phone[..^3]);
        (await Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "c1", code))).Outcome.ShouldBe(OtpOutcome.Valid);
        (await Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "c1", code))).Outcome.ShouldBe(OtpOutcome.AlreadyUsed);
    }

    [Fact]
    public async Task a_refusal_comes_worded_by_otp_in_the_askers_language_and_a_right_code_has_no_words()
    {
        var (holder, issued, code) = await Issue();
        var before = System.Globalization.CultureInfo.CurrentUICulture;
        try
        {
            System.Globalization.CultureInfo.CurrentUICulture = new("it-IT");
            var wrong = await Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "c1", "00000000"));
            wrong.Refusal.ShouldBe("L'OTP non è corretto.");
            System.Globalization.CultureInfo.CurrentUICulture = new("en-GB");
            (await Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "c1", "11111111"))).Refusal.ShouldBe("The OTP is not correct.");
            (await Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "c1", code))).Error.ShouldBeNull();
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = before;
        }
    }

    [Fact]
    public async Task a_code_for_one_purpose_cannot_confirm_another_nor_another_holder()
    {
        var (holder, issued, code) = await Issue("pin.change", "cert-1");
        (await Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "certificate.revoke", "cert-1", code))).Outcome.ShouldBe(OtpOutcome.WrongPurpose);
        (await Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "cert-2", code))).Outcome.ShouldBe(OtpOutcome.WrongPurpose);
        var other = await Holders.CreateAsync(app.Store);
        (await Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, other.Id, "pin.change", "cert-1", code))).Outcome.ShouldBe(OtpOutcome.Unknown);
        (await Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "cert-1", code))).Outcome.ShouldBe(OtpOutcome.Valid);
    }

    [Fact]
    public async Task an_expired_code_is_refused()
    {
        var (holder, issued, code) = await Issue();
        await Change(issued.ChallengeId, c => c.ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1));
        (await Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "c1", code))).Outcome.ShouldBe(OtpOutcome.Expired);
    }

    [Fact]
    public async Task five_wrong_codes_use_up_the_challenge_and_then_even_the_right_one_fails()
    {
        var (holder, issued, code) = await Issue();
        var wrong = code == "00000000" ? "11111111" : "00000000";
        for (var i = 1; i <= 4; i++)
        {
            var answer = await Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "c1", wrong));
            (answer.Outcome, answer.AttemptsLeft).ShouldBe((OtpOutcome.Wrong, 5 - i));
        }
        (await Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "c1", wrong))).Outcome.ShouldBe(OtpOutcome.TooManyAttempts);
        (await Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "c1", code))).Outcome.ShouldBe(OtpOutcome.TooManyAttempts);
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task a_burst_of_wrong_codes_stops_at_the_attempt_limit()
    {
        var (holder, issued, code) = await Issue();
        var wrong = code == "00000000" ? "11111111" : "00000000";
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "c1", wrong))));
        results.Count(r => r.Outcome == OtpOutcome.Wrong).ShouldBe(4);
        results.Count(r => r.Outcome == OtpOutcome.TooManyAttempts).ShouldBe(26);
        await using var session = app.Store.QuerySession();
        (await session.LoadAsync<OtpChallenge>(issued.ChallengeId))!.FailedAttempts.ShouldBe(5);
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task the_right_code_sent_in_parallel_is_accepted_exactly_once()
    {
        var (holder, issued, code) = await Issue();
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "c1", code))));
        results.Count(r => r.IsValid).ShouldBe(1);
        results.Count(r => r.Outcome == OtpOutcome.AlreadyUsed).ShouldBe(9);
    }

    [Fact]
    public async Task a_new_code_is_throttled_for_thirty_seconds_then_replaces_the_previous_one()
    {
        var (holder, first, firstCode) = await Issue();
        var again = await Ask<OtpIssued>(new IssueOtp(holder.Id, "pin.change", "c1"));
        again.Throttled.ShouldBeTrue();
        again.RetryAfterSeconds.ShouldBeInRange(1, 30);
        (await Holders.SmsToAsync(app.Store, holder.Phone)).Count.ShouldBe(1);

        await Change(first.ChallengeId, c => c.CreatedAt = c.CreatedAt.AddSeconds(-31));
        var second = await Ask<OtpIssued>(new IssueOtp(holder.Id, "pin.change", "c1"));
        second.Throttled.ShouldBeFalse();
        var secondCode = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);
        (await Ask<OtpVerified>(new VerifyOtp(first.ChallengeId, holder.Id, "pin.change", "c1", firstCode))).Outcome.ShouldBe(OtpOutcome.Expired);
        (await Ask<OtpVerified>(new VerifyOtp(second.ChallengeId, holder.Id, "pin.change", "c1", secondCode))).Outcome.ShouldBe(OtpOutcome.Valid);
    }

    [Fact]
    public async Task a_used_code_holds_back_no_next_operation_an_unused_one_does()
    {
        var (holder, first, code) = await Issue("document.sign", "credential-1");
        (await Ask<OtpVerified>(new VerifyOtp(first.ChallengeId, holder.Id, "document.sign", "credential-1", code))).IsValid.ShouldBeTrue();
        var next = await Ask<OtpIssued>(new IssueOtp(holder.Id, "document.sign", "credential-1"));
        next.Throttled.ShouldBeFalse("\"Sign another document\" right after the first: its code arrived and was used");
        (await Ask<OtpIssued>(new IssueOtp(holder.Id, "document.sign", "credential-1"))).Throttled.ShouldBeTrue("the second code is not used yet");
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task parallel_sends_get_one_live_code_and_one_text_and_a_burst_stops_at_the_hourly_cap()
    {
        var (holder, _, _) = await Issue();
        await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
        var resends = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Ask<OtpIssued>(new IssueOtp(holder.Id, "pin.change", "c1"))));
        resends.Count(r => !r.Throttled).ShouldBe(1, "one \"Send new OTP\" wins; the others are told to wait");
        resends.Where(r => r.Throttled).ShouldAllBe(r => r.RetryAfterSeconds > 0);
        (await Holders.SmsToAsync(app.Store, holder.Phone)).Count.ShouldBe(2, "the first code's text and the new one's");
        await using (var session = app.Store.QuerySession())
            (await session.Query<OtpChallenge>().CountAsync(c => c.HolderId == holder.Id && c.State == ChallengeState.Open)).ShouldBe(1);

        var abuser = await Holders.CreateAsync(app.Store);
        var burst = await Task.WhenAll(Enumerable.Range(0, ChallengeRules.MaxPerHour + 10).Select(i => Ask<OtpIssued>(new IssueOtp(abuser.Id, "test.cap", $"ctx-{i}"))));
        burst.Count(r => !r.Throttled).ShouldBe(ChallengeRules.MaxPerHour);
    }

    [Fact]
    public async Task a_busy_honest_holder_is_never_throttled_but_unused_codes_are_capped_with_the_wait_in_words()
    {
        // Twelve operations in a few minutes, each code used: the budget counts only codes that were never used.
        var busy = await Holders.CreateAsync(app.Store);
        for (var i = 0; i < 12; i++)
        {
            var issued = await Ask<OtpIssued>(new IssueOtp(busy.Id, "test.busy", $"ctx-{i}"));
            issued.Throttled.ShouldBeFalse($"operation {i + 1}");
            (await Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, busy.Id, "test.busy", $"ctx-{i}", await Holders.LastSmsCodeAsync(app.Store, busy.Phone))))
                .IsValid.ShouldBeTrue();
        }

        var abuser = await Holders.CreateAsync(app.Store);
        for (var i = 0; i < ChallengeRules.MaxPerHour; i++)
            (await Ask<OtpIssued>(new IssueOtp(abuser.Id, "test.cap", $"ctx-{i}"))).Throttled.ShouldBeFalse();
        var over = await Ask<OtpIssued>(new IssueOtp(abuser.Id, "test.cap", "ctx-over"));
        over.Throttled.ShouldBeTrue();
        over.RetryAfterSeconds.ShouldBeGreaterThan(3000);
        over.Wait.ShouldBe($"Please wait {over.RetryAfterSeconds} seconds before asking for a new OTP.");
    }

    [Fact]
    public async Task the_database_keeps_only_a_keyed_hash_of_the_code()
    {
        var (_, issued, code) = await Issue();
        await using var session = app.Store.QuerySession();
        var json = await session.Json.FindByIdAsync<OtpChallenge>(issued.ChallengeId);
        json.ShouldNotBeNull();
        json.ShouldNotContain(code);
        (await session.LoadAsync<OtpChallenge>(issued.ChallengeId))!.CodeHash!.Length.ShouldBe(64);
    }
}
