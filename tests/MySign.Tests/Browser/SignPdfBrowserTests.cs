using Microsoft.Playwright;

namespace MySign.Tests.Browser;

/// <summary>
/// A holder signs a PDF on the Sign page in Chromium and downloads it; a relying party's tools judge it: poppler's
/// pdfsig (trusting our root, asking our OCSP responder on the portal's real port), qpdf and pdftotext.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SignPdfBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task a_pdf_signed_on_the_sign_page_is_valid_and_trusted_for_pdfsig_with_its_time_stamp()
    {
        var holder = await browser.ActivatedHolderAsync("Irene", "F");
        using var openssl = new OpenSsl();
        using (var built = new Kernel.Documents.SimplePdf())
            openssl.Write("offerta.pdf", built.Heading("Offerta commerciale 2026-118").Text("Importo complessivo: 12.400 euro, IVA esclusa.").Build());

        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInHolderAsync(page, holder.UserId, holder.Password);
        await page.GotoAsync("/sign");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the OTP" }).ClickAsync();
        await page.GetByLabel("Document to sign").SetInputFilesAsync(Path.Combine(openssl.Folder, "offerta.pdf"));
        await page.GetByLabel("Signature PIN").FillAsync(holder.Pin);
        await page.GetByLabel("Enter OTP code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign and download" }).ClickAsync();
        (await page.Locator("#sign-done").TextContentAsync())!.ShouldContain("The signed PDF is ready");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download the signed file" }).ClickAsync());
        download.SuggestedFilename.ShouldBe("offerta-signed.pdf");
        await download.SaveAsAsync(Path.Combine(openssl.Folder, "offerta-signed.pdf"));

        var root = await (await page.APIRequest.GetAsync("/ca/root.pem")).TextAsync();
        var nss = await openssl.NssTrustingAsync(root);
        var (_, report) = await openssl.RunProgramAsync("pdfsig", ["-nssdir", nss, "offerta-signed.pdf"]);
        report.ShouldContain("Signature Type: ETSI.CAdES.detached", customMessage: report);
        report.ShouldContain("Signature Validation: Signature is Valid.", customMessage: report);
        report.ShouldContain("Certificate Validation: Certificate is Trusted.", customMessage: report);
        report.ShouldContain($"Signer Certificate Common Name: Irene {holder.Applicant.LastName}");
        (await openssl.RunProgramAsync("qpdf", ["--check", "offerta-signed.pdf"])).Output.ShouldContain("No syntax or stream encoding errors found");
        (await openssl.RunProgramAsync("pdftotext", ["offerta-signed.pdf", "-"])).Output.ShouldContain("12.400 euro");

        // The signature time-stamp is our TSA's: pdfsig dumps the CMS, openssl finds the token in it.
        (await openssl.RunProgramAsync("pdfsig", ["-nssdir", nss, "-dump", "offerta-signed.pdf"])).Exit.ShouldBe(0);
        (await openssl.RunAsync("cms", "-cmsout", "-print", "-inform", "DER", "-in", "offerta-signed.pdf.sig0")).Output.ShouldContain("timeStampToken");
    }
}
