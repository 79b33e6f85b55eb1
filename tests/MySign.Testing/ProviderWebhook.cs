using System.Security.Cryptography;
using System.Text;

namespace MySign.Testing;

/// <summary>A payment provider's webhook as the provider sends it: JSON body, HMAC-SHA256 signature header with a timestamp.</summary>
public static class ProviderWebhook
{
    public static HttpRequestMessage Paid(string secret, Guid orderId, string amount = "36.60", string? eventId = null)
    {
        var body = $"{{\"id\":\"{eventId ?? "evt_" + Guid.NewGuid().ToString("N")}\",\"type\":\"payment.succeeded\",\"order_id\":\"{orderId}\",\"amount\":\"{amount}\",\"currency\":\"EUR\"}}";
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString();
        var mac = Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + body))).ToLowerInvariant();
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/payments/card") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("MySign-Signature", $"t={t},v1={mac}");
        return request;
    }
}
