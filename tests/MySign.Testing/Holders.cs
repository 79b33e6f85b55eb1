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

    /// <summary>
    /// The last code the sandbox SMS operator delivered to <paramref name="phone"/> (a notice, e.g. "your certificate was
    /// suspended", may have arrived after it: notices carry no code).
    /// </summary>
    public static async Task<string> LastSmsCodeAsync(IDocumentStore store, string phone)
    {
        await using var session = store.QuerySession();
        var texts = await session.Query<SandboxSms>().Where(s => s.To == phone).OrderByDescending(s => s.At).Select(s => s.Text).ToListAsync();
        if (texts.Count == 0) throw new InvalidOperationException($"No SMS was sent to {phone}.");
        return texts.Select(t => System.Text.RegularExpressions.Regex.Match(t, @"\b\d{8}\b").Value).FirstOrDefault(c => c.Length > 0) ?? "";
    }

    public static async Task<IReadOnlyList<SandboxSms>> SmsToAsync(IDocumentStore store, string phone)
    {
        await using var session = store.QuerySession();
        return await session.Query<SandboxSms>().Where(s => s.To == phone).OrderBy(s => s.At).ToListAsync();
    }
}
