using Marten;
using MySign.Accounts.Domain;
using Microsoft.AspNetCore.DataProtection;
using MySign.Accounts.Mail;
using MySign.Kernel.Data;
using MySign.Otp.Client;
using Npgsql;
using Wolverine;

namespace MySign.Accounts.Registration;

/// <summary>
/// User IDs like m235477: a letter and six digits from a sequence, scrambled. Drawn numbers are never handed
/// back, so an ID is never given twice; one that an older account already holds (made another way) is skipped.
/// </summary>
public static class UserIds
{
    public const string SequenceName = "user_number";
    public static readonly Weasel.Postgresql.Sequence Numbers = Sequences.Define(AccountsModule.Schema, SequenceName);

    public static string Format(long n) => $"{(char)('m' + n / 1_000_000 % 14)}{Sequences.Scramble(n, 1_000_000):D6}";

    public static async Task<string> NextAsync(IQuerySession session, NpgsqlDataSource database, CancellationToken cancellation)
    {
        while (true)
        {
            var id = Format(await Sequences.NextAsync(database, AccountsModule.Schema, SequenceName, cancellation));
            if (await session.LoadAsync<HolderAccount>(id, cancellation) is null) return id;
        }
    }
}

/// <summary>A holder was registered at a RAO office: the OTP phone is filed and the activation e-mail goes out.</summary>
public sealed record HolderRegistered(string HolderId, string Language);

public static class HolderRegisteredHandler
{
    public static readonly TimeSpan ActivationLifetime = TimeSpan.FromDays(7);
    public const string TokenKind = "activation";

    /// <summary>
    /// The phone is filed before the activation link exists, so its OTP always has somewhere to go; the link's token and
    /// the mail's message are saved together with this message marked handled (see AccountLinks).
    /// </summary>
    public static async Task<ActivationMail?> Handle(HolderRegistered message, IDocumentSession session, IMessageBus bus, IDataProtectionProvider protection,
        TimeProvider clock, CancellationToken cancellation)
    {
        var holder = await session.LoadAsync<HolderAccount>(message.HolderId, cancellation);
        if (holder is null || !holder.AwaitsActivation) return null;
        await bus.RegisterOtpPhoneAsync(holder.Id, holder.RecoveryMobile, cancellation);
        var token = AccountLinks.Issue(session, protection, holder.Id, TokenKind, clock.GetUtcNow() + ActivationLifetime);
        return new ActivationMail(token.Id, message.Language);
    }
}
