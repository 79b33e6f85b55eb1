using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Marten;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using MySign.Certificates.Keys;
using MySign.Custody;
using MySign.Otp.Client;
using Wolverine;

namespace MySign.Certificates.Custody;

/// <summary>
/// PIN and second factor. The order is the door's (ADR 0006): CSC and the OAuth consent check the single-use OTP first, so a
/// password or session alone cannot probe PINs; the portal's own form takes the PIN first, so a wrong PIN leaves the OTP for
/// the next try.
/// </summary>
public sealed record PinAndOtp(string Pin, SecondFactor Otp, bool OtpFirst);

/// <summary>A holder's new key: its public key for the certificate, and the key sealed under the PIN as the database keeps it.</summary>
public sealed record NewHolderKey(PublicKey PublicKey, SealedKey Key);

/// <summary>
/// The signature activation module (EN 419 241-1/-2), with one door: the only code that opens a holder's key (docs/adr/0015).
/// It takes the activation — the PIN under the attempt rule (ADR 0006) and the holder's OTP or passkey for this operation,
/// or a SAD (<see cref="SadActivation"/>) — and the hashes, checks them, and answers signatures; the key itself is unwrapped
/// only inside the token, for the signatures of one call, and destroyed. Every activation, refused or not, is written to its
/// audit table (<see cref="ActivationAudit"/>). A key sealed before the HSM (PKCS#8) is moved into the token's form the first
/// time its PIN opens it, in the caller's transaction.
/// </summary>
public sealed class SignatureActivation(HolderKeyRing keyRing, PinCheck pins, KeySecret secret, ActivationAudit audit, TimeProvider clock)
{
    /// <summary>
    /// A new key for a certificate, made in the token and sealed under <paramref name="pin"/>, and audited under the
    /// <paramref name="door"/> that asked for it: <see cref="Door.Issue"/>, <see cref="Door.Renewal"/> or <see cref="Door.RaoNewPin"/>.
    /// </summary>
    public async Task<NewHolderKey> NewKeyAsync(string holderId, string pin, string door, CancellationToken cancellation)
    {
        var keys = await keyRing.GetAsync(cancellation);
        var (wrapped, publicKey) = await Task.Run(keys.Generate, cancellation);
        var sealedKey = await Task.Run(() => KeyVault.Seal(wrapped, pin, secret.Value, keys.WrappingKey), cancellation);
        CryptographicOperations.ZeroMemory(wrapped);
        await audit.RecordAsync(new(holderId, null, door, "new PIN", 0, "made", "token"), clock.GetUtcNow(), cancellation);
        using var ecdsa = ECDsa.Create(publicKey);
        return new NewHolderKey(new PublicKey(ecdsa), sealedKey);
    }

    /// <summary>The PIN alone, for the doors that only need to know it is the holder (status changes, the emergency code, renewal's consents).</summary>
    public async Task<PinOutcome> CheckPinAsync(HolderCertificate certificate, string pin, string door, IDocumentSession session, CancellationToken cancellation)
    {
        var (outcome, wrapped) = await OpenAsync(certificate, pin, session, cancellation);
        if (wrapped is not null) CryptographicOperations.ZeroMemory(wrapped);
        await RecordAsync(certificate, door, "PIN", 0, outcome.Result.ToString().ToLowerInvariant(), cancellation);
        return outcome;
    }

    /// <summary>Sign a document in the portal: PIN and OTP, then ECDSA over each of <paramref name="hashes"/> in the token (DER signatures).</summary>
    public async Task<SignedWithPin> SignAsync(HolderCertificate certificate, PinAndOtp activation, IReadOnlyList<byte[]> hashes, IMessageBus bus,
        IDocumentSession session, CancellationToken cancellation)
    {
        var (refused, wrapped) = await ActivateAsync(certificate, activation, Door.SignDocument, hashes.Count, bus, session, cancellation);
        if (wrapped is null) return new(null, refused);
        var keys = await keyRing.GetAsync(cancellation);
        try
        {
            return new(await Task.Run(() => keys.Sign(wrapped, hashes), cancellation), null);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wrapped);
        }
    }

    /// <summary>
    /// CSC credentials/authorize and the OAuth consent: PIN and OTP give a grant of <paramref name="signatures"/> (bound to
    /// <paramref name="hashes"/> for SCAL2) until <paramref name="expiresAt"/>, stored in <paramref name="session"/>, and its SAD.
    /// </summary>
    public async Task<SignaturesAuthorized> AuthorizeAsync(HolderCertificate certificate, PinAndOtp activation, string door, int signatures, List<string>? hashes,
        DateTimeOffset expiresAt, IMessageBus bus, IDocumentSession session, CancellationToken cancellation)
    {
        var (refused, wrapped) = await ActivateAsync(certificate, activation, door, hashes?.Count ?? signatures, bus, session, cancellation);
        if (wrapped is null) return new(null, null, default, refused);
        var (grant, sad) = SadGrants.Seal(certificate.Id, certificate.CertificateId, wrapped, certificate.Key!.WrappedBy, signatures, hashes, expiresAt);
        session.Store(grant);
        return new(sad, grant.Id, grant.ExpiresAt, null);
    }

    /// <summary>A PIN change: the current PIN opens the key, which is sealed under <paramref name="newPin"/> (kept aside by the caller until the OTP confirms it).</summary>
    public async Task<(PinOutcome Pin, SealedKey? Resealed)> ResealAsync(HolderCertificate certificate, string currentPin, string newPin, IDocumentSession session,
        CancellationToken cancellation)
    {
        var (outcome, wrapped) = await OpenAsync(certificate, currentPin, session, cancellation);
        await RecordAsync(certificate, Door.PinChange, "PIN", 0, outcome.Result.ToString().ToLowerInvariant(), cancellation);
        if (wrapped is null) return (outcome, null);
        var resealed = await Task.Run(() => KeyVault.Seal(wrapped, newPin, secret.Value, certificate.Key!.WrappedBy), cancellation);
        CryptographicOperations.ZeroMemory(wrapped);
        return (outcome, resealed);
    }

    /// <summary>
    /// PIN and OTP in the door's order; the token-wrapped key when both pass, or the refusal: the field, the message in the
    /// reader's language (a wrong PIN says how many attempts are left), and whether the PIN is now blocked.
    /// </summary>
    private async Task<(ActivationRefused? Refused, byte[]? Wrapped)> ActivateAsync(HolderCertificate certificate, PinAndOtp activation, string door, int hashes,
        IMessageBus bus, IDocumentSession session, CancellationToken cancellation)
    {
        if (activation.OtpFirst && await RefusalAsync(certificate, activation.Otp, bus, cancellation) is { } first)
        {
            await RecordAsync(certificate, door, "PIN+OTP", hashes, "otp-refused", cancellation);
            return (first, null);
        }
        var (pin, wrapped) = await OpenAsync(certificate, activation.Pin, session, cancellation);
        if (wrapped is null)
        {
            await RecordAsync(certificate, door, "PIN+OTP", hashes, "pin-" + pin.Result.ToString().ToLowerInvariant(), cancellation);
            return (new("pin", pin.Said, pin.Result == PinResult.Blocked), null);
        }
        if (!activation.OtpFirst && await RefusalAsync(certificate, activation.Otp, bus, cancellation) is { } second)
        {
            CryptographicOperations.ZeroMemory(wrapped);
            await RecordAsync(certificate, door, "PIN+OTP", hashes, "otp-refused", cancellation);
            return (second, null);
        }
        await RecordAsync(certificate, door, "PIN+OTP", hashes, "activated", cancellation);
        return (null, wrapped);
    }

    private static async Task<ActivationRefused?> RefusalAsync(HolderCertificate certificate, SecondFactor otp, IMessageBus bus, CancellationToken cancellation)
    {
        var verified = await bus.CheckOtpAsync(otp.ChallengeId, certificate.Id, otp.Purpose, otp.Context, otp.Code, cancellation, otp.Binding);
        return verified.IsValid ? null : new("code", verified.Refusal);
    }

    /// <summary>
    /// The PIN tried under the attempt rule; when right, the key as the token wrapped it. A key still sealed in the old form
    /// (PKCS#8) goes into the token now and is sealed again under the same PIN; the new blob replaces the old one in the
    /// caller's transaction, by a statement that changes nothing if the certificate's key changed meanwhile.
    /// </summary>
    private async Task<(PinOutcome Pin, byte[]? Wrapped)> OpenAsync(HolderCertificate certificate, string pin, IDocumentSession session, CancellationToken cancellation)
    {
        var (outcome, content) = await pins.OpenAsync(certificate, pin, secret.Value, cancellation);
        if (content is null || certificate.Key!.InToken) return (outcome, content);
        var keys = await keyRing.GetAsync(cancellation);
        var old = certificate.Key;
        var wrapped = await Task.Run(() => keys.Import(content), cancellation);
        certificate.Key = await Task.Run(() => KeyVault.Seal(wrapped, pin, secret.Value, keys.WrappingKey), cancellation);
        session.QueueSqlCommand('^',
            $"update {CertificatesModule.Schema}.mt_doc_holdercertificate set data = jsonb_set(data, '{{Key}}', ^::jsonb), " +
            "mt_version = md5(random()::text || clock_timestamp()::text)::uuid, mt_last_modified = transaction_timestamp() " +
            "where id = ^ and data->>'CertificateId' = ^ and data->'Key'->>'Ciphertext' = ^",
            session.DocumentStore.Options.Serializer().ToJson(certificate.Key), certificate.Id, certificate.CertificateId.ToString(), Convert.ToBase64String(old.Ciphertext));
        await RecordAsync(certificate, "migration", "PIN", 0, "moved-into-token", cancellation);
        return (outcome, wrapped);
    }

    private Task RecordAsync(HolderCertificate certificate, string door, string factors, int hashes, string outcome, CancellationToken cancellation) =>
        audit.RecordAsync(new(certificate.Id, certificate.CertificateId, door, factors, hashes, outcome, certificate.Key?.InToken == false ? "pkcs8" : "token"),
            clock.GetUtcNow(), cancellation);
}

/// <summary>The holder-key operations of this deployment's online token, made ready (the wrapping key made once) at first use.</summary>
public sealed class HolderKeyRing(OnlineToken online)
{
    private HolderKeys? _keys;

    public async Task<HolderKeys> GetAsync(CancellationToken cancellation)
    {
        if (_keys is { } ready) return ready;
        var keys = new HolderKeys(online.Token, await online.PrefixAsync(cancellation) + "holder-wrap");
        await online.ProvisionAsync(() =>
        {
            keys.EnsureWrappingKey();
            return Task.FromResult(true);
        }, cancellation);
        return _keys = keys;
    }
}
