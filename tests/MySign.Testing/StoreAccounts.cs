using System.Text.RegularExpressions;

namespace MySign.Testing;

/// <summary>A MySign Store account made as a person makes one: the form, then the link in the confirmation mail.</summary>
public static partial class StoreAccounts
{
    [GeneratedRegex(@"/store/accounts/confirm\?token=[A-Za-z0-9_-]+")]
    public static partial Regex ConfirmLink();

    public static async Task<PortalClient.Page> CreateAndConfirmAsync(PortalClient client, SmtpServer smtp, Guid order, string name, string email, string password)
    {
        var answer = await client.PostAsync($"/store/orders/{order}/account", new() { ["create"] = "1", ["name"] = name, ["email"] = email, ["password"] = password });
        if (answer.Status != System.Net.HttpStatusCode.OK) throw new InvalidOperationException($"Account form refused ({answer.Status}): {answer.Text}");
        var mail = await smtp.WaitForAsync(email, m => m.Subject == "MySign Store: confirm your account");
        var link = ConfirmLink().Match(mail.TextBody!).Value;
        var confirmed = await client.GetAsync(link);
        return await client.GetAsync(confirmed.Location ?? $"/store/orders/{order}");
    }
}
