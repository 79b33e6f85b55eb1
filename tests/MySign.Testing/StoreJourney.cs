using MySign.Certificates.Contracts;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Testing;

/// <summary>A holder taken the way a person goes to the MySign Store: a certificate near its end, the renewal's consents and OTP, "Proceed to payment".</summary>
public static class StoreJourney
{
    public const string Pin = "52719364";

    /// <summary>A fresh holder whose store renewal is at the cart: the holder, a signed-in client, the renewal and the order.</summary>
    public static async Task<(TestHolder Holder, PortalClient Client, Guid Renewal, Guid Order)> AtTheStoreAsync(AppFixture app)
    {
        var holder = await Holders.CreateAsync(app.Store);
        await app.Host.ExecuteAndWaitAsync(c => c.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Paolo", "Gallo", "GLLPLA80A01H501X", Pin,
            ValidFrom: DateTimeOffset.UtcNow - TimeSpan.FromDays(3 * 365) + TimeSpan.FromDays(20))));
        var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        await client.GetAsync("/renewal");
        var id = Guid.Parse((await client.PostAsync("/renewal", new() { ["path"] = "store" })).Location!.Split('/').Last());
        await client.GetAsync($"/renewal/{id}");
        await client.PostAsync($"/renewal/{id}/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = Pin });
        var confirmed = await client.PostAsync($"/renewal/{id}/confirm", new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) });
        if (!confirmed.Text.Contains("Proceed to payment")) throw new InvalidOperationException("The renewal did not reach the payment step: " + confirmed.Text);
        var toStore = await client.PostAsync($"/renewal/{id}/store", new());
        var order = Guid.Parse(toStore.Location!.Split('/').Last());
        return (holder, client, id, order);
    }
}
