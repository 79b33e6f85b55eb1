using MySign.Accounts.Contracts;
using MySign.Billing.Contracts;
using MySign.Certificates.Contracts;
using MySign.Otp.Contracts;
using MySign.Renewal.Contracts;

namespace MySign.Renewal.Domain;

/// <summary>Why a step was refused: at the wrong time (Conflict), with input it cannot take (Invalid), or too often (Throttled).</summary>
public enum RefusalKind { Conflict, Invalid, Throttled }

/// <summary>A refusal to show: the field it belongs to ("form" for the whole step), its message key (or text), and its kind.</summary>
public sealed record Refusal(string Field, string Key, RefusalKind Kind);

/// <summary>
/// What a transition decided: the renewal's next state and the messages to send with it, or a refusal and no change.
/// Pure: the state it was asked about is never modified, so a refused or unsaved decision leaves nothing behind.
/// </summary>
public sealed record RenewalDecision(RenewalRequest State, IReadOnlyList<object> Messages, Refusal? Refused = null)
{
    public bool Accepted => Refused is null;
}

/// <summary>
/// The renewal's transitions, each from the current state and an input (the answers other modules gave, the time)
/// to a decision. Every step change of a renewal happens here; the wizard's endpoints only gather the inputs, apply
/// the decision (store the state, send the messages) and draw the result.
/// </summary>
public static class RenewalDecisions
{
    public const string ConfirmPurpose = "renewal.confirm";
    public const string ActivatePurpose = "renewal.activate";

    /// <summary>A new renewal of the holder's current certificate, at Consents.</summary>
    public static RenewalDecision Start(Guid id, string holderId, string path, RenewableCertificate? certificate, DateTimeOffset now)
    {
        var request = new RenewalRequest { Id = id, HolderId = holderId, Path = path, Step = RenewalStep.Consents, CreatedAt = now };
        if (certificate is null || !RenewalPaths.All.Contains(path)) return Refuse(request, "form", "renewal.error.step", RefusalKind.Invalid);
        if (!certificate.Renewable) return Refuse(request, "form", "renewal.error.not_active", RefusalKind.Invalid);
        if (RenewalWindow.For(certificate.ExpiresAt, now).State != WindowState.Open) return Refuse(request, "form", "renewal.error.step", RefusalKind.Invalid);
        return Next(request, r =>
        {
            r.CertificateId = certificate.CertificateId;
            r.UniqueIdentifier = certificate.UniqueIdentifier;
            r.ExpiresAt = certificate.ExpiresAt;
        });
    }

    /// <summary>The guard of every step: this step (and path) is the renewal's current one, and the certificate has not expired.</summary>
    public static Refusal? At(this RenewalRequest request, RenewalStep step, DateTimeOffset now, string? path = null)
    {
        if (request.Step != step || (path is not null && request.Path != path)) return new Refusal("form", "renewal.error.step", RefusalKind.Conflict);
        if (now >= request.ExpiresAt) return new Refusal("form", "renewal.error.expired", RefusalKind.Invalid);
        return null;
    }

    /// <summary>Step 1's form: both consents given and a PIN typed (the PIN itself is checked by Certificates); every gap at once.</summary>
    public static IReadOnlyList<Refusal> Consents(bool conditionsAccepted, bool dataConfirmed, string pin)
    {
        var gaps = new List<Refusal>();
        if (!conditionsAccepted) gaps.Add(new Refusal("conditions", "renewal.error.conditions", RefusalKind.Invalid));
        if (!dataConfirmed) gaps.Add(new Refusal("data_valid", "renewal.error.data_valid", RefusalKind.Invalid));
        if (pin.Length == 0) gaps.Add(new Refusal("pin", "renewal.error.pin_required", RefusalKind.Invalid));
        return gaps;
    }

    /// <summary>Consents given and the PIN right: the renewal waits for the confirmation OTP (sent next).</summary>
    public static RenewalDecision PinChecked(this RenewalRequest request, SignaturePinChecked check) =>
        check.Ok ? Unchanged(request) : Refuse(request, "pin", check.ErrorKey!, RefusalKind.Invalid);

    /// <summary>
    /// A code was sent for the step that asks for one: after Consents it is the confirmation, after the new PIN the
    /// activation; at either confirmation it replaces the previous code (resend). Throttled, nothing moves.
    /// </summary>
    public static RenewalDecision CodeSent(this RenewalRequest request, OtpIssued issued)
    {
        // At a code step (a resend) the wait is the code field's, read out with it; before one, the form's.
        if (issued.Throttled)
            return Refuse(request, request.Step is RenewalStep.ConfirmOperation or RenewalStep.ConfirmActivation ? "code" : "form", issued.Wait!, RefusalKind.Throttled);
        RenewalStep? next = request.Step switch
        {
            RenewalStep.Consents or RenewalStep.ConfirmOperation => RenewalStep.ConfirmOperation,
            RenewalStep.Activate or RenewalStep.ConfirmActivation when request.ProtectedPin is not null => RenewalStep.ConfirmActivation,
            _ => null,
        };
        if (next is null) return Refuse(request, "form", "renewal.error.step", RefusalKind.Conflict);
        return Next(request, r =>
        {
            r.Step = next.Value;
            r.ChallengeId = issued.ChallengeId;
            r.OtpChannel = issued.Channel;
            r.OtpDestination = issued.MaskedDestination;
        });
    }

    /// <summary>The purpose a code of the current step is bound to (null when the step asks for none).</summary>
    public static string? OtpPurpose(this RenewalRequest request) => request.Step switch
    {
        RenewalStep.Consents or RenewalStep.ConfirmOperation => ConfirmPurpose,
        RenewalStep.Activate or RenewalStep.ConfirmActivation => ActivatePurpose,
        _ => null,
    };

    /// <summary>Step 2: the confirmation code was right, on to the third step (payment, coupon or RAO).</summary>
    public static RenewalDecision ConfirmOtp(this RenewalRequest request, OtpVerified verified)
    {
        if (request.Step != RenewalStep.ConfirmOperation) return Refuse(request, "form", "renewal.error.step", RefusalKind.Conflict);
        if (!verified.IsValid) return Refuse(request, "code", verified.Refusal, RefusalKind.Invalid);
        return Next(request, r => { r.Step = RenewalStep.Payment; r.ChallengeId = null; });
    }

    /// <summary>Step 3 by coupon: Billing redeemed it for this renewal.</summary>
    public static RenewalDecision CouponRedeemed(this RenewalRequest request, string code, CouponRedemption redemption)
    {
        if (!IsPaymentOn(request, RenewalPaths.Coupon)) return Refuse(request, "form", "renewal.error.step", RefusalKind.Conflict);
        if (!redemption.Redeemed) return Refuse(request, "coupon", redemption.ErrorKey!, RefusalKind.Invalid);
        return Next(request, r => { r.CouponCode = code; r.Step = RenewalStep.Activate; });
    }

    /// <summary>Step 3 at the RAO desk: the operator's credentials were accepted for this holder.</summary>
    public static RenewalDecision RaoVerified(this RenewalRequest request, RaoCredentialsVerified verdict)
    {
        if (!IsPaymentOn(request, RenewalPaths.Rao)) return Refuse(request, "form", "renewal.error.step", RefusalKind.Conflict);
        if (!verdict.Authorised) return Refuse(request, "rao", verdict.ErrorKey!, RefusalKind.Invalid);
        return Next(request, r => { r.AuthorisedBy = verdict.OperatorId; r.Step = RenewalStep.Activate; });
    }

    /// <summary>Step 3 in the store: the order Billing opened for this renewal (the same one when asked again).</summary>
    public static RenewalDecision OrderOpened(this RenewalRequest request, RenewalOrderOpened opened) =>
        !IsPaymentOn(request, RenewalPaths.Store) ? Refuse(request, "form", "renewal.error.step", RefusalKind.Conflict)
        : request.OrderId == opened.OrderId ? Unchanged(request)
        : Next(request, r => { r.OrderId = opened.OrderId; r.OrderPath = opened.CartPath; });

    /// <summary>The store confirmed payment (Billing's OrderPaid): on to Activate. Anything not waiting for it is left alone.</summary>
    public static RenewalDecision Paid(this RenewalRequest request, OrderPaid paid) =>
        request.HolderId != paid.HolderId || !IsPaymentOn(request, RenewalPaths.Store) ? Unchanged(request)
        : Next(request, r => { r.OrderId = paid.OrderId; r.Step = RenewalStep.Activate; });

    /// <summary>The holder emptied the cart: the renewal forgets that order and offers the payment again.</summary>
    public static RenewalDecision OrderRemoved(this RenewalRequest request, RenewalOrderRemoved removed) =>
        request.HolderId != removed.HolderId || !IsPaymentOn(request, RenewalPaths.Store) || request.OrderId != removed.OrderId ? Unchanged(request)
        : Next(request, r => r.OrderId = null);

    /// <summary>
    /// After the RAO desk the holder stops and finishes at home: only where the next sign-in lands changes (Accounts).
    /// </summary>
    public static RenewalDecision FinishLater(this RenewalRequest request, DateTimeOffset now) =>
        request.At(RenewalStep.Activate, now, RenewalPaths.Rao) is { } refusal ? Refuse(request, refusal)
        : Next(request, r => r.FinishLater = true, new LandOnNextSignIn(request.HolderId, $"/renewal/{request.Id}"));

    /// <summary>Step 4: the new PIN passed Certificates' rules and was typed twice alike; kept sealed until the last OTP.</summary>
    public static RenewalDecision NewPin(this RenewalRequest request, PinRulesChecked rules, bool confirmed, Func<string> seal)
    {
        if (request.Step != RenewalStep.Activate) return Refuse(request, "form", "renewal.error.step", RefusalKind.Conflict);
        if (rules.ErrorKey is { } problem) return Refuse(request, "new_pin", problem, RefusalKind.Invalid);
        if (!confirmed) return Refuse(request, "confirm_pin", "pin.error.confirm", RefusalKind.Invalid);
        return Next(request, r => r.ProtectedPin = seal());
    }

    /// <summary>Step 5's code was right: the activation may ask Certificates for the new certificate.</summary>
    public static RenewalDecision ActivationConfirmed(this RenewalRequest request, OtpVerified verified) =>
        request.Step != RenewalStep.ConfirmActivation || request.ProtectedPin is null ? Refuse(request, "form", "renewal.error.step", RefusalKind.Conflict)
        : verified.IsValid ? Unchanged(request) : Refuse(request, "code", verified.Refusal, RefusalKind.Invalid);

    /// <summary>Certificates issued the new certificate (null: the old one was suspended or revoked meanwhile, nothing issued).</summary>
    public static RenewalDecision Activated(this RenewalRequest request, CertificateIssued? issued, DateTimeOffset now, string language)
    {
        if (request.Step != RenewalStep.ConfirmActivation) return Refuse(request, "form", "renewal.error.step", RefusalKind.Conflict);
        if (issued is null) return Refuse(request, "form", "renewal.error.not_active", RefusalKind.Invalid);
        var messages = new List<object> { new RenewalCompleted(request.HolderId, request.Id, issued.UniqueIdentifier, issued.NotAfter, now, language) };
        if (request.FinishLater) messages.Add(new LandOnNextSignIn(request.HolderId, null));
        return Next(request, r =>
        {
            r.Step = RenewalStep.Done;
            r.ProtectedPin = null;
            r.ChallengeId = null;
            r.EndedAt = now;
            r.NewUniqueIdentifier = issued.UniqueIdentifier;
        }, [.. messages]);
    }

    /// <summary>
    /// Cancel at any step: the coupon is given back, an unpaid order is cancelled with it. Refused once paid in the
    /// store (the money would be thrown away: only the activation is left), once the renewal has ended, and once the
    /// activation code is out while the certificate is active: from then on the new certificate may be issued at any
    /// moment (Certificates commits it before this renewal records it), and a cancel winning that race would leave a
    /// renewed certificate with its coupon given back. A certificate no longer active is renewed by nobody, so then the
    /// holder may cancel.
    /// </summary>
    public static RenewalDecision Cancel(this RenewalRequest request, DateTimeOffset now, bool certificateActive = true)
    {
        if (!request.InProgress) return Refuse(request, "form", "renewal.error.step", RefusalKind.Conflict);
        if (request.Path == RenewalPaths.Store && request.Step is RenewalStep.Activate or RenewalStep.ConfirmActivation)
            return Refuse(request, "form", "renewal.error.paid_no_cancel", RefusalKind.Conflict);
        if (request.Step == RenewalStep.ConfirmActivation && certificateActive)
            return Refuse(request, "form", "renewal.error.activating_no_cancel", RefusalKind.Conflict);
        var messages = new List<object>();
        if (request.CouponCode is not null) messages.Add(new ReleaseCoupon(request.CouponCode, request.Id));
        if (request.Path == RenewalPaths.Store) messages.Add(new CancelRenewalOrder(request.Id));
        if (request.FinishLater) messages.Add(new LandOnNextSignIn(request.HolderId, null));
        return Next(request, r => { r.Step = RenewalStep.Cancelled; r.ProtectedPin = null; r.EndedAt = now; }, [.. messages]);
    }

    private static bool IsPaymentOn(RenewalRequest request, string path) => request.Step == RenewalStep.Payment && request.Path == path;

    private static RenewalDecision Next(RenewalRequest request, Action<RenewalRequest> change, params object[] messages)
    {
        var next = request.Copy();
        change(next);
        return new RenewalDecision(next, messages);
    }

    private static RenewalDecision Unchanged(RenewalRequest request) => new(request, []);

    private static RenewalDecision Refuse(RenewalRequest request, string field, string key, RefusalKind kind) => new(request, [], new Refusal(field, key, kind));

    private static RenewalDecision Refuse(RenewalRequest request, Refusal refusal) => new(request, [], refusal);
}
