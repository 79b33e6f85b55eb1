using Marten;
using Marten.Linq;
using Marten.Services.BatchQuerying;
using Microsoft.AspNetCore.Http;
using MySign.Kernel.Rendering;
using MySign.Kernel.Web;
using MySign.Renewal.Domain;
using Wolverine.Http;

namespace MySign.Renewal.Portal;

public sealed record RenewBoxView(bool HasCertificate, string State, DateTimeOffset? ExpiresAt, DateTimeOffset? OpensAt, int DaysLeft, Guid? InProgress = null)
{
    public string ReactivatePath => Certificates.Contracts.CertificatePages.Reactivate;
    public string OrdersPath => Billing.Contracts.BillingPages.Orders;
}

public sealed class RenewBox : IPortalBox
{
    public int Order => 50;
    public PortalSlot Slot => PortalSlot.Box;
    public string Path => "/portal/boxes/renewal";

    public Func<RawHtml> Prepare(IBatchedQuery batch, HttpContext context)
    {
        var holderId = context.HolderId();
        var loaded = batch.Load<RenewableCertificate>(holderId);
        // A renewal left half-way (paid by bank transfer, or stopped at the RAO desk) is offered first.
        var pending = batch.Query(new UnfinishedRenewal { HolderId = holderId });
        return () => HtmlView.For<RenewBox>("Portal/RenewBox", View(loaded.Result, context.Now()) with { InProgress = pending.Result?.Id })
            .RenderFragment(context);
    }

    public static RenewBoxView View(RenewableCertificate? certificate, DateTimeOffset now)
    {
        if (certificate is null) return new RenewBoxView(false, "none", null, null, 0);
        var window = RenewalWindow.For(certificate.ExpiresAt, now);
        // Why renewal is not offered comes first: expired, revoked or suspended, each with what to do instead.
        var state = window.State == WindowState.Expired ? "expired"
            : certificate.Status is "revoked" or "suspended" ? certificate.Status
            : window.State == WindowState.Open ? "open" : "closed";
        return new RenewBoxView(true, state, window.ExpiresAt, window.OpensAt, window.DaysLeft);
    }
}

/// <summary>The holder's latest renewal not yet done or cancelled; compiled once by Marten, so no LINQ parsing per request.</summary>
public sealed class UnfinishedRenewal : ICompiledQuery<RenewalRequest, RenewalRequest?>
{
    public string HolderId { get; set; } = "";

    public System.Linq.Expressions.Expression<Func<IMartenQueryable<RenewalRequest>, RenewalRequest?>> QueryIs() =>
        q => q.Where(r => r.HolderId == HolderId && r.Step != RenewalStep.Done && r.Step != RenewalStep.Cancelled)
            .OrderByDescending(r => r.CreatedAt).FirstOrDefault();
}

public static class RenewBoxEndpoint
{
    [WolverineGet("/portal/boxes/renewal")]
    public static Task<IResult> Get(HttpContext context, IQuerySession session) => PortalBoxes.PartialAsync(new RenewBox(), session, context);
}
