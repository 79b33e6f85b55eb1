namespace MySign.Tests.Certificates;

/// <summary>
/// Signing with a passkey for holders made the real way: registered at the RAO console and activated from the e-mail,
/// then re-keyed at the desk (forgotten PIN) or renewed through the wizard. A PDF (signed inside) and any other file.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class PasskeySigningTests(AppFixture app)
{
    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var history in new[] { "newly registered", "re-keyed", "renewed" })
        foreach (var file in new[] { "offerta.pdf", "contratto.txt" })
            cases.Add(history, file);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task a_holder_confirms_a_signature_with_a_passkey_and_a_wrong_assertion_is_refused(string history, string file)
    {
        var holder = await Journeys.RegisteredAsync(app, "Cesare", "M");
        await Journeys.ChoosePasskeyAsync(holder);
        if (history == "re-keyed") await Journeys.RekeyAsync(app, holder);
        if (history == "renewed") await Journeys.RenewAsync(app, holder);

        byte[] content;
        if (file.EndsWith(".pdf"))
        {
            using var pdf = new MySign.Kernel.Documents.SimplePdf();
            content = pdf.Heading("Offerta 2026-118").Text("Importo: 12.400 euro.").Build();
        }
        else content = "Contratto di fornitura n. 77"u8.ToArray();

        var refused = await Journeys.SignAsync(holder, file, content, rightAnswer: false);
        refused.Status.ShouldBe(HttpStatusCode.UnprocessableEntity, $"{history}, {file}: an assertion by another key");
        var signed = await Journeys.SignAsync(holder, file, content);
        signed.Status.ShouldBe(HttpStatusCode.OK, $"{history}, {file}: {signed.Document.QuerySelector("#sign-error")?.TextContent}");
        signed.Document.QuerySelector("#sign-done").ShouldNotBeNull($"{history}, {file}: {signed.Document.QuerySelector("#sign")?.TextContent}");
    }
}
