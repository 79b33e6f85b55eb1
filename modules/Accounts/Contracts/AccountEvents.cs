namespace MySign.Accounts.Contracts;

/// <summary>Checks a holder's User ID and password for client software (CSC API); lockout rules apply as at the portal.</summary>
public sealed record CheckHolderCredentials(string UserId, string Password)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"CheckHolderCredentials {{ UserId = {UserId} }}";
}

/// <summary>
/// HolderId is set only when the credentials are right and the password alone may sign the holder in; FactorRequired when
/// they are right but the holder asked for the OTP or passkey after the password (then a password alone opens nothing).
/// </summary>
public sealed record HolderCredentialsChecked(string? HolderId, bool FactorRequired = false);

/// <summary>
/// The holder's password was changed or reset: whatever was signed in with the old one must end (the portal's
/// sessions end in Accounts; Certificates revokes the CSC API's tokens and SADs).
/// </summary>
public sealed record HolderCredentialsChanged(string HolderId, DateTimeOffset At);

/// <summary>
/// The holder's details as an invoice needs them, to pre-fill the store's billing form (the holder may change them
/// there). Answered by Accounts, the owner of the holder's data; null fields are simply left for the holder.
/// </summary>
public sealed record GetHolderBillingDetails(string HolderId);

public sealed record HolderBillingDetails(string Name, string FiscalCode, string Address);

/// <summary>
/// "Renew with RAO credentials": the operator at the desk types username and password into the holder's renewal.
/// Authorised only when the credentials are right (lockout applies) and the holder was registered at the operator's office.
/// </summary>
public sealed record VerifyRaoCredentials(string Username, string Password, string HolderId)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"VerifyRaoCredentials {{ Username = {Username}, HolderId = {HolderId} }}";
}

public sealed record RaoCredentialsVerified(bool Authorised, string? OperatorId, string? Office, string? ErrorKey);

/// <summary>
/// The page the holder's next sign-in opens instead of the home page (a local path of the module that asks, e.g. a
/// renewal stopped at the RAO desk to be finished later); null forgets it. Used once.
/// </summary>
public sealed record LandOnNextSignIn(string HolderId, string? Path);

/// <summary>
/// An e-mail to a holder's address from another module, which wrote it (subject and plain text, in the holder's
/// language); Accounts only knows where it goes. An unknown holder or one without an address gets nothing.
/// </summary>
public sealed record MailHolder(string HolderId, string Subject, string Text, string? Language = null);

/// <summary>
/// A reminder (certificate expiry, an unpaid renewal) written by another module in both languages, with a short SMS
/// version. Accounts sends it in the holder's language (the one of their last sign-in) by e-mail, and by SMS too when SMS
/// is the holder's OTP channel (Otp decides); nothing at all if the holder turned reminders off.
/// </summary>
public sealed record RemindHolder(string HolderId, string SubjectEn, string TextEn, string SubjectIt, string TextIt, string? SmsEn = null, string? SmsIt = null);

/// <summary>The Accounts pages other modules may send a holder to (they hard-code none of its addresses).</summary>
public static class AccountPages
{
    /// <summary>The holder's sign-in page; <c>?next=</c> takes a local path to return to.</summary>
    public const string SignIn = "/login";

    /// <summary>Signs the holder out (POST, antiforgery token).</summary>
    public const string SignOut = "/logout";
}

/// <summary>
/// The signed-in holder chose a language in the header: the mails, SMS notices and reminders that follow are in it, as after
/// signing in with that language (Accounts keeps it; the header's cookie only dresses the pages of that browser).
/// </summary>
/// <paramref name="At"/> orders quick switches: a choice older than the one kept is ignored, whichever commits last.
public sealed record RememberHolderLanguage(string HolderId, string Language, DateTimeOffset At);
