using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MySign.TrustServices.Authority;

/// <summary>What goes into a holder's certificate.</summary>
public sealed record HolderIdentity(string GivenName, string Surname, string FiscalCode, string UniqueIdentifier);

/// <summary>Builds the CA, holder certificates and CRLs with the framework's builders (ASN.1 only where it has none).</summary>
public static class CertificateFactory
{
    /// <summary>ETSI EN 319 411-2 QCP-n-qscd, and MySign's own certification practice.</summary>
    public const string QualifiedPolicy = "0.4.0.194112.1.2";
    public const string MySignPolicy = "1.3.6.1.4.1.61999.1.1.1";

    /// <summary>The root's self-signed certificate over its public key; <paramref name="root"/> is the root's key (in its own token).</summary>
    public static X509Certificate2 CreateRoot(PublicKey publicKey, X509SignatureGenerator root, DateTimeOffset now)
    {
        var request = new CertificateRequest(CaName("Root"), publicKey, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
        return request.Create(CaName("Root"), root, now.AddMinutes(-5), now.AddYears(20), Serial());
    }

    /// <summary>The issuing CA's certificate request (PKCS#10), signed by its own key in the online token: what the ceremony is handed.</summary>
    public static byte[] IssuingRequest(PublicKey publicKey, X509SignatureGenerator issuing) =>
        new CertificateRequest(CaName(null), publicKey, HashAlgorithmName.SHA384).CreateSigningRequest(issuing);

    /// <summary>
    /// The issuing CA's certificate, from its request (its signature checked: the key is the requester's) and signed by the root.
    /// It carries what a strict validator asks of every certificate in a chain: the policies (so `-policy 0.4.0.194112.1.2
    /// -explicit_policy` holds through it), where the root's CRL is (its revocation path) and where the root's certificate is.
    /// Only the request's key and name are taken; every extension is the root's choice.
    /// </summary>
    public static X509Certificate2 SignIssuing(byte[] pkcs10, X509Certificate2 rootCertificate, X509SignatureGenerator root, DateTimeOffset now, Locations at)
    {
        var requested = CertificateRequest.LoadSigningRequest(pkcs10, HashAlgorithmName.SHA384, CertificateRequestLoadOptions.Default);
        var request = new CertificateRequest(requested.SubjectName, requested.PublicKey, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(rootCertificate, true, false));
        request.CertificateExtensions.Add(Policies());
        request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([at.RootCrl]));
        request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(null, [at.RootIssuers]));
        return request.Create(rootCertificate.SubjectName, root, now.AddMinutes(-5), now.AddYears(10), Serial());
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
    public sealed record Locations(string Crl, string Ocsp, string CaIssuers, string PdsEnglish = "", string PdsItalian = "", string RootCrl = "", string RootIssuers = "")
    {
        /// <summary>Every address under the portal's public URL (Portal:BaseUrl).</summary>
        public static Locations Of(Kernel.Web.PortalUrl portal) => new(portal.For("/crl/issuing.crl"), portal.For("/ocsp"), portal.For("/ca/issuing.cer"),
            portal.For("/pds/en"), portal.For("/pds/it"), portal.For("/crl/root.crl"), portal.For("/ca/root.cer"));
    }

    public static X509Certificate2 IssueHolder(X509Certificate2 issuing, X509SignatureGenerator signer, HolderIdentity holder, PublicKey key, DateTimeOffset notBefore,
        DateTimeOffset notAfter, byte[] serial, Locations at)
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
        return request.Create(issuing.SubjectName, signer, notBefore, notAfter, serial);
    }

    /// <summary>
    /// A certificate for one of the CA's services, issued by the issuing CA for that use only (critical extended key
    /// usage): the OCSP responder (RFC 6960 §4.2.2.2 delegated responder, with id-pkix-ocsp-nocheck so relying
    /// parties do not ask for its own status) and the time-stamp authority (RFC 3161 §2.3: timeStamping alone).
    /// </summary>
    /// <remarks>Each also names the issuing CA's CRL, the OCSP responder and the issuing CA's certificate, so that strict
    /// validators (and a PAdES B-LT document's DSS) find a revocation path for it like any holder's.</remarks>
    public static X509Certificate2 CreateServiceSigner(X509Certificate2 issuing, X509SignatureGenerator signer, PublicKey key, DateTimeOffset now, ServiceSigner service,
        Locations at)
    {
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
        return request.Create(issuing.SubjectName, signer, now.AddMinutes(-5), now.AddDays(ServiceSigner.Days), Serial());
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

    public static byte[] BuildCrl(X509Certificate2 issuer, X509SignatureGenerator signer, IEnumerable<CrlEntry> entries, BigInteger number, DateTimeOffset thisUpdate,
        DateTimeOffset nextUpdate)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in entries) builder.AddEntry(entry.Serial, entry.RevokedAt, entry.Reason);
        return builder.Build(issuer.SubjectName, signer, number, nextUpdate, HashAlgorithmName.SHA384,
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false), thisUpdate);
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
