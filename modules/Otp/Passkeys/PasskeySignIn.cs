using Marten;
using MySign.Otp.Challenges;
using MySign.Otp.Contracts;

namespace MySign.Otp.Passkeys;

/// <summary>
/// Sign-in with a passkey alone. The challenge has no holder: the browser offers the portal's passkeys it holds
/// (discoverable credentials), and the assertion says which one; its user handle must be the one stored with that
/// credential. Accounts decides whether that holder may sign in this way.
/// </summary>
public static class OpenPasskeySignInHandler
{
    public const string SignInPurpose = "signin.passkey";

    public static async Task<PasskeySignInOpened> Handle(OpenPasskeySignIn request, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var challenge = new OtpChallenge
        {
            Id = Guid.CreateVersion7(now), HolderId = "", Purpose = SignInPurpose, Context = request.Context, Channel = ReceptionMode.Passkey,
            Nonce = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
            CreatedAt = now, ExpiresAt = now + ChallengeRules.Lifetime, State = ChallengeState.Open,
        };
        session.Insert(challenge);
        await session.SaveChangesAsync(cancellation);
        return new PasskeySignInOpened(challenge.Id);
    }
}

/// <summary>Checks a sign-in assertion once (the challenge is then used; a wrong one counts toward its five attempts).</summary>
public static class IdentifyPasskeyHolderHandler
{


    public static async Task<PasskeyHolderIdentified> Handle(IdentifyPasskeyHolder request, IDocumentStore store, RelyingParty relyingParty, TimeProvider clock,
        CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        await using var session = store.LightweightSession();
        var challenge = await session.LoadAsync<OtpChallenge>(request.ChallengeId, cancellation);
        if (challenge is not { Channel: ReceptionMode.Passkey, Purpose: OpenPasskeySignInHandler.SignInPurpose, HolderId: "", State: ChallengeState.Open } || challenge.Context != request.Context
            || challenge.ExpiresAt <= now)
            return new PasskeyHolderIdentified(null);
        var holder = await PasskeyAssertions.IdentifyAsync(session, relyingParty, challenge, request.Assertion, now, cancellation);
        if (holder is null) ChallengeRules.Fail(challenge);
        else challenge.State = ChallengeState.Used;
        session.Store(challenge);
        try
        {
            await session.SaveChangesAsync(cancellation);
        }
        catch (JasperFx.ConcurrencyException)
        {
            return new PasskeyHolderIdentified(null); // a parallel use of the same challenge won: this one signs nobody in
        }
        return new PasskeyHolderIdentified(holder);
    }
}
