using MySign.Accounts.Domain;
using MySign.Accounts.Mail;
using MySign.Accounts.Security;
using MySign.Certificates.Contracts;
using MySign.Otp.Contracts;

namespace MySign.Tests.Rao;

/// <summary>
/// The RAO desk's rules without a database, a bus or HTTP: what is wrong with an identity check, and what each of the
/// three actions stores, replaces and says. The host test beside it is RaoDeskTests.
/// </summary>
public sealed class DeskRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = DateOnly.FromDateTime(Now.UtcDateTime);
    private static readonly TypedDocument Passport = new("passport", "ya1234567", "31/12/2029");

    private static DeskDecision Decide(DeskAction action) => DeskRules.Decide(action, Passport, "m123456", "it", "rao-op", "Roma 1", Now,
        (kind, expiresAt) => new AccountToken { Id = "link-" + kind, HolderId = "m123456", Kind = kind, ExpiresAt = expiresAt },
        () => new NotMeToken { Id = "not-me", HolderId = "m123456" });

    [Fact]
    public void every_problem_of_a_check_is_named_at_once_next_to_its_field()
    {
        DeskRules.Problems(new TypedDocument("library_card", "12", "31/02/2030"), DeskAction.UnblockPin, holderHasEmail: true, Today)
            .ShouldBe(new Dictionary<string, string>
            {
                ["doc_type"] = "registration.error.doc_type", ["doc_number"] = "registration.error.doc_number", ["doc_expiry"] = "registration.error.date",
            }, ignoreOrder: true);
        DeskRules.Problems(Passport with { Expiry = "06/12/2026" }, DeskAction.UnblockPin, true, Today)
            .ShouldBe(new Dictionary<string, string> { ["doc_expiry"] = "registration.error.doc_expired" }, "a document expiring today is expired");
        DeskRules.Problems(Passport, DeskAction.UnblockPin, true, Today).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(DeskAction.ResetOtp, true)]
    [InlineData(DeskAction.ForgottenPin, true)]
    [InlineData(DeskAction.UnblockPin, false)]
    public void the_actions_that_mail_a_link_need_the_recovery_email(DeskAction action, bool needsEmail)
    {
        var problems = DeskRules.Problems(Passport, action, holderHasEmail: false, Today);
        if (needsEmail) problems.ShouldBe(new Dictionary<string, string> { ["action"] = "rao.desk.error.no_email" });
        else problems.ShouldBeEmpty();
    }

    /// <summary>Every certificate state (in time and past its end) × the PIN's attempts left: only a blocked PIN of a certificate still in use is unblocked.</summary>
    [Theory]
    [InlineData("active", false, 0, null)]
    [InlineData("suspended", false, 0, null)]
    [InlineData("active", false, 1, "rao.desk.error.pin_not_blocked")]
    [InlineData("active", false, 5, "rao.desk.error.pin_not_blocked")]
    [InlineData("suspended", false, 3, "rao.desk.error.pin_not_blocked")]
    [InlineData("revoked", false, 0, "rao.desk.error.certificate_ended")]
    [InlineData("revoked", false, 5, "rao.desk.error.certificate_ended")]
    [InlineData("active", true, 0, "rao.desk.error.certificate_ended")]
    [InlineData("suspended", true, 0, "rao.desk.error.certificate_ended")]
    [InlineData("revoked", true, 0, "rao.desk.error.certificate_ended")]
    [InlineData(null, false, 0, "rao.desk.error.no_certificate")]
    public void only_the_blocked_pin_of_a_certificate_in_use_is_unblocked(string? status, bool pastItsEnd, int attemptsLeft, string? problem) =>
        DeskRules.UnblockProblem(Credential(status, pastItsEnd, attemptsLeft), Now).ShouldBe(problem);

    /// <summary>Every certificate state (in time and past its end) × the PIN's attempts left: a new PIN (a new key) only for a certificate still in use, its PIN blocked or not.</summary>
    [Theory]
    [InlineData("active", false, 5, null)]
    [InlineData("active", false, 0, null)]
    [InlineData("suspended", false, 3, null)]
    [InlineData("suspended", false, 0, null)]
    [InlineData("revoked", false, 5, "rao.desk.error.certificate_ended")]
    [InlineData("active", true, 2, "rao.desk.error.certificate_ended")]
    [InlineData("suspended", true, 2, "rao.desk.error.certificate_ended")]
    [InlineData("revoked", true, 2, "rao.desk.error.certificate_ended")]
    [InlineData(null, false, 0, "rao.desk.error.no_certificate")]
    public void a_new_pin_is_started_only_for_a_certificate_in_use(string? status, bool pastItsEnd, int attemptsLeft, string? problem) =>
        DeskRules.NewPinProblem(Credential(status, pastItsEnd, attemptsLeft), Now).ShouldBe(problem);

    /// <summary>What Certificates answers about the holder's certificate (status as it was set; the end decides expiry), null for none.</summary>
    private static SigningCredential? Credential(string? status, bool pastItsEnd, int attemptsLeft) => status is null ? null
        : new SigningCredential("m123456", Guid.NewGuid(), [], "01", "Bruno", "Gatti", false, status,
            pastItsEnd ? Now.AddDays(-1) : Now.AddYears(2), attemptsLeft, true, 1000, TimeSpan.FromMinutes(5));

    [Theory]
    [InlineData(DeskAction.ResetOtp, "reset_otp", "rao.otp_reset_started")]
    [InlineData(DeskAction.UnblockPin, "unblock_pin", "rao.pin_unblocked")]
    [InlineData(DeskAction.ForgottenPin, "forgotten_pin", "rao.new_pin_started")]
    public void every_action_keeps_the_checked_document_as_evidence_and_tells_the_trail_who_did_what(DeskAction action, string name, string audit)
    {
        var decision = Decide(action);
        var check = decision.Documents.OfType<IdentityCheck>().ShouldHaveSingleItem();
        (check.HolderId, check.Operator, check.Office, check.DocumentType, check.DocumentNumber, check.DocumentExpiry, check.Action, check.At)
            .ShouldBe(("m123456", "rao-op", "Roma 1", "passport", "YA1234567", new DateOnly(2029, 12, 31), name, Now));
        var trail = decision.Documents.OfType<AuditEntry>().ToList();
        trail.Select(a => a.What).ShouldBe(["rao.identity_checked", audit]);
        trail.ShouldAllBe(a => a.Actor == "rao-op" && a.Office == "Roma 1" && a.HolderId == "m123456");
        trail[0].Detail.ShouldBe("passport …567", "the trail shows the document's last three characters, not the number");
        decision.Done.ShouldBe("rao.desk.done." + name);
    }

    [Fact]
    public void an_unblock_resets_the_pins_count_and_tells_the_holder_with_a_this_wasnt_me_link()
    {
        var decision = Decide(DeskAction.UnblockPin);
        decision.ReplacesLink.ShouldBeNull();
        decision.Documents.OfType<NotMeToken>().ShouldHaveSingleItem().Id.ShouldBe("not-me");
        decision.Messages.ShouldBe([new UnblockPin("m123456", "rao-op", "Roma 1"), new PinUnblockedMail("m123456", "it", "Roma 1", "not-me")]);
    }

    [Fact]
    public void a_forgotten_pin_mails_a_new_pin_link_for_24_hours_that_replaces_any_earlier_one()
    {
        var decision = Decide(DeskAction.ForgottenPin);
        decision.ReplacesLink.ShouldBe("new_pin");
        decision.Documents.OfType<AccountToken>().ShouldHaveSingleItem().ExpiresAt.ShouldBe(Now.AddHours(24));
        decision.Messages.ShouldBe([new NewPinLinkMail("link-new_pin", "it", "Roma 1")]);
    }

    [Fact]
    public void a_lost_phone_stops_the_old_factor_and_mails_the_link_to_register_a_new_one()
    {
        var decision = Decide(DeskAction.ResetOtp);
        decision.ReplacesLink.ShouldBe("otp_reset");
        decision.Documents.OfType<AccountToken>().ShouldHaveSingleItem().Kind.ShouldBe("otp_reset");
        decision.Messages.ShouldBe([new ResetOtpFactor("m123456"), new OtpResetLinkMail("link-otp_reset", "it", "Roma 1")]);
    }
}
