using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using MySign.Kernel.Web;
using Wolverine.Http;

namespace MySign.Accounts.HowToActivate;

public sealed record HowToActivateView(string SignInPath);

/// <summary>
/// "Don't have MySign yet?": how a certificate is obtained, as a TSP tells it — at a registration office (RAO), with an
/// identity document, the fiscal code, the mobile phone and an e-mail address; then the activation mail.
/// </summary>
public static class HowToActivateEndpoint
{
    public const string Path = "/how-to-activate";

    [WolverineGet(Path), AllowAnonymous]
    public static IResult Get() =>
        new HtmlView(typeof(HowToActivateEndpoint).Assembly, "HowToActivate/HowToActivate", new HowToActivateView(Contracts.AccountPages.SignIn), "howto.title") { Partial = false };
}
