using Wolverine.Tracking;

namespace MySign.Testing;

/// <summary>A holder changes their certificate's status in the portal, as a person does: the form with the PIN, then the SMS code.</summary>
public static class CertificateStatusChanges
{
    /// <summary>
    /// Suspends, reactivates or revokes through <c>/certificate/{action}</c> and waits for what it set in motion (the CRL).
    /// <paramref name="form"/> holds the action's fields, PIN included.
    /// </summary>
    public static async Task<PortalClient.Page> ChangeStatusAsync(this AppFixture app, PortalClient client, TestHolder holder, string action,
        Dictionary<string, string> form)
    {
        await client.GetAsync($"/certificate/{action}");
        var otpPage = await client.PostAsync($"/certificate/{action}", form);
        if (otpPage.Status != System.Net.HttpStatusCode.OK) throw new InvalidOperationException($"/certificate/{action} answered {otpPage.Status}: {otpPage.Text}");
        var confirm = otpPage.Document.QuerySelector("#box-suspension form")!.GetAttribute("action")!;
        PortalClient.Page? page = null;
        await app.Host.ExecuteAndWaitAsync(async () =>
            page = await client.PostAsync(confirm, new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) }), 30_000);
        return page!;
    }
}
