using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Http;
using MySign.Accounts.Domain;
using MySign.Accounts.Recovery;
using MySign.Kernel.Localization;

namespace MySign.Accounts.Security;

/// <summary>A browser and address a holder signed in from before. Id is "{holder}:{SHA-256 of user agent and address}".</summary>
public sealed class KnownDevice
{
    public string Id { get; set; } = "";
    public DateTimeOffset FirstSeen { get; set; }
}

/// <summary>
/// The single-use "this wasn't me" token of a security e-mail. Id is its SHA-256. Whoever holds the mail may use it: it
/// only ends sessions and access and suspends the certificate, it opens nothing.
/// </summary>
public sealed class NotMeToken
{
    public string Id { get; set; } = "";
    public string HolderId { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>The token itself, sealed, until its mail has left (see Mail.AccountLinks); null afterwards.</summary>
    public string? SealedToken { get; set; }
}

/// <summary>A sign-in from a browser and address not seen before: the holder is told by e-mail, after the sign-in (Accounts' own message).</summary>
public sealed record NewDeviceSignedIn(string HolderId, string Device, string Address, DateTimeOffset At, string Language);

public static class Devices
{
    public static readonly TimeSpan NotMeLifetime = TimeSpan.FromDays(14);

    /// <summary>The browser as people recognise it ("Chrome on Linux"), from the User-Agent; at most 120 characters of it otherwise.</summary>
    public static string Describe(HttpContext context)
    {
        var agent = context.Request.Headers.UserAgent.ToString();
        string? browser = agent.Contains("Edg/") ? "Edge" : agent.Contains("Firefox/") ? "Firefox" : agent.Contains("Chrome/") || agent.Contains("Chromium/") ? "Chrome"
            : agent.Contains("Safari/") ? "Safari" : null;
        string? system = agent.Contains("Android") ? "Android" : agent.Contains("iPhone") || agent.Contains("iPad") ? "iOS" : agent.Contains("Windows") ? "Windows"
            : agent.Contains("Mac OS") ? "macOS" : agent.Contains("Linux") ? "Linux" : null;
        if (browser is not null) return system is null ? browser : $"{browser}, {system}";
        var shown = new string(agent.Where(c => !char.IsControl(c)).Take(120).ToArray());
        return shown.Length == 0 ? "?" : shown;
    }

    public static string KeyOf(string holder, HttpContext context) =>
        $"{holder}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(context.Request.Headers.UserAgent + "|" + context.Connection.RemoteIpAddress)))}";

    /// <summary>The "this wasn't me" line every security e-mail ends with, and the token behind its link.</summary>
    public static string NotMeLine(IDocumentSession session, AccountMail mail, string holder, string language, DateTimeOffset now)
    {
        var (token, hash) = AccountMail.NewToken();
        session.Insert(new NotMeToken { Id = hash, HolderId = holder, ExpiresAt = now + NotMeLifetime });
        return "\n\n" + string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.T("mail.not_me", language), mail.Link("/not-me?token=" + token));
    }
}

/// <summary>Mails the holder about a sign-in from a new browser or address, with the "this wasn't me" link.</summary>
public static class NewDeviceSignedInHandler
{
    public static async Task Handle(NewDeviceSignedIn signedIn, IDocumentSession session, AccountMail mail, TimeProvider clock, CancellationToken cancellation)
    {
        var holder = await session.LoadAsync<HolderAccount>(signedIn.HolderId, cancellation);
        if (holder is null || holder.Email.Length == 0) return;
        var language = signedIn.Language;
        var when = TimeZoneInfo.ConvertTime(signedIn.At, MySign.Kernel.Rendering.TemplateFunctions.PortalTimeZone)
            .ToString("g", System.Globalization.CultureInfo.GetCultureInfo(language == "it" ? "it-IT" : "en-GB"));
        await mail.SendAsync(holder.Email, "new_sign_in", language, cancellation, [holder.FirstName, signedIn.Device, signedIn.Address, when],
            Devices.NotMeLine(session, mail, holder.Id, language, clock.GetUtcNow()));
    }
}
