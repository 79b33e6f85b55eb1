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

    public static string OrHome(string? url) => Is(url) ? url! : "/";
}
