using Marten;
using MySign.Accounts.Domain;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using MySign.Otp.Sms;

namespace MySign.Testing;

/// <summary>Test data: a fresh holder of its own (unique id, phone and e-mail), so tests never share state.</summary>
public sealed record TestHolder(string Id, string Password, string Phone, string Email);

public static class Holders
{
    public const string Password = "a-long-password-1234";
    private static int _next = Random.Shared.Next(100_000, 800_000);

    public static async Task<TestHolder> CreateAsync(IDocumentStore store, string firstName = "Anna", string lastName = "Verdi")
    {
        var n = Interlocked.Increment(ref _next);
        var holder = new TestHolder($"t{n}", Password, $"+39333{n:D7}", $"holder{n}@example.test");
        await using var session = store.LightweightSession();
        session.Store(new HolderAccount { Id = holder.Id, FirstName = firstName, LastName = lastName, Email = holder.Email, PasswordHash = Passwords.Hash(Password) });
        session.Store(new OtpSettings { Id = holder.Id, Mode = ReceptionMode.Sms, PhoneNumber = holder.Phone });
        await session.SaveChangesAsync();
        return holder;
    }

    /// <summary>The last code the sandbox SMS operator delivered to <paramref name="phone"/>.</summary>
    public static async Task<string> LastSmsCodeAsync(IDocumentStore store, string phone)
    {
        await using var session = store.QuerySession();
        var sms = await session.Query<SandboxSms>().Where(s => s.To == phone).OrderByDescending(s => s.At).FirstOrDefaultAsync()
                  ?? throw new InvalidOperationException($"No SMS was sent to {phone}.");
        return System.Text.RegularExpressions.Regex.Match(sms.Text, @"\b\d{8}\b").Value;
    }

    public static async Task<IReadOnlyList<SandboxSms>> SmsToAsync(IDocumentStore store, string phone)
    {
        await using var session = store.QuerySession();
        return await session.Query<SandboxSms>().Where(s => s.To == phone).OrderBy(s => s.At).ToListAsync();
    }

    /// <summary>Wrong PINs counted against the holder's current certificate (a count kept for an earlier one counts nothing).</summary>
    public static async Task<int> WrongPinsAsync(IDocumentStore store, string holderId)
    {
        await using var session = store.QuerySession();
        var certificate = await session.LoadAsync<MySign.Certificates.Domain.HolderCertificate>(holderId)
                          ?? throw new InvalidOperationException($"{holderId} has no certificate.");
        return MySign.Certificates.Pin.PinAttempts.WrongFor(certificate, await session.LoadAsync<MySign.Certificates.Pin.PinAttempts>(holderId));
    }

    /// <summary>As if the 30 s between two codes for the same step had passed: the holder's codes are dated that much earlier.</summary>
    public static async Task OtpResendGapPassedAsync(IDocumentStore store, string holderId)
    {
        await using var session = store.LightweightSession();
        foreach (var challenge in await session.Query<MySign.Otp.Challenges.OtpChallenge>().Where(c => c.HolderId == holderId).ToListAsync())
        {
            challenge.CreatedAt -= MySign.Otp.Challenges.ChallengeRules.ResendGap;
            session.Store(challenge);
        }
        await session.SaveChangesAsync();
    }
}
