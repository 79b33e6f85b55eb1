using System.Text;

namespace MySign.Kernel.Web;

/// <summary>Redirect targets taken from a request: a local path of this site, or nothing (never an open redirect).</summary>
public static class LocalPath
{
    /// <summary>
    /// "/…" but not "//…" or "/\…", and no control character or backslash anywhere: browsers drop tabs and newlines
    /// and read "\" as "/", so "/\t/evil.example" would otherwise leave the site.
    /// </summary>
    public static bool Is(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || url[1] is not ('/' or '\\'))
        && !url.Any(c => char.IsControl(c) || c == '\\' || char.IsWhiteSpace(c));

    /// <summary>The local path as a Location header can carry it (non-ASCII percent-encoded as UTF-8), or null.</summary>
    public static string? OrNull(string? url) => Is(url) ? Ascii(url!) : null;

    public static string OrHome(string? url) => OrNull(url) ?? "/";

    /// <summary>A header is ASCII: "/é" (what Request.Path gives back decoded) is sent as "/%C3%A9".</summary>
    private static string Ascii(string url)
    {
        if (url.All(char.IsAscii)) return url;
        var ascii = new StringBuilder(url.Length * 2);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in url.EnumerateRunes())
        {
            if (rune.IsAscii) { ascii.Append((char)rune.Value); continue; }
            foreach (var b in bytes[..rune.EncodeToUtf8(bytes)]) ascii.Append('%').Append(b.ToString("X2"));
        }
        return ascii.ToString();
    }
}
