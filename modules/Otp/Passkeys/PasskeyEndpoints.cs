using Fido2NetLib;
using Fido2NetLib.Objects;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using MySign.Kernel.Validation;
using MySign.Kernel.Web;
using MySign.Otp.Challenges;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using MySign.Otp.Sms;
using Wolverine;
using Wolverine.Http;

namespace MySign.Otp.Passkeys;

/// <summary>A passkey step in the OTP box: add one, remove one, or confirm with passkeys from now on.</summary>
public sealed record PasskeyStepView(string Action, string Post, Guid ChallengeId, string Destination, string Factor, string? Passkey,
    string Name, string? CreateOptions, string? ErrorKey, string? Field);

/// <summary>The passkey forms, bound by Wolverine.</summary>
public sealed class PasskeyForm
{
    public string? Challenge { get; set; }
    public string? Code { get; set; }
    public string? Name { get; set; }
    public string? Attestation { get; set; }
}

/// <summary>
/// Passkeys in the OTP box. Every change is confirmed on the factor the holder confirms with now (SMS, app, token or a
/// passkey) and told by e-mail and on the OTP phone. The last passkey can't be removed while passkeys are the mode:
/// the holder would have no way to confirm anything.
/// </summary>
public static class PasskeyEndpoints
{
    public const string Purpose = "otp.passkey";
    public const int MaxPasskeys = 10;
    public const int MaxName = 40;
    private static readonly TimeSpan RegistrationLifetime = TimeSpan.FromMinutes(10);

    /// <summary>With the certificate revoked or expired there is nothing to confirm: the factor stays as it is (KnownCertificate).</summary>
    public static Task<IResult> Before(HttpContext context, IDocumentSession session, TimeProvider clock) =>
        KnownCertificate.RefuseWithoutCertificateAsync(context, session, clock);

    [WolverinePost("/otp/passkeys/add/start")]
    public static async Task<IResult> StartAdd(HttpContext context, IDocumentSession session, OtpChallenges challenges, RelyingParty relyingParty, TimeProvider clock)
    {
        var holder = context.HolderId();
        var settings = (await session.LoadAsync<OtpSettings>(holder, context.RequestAborted))!;
        var existing = await session.Query<PasskeyCredential>().Where(p => p.HolderId == holder).ToListAsync(context.RequestAborted);
        if (existing.Count >= MaxPasskeys) return Flow.Done(context, "/");
        settings.PasskeyUserHandle ??= System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        session.Store(settings);
        var options = relyingParty.Fido().RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = settings.PasskeyUserHandle, Name = holder, DisplayName = holder },
            ExcludeCredentials = existing.Select(p => new PublicKeyCredentialDescriptor(Base64Url.Decode(p.Id))).ToList(),
            AuthenticatorSelection = new AuthenticatorSelection { ResidentKey = ResidentKeyRequirement.Preferred, UserVerification = UserVerificationRequirement.Preferred },
            AttestationPreference = AttestationConveyancePreference.None,
        });
        var json = options.ToJson();
        session.Store(new PasskeyRegistration { Id = holder, OptionsJson = json, ExpiresAt = clock.GetUtcNow() + RegistrationLifetime });
        var issued = await challenges.IssueAsync(new IssueOtp(holder, Purpose, "add"), context.RequestAborted);
        return View(Step("add", issued, "", json, issued.Wait, null));
    }

    [WolverinePost("/otp/passkeys/add")]
    public static async Task<IResult> Add([FromForm] PasskeyForm form, HttpContext context, IDocumentSession session, IMessageBus bus, OtpChallenges challenges, RelyingParty relyingParty,
        TimeProvider clock)
    {
        var holder = context.HolderId();
        var now = clock.GetUtcNow();
        var registration = await session.LoadAsync<PasskeyRegistration>(holder, context.RequestAborted);
        if (registration is null || registration.ExpiresAt <= now || !Guid.TryParse(form.Challenge, out var challengeId)) return Flow.Done(context, "/");
        var settings = (await session.LoadAsync<OtpSettings>(holder, context.RequestAborted))!;
        var name = (form.Name ?? "").Trim();
        IResult Refuse(string key, string field) =>
            View(Step("add", OtpChallenges.Answer(challengeId, settings.Mode, settings.PhoneNumber, default), form.Name ?? "", registration.OptionsJson, key, field),
                StatusCodes.Status422UnprocessableEntity);

        if (name.Length == 0) return Refuse("otp.passkey.error.name", "name");
        if (name.Length > MaxName) return Refuse("otp.passkey.error.name_long", "name");
        if (name.Any(c => char.IsControl(c) || TypedText.IsBidiControl(c))) return Refuse("otp.passkey.error.name_chars", "name");
        var attestation = RelyingParty.ParseAttestation(form.Attestation);
        if (attestation is null) return Refuse("otp.passkey.error.create", "name");
        RegisteredPublicKeyCredential created;
        try
        {
            created = await relyingParty.Fido().MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = attestation, OriginalOptions = CredentialCreateOptions.FromJson(registration.OptionsJson),
                IsCredentialIdUniqueToUserCallback = async (args, cancellation) =>
                    await session.LoadAsync<PasskeyCredential>(Base64Url.Encode(args.CredentialId), cancellation) is null,
            }, context.RequestAborted);
        }
        catch (Exception e) when (RelyingParty.Refused(e))
        {
            return Refuse("otp.passkey.error.create", "name");
        }

        var verified = await challenges.VerifyAsync(new VerifyOtp(challengeId, holder, Purpose, "add", form.Code ?? ""), context.RequestAborted);
        if (!verified.IsValid) return Refuse(verified.ErrorKey, "code");
        session.Store(new PasskeyCredential
        {
            Id = Base64Url.Encode(created.Id), HolderId = holder, Name = name, PublicKey = created.PublicKey, UserHandle = settings.PasskeyUserHandle ?? [],
            SignCount = created.SignCount, CreatedAt = now,
        });
        session.Delete(registration);
        await FactorNotice.ModeChangedAsync(bus, settings, "passkey.added", now);
        return Flow.Done(context, "/");
    }

    [WolverinePost("/otp/passkeys/{id}/remove/start")]
    public static async Task<IResult> StartRemove(string id, HttpContext context, IDocumentSession session, OtpChallenges challenges)
    {
        var (settings, passkey, refusal) = await RemovableAsync(id, context, session);
        if (passkey is null) return Results.NotFound();
        if (refusal is not null) return View(Step("remove", OtpChallenges.Answer(Guid.Empty, settings.Mode, null, default), passkey.Name, null, refusal, null, passkey.Id),
            StatusCodes.Status422UnprocessableEntity);
        var issued = await challenges.IssueAsync(new IssueOtp(settings.Id, Purpose, "remove:" + passkey.Id), context.RequestAborted);
        return View(Step("remove", issued, passkey.Name, null, issued.Wait, null, passkey.Id));
    }

    [WolverinePost("/otp/passkeys/{id}/remove")]
    public static async Task<IResult> Remove(string id, [FromForm] PasskeyForm form, HttpContext context, IDocumentSession session, IMessageBus bus, OtpChallenges challenges, TimeProvider clock)
    {
        var (settings, passkey, refusal) = await RemovableAsync(id, context, session);
        if (passkey is null) return Results.NotFound();
        if (!Guid.TryParse(form.Challenge, out var challengeId)) return Flow.Done(context, "/");
        var again = OtpChallenges.Answer(challengeId, settings.Mode, settings.PhoneNumber, default);
        if (refusal is not null) return View(Step("remove", again, passkey.Name, null, refusal, null, passkey.Id), StatusCodes.Status422UnprocessableEntity);
        var verified = await challenges.VerifyAsync(new VerifyOtp(challengeId, settings.Id, Purpose, "remove:" + passkey.Id, form.Code ?? ""), context.RequestAborted);
        if (!verified.IsValid) return View(Step("remove", again, passkey.Name, null, verified.ErrorKey, "code", passkey.Id), StatusCodes.Status422UnprocessableEntity);
        session.Delete(passkey);
        await FactorNotice.ModeChangedAsync(bus, settings, "passkey.removed", clock.GetUtcNow());
        return Flow.Done(context, "/");
    }

    [WolverinePost("/otp/passkeys/mode/start")]
    public static async Task<IResult> StartMode(HttpContext context, IDocumentSession session, OtpChallenges challenges)
    {
        var holder = context.HolderId();
        var settings = (await session.LoadAsync<OtpSettings>(holder, context.RequestAborted))!;
        if (settings.Mode == ReceptionMode.Passkey || !await session.Query<PasskeyCredential>().AnyAsync(p => p.HolderId == holder, context.RequestAborted))
            return Flow.Done(context, "/");
        var issued = await challenges.IssueAsync(new IssueOtp(holder, ModeSwitchPurpose, "passkey"), context.RequestAborted);
        return View(Step("mode", issued, "", null, issued.Wait, null));
    }

    [WolverinePost("/otp/passkeys/mode")]
    public static async Task<IResult> Mode([FromForm] PasskeyForm form, HttpContext context, IDocumentSession session, IMessageBus bus, OtpChallenges challenges, TimeProvider clock)
    {
        var holder = context.HolderId();
        var settings = (await session.LoadAsync<OtpSettings>(holder, context.RequestAborted))!;
        if (!Guid.TryParse(form.Challenge, out var challengeId) || settings.Mode == ReceptionMode.Passkey) return Flow.Done(context, "/");
        if (!await session.Query<PasskeyCredential>().AnyAsync(p => p.HolderId == holder, context.RequestAborted)) return Flow.Done(context, "/");
        var verified = await challenges.VerifyAsync(new VerifyOtp(challengeId, holder, ModeSwitchPurpose, "passkey", form.Code ?? ""), context.RequestAborted);
        if (!verified.IsValid)
            return View(Step("mode", OtpChallenges.Answer(challengeId, settings.Mode, settings.PhoneNumber, default), "", null, verified.ErrorKey, "code"),
                StatusCodes.Status422UnprocessableEntity);
        settings = await OtpSettings.ToChangeAsync(session, holder, context.RequestAborted);
        settings.Mode = ReceptionMode.Passkey;
        settings.TotpSecret = null;
        settings.TokenSerial = null;
        session.Store(settings);
        // Codes already sent by SMS or shown by the app confirm nothing from now on.
        foreach (var open in await session.Query<OtpChallenge>().Where(c => c.HolderId == holder && c.State == ChallengeState.Open && c.Id != challengeId).ToListAsync(context.RequestAborted))
            OtpChallenges.Replace(session, open);
        await FactorNotice.ModeChangedAsync(bus, settings, "mode.passkey", clock.GetUtcNow());
        return Flow.Done(context, "/");
    }

    /// <summary>The mode switch's purpose (the same as SMS, app and token switches use).</summary>
    private const string ModeSwitchPurpose = Box.ModeSwitchEndpoints.Purpose;

    private static async Task<(OtpSettings Settings, PasskeyCredential? Passkey, string? Refusal)> RemovableAsync(string id, HttpContext context, IDocumentSession session)
    {
        var holder = context.HolderId();
        var settings = (await session.LoadAsync<OtpSettings>(holder, context.RequestAborted))!;
        var passkey = id.Length is > 0 and < 1024 ? await session.LoadAsync<PasskeyCredential>(id, context.RequestAborted) : null;
        if (passkey?.HolderId != holder) return (settings, null, null);
        var count = await session.Query<PasskeyCredential>().CountAsync(p => p.HolderId == holder, context.RequestAborted);
        return (settings, passkey, settings.Mode == ReceptionMode.Passkey && count <= 1 ? "otp.passkey.error.last" : null);
    }

    private static PasskeyStepView Step(string action, OtpIssued issued, string name, string? createOptions, string? error, string? field, string? id = null) =>
        new(action, action switch { "add" => "/otp/passkeys/add", "mode" => "/otp/passkeys/mode", _ => $"/otp/passkeys/{Uri.EscapeDataString(id!)}/remove" },
            issued.ChallengeId, issued.MaskedDestination ?? "", issued.Factor, issued.Passkey, name, createOptions, error, field);

    private static IResult View(PasskeyStepView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(PasskeyEndpoints).Assembly, "Passkeys/PasskeyStep", view, "otp.passkey.title") { StatusCode = status };
}

/// <summary>
/// The passkey prompt of every confirm step (and of the sign-in with a passkey) asks here for what the browser needs: apart
/// from the OTP box's passkey changes, which a revoked or expired certificate closes, this stays open to every challenge.
/// </summary>
public static class PasskeyAssertionEndpoint
{
    /// <summary>
    /// What the browser needs to make an assertion for an open passkey challenge: the RP ID, the holder's credentials
    /// and the challenge text to complete with the binding. No session needed (the new-PIN page has none); the
    /// challenge id is unguessable and the answer grants nothing without the holder's authenticator.
    /// </summary>
    [WolverineGet("/otp/passkey/{challenge}"), AllowAnonymous]
    public static async Task<IResult> AssertionRequest(string challenge, HttpContext context, IQuerySession session, RelyingParty relyingParty, TimeProvider clock)
    {
        if (!Guid.TryParse(challenge, out var id)) return Results.NotFound();
        var open = await session.LoadAsync<OtpChallenge>(id, context.RequestAborted);
        if (open is not { Channel: ReceptionMode.Passkey, State: ChallengeState.Open } || open.ExpiresAt <= clock.GetUtcNow()) return Results.NotFound();
        var allowed = await session.Query<PasskeyCredential>().Where(p => p.HolderId == open.HolderId).Select(p => p.Id).ToListAsync(context.RequestAborted);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new
        {
            rpId = relyingParty.RpId, timeout = (int)RelyingParty.Timeout.TotalMilliseconds, prefix = RelyingParty.ChallengePrefix(open), allow = allowed,
        });
    }
}
