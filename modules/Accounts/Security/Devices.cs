using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.DataProtection;
using MySign.Accounts.Mail;

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
}

/// <summary>The holder hears of a sign-in from a new browser or address by e-mail, with "this wasn't me".</summary>
public static class NewDeviceSignedInHandler
{
    public static NewSignInMail Handle(NewDeviceSignedIn signedIn, IDocumentSession session, IDataProtectionProvider protection) =>
        new(signedIn.HolderId, signedIn.Language, signedIn.Device, signedIn.Address, signedIn.At, AccountLinks.NotMe(session, protection, signedIn.HolderId, signedIn.At));
}
