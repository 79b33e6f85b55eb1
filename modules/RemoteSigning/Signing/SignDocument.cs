using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Marten;
using Microsoft.AspNetCore.Http;
using MySign.Certificates.Contracts;
using MySign.History.Contracts;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using MySign.Otp.Contracts;
using Wolverine;
using Wolverine.Http;

namespace MySign.RemoteSigning.Signing;

public sealed record SignView(string Step, Guid? ChallengeId, string? Destination, string? ErrorKey, string? Field, string? FileName = null, Guid? SignedId = null,
    bool SignedPdf = false, string? Passkey = null, bool SendsCode = true, string? Factor = null);

/// <summary>A signature just made, kept for its holder to download for half an hour (only the small .p7s, never the document).</summary>
public sealed class SignedDocument : Kernel.Documents.IHolderOwned
{
    public Guid Id { get; set; }
    public string HolderId { get; set; } = "";
    public string FileName { get; set; } = "";
    public byte[] Signature { get; set; } = [];
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>
/// Sign a document in the portal: ask for an OTP, then upload the file with PIN and OTP; the answer is a
/// detached CAdES signature (.p7s: CMS SignedData with the signing certificate, the issuing CA and the
/// signing time) that `openssl cms -verify` accepts. Only an active certificate signs.
/// </summary>
public static class SignDocumentEndpoints
{
    public const string Purpose = "document.sign";
    public const long MaxBytes = 20 * 1024 * 1024;

    /// <summary>The first button says "Send the OTP" only to a holder who gets the code by SMS; an app, a token or a passkey is asked on the next page.</summary>
    [WolverineGet("/sign")]
    public static async Task<IResult> Start(HttpContext context, IMessageBus bus) =>
        View(new SignView("start", null, null, null, null, SendsCode: await bus.OtpModeAsync(context.HolderId(), context.RequestAborted) == ReceptionMode.Sms));

    [WolverinePost("/sign/otp")]
    public static async Task<IResult> SendOtp(HttpContext context, IMessageBus bus, TimeProvider clock)
    {
        var certificate = await ActiveAsync(context, bus, clock.GetUtcNow());
        if (certificate is null) return Inactive();
        // A blocked PIN cannot sign: no SMS goes out for nothing.
        if (certificate.PinAttemptsLeft == 0) return View(new SignView("start", null, null, "sign.error.pin_blocked", null), StatusCodes.Status422UnprocessableEntity);
        var issued = await bus.SendOtpAsync(certificate.HolderId, Purpose, certificate.CredentialId.ToString(), context.RequestAborted);
        if (issued.Throttled)
        {
            // "Send new OTP" too soon on the code step: the step stays, with the code already on its way (the form names it;
            // /sign checks it is the holder's own), and the wait is the code field's, read out with it.
            var previous = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
            return Guid.TryParse(previous?["challenge"], out var sent)
                ? View(new SignView("upload", sent, previous!["destination"], issued.Wait, "code", Factor: previous["factor"]), StatusCodes.Status429TooManyRequests)
                : View(new SignView("start", null, null, issued.Wait, null), StatusCodes.Status429TooManyRequests);
        }
        return View(new SignView("upload", issued.ChallengeId, issued.Destination, null, null, Passkey: issued.Passkey, Factor: issued.Factor));
    }

    [WolverinePost("/sign")]
    public static async Task<IResult> Sign(HttpContext context, IDocumentSession session, IMessageBus bus, TrustServicesClient trust, Cades cades, Pades pades,
        TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var certificate = await ActiveAsync(context, bus, now);
        if (certificate is null) return Inactive();
        if (!context.Request.HasFormContentType) return View(new SignView("start", null, null, null, null), StatusCodes.Status400BadRequest);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        Guid.TryParse(form["challenge"], out var challenge);
        // A passkey holder's page comes back as a passkey prompt (the hidden field only ever names this same challenge).
        var passkey = form["passkey"].ToString() == challenge.ToString() ? challenge.ToString() : null;
        // The page's wording comes back with it (hidden fields): it only words the step, the challenge decides what is accepted.
        SignView Again(string error, string field) => new("upload", challenge, form["destination"].ToString(), error, field, Passkey: passkey,
            Factor: passkey is not null ? "passkey" : form["factor"].ToString());
        var file = form.Files.GetFile("document");
        if (file is null || file.Length == 0) return View(Again("sign.error.file", "document"), StatusCodes.Status422UnprocessableEntity);
        if (file.Length > MaxBytes) return View(Again("sign.error.size", "document"), StatusCodes.Status422UnprocessableEntity);
        byte[] content;
        await using (var stream = file.OpenReadStream())
        using (var buffer = new MemoryStream())
        {
            await stream.CopyToAsync(buffer, context.RequestAborted);
            content = buffer.ToArray();
        }
        var name = Path.GetFileName(file.FileName);
        name = name.Length > 200 ? name[..200] : name;

        // What is to be signed is drafted first (a PDF is signed inside as PAdES, anything else gets a detached CAdES .p7s):
        // a PDF that cannot be signed is refused before the PIN is counted.
        var (_, issuing) = await trust.ChainAsync(bus, context.RequestAborted);
        using var signer = X509CertificateLoader.LoadCertificate(certificate.Der);
        PreparedPdf? prepared = null;
        if (Pades.IsPdf(content))
        {
            try { prepared = Pades.Prepare(content, now, $"{certificate.GivenName} {certificate.Surname}"); }
            catch (UnsignablePdfException) { return View(Again("sign.error.pdf", "document"), StatusCodes.Status422UnprocessableEntity); }
        }
        var draft = prepared is not null ? Pades.Draft(prepared, signer, issuing) : Cades.Draft(SHA256.HashData(content), signer, issuing, now);
        // The signature activation module checks the PIN, then the code; a passkey's assertion commits to the file's SHA-256,
        // which the browser hashed too.
        var otp = new SecondFactor(challenge, Purpose, certificate.CredentialId.ToString(), form["code"].ToString(), VerifyOtp.BindingFor([SHA256.HashData(content)]));
        var activated = await bus.InvokeAsync<SignedWithPin>(new SignWithPin(certificate.HolderId, certificate.CredentialId, form["pin"].ToString(), otp, [draft.Hash]),
            context.RequestAborted);
        if (activated.Refused is { Field: "credential" }) return Inactive();
        if (activated.Refused is { } refused) return View(Again(refused.ErrorKey, refused.Field), StatusCodes.Status422UnprocessableEntity);
        var signature = prepared is not null
            ? await pades.CompleteAsync(prepared, draft, activated.Signatures![0], now, bus, context.RequestAborted)
            : await cades.CompleteAsync(draft, activated.Signatures![0], timeStamp: true, bus, context.RequestAborted);
        var pdf = prepared is not null;

        await bus.PublishAsync(new SignatureMade(Guid.CreateVersion7(now), certificate.HolderId, certificate.CredentialId, now, name, "SHA-256", true, SignatureChannel.Portal));
        // The page says it is signed, offers the signature and a fresh form: the used PIN and OTP are not shown again.
        var signed = new SignedDocument { Id = Guid.CreateVersion7(now), HolderId = certificate.HolderId, FileName = pdf ? SignedPdfName(name) : name + ".p7s", Signature = signature, ExpiresAt = now + Keep };
        session.DeleteWhere<SignedDocument>(d => d.HolderId == certificate.HolderId && d.ExpiresAt < now);
        session.Insert(signed);
        return View(new SignView("done", null, null, null, null, name, signed.Id, pdf));
    }

    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(30);

    /// <summary>The holder's credential when it is active now; only an active certificate signs.</summary>
    private static async Task<SigningCredential?> ActiveAsync(HttpContext context, IMessageBus bus, DateTimeOffset now) =>
        (await bus.InvokeAsync<SigningCredentialFound>(new GetSigningCredential(context.HolderId()), context.RequestAborted)).Credential is { } credential
        && credential.ActiveOn(now) ? credential : null;

    private static IResult Inactive() => View(new SignView("start", null, null, "sign.error.inactive", null), StatusCodes.Status422UnprocessableEntity);

    /// <summary>"contratto.pdf" → "contratto-signed.pdf": the holder keeps both, and can tell them apart.</summary>
    public static string SignedPdfName(string name) =>
        (name.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name) + "-signed.pdf";

    /// <summary>The signature just made, for its holder only (someone else's id reads as not found), for half an hour.</summary>
    [WolverineGet("/sign/download/{id}")]
    public static async Task<IResult> Download(Guid id, HttpContext context, IQuerySession session, TimeProvider clock)
    {
        var signed = await Kernel.Documents.HolderOwned.LoadOwnAsync<SignedDocument>(session, id, context);
        if (signed is null || signed.ExpiresAt <= clock.GetUtcNow()) return Results.NotFound();
        var type = signed.FileName.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase) ? "application/pdf" : "application/pkcs7-signature";
        return Results.File(signed.Signature, type, signed.FileName);
    }

    private static IResult View(SignView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(SignDocumentEndpoints).Assembly, "Signing/SignDocument", view, "sign.title") { StatusCode = status };
}
