namespace MySign.Web.Infrastructure;

/// <summary>How much a request may carry. Past these the caller gets 413 (never a 500), counted on the bytes read.</summary>
public static class Limits
{
    /// <summary>A document to sign (20 MiB) and its multipart envelope.</summary>
    public const long MaxRequestBody = 21 * 1024 * 1024;
    /// <summary>No portal field is longer than an address; 64 KiB leaves room and no more.</summary>
    public const int MaxFormValue = 64 * 1024;
}
