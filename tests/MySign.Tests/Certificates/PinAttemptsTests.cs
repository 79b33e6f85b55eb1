using MySign.Certificates.Contracts;
using Wolverine.Tracking;

namespace MySign.Tests.Certificates;

/// <summary>A wrong PIN says how many attempts are left before it is blocked, at every door of the portal that takes it.</summary>
[Collection(AppCollection.Name)]
public sealed class PinAttemptsTests(AppFixture app)
{
    private const string Pin = "52719364";
    private const string Wrong = "13572468";

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PortalClient, AngleSharp.Dom.IElement> Uploads = new();

    private static readonly Dictionary<string, Func<PortalClient, Task<PortalClient.Page>>> Doors = new()
    {
        ["suspension"] = async c =>
        {
            await c.GetAsync("/certificate/suspend");
            return await c.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = Wrong });
        },
        ["PIN change"] = async c =>
        {
            await c.GetAsync("/pin");
            return await c.PostAsync("/pin", new() { ["current"] = Wrong, ["new"] = "97531864", ["confirm"] = "97531864" });
        },
        ["emergency code"] = async c =>
        {
            await c.GetAsync("/");
            return await c.PostAsync("/certificate/emergency-code", new() { ["pin"] = Wrong });
        },
        ["renewal consents"] = async c =>
        {
            await c.GetAsync("/renewal");
            var id = (await c.PostAsync("/renewal", new() { ["path"] = "coupon" })).Location!.Split('/').Last();
            await c.GetAsync($"/renewal/{id}");
            return await c.PostAsync($"/renewal/{id}/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = Wrong });
        },
        ["sign a document"] = async c =>
        {
            // The same upload form each time (asking for a new code within 30 seconds would wait for the SMS gap).
            if (!Uploads.TryGetValue(c, out var form))
            {
                await c.GetAsync("/sign");
                form = Journeys.ConfirmForm(await c.PostAsync("/sign/otp", []));
                Uploads.Add(c, form);
            }
            using var body = new MultipartFormDataContent();
            foreach (var hidden in form.QuerySelectorAll("input[type=hidden]"))
                if (hidden.GetAttribute("name") is { } name && name != "code") body.Add(new StringContent(hidden.GetAttribute("value") ?? ""), name);
            body.Add(new StringContent(Wrong), "pin");
            body.Add(new StringContent("00000000"), "code");
            body.Add(new ByteArrayContent("Contratto"u8.ToArray()), "document", "contratto.txt");
            return await c.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sign") { Content = body });
        },
    };

    public static TheoryData<string> Names() => new(Doors.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task a_wrong_pin_says_how_many_attempts_are_left(string door)
    {
        var holder = await Holders.CreateAsync(app.Store);
        await app.Host.ExecuteAndWaitAsync(m => m.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Rita", "Sala", "SLARTI80A41H501X", Pin,
            ValidFrom: DateTimeOffset.UtcNow - TimeSpan.FromDays(3 * 365) + TimeSpan.FromDays(30))));
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);

        var first = await Doors[door](portal);
        first.Status.ShouldBe(HttpStatusCode.UnprocessableEntity, door);
        first.Text.ShouldContain("4 attempts left", customMessage: $"{door}: {first.Document.QuerySelector("[role=alert]")?.TextContent}");
        for (var i = 0; i < 3; i++) await Doors[door](portal);
        (await Doors[door](portal)).Text.ShouldContain("Your PIN is blocked", customMessage: $"{door}: the fifth wrong PIN blocks it");
    }
}
