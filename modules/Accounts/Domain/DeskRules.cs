using System.Text.RegularExpressions;
using MySign.Accounts.Mail;
using MySign.Accounts.Registration;
using MySign.Accounts.Security;
using MySign.Certificates.Contracts;
using MySign.Kernel.Validation;
using MySign.Otp.Contracts;

namespace MySign.Accounts.Domain;

/// <summary>What the RAO desk does for a holder in trouble, each its own door: a lost OTP phone, a blocked PIN the holder still knows, a forgotten PIN.</summary>
public enum DeskAction { ResetOtp, UnblockPin, ForgottenPin }

/// <summary>The identity document as the operator typed it (kept to show again when something is wrong).</summary>
public sealed record TypedDocument(string Type, string Number, string Expiry);

/// <summary>
/// What the desk decided after a valid check: the documents to store (the evidence, the holder's audit entries, the mailed
/// link's token), the kind of link it replaces (the earlier one stops working), the messages (another module's command,
/// the holder's mail) and the notice the operator reads.
/// </summary>
public sealed record DeskDecision(IReadOnlyList<object> Documents, string? ReplacesLink, IReadOnlyList<object> Messages, string Done);

/// <summary>The desk's rules, pure: what is wrong with a check, and what each action stores and says.</summary>
public static partial class DeskRules
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(24);

    /// <summary>The action's name in the audit trail, its notice and its door (reset_otp ↔ /desk/reset-otp).</summary>
    public static string Name(this DeskAction action) => action switch
    {
        DeskAction.ResetOtp => "reset_otp",
        DeskAction.UnblockPin => "unblock_pin",
        _ => "forgotten_pin",
    };

    [GeneratedRegex(@"^[A-Za-z0-9]{5,20}$")] private static partial Regex DocumentNumberShape();

    /// <summary>
    /// Every problem at once, by field; none means the check may be recorded. The document is one of the three kinds,
    /// its number plausible, its expiry a date after today; an action that mails a link needs the recovery e-mail.
    /// </summary>
    public static Dictionary<string, string> Problems(TypedDocument typed, DeskAction action, bool holderHasEmail, DateOnly today)
    {
        var errors = new Dictionary<string, string>();
        if (!RegistrationForm.DocumentTypes.Contains(typed.Type)) errors["doc_type"] = "registration.error.doc_type";
        if (!DocumentNumberShape().IsMatch(typed.Number)) errors["doc_number"] = "registration.error.doc_number";
        var expiry = TypedDate.Parse(typed.Expiry, 2000);
        if (expiry is null) errors["doc_expiry"] = "registration.error.date";
        else if (expiry.Value <= today) errors["doc_expiry"] = "registration.error.doc_expired";
        if (action is DeskAction.ResetOtp or DeskAction.ForgottenPin && !holderHasEmail) errors["action"] = "rao.desk.error.no_email";
        return errors;
    }

    /// <summary>
    /// What stops an unblock, given the holder's certificate as Certificates describes it: only the blocked PIN of a certificate
    /// still in use (active or suspended) is unblocked, so a PIN still working keeps its count, and the holder gets no
    /// "unblocked" mail for a PIN that opens nothing.
    /// </summary>
    public static string? UnblockProblem(SigningCredential? credential, DateTimeOffset now) =>
        NewPinProblem(credential, now) ?? (credential is { PinAttemptsLeft: > 0 } ? "rao.desk.error.pin_not_blocked" : null);

    /// <summary>
    /// What stops a forgotten-PIN recovery: a new key is made only for a certificate still in use (active or suspended, its
    /// PIN blocked or not), so the holder is never mailed a link that could issue nothing.
    /// </summary>
    public static string? NewPinProblem(SigningCredential? credential, DateTimeOffset now) => credential switch
    {
        null => "rao.desk.error.no_certificate",
        _ when credential.StatusOn(now) is not ("active" or "suspended") => "rao.desk.error.certificate_ended",
        _ => null,
    };

    /// <summary>
    /// The action, for a check without <see cref="Problems"/>: the evidence and "identity checked" in the trail, then
    /// <list type="bullet">
    /// <item>unblock: Certificates resets the PIN's count; the holder is told, with a "this wasn't me" link;</item>
    /// <item>forgotten PIN: a link to choose a new PIN (24 hours, once), mailed;</item>
    /// <item>lost phone: Otp stops the old factor now; a link to register the new phone (24 hours, once), mailed.</item>
    /// </list>
    /// The links are made by <paramref name="newLink"/> and <paramref name="newNotMe"/> (random, sealed); everything else is decided here.
    /// </summary>
    public static DeskDecision Decide(DeskAction action, TypedDocument typed, string holderId, string language, string operatorId, string office,
        DateTimeOffset now, Func<string, DateTimeOffset, AccountToken> newLink, Func<NotMeToken> newNotMe)
    {
        var documents = new List<object>
        {
            new IdentityCheck
            {
                Id = Guid.CreateVersion7(now), HolderId = holderId, Operator = operatorId, Office = office, DocumentType = typed.Type,
                DocumentNumber = typed.Number.ToUpperInvariant(), DocumentExpiry = TypedDate.Parse(typed.Expiry, 2000)!.Value, Action = action.Name(), At = now,
            },
            AuditEntry.ByRao(holderId, "rao.identity_checked", now, operatorId, office, $"{typed.Type} …{typed.Number[^3..]}"),
        };
        var done = "rao.desk.done." + action.Name();
        switch (action)
        {
            case DeskAction.UnblockPin:
                var notMe = newNotMe();
                documents.Add(notMe);
                documents.Add(AuditEntry.ByRao(holderId, "rao.pin_unblocked", now, operatorId, office));
                return new DeskDecision(documents, null, [new UnblockPin(holderId, operatorId, office), new PinUnblockedMail(holderId, language, office, notMe.Id)], done);
            case DeskAction.ForgottenPin:
                var newPin = newLink("new_pin", now + LinkLifetime);
                documents.Add(newPin);
                documents.Add(AuditEntry.ByRao(holderId, "rao.new_pin_started", now, operatorId, office));
                return new DeskDecision(documents, newPin.Kind, [new NewPinLinkMail(newPin.Id, language, office)], done);
            default:
                var otpReset = newLink("otp_reset", now + LinkLifetime);
                documents.Add(otpReset);
                documents.Add(AuditEntry.ByRao(holderId, "rao.otp_reset_started", now, operatorId, office));
                return new DeskDecision(documents, otpReset.Kind, [new ResetOtpFactor(holderId), new OtpResetLinkMail(otpReset.Id, language, office)], done);
        }
    }
}
