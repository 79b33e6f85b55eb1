using System.Collections.Concurrent;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace MySign.Custody;

/// <summary>
/// One PKCS#11 token, logged in as its user, with a pool of sessions shared by the threads that sign. Keys are token
/// objects found by label; every key made here is sensitive and never extractable, and a private key is only ever used by
/// reference (C_Sign), never read. Labels are the caller's: a deployment names its objects under a prefix of its own, so
/// several deployments (the tests' databases, two nodes of one) share a token safely.
/// </summary>
public sealed class CryptoToken : IDisposable
{
    private readonly ISlot _slot;
    private readonly byte[] _pin;
    private readonly ConcurrentBag<ISession> _idle = [];
    private readonly ConcurrentDictionary<string, IObjectHandle> _handles = new();
    private int _disposed;

    public TokenSettings Settings { get; }
    /// <summary>The token's manufacturer and model, as it reports them (for logs and readiness).</summary>
    public string Description { get; }

    private CryptoToken(TokenSettings settings, ISlot slot, string description)
    {
        Settings = settings;
        _slot = slot;
        _pin = System.Text.Encoding.UTF8.GetBytes(settings.Pin);
        Description = description;
    }

    /// <summary>Opens the token named by <paramref name="settings"/> and logs in, or says which setting is wrong.</summary>
    public static CryptoToken Open(TokenSettings settings)
    {
        // SoftHSM2's file store rewrites token.object (its flags) on every C_Login and reads it on every C_GetTokenInfo and
        // C_Login, with nothing that stops another process reading it half-written: when several processes open one token at
        // once (the test suite's app processes, two nodes starting together) one of them can get CKR_GENERAL_ERROR from
        // either call (seen in a full `make test`: "C_Login returned CKR_GENERAL_ERROR" as a second node started). Nothing
        // was wrong with the token, so that one error is tried again a few times; any other answer is final at once.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return TokenLock.Hold(settings, () => OpenOnce(settings));
            }
            catch (Pkcs11Exception e) when (e.RV == CKR.CKR_GENERAL_ERROR && attempt < 5)
            {
                Thread.Sleep(Random.Shared.Next(20, 60) * attempt);
            }
        }
    }

    private static CryptoToken OpenOnce(TokenSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.Library)) throw new TokenUnavailableException($"{settings.Setting}:Library must be configured: the path of the HSM's PKCS#11 module ({settings.Setting}__Library).");
        if (string.IsNullOrWhiteSpace(settings.TokenLabel)) throw new TokenUnavailableException($"{settings.Setting}:TokenLabel must be configured: the label of the token (partition) to use ({settings.Setting}__TokenLabel).");
        if (string.IsNullOrEmpty(settings.Pin)) throw new TokenUnavailableException($"{settings.Setting}:Pin must be configured: the token user's PIN ({settings.Setting}__Pin, a secret).");
        var library = Pkcs11Libraries.For(settings);
        List<ISlot> slots;
        try { slots = library.GetSlotList(SlotsType.WithTokenPresent); }
        catch (Pkcs11Exception e) { throw new TokenUnavailableException($"{settings}: the module lists no slots ({e.RV})", e); }
        var labels = new List<string>();
        foreach (var slot in slots)
        {
            var info = slot.GetTokenInfo();
            labels.Add(info.Label.Trim());
            if (info.Label.Trim() != settings.TokenLabel) continue;
            var token = new CryptoToken(settings, slot, $"{info.ManufacturerId.Trim()} {info.Model.Trim()} (serial {info.SerialNumber.Trim()})");
            token.Return(token.NewSession()); // logs in now: a wrong PIN stops the start, not the first signature
            return token;
        }
        throw new TokenUnavailableException($"{settings.Setting}:TokenLabel: no token labelled '{settings.TokenLabel}' in {settings.Library} " +
                                            $"(tokens present: {(labels.Count == 0 ? "none" : string.Join(", ", labels.Select(l => $"'{l}'")))}).");
    }

    private ISession NewSession()
    {
        var session = _slot.OpenSession(SessionType.ReadWrite);
        try
        {
            session.Login(CKU.CKU_USER, _pin);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
        {
            // The login belongs to the application, not the session: another session (or host in this process) did it, and the
            // token then answers without looking at this PIN. It must still be the PIN that logged in.
            if (LoggedIn.TryGetValue(TokenId, out var accepted) && !CryptographicOperations.FixedTimeEquals(accepted, SHA256.HashData(_pin)))
            {
                session.CloseSession();
                throw new TokenUnavailableException($"{Settings.Setting}:Pin is not accepted by the token '{Settings.TokenLabel}' (CKR_PIN_INCORRECT).", e);
            }
            return session;
        }
        catch (Pkcs11Exception e) when (e.RV is CKR.CKR_PIN_INCORRECT or CKR.CKR_PIN_LOCKED or CKR.CKR_PIN_LEN_RANGE)
        {
            session.CloseSession();
            throw new TokenUnavailableException($"{Settings.Setting}:Pin is not accepted by the token '{Settings.TokenLabel}' ({e.RV}).", e);
        }
        catch (Pkcs11Exception)
        {
            session.CloseSession();
            throw;
        }
        LoggedIn[TokenId] = SHA256.HashData(_pin);
        return session;
    }

    /// <summary>The PIN (its hash) each token of this process was logged in with.</summary>
    private static readonly ConcurrentDictionary<string, byte[]> LoggedIn = new();
    private string TokenId => Settings.Library + "\n" + Settings.TokenLabel;

    private ISession Rent() => _idle.TryTake(out var session) ? session : TokenLock.Hold(Settings, NewSession);

    private void Return(ISession session)
    {
        if (Volatile.Read(ref _disposed) == 0 && _idle.Count < 64) _idle.Add(session);
        else session.CloseSession();
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a pooled session. A session that failed is closed, not pooled (its state is unknown);
    /// a call that finds the application logged out (every session had closed) or a key handle gone is tried once more.
    /// </summary>
    internal T Use<T>(Func<ISession, T> work)
    {
        for (var attempt = 0; ; attempt++)
        {
            var session = Rent();
            try
            {
                var result = work(session);
                Return(session);
                return result;
            }
            catch (Pkcs11Exception e) when (attempt == 0 && e.RV is CKR.CKR_USER_NOT_LOGGED_IN or CKR.CKR_SESSION_HANDLE_INVALID or CKR.CKR_SESSION_CLOSED
                                                or CKR.CKR_OBJECT_HANDLE_INVALID or CKR.CKR_KEY_HANDLE_INVALID)
            {
                Close(session);
                _handles.Clear();
            }
            catch
            {
                Close(session);
                throw;
            }
        }
    }

    /// <summary><see cref="Use{T}"/> for the calls that search or change the token's objects, one process at a time (<see cref="TokenLock"/>).</summary>
    private T Exclusive<T>(Func<ISession, T> work) => TokenLock.Hold(Settings, () => Use(work));

    private static void Close(ISession session)
    {
        try { session.CloseSession(); }
        catch (Pkcs11Exception) { /* already gone */ }
    }

    internal static Net.Pkcs11Interop.HighLevelAPI.Factories.IObjectAttributeFactory Attributes => Pkcs11Libraries.Factories.ObjectAttributeFactory;
    internal static IMechanism Mechanism(CKM mechanism) => Pkcs11Libraries.Factories.MechanismFactory.Create(mechanism);
    internal static IMechanism Mechanism(ulong mechanism) => Pkcs11Libraries.Factories.MechanismFactory.Create(mechanism);

    /// <summary>The private key labelled <paramref name="label"/> with its public key, or null when the token has none.</summary>
    public TokenKey? FindKey(string label) => Exclusive(session =>
    {
        var found = session.FindAllObjects([Attributes.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY), Attributes.Create(CKA.CKA_LABEL, label)]);
        if (found.Count == 0) return null;
        if (found.Count > 1) throw new CryptographicException($"The token holds {found.Count} private keys labelled {label}");
        var publicKeys = session.FindAllObjects([Attributes.Create(CKA.CKA_CLASS, CKO.CKO_PUBLIC_KEY), Attributes.Create(CKA.CKA_LABEL, label)]);
        if (publicKeys.Count != 1) throw new CryptographicException($"The token holds no single public key labelled {label}");
        var values = session.GetAttributeValue(publicKeys[0], [CKA.CKA_EC_PARAMS, CKA.CKA_EC_POINT]);
        var curve = EcCurve.FromParameters(values[0].GetValueAsByteArray());
        _handles[label] = found[0];
        return new TokenKey(this, label, curve, curve.PublicKey(values[1].GetValueAsByteArray()));
    });

    /// <summary>
    /// A new signing key pair as token objects: the private key sensitive, never extractable, for signing only (what
    /// pkcs11-tool lists as "sensitive, always sensitive, never extractable"); the public key beside it, same label and id.
    /// </summary>
    public TokenKey GenerateKey(string label, EcCurve curve) => Exclusive(session =>
    {
        session.GenerateKeyPair(Mechanism(CKM.CKM_EC_KEY_PAIR_GEN),
            [
                Attributes.Create(CKA.CKA_TOKEN, true), Attributes.Create(CKA.CKA_PRIVATE, false), Attributes.Create(CKA.CKA_LABEL, label),
                Attributes.Create(CKA.CKA_EC_PARAMS, curve.Parameters()), Attributes.Create(CKA.CKA_VERIFY, true),
            ],
            [
                Attributes.Create(CKA.CKA_TOKEN, true), Attributes.Create(CKA.CKA_PRIVATE, true), Attributes.Create(CKA.CKA_LABEL, label),
                Attributes.Create(CKA.CKA_SENSITIVE, true), Attributes.Create(CKA.CKA_EXTRACTABLE, false), Attributes.Create(CKA.CKA_SIGN, true),
                Attributes.Create(CKA.CKA_DECRYPT, false), Attributes.Create(CKA.CKA_UNWRAP, false), Attributes.Create(CKA.CKA_DERIVE, false),
            ],
            out var publicKey, out var privateKey);
        var key = new TokenKey(this, label, curve, curve.PublicKey(session.GetAttributeValue(publicKey, [CKA.CKA_EC_POINT])[0].GetValueAsByteArray()));
        // CKA_ID: the key identifier (SHA-1 of the public point, RFC 5280 §4.2.1.2 method 1), as tools expect to pair objects.
        List<IObjectAttribute> id = [Attributes.Create(CKA.CKA_ID, key.Identifier)];
        session.SetAttributeValue(publicKey, id);
        session.SetAttributeValue(privateKey, id);
        _handles[label] = privateKey;
        return key;
    });

    /// <summary>
    /// An existing private key brought into the token once (ca-import): sensitive and not extractable from now on, though a
    /// token truthfully reports it as neither "always sensitive" nor "never extractable".
    /// </summary>
    public TokenKey ImportKey(string label, ECParameters privateKey)
    {
        var curve = privateKey.Curve.Oid?.Value == EcCurve.P384.Oid || privateKey.D?.Length == 48 ? EcCurve.P384 : EcCurve.P256;
        var key = new TokenKey(this, label, curve, new ECParameters { Curve = curve.Curve, Q = privateKey.Q });
        var point = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        point.WriteOctetString([0x04, .. privateKey.Q.X!, .. privateKey.Q.Y!]);
        var d = privateKey.D!.ToArray();
        try
        {
            return Exclusive(session =>
            {
                session.CreateObject(
                [
                    Attributes.Create(CKA.CKA_CLASS, CKO.CKO_PUBLIC_KEY), Attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_EC), Attributes.Create(CKA.CKA_TOKEN, true),
                    Attributes.Create(CKA.CKA_PRIVATE, false), Attributes.Create(CKA.CKA_LABEL, label), Attributes.Create(CKA.CKA_ID, key.Identifier),
                    Attributes.Create(CKA.CKA_EC_PARAMS, curve.Parameters()), Attributes.Create(CKA.CKA_EC_POINT, point.Encode()), Attributes.Create(CKA.CKA_VERIFY, true),
                ]);
                _handles[label] = session.CreateObject(
                [
                    Attributes.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY), Attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_EC), Attributes.Create(CKA.CKA_TOKEN, true),
                    Attributes.Create(CKA.CKA_PRIVATE, true), Attributes.Create(CKA.CKA_LABEL, label), Attributes.Create(CKA.CKA_ID, key.Identifier),
                    Attributes.Create(CKA.CKA_SENSITIVE, true), Attributes.Create(CKA.CKA_EXTRACTABLE, false), Attributes.Create(CKA.CKA_SIGN, true),
                    Attributes.Create(CKA.CKA_EC_PARAMS, curve.Parameters()), Attributes.Create(CKA.CKA_VALUE, d),
                ]);
                return key;
            });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    /// <summary>Signs a hash with a token key (CKM_ECDSA): r‖s, each the curve's size.</summary>
    internal byte[] SignHash(TokenKey key, ReadOnlySpan<byte> hash)
    {
        var digest = hash.ToArray();
        return Use(session => session.Sign(Mechanism(CKM.CKM_ECDSA), Handle(session, key.Label), digest));
    }

    private IObjectHandle Handle(ISession session, string label)
    {
        if (_handles.TryGetValue(label, out var handle)) return handle;
        return TokenLock.Hold(Settings, () =>
        {
            var found = session.FindAllObjects([Attributes.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY), Attributes.Create(CKA.CKA_LABEL, label)]);
            if (found.Count != 1) throw new CryptographicException($"The token holds {found.Count} private keys labelled {label}");
            return _handles[label] = found[0];
        });
    }

    /// <summary>The handle of a secret key (an AES key that wraps), made once under <paramref name="label"/> if the token has none.</summary>
    internal IObjectHandle SecretKey(ISession session, string label, bool create)
    {
        if (_handles.TryGetValue(label, out var handle)) return handle;
        return TokenLock.Hold(Settings, () => FindOrMakeSecretKey(session, label, create));
    }

    private IObjectHandle FindOrMakeSecretKey(ISession session, string label, bool create)
    {
        var found = session.FindAllObjects([Attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY), Attributes.Create(CKA.CKA_LABEL, label)]);
        if (found.Count > 1) throw new CryptographicException($"The token holds {found.Count} secret keys labelled {label}");
        if (found.Count == 1) return _handles[label] = found[0];
        if (!create) throw new CryptographicException($"The token holds no key labelled {label}");
        return _handles[label] = session.GenerateKey(Mechanism(CKM.CKM_AES_KEY_GEN),
        [
            Attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY), Attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES), Attributes.Create(CKA.CKA_VALUE_LEN, 32UL),
            Attributes.Create(CKA.CKA_TOKEN, true), Attributes.Create(CKA.CKA_PRIVATE, true), Attributes.Create(CKA.CKA_LABEL, label),
            Attributes.Create(CKA.CKA_SENSITIVE, true), Attributes.Create(CKA.CKA_EXTRACTABLE, false),
            Attributes.Create(CKA.CKA_WRAP, true), Attributes.Create(CKA.CKA_UNWRAP, true),
            Attributes.Create(CKA.CKA_ENCRYPT, false), Attributes.Create(CKA.CKA_DECRYPT, false), Attributes.Create(CKA.CKA_SIGN, false),
        ]);
    }

    /// <summary>What the token holds under a label prefix: each object's class and label.</summary>
    public IReadOnlyList<TokenObject> Objects(string labelPrefix) => Exclusive(session =>
        session.FindAllObjects([Attributes.Create(CKA.CKA_TOKEN, true)])
            .Select(o => session.GetAttributeValue(o, [CKA.CKA_CLASS, CKA.CKA_LABEL]))
            .Select(v => new TokenObject(((CKO)v[0].GetValueAsUlong()).ToString(), v[1].GetValueAsString() ?? ""))
            .Where(o => o.Label.StartsWith(labelPrefix, StringComparison.Ordinal))
            .ToList());

    /// <summary>Destroys every token object labelled with <paramref name="labelPrefix"/> (a deployment's own, when it is taken down); how many.</summary>
    public int DestroyObjects(string labelPrefix)
    {
        if (labelPrefix.Length < 8) throw new ArgumentException("A prefix this short could name another deployment's keys", nameof(labelPrefix));
        _handles.Clear();
        return Exclusive(session =>
        {
            var count = 0;
            foreach (var o in session.FindAllObjects([Attributes.Create(CKA.CKA_TOKEN, true)]))
            {
                if (session.GetAttributeValue(o, [CKA.CKA_LABEL])[0].GetValueAsString()?.StartsWith(labelPrefix, StringComparison.Ordinal) != true) continue;
                session.DestroyObject(o);
                count++;
            }
            return count;
        });
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        // Sessions are closed one by one, never with C_CloseAllSessions or C_Logout: other hosts in this process share the login.
        while (_idle.TryTake(out var session)) Close(session);
    }
}

/// <summary>A token object, as <see cref="CryptoToken.Objects"/> lists it.</summary>
public sealed record TokenObject(string Class, string Label);
