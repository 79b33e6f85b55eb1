using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AngleSharp.Dom;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Otp.Challenges;
using MySign.Otp.Codes;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using MySign.Otp.Passkeys;

namespace MySign.Testing;

/// <summary>
/// What a holder confirms with, held by the test: the phone that reads the SMS, the authenticator app, the hardware
/// token, or the browser's passkey. Each gives the right answer for the confirm step on a page, as the holder's device
/// would, and a wrong one.
/// </summary>
public abstract class FactorDevice(ReceptionMode mode)
{
    public ReceptionMode Mode => mode;

    /// <summary>The answer for the confirm form <paramref name="form"/> of a page; <paramref name="binding"/> is what a passkey commits to besides the form's own.</summary>
    public abstract Task<string> AnswerAsync(PortalClient client, IElement form, string? binding = null);

    /// <summary>An answer of the right shape that is not right (a code off by one, an assertion from another key).</summary>
    public abstract Task<string> WrongAnswerAsync(PortalClient client, IElement form, string? binding = null);

    public override string ToString() => Mode.ToString();
}

/// <summary>The holder's phone: the last code the sandbox SMS operator delivered to it.</summary>
public sealed class SmsDevice(IDocumentStore store, string phone) : FactorDevice(ReceptionMode.Sms)
{
    public string Phone => phone;

    public override Task<string> AnswerAsync(PortalClient client, IElement form, string? binding = null) => Holders.LastSmsCodeAsync(store, phone);

    public override async Task<string> WrongAnswerAsync(PortalClient client, IElement form, string? binding = null) =>
        Factors.OffByOne(await Holders.LastSmsCodeAsync(store, phone));
}

/// <summary>
/// An authenticator app or a hardware token: TOTP over a seed the test knows. A time step is accepted once, within one
/// step of the clock either way, so each answer takes the next step not used yet (three answers per 30 seconds).
/// </summary>
public sealed class TotpDevice(ReceptionMode mode, byte[] seed) : FactorDevice(mode)
{
    private long _lastStep;
    public byte[] Seed => seed;

    /// <summary>The code the device shows for the next unused step (and uses that step up, as the server will).</summary>
    public string NextCode()
    {
        var current = OneTimeCodes.TimeStep(DateTimeOffset.UtcNow);
        var step = Math.Max(current - 1, _lastStep + 1);
        if (step > current + 1) throw new InvalidOperationException("The device has no unused code left in this time step.");
        _lastStep = step;
        return OneTimeCodes.Hotp(seed, step);
    }

    public override Task<string> AnswerAsync(PortalClient client, IElement form, string? binding = null) => Task.FromResult(NextCode());

    public override Task<string> WrongAnswerAsync(PortalClient client, IElement form, string? binding = null) =>
        Task.FromResult(Factors.OffByOne(OneTimeCodes.Hotp(seed, OneTimeCodes.TimeStep(DateTimeOffset.UtcNow) + 5)));
}

/// <summary>
/// A passkey, as the browser's authenticator makes assertions (the shape app.js posts): the challenge is SHA-256 of the
/// prefix the portal gives for the form's challenge and the binding (the form's data-passkey-binding, or the
/// document's "1:sha256"), signed with the credential's key over authenticatorData and the client data's hash.
/// </summary>
public sealed class PasskeyDevice(string credentialId, ECDsa key, byte[] userHandle, string origin = "http://localhost", string rpId = "localhost") : FactorDevice(ReceptionMode.Passkey)
{
    private uint _counter;
    private readonly ECDsa _other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public string CredentialId => credentialId;

    public override Task<string> AnswerAsync(PortalClient client, IElement form, string? binding = null) => AssertAsync(client, form, binding, key);

    public override Task<string> WrongAnswerAsync(PortalClient client, IElement form, string? binding = null) => AssertAsync(client, form, binding, _other);

    private async Task<string> AssertAsync(PortalClient client, IElement form, string? binding, ECDsa signer)
    {
        var challenge = form.QuerySelector("[data-passkey]")?.GetAttribute("data-passkey")
                        ?? throw new InvalidOperationException("The form does not ask for a passkey: " + form.OuterHtml[..Math.Min(400, form.OuterHtml.Length)]);
        var request = await client.Http.GetAsync($"/otp/passkey/{challenge}");
        if (!request.IsSuccessStatusCode) throw new InvalidOperationException($"The portal gave no passkey request for {challenge}: {request.StatusCode}");
        var prefix = JsonDocument.Parse(await request.Content.ReadAsStringAsync()).RootElement.GetProperty("prefix").GetString()!;
        var bound = binding ?? form.GetAttribute("data-passkey-binding") ?? "";
        return Assertion(SHA256.HashData(Encoding.UTF8.GetBytes(prefix + bound)), signer);
    }

    public string Assertion(byte[] challenge, ECDsa signer)
    {
        var clientData = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type = "webauthn.get", challenge = Base64Url.Encode(challenge), origin, crossOrigin = false }));
        var counter = ++_counter;
        var authenticatorData = SHA256.HashData(Encoding.UTF8.GetBytes(rpId))
            .Concat(new byte[] { 0x05, (byte)(counter >> 24), (byte)(counter >> 16), (byte)(counter >> 8), (byte)counter }).ToArray();
        var signature = signer.SignData(authenticatorData.Concat(SHA256.HashData(clientData)).ToArray(), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return JsonSerializer.Serialize(new
        {
            id = credentialId, rawId = credentialId, type = "public-key", clientExtensionResults = new { },
            response = new
            {
                authenticatorData = Base64Url.Encode(authenticatorData), clientDataJSON = Base64Url.Encode(clientData), signature = Base64Url.Encode(signature),
                userHandle = Base64Url.Encode(userHandle),
            },
        });
    }

    /// <summary>
    /// What the browser does with the portal's creation options: a new key on the authenticator, and the attestation
    /// ("none", as the portal asks) that app.js posts: authenticator data with the credential, the client data.
    /// </summary>
    public static (PasskeyDevice Device, string Attestation) Create(string optionsJson, string origin = "http://localhost")
    {
        var options = JsonDocument.Parse(optionsJson).RootElement;
        var rpId = options.GetProperty("rp").GetProperty("id").GetString()!;
        var userHandle = Base64Url.Decode(options.GetProperty("user").GetProperty("id").GetString()!);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var credentialId = RandomNumberGenerator.GetBytes(16);
        var cose = PasskeyDevice.CoseKey(key);
        var authenticatorData = SHA256.HashData(Encoding.UTF8.GetBytes(rpId))
            .Concat(new byte[] { 0x45, 0, 0, 0, 0 }).Concat(new byte[16]).Concat(new byte[] { 0, (byte)credentialId.Length }).Concat(credentialId).Concat(cose).ToArray();
        var cbor = new CborWriter(CborConformanceMode.Ctap2Canonical);
        cbor.WriteStartMap(3);
        cbor.WriteTextString("fmt"); cbor.WriteTextString("none");
        cbor.WriteTextString("attStmt"); cbor.WriteStartMap(0); cbor.WriteEndMap();
        cbor.WriteTextString("authData"); cbor.WriteByteString(authenticatorData);
        cbor.WriteEndMap();
        var clientData = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            type = "webauthn.create", challenge = options.GetProperty("challenge").GetString(), origin, crossOrigin = false,
        }));
        var id = Base64Url.Encode(credentialId);
        var attestation = JsonSerializer.Serialize(new
        {
            id, rawId = id, type = "public-key", clientExtensionResults = new { },
            response = new { attestationObject = Base64Url.Encode(cbor.Encode()), clientDataJSON = Base64Url.Encode(clientData), transports = Array.Empty<string>() },
        });
        return (new PasskeyDevice(id, key, userHandle, origin, rpId), attestation);
    }

    /// <summary>The public key as WebAuthn stores it (COSE_Key, EC2 P-256, ES256).</summary>
    public static byte[] CoseKey(ECDsa key)
    {
        var point = key.ExportParameters(false).Q;
        var cbor = new CborWriter(CborConformanceMode.Ctap2Canonical);
        cbor.WriteStartMap(5);
        cbor.WriteInt32(1); cbor.WriteInt32(2);    // kty: EC2
        cbor.WriteInt32(3); cbor.WriteInt32(-7);   // alg: ES256
        cbor.WriteInt32(-1); cbor.WriteInt32(1);   // crv: P-256
        cbor.WriteInt32(-2); cbor.WriteByteString(point.X!);
        cbor.WriteInt32(-3); cbor.WriteByteString(point.Y!);
        cbor.WriteEndMap();
        return cbor.Encode();
    }
}

/// <summary>Gives a holder a factor as the TSP's records would hold it once the holder chose it (the switch doors are tested on their own).</summary>
public static class Factors
{
    public static string OffByOne(string code) => new(code.Select((c, i) => i == code.Length - 1 ? (char)('0' + (c - '0' + 1) % 10) : c).ToArray());

    /// <summary>Adds a passkey to the holder's list without making it the mode.</summary>
    public static async Task<PasskeyDevice> AddPasskeyAsync(IDocumentStore store, string holderId)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var id = Base64Url.Encode(RandomNumberGenerator.GetBytes(16));
        await using var session = store.LightweightSession();
        var settings = (await session.LoadAsync<OtpSettings>(holderId))!;
        settings.PasskeyUserHandle ??= RandomNumberGenerator.GetBytes(32);
        session.Store(settings);
        session.Store(new PasskeyCredential
        {
            Id = id, HolderId = holderId, Name = "Test key " + id[..4], PublicKey = PasskeyDevice.CoseKey(key), UserHandle = settings.PasskeyUserHandle,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await session.SaveChangesAsync();
        return new PasskeyDevice(id, key, settings.PasskeyUserHandle);
    }

    /// <summary>A token the TSP provisioned, not yet taken by anyone.</summary>
    public static async Task<(string Serial, TotpDevice Device)> ProvisionTokenAsync(IDocumentStore store, IServiceProvider services, string? assignedTo = null)
    {
        var seed = RandomNumberGenerator.GetBytes(20);
        var serial = "TK" + Random.Shared.Next(10_000_000, 99_999_999);
        await using var session = store.LightweightSession();
        session.Store(new HardwareToken { Id = serial, Seed = services.GetRequiredService<OtpSecrets>().Protect(seed), AssignedTo = assignedTo });
        await session.SaveChangesAsync();
        return (serial, new TotpDevice(ReceptionMode.HardwareToken, seed));
    }

    /// <summary>Makes <paramref name="mode"/> the holder's factor and returns the device that answers for it.</summary>
    public static async Task<FactorDevice> InstallAsync(IDocumentStore store, IServiceProvider services, string holderId, ReceptionMode mode)
    {
        string phone;
        await using (var read = store.QuerySession()) phone = (await read.LoadAsync<OtpSettings>(holderId))!.PhoneNumber;
        switch (mode)
        {
            case ReceptionMode.Sms:
                return new SmsDevice(store, phone);
            case ReceptionMode.AuthenticatorApp:
            {
                var seed = RandomNumberGenerator.GetBytes(20);
                await Change(store, holderId, s => (s.Mode, s.TotpSecret) = (mode, services.GetRequiredService<OtpSecrets>().Protect(seed)));
                return new TotpDevice(mode, seed);
            }
            case ReceptionMode.HardwareToken:
            {
                var (serial, device) = await ProvisionTokenAsync(store, services, holderId);
                await Change(store, holderId, s => (s.Mode, s.TokenSerial) = (mode, serial));
                return device;
            }
            case ReceptionMode.Passkey:
            {
                var device = await AddPasskeyAsync(store, holderId);
                await Change(store, holderId, s => s.Mode = mode);
                return device;
            }
            default:
                throw new NotSupportedException($"The tests have no device for the reception mode {mode}: add one to Factors.");
        }
    }

    private static async Task Change(IDocumentStore store, string holderId, Action<OtpSettings> change)
    {
        await using var session = store.LightweightSession();
        var settings = (await session.LoadAsync<OtpSettings>(holderId))!;
        change(settings);
        session.Store(settings);
        await session.SaveChangesAsync();
    }
}
