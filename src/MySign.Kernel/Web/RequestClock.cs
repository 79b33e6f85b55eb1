using Microsoft.AspNetCore.Http;

namespace MySign.Kernel.Web;

public static class RequestClock
{
    /// <summary>The time now, by the host's clock (TimeProvider: the tests' fake one where they set it), for code handed only the request.</summary>
    public static DateTimeOffset Now(this HttpContext context) =>
        ((TimeProvider?)context.RequestServices.GetService(typeof(TimeProvider)) ?? TimeProvider.System).GetUtcNow();
}
