using Marten;
using Marten.Patching;
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

    /// <param name="language">the language of the holder's last sign-in (unprompted mail is written in it)</param>
    /// <param name="office">the RAO office the holder was registered at (its operators may help them at the desk)</param>
    public static async Task<TestHolder> CreateAsync(IDocumentStore store, string firstName = "Anna", string lastName = "Verdi", string? language = null, string office = "")
    {
        var n = Interlocked.Increment(ref _next);
        var holder = new TestHolder($"t{n}", Password, $"+39333{n:D7}", $"holder{n}@example.test");
        await using var session = store.LightweightSession();
        session.Store(new HolderAccount
        {
            Id = holder.Id, FirstName = firstName, LastName = lastName, Email = holder.Email, PasswordHash = Passwords.Hash(Password), Language = language, Office = office,
        });
        // The phone is filed as registration files it: Otp's own handler of its command (a test never writes Otp's documents).
        await RegisterOtpPhoneHandler.Handle(new RegisterOtpPhone(holder.Id, holder.Phone), session);
        await session.SaveChangesAsync();
        return holder;
    }

    /// <summary>
    /// The last code the sandbox SMS operator delivered to <paramref name="phone"/> (a notice, e.g. "your certificate was
    /// suspended", may have arrived after it: notices carry no code).
    /// </summary>
    public static async Task<string> LastSmsCodeAsync(IDocumentStore store, string phone)
    {
        await CodesSentAsync(store, phone);
        await using var session = store.QuerySession();
        var texts = await session.Query<SandboxSms>().Where(s => s.To == phone).OrderByDescending(s => s.At).Select(s => s.Text).ToListAsync();
        if (texts.Count == 0) throw new InvalidOperationException($"No SMS was sent to {phone}.");
        return texts.Select(t => System.Text.RegularExpressions.Regex.Match(t, @"\b\d{8}\b").Value).FirstOrDefault(c => c.Length > 0) ?? "";
    }

    /// <summary>Five wrong PINs on the suspension form of a signed-in holder (it checks the PIN first): the PIN is blocked.</summary>
    public static async Task BlockPinAsync(PortalClient portal)
    {
        await portal.GetAsync("/certificate/suspend");
        PortalClient.Page? last = null;
        for (var i = 0; i < 5; i++) last = await portal.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = "1357" + (2468 + i) });
        if (!last!.Text.Contains("blocked") && !last.Text.Contains("bloccato")) throw new InvalidOperationException("Five wrong PINs did not block the PIN: " + last.Text);
    }

    /// <summary>Suspends, reactivates or revokes the signed-in holder's certificate from the portal: the form, then the OTP.</summary>
    public static async Task<PortalClient.Page> ChangeCertificateStatusAsync(PortalClient portal, IDocumentStore store, TestHolder holder, string action,
        Dictionary<string, string> form)
    {
        await portal.GetAsync($"/certificate/{action}");
        var otp = await portal.PostAsync($"/certificate/{action}", form);
        if (otp.Status != System.Net.HttpStatusCode.OK) throw new InvalidOperationException($"The {action} form answered {otp.Status}: {otp.Text}");
        var confirm = otp.Document.QuerySelector("#box-suspension form")!.GetAttribute("action")!;
        return await portal.PostAsync(confirm, new() { ["code"] = await LastSmsCodeAsync(store, holder.Phone) });
    }

    /// <summary>The texts the sandbox operator delivered to <paramref name="phone"/>, once every code issued for it has left.</summary>
    public static async Task<IReadOnlyList<SandboxSms>> SmsToAsync(IDocumentStore store, string phone)
    {
        await CodesSentAsync(store, phone);
        await using var session = store.QuerySession();
        return await session.Query<SandboxSms>().Where(s => s.To == phone).OrderBy(s => s.At).ToListAsync();
    }

    /// <summary>Waits until no code issued for <paramref name="phone"/> is still waiting in the outbox for its text to leave.</summary>
    public static async Task CodesSentAsync(IDocumentStore store, string phone)
    {
        for (var waited = TimeSpan.Zero; ; waited += TimeSpan.FromMilliseconds(50))
        {
            await using (var session = store.QuerySession())
                if (!await session.Query<Otp.Challenges.OtpChallenge>().AnyAsync(c => c.Destination == phone && c.SealedCode != null)) return;
            if (waited > TimeSpan.FromSeconds(30)) throw new TimeoutException($"A code for {phone} is still waiting for its text after 30 s.");
            await Task.Delay(50);
        }
    }

    /// <summary>Wrong PINs counted against the holder's current certificate (a count kept for an earlier one counts nothing).</summary>
    public static async Task<int> WrongPinsAsync(IDocumentStore store, string holderId)
    {
        await using var session = store.QuerySession();
        var certificate = await session.LoadAsync<Certificates.Domain.HolderCertificate>(holderId)
                          ?? throw new InvalidOperationException($"{holderId} has no certificate.");
        return Certificates.Pin.PinAttempts.WrongFor(certificate, await session.LoadAsync<Certificates.Pin.PinAttempts>(holderId));
    }

    /// <summary>As if the 30 s between two codes for the same step had passed: the holder's codes are dated that much earlier.</summary>
    public static async Task OtpResendGapPassedAsync(IDocumentStore store, string holderId)
    {
        await using var session = store.LightweightSession();
        // Patches: a code's text may be leaving meanwhile (its handler patches the challenge too).
        foreach (var challenge in await session.Query<Otp.Challenges.OtpChallenge>().Where(c => c.HolderId == holderId).ToListAsync())
            session.Patch<Otp.Challenges.OtpChallenge>(challenge.Id).Set(c => c.CreatedAt, challenge.CreatedAt - Otp.Challenges.ChallengeRules.ResendGap);
        await session.SaveChangesAsync();
    }
}
