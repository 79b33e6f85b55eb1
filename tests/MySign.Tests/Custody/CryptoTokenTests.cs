using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MySign.Custody;

namespace MySign.Tests.Custody;

/// <summary>
/// The token layer on the SoftHSM2 token `scripts/services.sh` provisions: keys made in the token sign there and nowhere
/// else, as pkcs11-tool (OpenSC, someone else's reader of the token) and openssl see it. Each test names its objects under a
/// prefix of its own and destroys them at the end, as a deployment's fixture does.
/// </summary>
public sealed class CryptoTokenTests : IDisposable
{
    private readonly CryptoToken _token = CryptoToken.Open(Tokens.Online);
    private readonly string _prefix = $"mysign-test/{Guid.NewGuid():N}/";
    private static readonly byte[] Hash = SHA256.HashData("contratto di locazione"u8);

    public void Dispose()
    {
        _token.DestroyObjects(_prefix);
        _token.Dispose();
    }

    [Fact]
    public async Task a_key_made_in_the_token_signs_there_and_pkcs11_tool_lists_it_sensitive_and_never_extractable()
    {
        var key = _token.GenerateKey(_prefix + "ca", EcCurve.P384);
        using (var verifier = ECDsa.Create(key.PublicKey))
            verifier.VerifyHash(Hash, key.SignHash(Hash), DSASignatureFormat.Rfc3279DerSequence).ShouldBeTrue();

        // .NET's certificate builder signs through the token; openssl accepts the result.
        var name = new X500DistinguishedName("CN=Token test CA");
        var request = new CertificateRequest(name, key.AsECDsa(), HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.Create(name, key.SignatureGenerator(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3]);
        key.Matches(certificate).ShouldBeTrue();
        using var openssl = new OpenSsl();
        var pem = openssl.Write("ca.pem", certificate.ExportCertificatePem());
        var (exit, output) = await openssl.RunAsync("verify", "-CAfile", pem, pem);
        exit.ShouldBe(0, output);

        // Found again by label, by another opening of the token (as another node or the next start would).
        using (var again = CryptoToken.Open(Tokens.Online))
            again.FindKey(_prefix + "ca")!.SignHash(Hash).ShouldNotBeEmpty();
        _token.FindKey(_prefix + "missing").ShouldBeNull();

        var listed = Tokens.Objects(await Tokens.ListObjectsAsync(Tokens.Online)).Where(o => o.Contains("label:      " + _prefix + "ca")).ToList();
        var privateKey = listed.Where(o => o.StartsWith("Private Key Object", StringComparison.Ordinal)).ShouldHaveSingleItem();
        privateKey.ShouldContain("Access:     sensitive, always sensitive, never extractable");
        privateKey.ShouldContain("Usage:      sign");
    }

    [Fact]
    public async Task opening_the_token_waits_while_another_process_holds_its_lock_and_many_logins_at_once_all_succeed()
    {
        var lockFile = Tokens.Online.LockFile.ShouldNotBeNull("services.sh env names the SoftHSM2 tokens' lock file (Hsm__LockFile)");

        // Another process (util-linux flock, as the tests run pkcs11-tool) holds the lock: an opening of the token waits for it.
        using var holder = System.Diagnostics.Process.Start("flock", [lockFile, "sleep", "2"])!;
        await Task.Delay(300);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        using (CryptoToken.Open(Tokens.Online)) waited.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(1));
        await holder.WaitForExitAsync();

        // Six outside readers logging in at once beside openings here: without the lock one in three tore the token's file.
        var readers = Enumerable.Range(0, 6).Select(_ => Tokens.ListObjectsAsync(Tokens.Online)).ToList();
        var openings = Enumerable.Range(0, 6).Select(i => Task.Run(() => { using var token = CryptoToken.Open(Tokens.Online); _ = token.FindKey(_prefix + "none"); })).ToList();
        await Task.WhenAll([.. readers, .. openings]);
    }

    [Fact]
    public void a_bouncycastle_signature_factory_over_a_token_key_signs_what_bouncycastle_verifies()
    {
        var key = _token.GenerateKey(_prefix + "ocsp", EcCurve.P256);
        var generator = new Org.BouncyCastle.X509.X509V2CrlGenerator();
        generator.SetIssuerDN(new Org.BouncyCastle.Asn1.X509.X509Name("CN=Token test"));
        generator.SetThisUpdate(DateTime.UtcNow);
        generator.SetNextUpdate(DateTime.UtcNow.AddDays(1));
        var crl = generator.Generate(key.SignatureFactory(HashAlgorithmName.SHA256));
        using var ecdsa = ECDsa.Create(key.PublicKey);
        var publicKey = Org.BouncyCastle.Security.PublicKeyFactory.CreateKey(ecdsa.ExportSubjectPublicKeyInfo());
        Should.NotThrow(() => crl.Verify(publicKey));
        crl.SigAlgOid.ShouldBe("1.2.840.10045.4.3.2");
    }

    [Fact]
    public void a_holder_key_is_made_and_used_in_the_token_and_outside_it_is_only_a_wrapped_blob_no_other_wrapping_key_opens()
    {
        var holders = new HolderKeys(_token, _prefix + "holder-wrap");
        holders.EnsureWrappingKey();
        holders.EnsureWrappingKey(); // made once
        _token.Objects(_prefix + "holder-wrap").Count.ShouldBe(1);

        var (wrapped, publicKey) = holders.Generate();
        var hashes = Enumerable.Range(0, 5).Select(i => SHA256.HashData([(byte)i])).ToList();
        var signatures = holders.Sign(wrapped, hashes);
        using (var verifier = ECDsa.Create(publicKey))
            for (var i = 0; i < hashes.Count; i++) verifier.VerifyHash(hashes[i], signatures[i], DSASignatureFormat.Rfc3279DerSequence).ShouldBeTrue($"signature {i}");

        // The blob the database keeps is no key: not PKCS#8, not SEC1.
        using (var probe = ECDsa.Create())
        {
            Should.Throw<CryptographicException>(() => probe.ImportPkcs8PrivateKey(wrapped, out _));
            Should.Throw<CryptographicException>(() => probe.ImportECPrivateKey(wrapped, out _));
        }
        // Another deployment's wrapping key (another database on the same token) opens nothing.
        var other = new HolderKeys(_token, _prefix + "other-wrap");
        other.EnsureWrappingKey();
        Should.Throw<Exception>(() => other.Sign(wrapped, hashes));
        // No session object outlives a signature: the token holds only what was made as token objects.
        _token.Objects(_prefix).Select(o => o.Label).Distinct().OrderBy(l => l).ShouldBe([_prefix + "holder-wrap", _prefix + "other-wrap"]);
    }

    [Fact]
    public void an_old_pkcs8_key_brought_into_the_token_signs_as_the_same_key()
    {
        var holders = new HolderKeys(_token, _prefix + "holder-wrap");
        holders.EnsureWrappingKey();
        using var old = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pkcs8 = old.ExportPkcs8PrivateKey();
        var wrapped = holders.Import(pkcs8);
        pkcs8.ShouldAllBe(b => b == 0, "the plain key is zeroed once it is in the token");
        old.VerifyHash(Hash, holders.Sign(wrapped, [Hash])[0], DSASignatureFormat.Rfc3279DerSequence).ShouldBeTrue();
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task many_threads_sign_at_once_on_pooled_sessions_and_every_signature_verifies()
    {
        var key = _token.GenerateKey(_prefix + "tsa", EcCurve.P256);
        var holders = new HolderKeys(_token, _prefix + "holder-wrap");
        holders.EnsureWrappingKey();
        var (wrapped, holderPublic) = holders.Generate();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            using var service = ECDsa.Create(key.PublicKey);
            using var holder = ECDsa.Create(holderPublic);
            var good = 0;
            for (var i = 0; i < 50; i++)
            {
                var hash = SHA256.HashData([(byte)worker, (byte)i]);
                if (service.VerifyHash(hash, key.SignHash(hash), DSASignatureFormat.Rfc3279DerSequence)) good++;
                if (holder.VerifyHash(hash, holders.Sign(wrapped, [hash])[0], DSASignatureFormat.Rfc3279DerSequence)) good++;
            }
            return good;
        })));
        results.ShouldAllBe(good => good == 100);
    }

    [Fact]
    public void a_token_that_cannot_be_used_says_which_setting_is_wrong()
    {
        var online = Tokens.Online;
        Should.Throw<TokenUnavailableException>(() => CryptoToken.Open(online with { Pin = "000000" })).Message.ShouldContain("Hsm:Pin");
        var unknown = Should.Throw<TokenUnavailableException>(() => CryptoToken.Open(online with { TokenLabel = "no-such-token" })).Message;
        unknown.ShouldContain("Hsm:TokenLabel");
        unknown.ShouldContain($"'{online.TokenLabel}'", customMessage: "the labels present are listed");
        Should.Throw<TokenUnavailableException>(() => CryptoToken.Open(online with { Library = "/nonexistent/libvendor-pkcs11.so" })).Message.ShouldContain("Hsm:Library");
        Should.Throw<TokenUnavailableException>(() => CryptoToken.Open(online with { Pin = "" })).Message.ShouldContain("Hsm__Pin");
    }
}
