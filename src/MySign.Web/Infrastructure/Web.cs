using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace MySign.Web.Infrastructure;

public static class Web
{
    public const string LanguageCookie = "mysign-lang";
    public const string AntiforgeryHeader = "RequestVerificationToken";

    public static void AddAntiforgery(IServiceCollection services, IConfiguration configuration)
    {
        var secure = configuration.GetValue("Sessions:SecureCookies", true);
        services.AddAntiforgery(options =>
        {
            options.HeaderName = AntiforgeryHeader;
            options.Cookie.Name = secure ? "__Host-mysign-af" : "mysign-af";
            options.Cookie.SecurePolicy = secure ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.SuppressXFrameOptionsHeader = true; // SecurityHeaders sets it
        });
    }

    /// <summary>Language: the IT/EN switch's cookie first, then Accept-Language, else English.</summary>
    public static RequestLocalizationOptions Localization()
    {
        // English text with day-first dates and euro formats as in Europe (en-GB); Italian as in Italy.
        var options = new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture("en-GB", "en"),
            SupportedCultures = [new CultureInfo("en-GB"), new CultureInfo("it-IT")],
            SupportedUICultures = [new CultureInfo("en"), new CultureInfo("it")],
            FallBackToParentCultures = true,
            FallBackToParentUICultures = true,
        };
        options.RequestCultureProviders =
        [
            new CookieRequestCultureProvider { CookieName = LanguageCookie },
            new AcceptLanguageHeaderRequestCultureProvider(),
        ];
        return options;
    }
}
