using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Marten;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace MySign.Billing.Sdi;

/// <summary>
/// The real transport: the file as the attachment of a PEC mail to SdI's address, sent through the PEC provider's SMTP
/// server over TLS with our PEC mailbox's credentials. SdI answers by PEC to that mailbox (RC, MC, NS), which forwards
/// them to POST /webhooks/sdi. A failure throws, and the durable inbox sends the file again; SdI refuses a second copy of
/// a file it already has (NS 00002), which the answers' handler recognises and keeps as an echo.
/// </summary>
public sealed class PecSdiChannel(IOptions<SdiOptions> options) : ISdiChannel
{
    public async Task<IReadOnlyList<object>> SendAsync(string fileName, byte[] xml, IDocumentSession session, CancellationToken cancellation)
    {
        var pec = options.Value.Pec;
        var message = new MimeMessage { Subject = fileName };
        message.From.Add(MailboxAddress.Parse(pec.From));
        message.To.Add(MailboxAddress.Parse(pec.To));
        var body = new BodyBuilder { TextBody = $"Invio al Sistema di Interscambio del file {fileName}." };
        body.Attachments.Add(fileName, xml, new ContentType("application", "xml"));
        message.Body = body.ToMessageBody();

        using var client = new SmtpClient { Timeout = 30_000 };
        if (pec.TrustedCertificate is { Length: > 0 } path)
        {
            var anchor = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(path, cancellation));
            client.ServerCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors, anchor);
        }
        await client.ConnectAsync(pec.Host, pec.Port, pec.Security, cancellation);
        if (pec.User.Length > 0) await client.AuthenticateAsync(pec.User, pec.Password, cancellation);
        await client.SendAsync(message, cancellation);
        await client.DisconnectAsync(true, cancellation);
        return [];
    }

    /// <summary>The system's trust, or a chain to the configured certificate; either way the host name must match.</summary>
    private static bool Trusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 anchor)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(anchor);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    }
}
