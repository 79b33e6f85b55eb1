using Marten;
using MySign.Accounts.Domain;
using MySign.Accounts.Recovery;
using MySign.Kernel.Data;
using MySign.Otp.Client;
using MySign.Otp.Contracts;
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

    /// <summary>The token is committed on its own session (see PasswordResetRequestedHandler): the message is handled only once the mail left.</summary>
    public static async Task Handle(HolderRegistered message, IDocumentStore store, IMessageBus bus, AccountMail mail, TimeProvider clock,
        CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        var holder = await session.LoadAsync<HolderAccount>(message.HolderId, cancellation);
        if (holder is null || !holder.AwaitsActivation) return;
        // The phone is filed before the e-mail leaves, so the activation's OTP always has somewhere to go.
        await bus.RegisterOtpPhoneAsync(holder.Id, holder.RecoveryMobile, cancellation);
        var (token, hash) = AccountMail.NewToken();
        session.Insert(new AccountToken { Id = hash, HolderId = holder.Id, Kind = TokenKind, ExpiresAt = clock.GetUtcNow() + ActivationLifetime });
        await session.SaveChangesAsync(cancellation);
        await mail.SendAsync(holder.Email, "activation", message.Language, cancellation,
            holder.FirstName, holder.Id, mail.Link("/activate?token=" + token), holder.Office);
    }
}
