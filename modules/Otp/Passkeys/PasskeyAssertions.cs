using Fido2NetLib;
using Marten;
using MySign.Otp.Challenges;

namespace MySign.Otp.Passkeys;

/// <summary>
/// Checks a passkey assertion posted as the "code" of a challenge: the credential is one of the challenge holder's
/// passkeys, and the signed challenge is the one derived from this OTP challenge and the binding the caller is
/// about to act on (so an assertion for another operation, another document or another holder fails here).
/// </summary>
public static class PasskeyAssertions
{
    public static async Task<bool> VerifyAsync(IDocumentSession session, RelyingParty relyingParty, OtpChallenge challenge, string? posted, string binding,
        DateTimeOffset now, CancellationToken cancellation) =>
        await CheckAsync(session, relyingParty, challenge, posted, binding, now, holderKnown: true, cancellation) is not null;

    /// <summary>A sign-in challenge (no holder): the holder whose passkey made the assertion, or null. The user handle must match.</summary>
    public static Task<string?> IdentifyAsync(IDocumentSession session, RelyingParty relyingParty, OtpChallenge challenge, string? posted, DateTimeOffset now,
        CancellationToken cancellation) =>
        CheckAsync(session, relyingParty, challenge, posted, "", now, holderKnown: false, cancellation);

    private static async Task<string?> CheckAsync(IDocumentSession session, RelyingParty relyingParty, OtpChallenge challenge, string? posted, string binding,
        DateTimeOffset now, bool holderKnown, CancellationToken cancellation)
    {
        var assertion = RelyingParty.ParseAssertion(posted);
        if (assertion?.Id is not { Length: > 0 and < 1024 } id) return null;
        var credential = await session.LoadAsync<PasskeyCredential>(id, cancellation);
        if (credential is null || (holderKnown && credential.HolderId != challenge.HolderId)) return null;
        // Without a holder the user handle is what names the account: it must be there and be this credential's.
        if (!holderKnown && (assertion.Response?.UserHandle is not { Length: > 0 } handle || !handle.AsSpan().SequenceEqual(credential.UserHandle))) return null;
        try
        {
            var result = await relyingParty.Fido().MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = assertion,
                OriginalOptions = relyingParty.AssertionOptions(RelyingParty.Challenge(challenge, binding), [credential]),
                StoredPublicKey = credential.PublicKey,
                StoredSignatureCounter = credential.SignCount,
                IsUserHandleOwnerOfCredentialIdCallback = (args, _) =>
                    Task.FromResult(args.UserHandle is null || args.UserHandle.AsSpan().SequenceEqual(credential.UserHandle)),
            }, cancellation);
            credential.SignCount = result.SignCount;
            credential.LastUsedAt = now;
            session.Store(credential);
            return credential.HolderId;
        }
        catch (Exception e) when (RelyingParty.Refused(e))
        {
            return null;
        }
    }
}
