using MySign.Accounts.Contracts;
using MySign.Billing.Contracts;
using MySign.Certificates.Contracts;
using MySign.Otp.Contracts;
using MySign.Renewal.Contracts;
using MySign.Renewal.Domain;

namespace MySign.Tests.Renewal;

/// <summary>
/// Every transition of a renewal and every refusal, decided without a database, a bus or HTTP: the state in, the
/// input (what other modules answered, the time), the decision out. The state asked about is never changed.
/// </summary>
public sealed class RenewalDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
    private static readonly RenewableCertificate Due = new()
    {
        Id = "m123456", CertificateId = Guid.NewGuid(), UniqueIdentifier = "IUT-OLD", IssuedAt = Now.AddYears(-3).AddMonths(1), ExpiresAt = Now.AddMonths(1),
    };
    private static readonly OtpIssued Sent = new(Guid.NewGuid(), ReceptionMode.Sms, "••••••1234", Now.AddMinutes(5), Notice: "We sent you a code via SMS to ••••••1234");
    private static readonly OtpVerified Right = new(OtpOutcome.Valid, 5);
    private static readonly OtpVerified Wrong = new(OtpOutcome.Wrong, 4);

    private static RenewalRequest At(RenewalStep step, string path = RenewalPaths.Coupon, Action<RenewalRequest>? with = null)
    {
        var request = RenewalDecisions.Start(Guid.NewGuid(), "m123456", path, Due, Now).State;
        request.Step = step;
        with?.Invoke(request);
        return request;
    }

    private static void Refused(RenewalDecision decision, RenewalRequest before, string field, string key, RefusalKind kind)
    {
        decision.Accepted.ShouldBeFalse();
        decision.Refused.ShouldBe(new Refusal(field, key, kind));
        decision.Messages.ShouldBeEmpty();
        decision.State.ShouldBeSameAs(before, "a refusal changes nothing");
    }

    [Fact]
    public void a_renewal_starts_at_consents_for_the_certificate_in_its_window_on_a_known_path()
    {
        var started = RenewalDecisions.Start(Guid.NewGuid(), "m123456", RenewalPaths.Store, Due, Now);
        started.Accepted.ShouldBeTrue();
        started.State.Step.ShouldBe(RenewalStep.Consents);
        started.State.UniqueIdentifier.ShouldBe("IUT-OLD");
        started.State.ExpiresAt.ShouldBe(Due.ExpiresAt);

        RenewalDecisions.Start(Guid.NewGuid(), "m123456", "gift", Due, Now).Accepted.ShouldBeFalse();
        RenewalDecisions.Start(Guid.NewGuid(), "m123456", RenewalPaths.Store, null, Now).Accepted.ShouldBeFalse();
        var early = new RenewableCertificate { Id = Due.Id, CertificateId = Due.CertificateId, ExpiresAt = Now.AddMonths(5) };
        RenewalDecisions.Start(Guid.NewGuid(), "m123456", RenewalPaths.Store, early, Now).Refused!.Key.ShouldBe("renewal.error.step");
        var suspended = Due.Apply(new CertificateStatusChanged(Due.Id, Due.CertificateId, "suspended", Now))!;
        RenewalDecisions.Start(Guid.NewGuid(), "m123456", RenewalPaths.Store, suspended, Now).Refused!.Key.ShouldBe("renewal.error.not_active");
    }

    [Fact]
    public void every_step_is_taken_only_at_its_turn_on_its_path_and_before_expiry()
    {
        var request = At(RenewalStep.Payment, RenewalPaths.Coupon);
        request.At(RenewalStep.Payment, Now, RenewalPaths.Coupon).ShouldBeNull();
        request.At(RenewalStep.Consents, Now).ShouldBe(new Refusal("form", "renewal.error.step", RefusalKind.Conflict));
        request.At(RenewalStep.Payment, Now, RenewalPaths.Rao).ShouldBe(new Refusal("form", "renewal.error.step", RefusalKind.Conflict));
        request.At(RenewalStep.Payment, request.ExpiresAt).ShouldBe(new Refusal("form", "renewal.error.expired", RefusalKind.Invalid));
    }

    [Fact]
    public void consents_need_both_boxes_and_a_pin_and_a_right_pin()
    {
        RenewalDecisions.Consents(false, false, "").Select(r => r.Field).ShouldBe(["conditions", "data_valid", "pin"], "every gap at once");
        RenewalDecisions.Consents(false, true, "1234").ShouldBe([new Refusal("conditions", "renewal.error.conditions", RefusalKind.Invalid)]);
        RenewalDecisions.Consents(true, false, "1234").ShouldBe([new Refusal("data_valid", "renewal.error.data_valid", RefusalKind.Invalid)]);
        RenewalDecisions.Consents(true, true, "").ShouldBe([new Refusal("pin", "renewal.error.pin_required", RefusalKind.Invalid)]);
        RenewalDecisions.Consents(true, true, "1234").ShouldBeEmpty();
        var request = At(RenewalStep.Consents);
        Refused(request.PinChecked(new SignaturePinChecked(false, "pin.error.wrong")), request, "pin", "pin.error.wrong", RefusalKind.Invalid);
        request.PinChecked(new SignaturePinChecked(true, null)).State.ShouldBeSameAs(request);
    }

    [Fact]
    public void a_sent_code_moves_consents_to_the_confirmation_and_remembers_where_it_went()
    {
        var request = At(RenewalStep.Consents);
        var sent = request.CodeSent(Sent);
        sent.State.Step.ShouldBe(RenewalStep.ConfirmOperation);
        sent.State.ChallengeId.ShouldBe(Sent.ChallengeId);
        sent.State.OtpChannel.ShouldBe(ReceptionMode.Sms);
        sent.State.OtpDestination.ShouldBe("••••••1234");
        request.Step.ShouldBe(RenewalStep.Consents, "the state asked about is unchanged");
        request.OtpPurpose().ShouldBe(RenewalDecisions.ConfirmPurpose);

        var again = sent.State.CodeSent(Sent with { ChallengeId = Guid.NewGuid() });
        again.State.Step.ShouldBe(RenewalStep.ConfirmOperation, "a resend stays at the step");
        Refused(request.CodeSent(Sent with { Throttled = true, RetryAfterSeconds = 30, Wait = "Wait 30 seconds" }), request, "form", "Wait 30 seconds", RefusalKind.Throttled);
        // At the code step the wait is the code field's (read out with it); before it, the form's.
        Refused(sent.State.CodeSent(Sent with { Throttled = true, RetryAfterSeconds = 30, Wait = "Wait 30 seconds" }), sent.State, "code", "Wait 30 seconds", RefusalKind.Throttled);
        var payment = At(RenewalStep.Payment);
        Refused(payment.CodeSent(Sent), payment, "form", "renewal.error.step", RefusalKind.Conflict);
        var noPin = At(RenewalStep.Activate);
        Refused(noPin.CodeSent(Sent), noPin, "form", "renewal.error.step", RefusalKind.Conflict);
    }

    [Fact]
    public void the_confirmation_code_leads_to_the_third_step_and_a_wrong_one_says_why()
    {
        var request = At(RenewalStep.ConfirmOperation, with: r => r.ChallengeId = Guid.NewGuid());
        var confirmed = request.ConfirmOtp(Right);
        confirmed.State.Step.ShouldBe(RenewalStep.Payment);
        confirmed.State.ChallengeId.ShouldBeNull();
        Refused(request.ConfirmOtp(Wrong), request, "code", "otp.error.wrong", RefusalKind.Invalid);
        var early = At(RenewalStep.Consents);
        Refused(early.ConfirmOtp(Right), early, "form", "renewal.error.step", RefusalKind.Conflict);
    }

    [Fact]
    public void a_coupon_redeemed_for_this_renewal_pays_it_and_a_refused_one_is_explained()
    {
        var request = At(RenewalStep.Payment, RenewalPaths.Coupon);
        var paid = request.CouponRedeemed("AAAA-BBBB", new CouponRedemption(true, null));
        paid.State.Step.ShouldBe(RenewalStep.Activate);
        paid.State.CouponCode.ShouldBe("AAAA-BBBB");
        Refused(request.CouponRedeemed("X", new CouponRedemption(false, "coupon.error.unknown")), request, "coupon", "coupon.error.unknown", RefusalKind.Invalid);
        var store = At(RenewalStep.Payment, RenewalPaths.Store);
        Refused(store.CouponRedeemed("X", new CouponRedemption(true, null)), store, "form", "renewal.error.step", RefusalKind.Conflict);
    }

    [Fact]
    public void the_rao_desk_authorises_and_the_holder_may_finish_later()
    {
        var request = At(RenewalStep.Payment, RenewalPaths.Rao);
        Refused(request.RaoVerified(new RaoCredentialsVerified(false, null, null, "renewal.error.rao")), request, "rao", "renewal.error.rao", RefusalKind.Invalid);
        var verified = request.RaoVerified(new RaoCredentialsVerified(true, "rao.roma", "Roma", null));
        verified.State.Step.ShouldBe(RenewalStep.Activate);
        verified.State.AuthorisedBy.ShouldBe("rao.roma");

        var later = verified.State.FinishLater(Now);
        later.State.FinishLater.ShouldBeTrue();
        later.Messages.ShouldBe([new LandOnNextSignIn("m123456", $"/renewal/{request.Id}")]);
        Refused(request.FinishLater(Now), request, "form", "renewal.error.step", RefusalKind.Conflict);
        var coupon = At(RenewalStep.Activate, RenewalPaths.Coupon);
        Refused(coupon.FinishLater(Now), coupon, "form", "renewal.error.step", RefusalKind.Conflict);
    }

    [Fact]
    public void the_store_order_is_remembered_paid_or_forgotten_when_the_cart_is_emptied()
    {
        var request = At(RenewalStep.Payment, RenewalPaths.Store);
        var order = Guid.NewGuid();
        var opened = request.OrderOpened(new RenewalOrderOpened(order, $"/store/orders/{order}"));
        opened.State.OrderId.ShouldBe(order);
        opened.State.OrderOpened(new RenewalOrderOpened(order, $"/store/orders/{order}")).State.ShouldBeSameAs(opened.State, "the same order again changes nothing");

        var removed = opened.State.OrderRemoved(new RenewalOrderRemoved(request.Id, order, "m123456"));
        removed.State.OrderId.ShouldBeNull();
        opened.State.OrderRemoved(new RenewalOrderRemoved(request.Id, Guid.NewGuid(), "m123456")).State.ShouldBeSameAs(opened.State, "another order");

        var paid = opened.State.Paid(new OrderPaid(order, "m123456", request.Id, 36.60m, Now));
        paid.State.Step.ShouldBe(RenewalStep.Activate);
        opened.State.Paid(new OrderPaid(order, "m999999", request.Id, 36.60m, Now)).State.ShouldBeSameAs(opened.State, "someone else's payment");
        paid.State.Paid(new OrderPaid(order, "m123456", request.Id, 36.60m, Now)).State.ShouldBeSameAs(paid.State, "paid twice moves once");
    }

    [Fact]
    public void the_new_pin_follows_the_rules_is_typed_twice_and_is_kept_sealed()
    {
        var request = At(RenewalStep.Activate);
        Refused(request.NewPin(new PinRulesChecked("pin.error.simple"), true, () => "sealed"), request, "new_pin", "pin.error.simple", RefusalKind.Invalid);
        Refused(request.NewPin(new PinRulesChecked(null), false, () => "sealed"), request, "confirm_pin", "pin.error.confirm", RefusalKind.Invalid);
        var chosen = request.NewPin(new PinRulesChecked(null), true, () => "sealed");
        chosen.State.ProtectedPin.ShouldBe("sealed");
        chosen.State.OtpPurpose().ShouldBe(RenewalDecisions.ActivatePurpose);
        chosen.State.CodeSent(Sent).State.Step.ShouldBe(RenewalStep.ConfirmActivation);
    }

    [Fact]
    public void activation_ends_the_renewal_with_the_new_certificate_and_says_so()
    {
        var request = At(RenewalStep.ConfirmActivation, RenewalPaths.Rao, r => { r.ProtectedPin = "sealed"; r.FinishLater = true; });
        Refused(request.ActivationConfirmed(Wrong), request, "code", "otp.error.wrong", RefusalKind.Invalid);
        request.ActivationConfirmed(Right).Accepted.ShouldBeTrue();
        Refused(request.Activated(null, Now, "it"), request, "form", "renewal.error.not_active", RefusalKind.Invalid);

        var issued = new CertificateIssued("m123456", Guid.NewGuid(), "IUT-NEW", Now, Now.AddYears(3));
        var done = request.Activated(issued, Now, "it");
        done.State.Step.ShouldBe(RenewalStep.Done);
        done.State.ProtectedPin.ShouldBeNull("the new PIN is forgotten");
        done.State.NewUniqueIdentifier.ShouldBe("IUT-NEW");
        done.State.EndedAt.ShouldBe(Now);
        done.Messages.ShouldBe([new RenewalCompleted("m123456", request.Id, "IUT-NEW", Now.AddYears(3), Now, "it"), new LandOnNextSignIn("m123456", null)]);
        Refused(done.State.Activated(issued, Now, "it"), done.State, "form", "renewal.error.step", RefusalKind.Conflict);
    }

    [Fact]
    public void cancelling_gives_the_coupon_back_cancels_an_unpaid_order_but_never_throws_paid_money_away()
    {
        var coupon = At(RenewalStep.Activate, RenewalPaths.Coupon, r => r.CouponCode = "AAAA-BBBB");
        var cancelled = coupon.Cancel(Now);
        cancelled.State.Step.ShouldBe(RenewalStep.Cancelled);
        cancelled.Messages.ShouldBe([new ReleaseCoupon("AAAA-BBBB", coupon.Id)]);

        var store = At(RenewalStep.Payment, RenewalPaths.Store);
        store.Cancel(Now).Messages.ShouldBe([new CancelRenewalOrder(store.Id)]);
        var paid = At(RenewalStep.Activate, RenewalPaths.Store);
        Refused(paid.Cancel(Now), paid, "form", "renewal.error.paid_no_cancel", RefusalKind.Conflict);
        Refused(cancelled.State.Cancel(Now), cancelled.State, "form", "renewal.error.step", RefusalKind.Conflict);
        At(RenewalStep.Activate, RenewalPaths.Rao, r => r.FinishLater = true).Cancel(Now).Messages.ShouldContain(new LandOnNextSignIn("m123456", null));
    }

    [Theory]
    [InlineData(RenewalPaths.Coupon)]
    [InlineData(RenewalPaths.Rao)]
    public void once_the_activation_code_is_out_only_an_activation_ends_the_renewal_while_the_certificate_is_active(string path)
    {
        var confirming = At(RenewalStep.ConfirmActivation, path, r => { r.CouponCode = "AAAA-BBBB"; r.ProtectedPin = "sealed"; });
        Refused(confirming.Cancel(Now), confirming, "form", "renewal.error.activating_no_cancel", RefusalKind.Conflict);
        // Suspended or revoked meanwhile: nobody renews it any more, so the holder may stop and have the coupon back.
        confirming.Cancel(Now, certificateActive: false).State.Step.ShouldBe(RenewalStep.Cancelled);
        // Before the code is out (the new PIN not yet chosen) a cancel is always accepted.
        At(RenewalStep.Activate, path).Cancel(Now).State.Step.ShouldBe(RenewalStep.Cancelled);
    }

    [Fact]
    public void certificate_facts_apply_once_and_an_older_one_never_overwrites_a_newer_one()
    {
        var first = new CertificateIssued("m123456", Guid.NewGuid(), "IUT-1", Now.AddYears(-3), Now);
        var second = new CertificateIssued("m123456", Guid.NewGuid(), "IUT-2", Now, Now.AddYears(3));
        var known = RenewableCertificate.Apply(null, first)!;
        var renewed = RenewableCertificate.Apply(known, second)!;
        renewed.UniqueIdentifier.ShouldBe("IUT-2");
        RenewableCertificate.Apply(renewed, first).ShouldBeNull("the older certificate's fact arrived late");
        RenewableCertificate.Apply(renewed, second).ShouldBeNull("the same fact twice");

        var suspended = renewed.Apply(new CertificateStatusChanged("m123456", second.CertificateId, "suspended", Now.AddDays(2)))!;
        suspended.Renewable.ShouldBeFalse();
        suspended.Apply(new CertificateStatusChanged("m123456", second.CertificateId, "active", Now.AddDays(1))).ShouldBeNull("an older change");
        suspended.Apply(new CertificateStatusChanged("m123456", first.CertificateId, "revoked", Now.AddDays(3))).ShouldBeNull("another certificate");
        suspended.Apply(new CertificateStatusChanged("m123456", second.CertificateId, "active", Now.AddDays(3)))!.Renewable.ShouldBeTrue();

        // A new key made at the RAO desk for a suspended certificate is issued suspended (ADR 0023): never renewable as issued.
        var rekeyed = new CertificateIssued("m123456", Guid.NewGuid(), "IUT-3", Now.AddDays(4), Now.AddYears(3), Status: "suspended");
        RenewableCertificate.Apply(suspended, rekeyed)!.Renewable.ShouldBeFalse("the fact says suspended, whatever came before it");
    }
}
