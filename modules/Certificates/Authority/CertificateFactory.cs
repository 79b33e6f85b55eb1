using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MySign.Certificates.Authority;

/// <summary>What goes into a holder's certificate.</summary>
public sealed record HolderIdentity(string GivenName, string Surname, string FiscalCode, string UniqueIdentifier);

/// <summary>Builds the CA, holder certificates and CRLs with the framework's builders (ASN.1 only where it has none).</summary>
public static class CertificateFactory
{
    /// <summary>ETSI EN 319 411-2 QCP-n-qscd, and MySign's own certification practice.</summary>
    public const string QualifiedPolicy = "0.4.0.194112.1.2";
    public const string MySignPolicy = "1.3.6.1.4.1.61999.1.1.1";

    /// <summary>
    /// The root and the issuing CA. The issuing CA carries what a strict validator asks of every certificate in a chain:
    /// the policies (so `-policy 0.4.0.194112.1.2 -explicit_policy` holds through it), where the root's CRL is (its
    /// revocation path) and where the root's certificate is.
    /// </summary>
    public static (X509Certificate2 Root, X509Certificate2 Issuing) CreateAuthority(DateTimeOffset now, Locations at)
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var rootRequest = new CertificateRequest(CaName("Root"), rootKey, HashAlgorithmName.SHA384);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        var root = rootRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(20));

        var issuingKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var issuingRequest = new CertificateRequest(CaName(null), issuingKey, HashAlgorithmName.SHA384);
        issuingRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        issuingRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        issuingRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(issuingRequest.PublicKey, false));
        issuingRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        issuingRequest.CertificateExtensions.Add(Policies());
        issuingRequest.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([at.RootCrl]));
        issuingRequest.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(null, [at.RootIssuers]));
        using var issuingPublic = issuingRequest.Create(root, now.AddMinutes(-5), now.AddYears(10), Serial());
        return (root, issuingPublic.CopyWithPrivateKey(issuingKey));
    }

    private static X500DistinguishedName CaName(string? suffix)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCountryOrRegion("IT");
        name.AddOrganizationName(CertificateAuthority.Organisation);
        name.AddOrganizationalUnitName(CertificateAuthority.Unit);
        name.AddCommonName(suffix is null ? CertificateAuthority.Name : $"{CertificateAuthority.Name} {suffix}");
        return name.Build();
    }

    /// <summary>
    /// Where a relying party checks a certificate: for those the issuing CA signs, its CRL, the OCSP responder and the issuing
    /// CA's certificate; for the issuing CA itself, the root's CRL and certificate; the PKI disclosure statements.
    /// </summary>
    public sealed record Locations(string Crl, string Ocsp, string CaIssuers, string PdsEnglish = "", string PdsItalian = "", string RootCrl = "", string RootIssuers = "");

    public static X509Certificate2 IssueHolder(X509Certificate2 issuing, HolderIdentity holder, PublicKey key, DateTimeOffset notBefore, DateTimeOffset notAfter, byte[] serial, Locations at)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCountryOrRegion("IT");
        name.Add("2.5.4.42", holder.GivenName);
        name.Add("2.5.4.4", holder.Surname);
        name.Add("2.5.4.5", "TINIT-" + holder.FiscalCode, UniversalTagNumber.PrintableString);
        name.Add("2.5.4.46", holder.UniqueIdentifier, UniversalTagNumber.PrintableString); // dnQualifier: the IUT
        name.AddCommonName($"{holder.GivenName} {holder.Surname}");
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.NonRepudiation, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(key, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuing, true, false));
        request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([at.Crl]));
        request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension([at.Ocsp], [at.CaIssuers]));
        request.CertificateExtensions.Add(Policies());
        request.CertificateExtensions.Add(QcStatements(at));
        return request.Create(issuing.SubjectName, X509SignatureGenerator.CreateForECDsa(issuing.GetECDsaPrivateKey()!), notBefore, notAfter, serial);
    }

    /// <summary>
    /// A certificate for one of the CA's services, issued by the issuing CA for that use only (critical extended key
    /// usage): the OCSP responder (RFC 6960 §4.2.2.2 delegated responder, with id-pkix-ocsp-nocheck so relying
    /// parties do not ask for its own status) and the time-stamp authority (RFC 3161 §2.3: timeStamping alone).
    /// </summary>
    /// <remarks>Each also names the issuing CA's CRL, the OCSP responder and the issuing CA's certificate, so that strict
    /// validators (and a PAdES B-LT document's DSS) find a revocation path for it like any holder's.</remarks>
    public static X509Certificate2 CreateServiceSigner(X509Certificate2 issuing, DateTimeOffset now, ServiceSigner service, Locations at)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedNameBuilder();
        name.AddCountryOrRegion("IT");
        name.AddOrganizationName(CertificateAuthority.Organisation);
        name.AddOrganizationalUnitName(CertificateAuthority.Unit);
        name.AddCommonName(CertificateAuthority.Name + " " + service.CommonName);
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(service.Usage, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(service.ExtendedUsage)], true));
        if (service == ServiceSigner.Ocsp) request.CertificateExtensions.Add(new X509Extension("1.3.6.1.5.5.7.48.1.5", [0x05, 0x00], false)); // ocsp-nocheck: NULL
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuing, true, false));
        request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([at.Crl]));
        request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension([at.Ocsp], [at.CaIssuers]));
        using var issued = request.Create(issuing.SubjectName, X509SignatureGenerator.CreateForECDsa(issuing.GetECDsaPrivateKey()!),
            now.AddMinutes(-5), now.AddDays(ServiceSigner.Days), Serial());
        return issued.CopyWithPrivateKey(key);
    }

    public static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // positive
        serial[0] |= 0x10; // and sixteen bytes long
        return serial;
    }

    /// <summary>certificatePolicies: the qualified policy and MySign's.</summary>
    private static X509Extension Policies()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var policy in new[] { QualifiedPolicy, MySignPolicy })
                using (writer.PushSequence()) writer.WriteObjectIdentifier(policy);
        }
        return new X509Extension("2.5.29.32", writer.Encode(), false);
    }

    /// <summary>qcStatements (ETSI EN 319 412-5): EU qualified, key in a QSCD, the PKI disclosure statement in English and Italian, type e-signature.</summary>
    private static X509Extension QcStatements(Locations at)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence()) writer.WriteObjectIdentifier("0.4.0.1862.1.1");
            using (writer.PushSequence()) writer.WriteObjectIdentifier("0.4.0.1862.1.4");
            if (at.PdsEnglish.Length > 0)
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("0.4.0.1862.1.5"); // QcPDS: PdsLocations
                    using (writer.PushSequence())
                        foreach (var (url, language) in new[] { (at.PdsEnglish, "en"), (at.PdsItalian, "it") })
                            using (writer.PushSequence())
                            {
                                writer.WriteCharacterString(UniversalTagNumber.IA5String, url);
                                writer.WriteCharacterString(UniversalTagNumber.PrintableString, language);
                            }
                }
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("0.4.0.1862.1.6");
                using (writer.PushSequence()) writer.WriteObjectIdentifier("0.4.0.1862.1.6.1");
            }
        }
        return new X509Extension("1.3.6.1.5.5.7.1.3", writer.Encode(), false);
    }

    public sealed record CrlEntry(byte[] Serial, DateTimeOffset RevokedAt, X509RevocationReason Reason);

    public static byte[] BuildCrl(X509Certificate2 issuing, IEnumerable<CrlEntry> entries, BigInteger number, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in entries) builder.AddEntry(entry.Serial, entry.RevokedAt, entry.Reason);
        return builder.Build(issuing, number, nextUpdate, HashAlgorithmName.SHA384, null, thisUpdate);
    }
}

/// <summary>The CA's services that sign with a certificate of their own; each is stored under its Id.</summary>
public sealed record ServiceSigner(string Id, string CommonName, X509KeyUsageFlags Usage, string ExtendedUsage)
{
    public static readonly ServiceSigner Ocsp = new("ocsp", "OCSP Responder", X509KeyUsageFlags.DigitalSignature, "1.3.6.1.5.5.7.3.9");
    public static readonly ServiceSigner TimeStamping = new("tsa", "Time-Stamp Authority",
        X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, "1.3.6.1.5.5.7.3.8");

    /// <summary>How long a service certificate lives; a new one is made a month before the end.</summary>
    public const int Days = 365;
}
