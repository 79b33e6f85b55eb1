using Microsoft.AspNetCore.Http;

namespace MySign.Kernel.Web;

/// <summary>
/// A request body read whole up to a limit counted on the bytes that arrive (a chunked body has no
/// Content-Length to trust): null when it is larger, and reading stops there.
/// </summary>
public static class RequestBody
{
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int max, CancellationToken cancellation)
    {
        if (request.ContentLength > max) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellation)) > 0)
        {
            if (buffer.Length + read > max) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
