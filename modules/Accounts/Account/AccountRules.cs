using System.Text.RegularExpressions;
using MySign.Accounts.Domain;
using MySign.Kernel.Validation;

namespace MySign.Accounts.Account;

/// <summary>
/// What "Manage your account" accepts, pure: the personal details, a new password, the sign-in settings, a recovery
/// e-mail. The current password is checked by <see cref="Login.SignInAttempts"/> first (it counts toward the lockout).
/// </summary>
public static partial class AccountRules
{
    [GeneratedRegex(@"^\d{5}$")] private static partial Regex ItalianPostCode();
    [GeneratedRegex(@"^[A-Za-z0-9 -]{3,10}$")] private static partial Regex PostCode();
    [GeneratedRegex(@"^[\p{L} '.-]{2,60}$")] private static partial Regex Place();
    [GeneratedRegex(@"^[A-Z]{2}$")] private static partial Regex TwoLetters();

    /// <summary>The residence as typed (address, post code, city, province, country): every problem at once, by field.</summary>
    public static Dictionary<string, string> PersonalProblems(HolderAccount typed)
    {
        var errors = new Dictionary<string, string>();
        if (typed.Address.Length is < 3 or > 120) errors["address"] = "personal.error.address";
        if (!TwoLetters().IsMatch(typed.Country)) errors["country"] = "personal.error.country";
        var italy = typed.Country == "IT";
        if (italy ? !ItalianPostCode().IsMatch(typed.PostCode) : !PostCode().IsMatch(typed.PostCode)) errors["post_code"] = "personal.error.post_code";
        if (!Place().IsMatch(typed.City)) errors["city"] = "personal.error.city";
        if (italy ? !TwoLetters().IsMatch(typed.Province) : typed.Province.Length > 20) errors["province"] = "personal.error.province";
        TypedText.Check(errors, [("address", typed.Address), ("post_code", typed.PostCode), ("city", typed.City), ("province", typed.Province)]);
        return errors;
    }

    /// <summary>A new password: the policy's problem, or the confirmation that differs.</summary>
    public static string? NewPasswordProblem(string password, string confirmation, string holderId) =>
        PasswordPolicy.Problem(password, holderId) ?? (password != confirmation ? "password.error.confirm" : null);

    /// <summary>A passkey alone signs in only a holder who has one: without, the setting would lock nothing and open nothing.</summary>
    public static string? SignInProblem(HolderAccount holder, bool passkeyAlone, int passkeys) =>
        passkeyAlone && !holder.PasskeySignIn && passkeys == 0 ? "account.signin.error.no_passkey" : null;

    /// <summary>A recovery e-mail: a plausible address, not the one already held.</summary>
    public static string? RecoveryEmailProblem(string email, string current) =>
        !ValidEmail(email) ? "recovery.error.email"
        : string.Equals(email, current, StringComparison.OrdinalIgnoreCase) ? "recovery.error.same_email"
        : null;

    private static bool ValidEmail(string email) =>
        email.Length is >= 6 and <= 254 && System.Net.Mail.MailAddress.TryCreate(email, out var parsed) && parsed.Address == email && email.Split('@')[1].Contains('.');
}
