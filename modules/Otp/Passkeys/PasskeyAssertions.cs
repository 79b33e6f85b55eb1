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
        DateTimeOffset now, CancellationToken cancellation)
    {
        var assertion = RelyingParty.ParseAssertion(posted);
        if (assertion?.Id is not { Length: > 0 and < 1024 } id) return false;
        var credential = await session.LoadAsync<PasskeyCredential>(id, cancellation);
        if (credential is null || credential.HolderId != challenge.HolderId) return false;
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
            return true;
        }
        catch (Exception e) when (RelyingParty.Refused(e))
        {
            return false;
        }
    }
}
