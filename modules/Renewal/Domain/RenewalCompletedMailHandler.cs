using MySign.Accounts.Contracts;
using MySign.Kernel.Localization;
using MySign.Renewal.Contracts;

namespace MySign.Renewal.Domain;

/// <summary>
/// A completed renewal is confirmed by e-mail (the holder may have finished at the RAO desk, or a thief may have):
/// the new IUT and expiry, in the language the renewal was done in. Renewal writes it; Accounts knows the address.
/// </summary>
public static class RenewalCompletedMailHandler
{
    public static MailHolder Handle(RenewalCompleted completed)
    {
        var language = completed.Language;
        var until = TimeZoneInfo.ConvertTime(completed.NotAfter, RenewalWindow.Zone)
            .ToString("d", System.Globalization.CultureInfo.GetCultureInfo(language == "it" ? "it-IT" : "en-GB"));
        return new MailHolder(completed.HolderId, Strings.T("renewal.mail.subject", language),
            string.Format(Strings.T("renewal.mail.body", language), completed.NewUniqueIdentifier, until), language);
    }
}
