using Marten;
using Marten.Patching;
using MySign.Accounts.Contracts;
using MySign.Accounts.Domain;
using MySign.Kernel.Localization;

namespace MySign.Accounts.Account;

/// <summary>
/// The language Accounts writes to the holder in, chosen by signing in or with the header's switch (RememberHolderLanguage):
/// one of the portal's languages, and never replaced by a choice made before the one kept.
/// </summary>
public static class HolderLanguage
{
    public static void Choose(IDocumentSession session, string holderId, string language, DateTimeOffset at) =>
        session.Patch<HolderAccount>(a => a.Id == holderId && (a.LanguageChosenAt == null || a.LanguageChosenAt < at))
            .Set(a => a.Language, Strings.Languages.Contains(language) ? language : "en").Set(a => a.LanguageChosenAt, at);
}

public static class RememberHolderLanguageHandler
{
    public static void Handle(RememberHolderLanguage command, IDocumentSession session) =>
        HolderLanguage.Choose(session, command.HolderId, command.Language, command.At);
}
