namespace MySign.Tests;

/// <summary>A relying party asking the portal's OCSP responder, with openssl on both ends.</summary>
public static class OcspRequests
{
    /// <summary>openssl writes the OCSP request, the portal answers it, openssl verifies the answer and reads the status.</summary>
    public static async Task<string> AskAsync(PortalClient client, OpenSsl openssl, params string[] what)
    {
        (await openssl.RunAsync(["ocsp", "-issuer", "issuing.pem", .. what, "-reqout", "req.der"])).Exit.ShouldBe(0);
        var request = new HttpRequestMessage(HttpMethod.Post, "/ocsp") { Content = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(openssl.Folder, "req.der"))) };
        request.Content.Headers.ContentType = new("application/ocsp-request");
        var answer = await client.SendAsync(request);
        answer.Status.ShouldBe(HttpStatusCode.OK);
        answer.Response.Content.Headers.ContentType!.MediaType.ShouldBe("application/ocsp-response");
        openssl.Write("resp.der", await answer.Response.Content.ReadAsByteArrayAsync());
        // The signature against our root, the responder's delegation and the nonce, as a relying party checks them…
        var (_, verified) = await openssl.RunAsync("ocsp", "-respin", "resp.der", "-reqin", "req.der", "-CAfile", "root.pem", "-verify_other", "issuing.pem", "-resp_text");
        verified.ShouldContain("Response verify OK", customMessage: verified);
        verified.ShouldNotContain("Nonce Verify error");
        // …then the status of each certificate asked about, by name.
        var (_, status) = await openssl.RunAsync(["ocsp", "-respin", "resp.der", "-issuer", "issuing.pem", .. what, "-no_nonce", "-CAfile", "root.pem", "-verify_other", "issuing.pem"]);
        return verified + status;
    }
}
