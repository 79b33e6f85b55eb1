using MailKit.Security;

namespace MySign.Billing.Sdi;

/// <summary>
/// How invoices reach the Sistema di Interscambio (Billing:Sdi). "pec": each file is the attachment of a PEC mail to SdI's
/// address, through the PEC provider's SMTP server over TLS. "sandbox" (the Development default, refused in Production):
/// an in-process SdI that checks the file and answers after a delay. SdI's answers come back through the webhook, from
/// the intermediary or the mailbox's forwarding (WebhookToken), in either case.
/// </summary>
public sealed class SdiOptions
{
    public const string PecChannel = "pec", SandboxChannel = "sandbox";

    public string Channel { get; set; } = "";
    /// <summary>The bearer token SdI's answers are posted with (POST /webhooks/sdi); empty turns the door off.</summary>
    public string WebhookToken { get; set; } = "";
    public PecOptions Pec { get; set; } = new();
    /// <summary>The sandbox answers this long after it received a file.</summary>
    public TimeSpan SandboxDelay { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>How often files still queued (a lost send, an operator's correction) are sent again.</summary>
    public string SweepCron { get; set; } = "*/30 * * * * *";

    public sealed class PecOptions
    {
        public string Host { get; set; } = "";
        public int Port { get; set; } = 465;
        /// <summary>SslOnConnect (465, the PEC providers' way) or StartTls; never None outside tests of the transport itself.</summary>
        public SecureSocketOptions Security { get; set; } = SecureSocketOptions.SslOnConnect;
        public string User { get; set; } = "";
        public string Password { get; set; } = "";
        /// <summary>Our PEC mailbox, the sender SdI answers to.</summary>
        public string From { get; set; } = "";
        /// <summary>SdI's PEC address: sdi01@pec.fatturapa.it for the first file; SdI then assigns its own to the sender.</summary>
        public string To { get; set; } = "sdi01@pec.fatturapa.it";
        /// <summary>A PEM certificate to trust besides the system's roots (a private relay); the name is still checked.</summary>
        public string? TrustedCertificate { get; set; }
    }

    /// <summary>Production sends for real: the PEC channel, fully configured, and the door for the answers; the sandbox never runs there.</summary>
    public static void Check(SdiOptions options, bool production)
    {
        if (string.IsNullOrWhiteSpace(options.Channel)) options.Channel = production ? "" : SandboxChannel;
        options.Channel = options.Channel.Trim().ToLowerInvariant();
        if (production && options.Channel != PecChannel)
            throw new InvalidOperationException(
                "Billing__Sdi__Channel must be \"pec\" in Production (with Billing__Sdi__Pec__Host, __User, __Password, __From and __To): " +
                "the sandbox SdI would accept invoices nobody sends to the Agenzia delle Entrate.");
        if (options.Channel is not (PecChannel or SandboxChannel)) throw new InvalidOperationException("Billing__Sdi__Channel must be \"pec\" or \"sandbox\".");
        if (options.Channel == PecChannel)
        {
            var pec = options.Pec;
            var missing = new[] { ("Host", pec.Host), ("From", pec.From), ("To", pec.To) }
                .Concat(production ? [("User", pec.User), ("Password", pec.Password)] : [])
                .Where(s => string.IsNullOrWhiteSpace(s.Item2)).Select(s => "Billing__Sdi__Pec__" + s.Item1).ToList();
            if (missing.Count > 0) throw new InvalidOperationException($"{string.Join(", ", missing)} must be configured for the PEC channel to SdI.");
            if (production && pec.Security == SecureSocketOptions.None)
                throw new InvalidOperationException("Billing__Sdi__Pec__Security must use TLS (SslOnConnect or StartTls) in Production.");
        }
        if (production && string.IsNullOrWhiteSpace(options.WebhookToken))
            throw new InvalidOperationException("Billing__Sdi__WebhookToken must be configured in Production: SdI's answers (RC, MC, NS) arrive with it.");
    }
}
