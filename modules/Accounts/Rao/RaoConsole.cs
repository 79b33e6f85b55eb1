using MySign.Certificates.Contracts;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MySign.Accounts.Domain;
using MySign.Accounts.Registration;
using MySign.Kernel.Localization;
using MySign.Kernel.Rendering;
using MySign.Kernel.Web;
using Npgsql;
using Wolverine;
using Wolverine.Http;

namespace MySign.Accounts.Rao;

public sealed record HolderRow(string Id, string Name, string FiscalCode, DateTimeOffset? RegisteredAt, string Status);
public sealed record RaoHomeView(string Office, IReadOnlyList<HolderRow> Holders);
public sealed record RegisterView(IReadOnlyList<FormSection> Sections, bool HasErrors);
/// <param name="Parts">The other modules' facts about the holder, each rendered by its owner (the certificate, the OTP factor).</param>
/// <param name="Trail">Every operation, the account's and the owners', newest first, in the reader's language.</param>
public sealed record RaoHolderView(HolderAccount Holder, bool JustRegistered, IReadOnlyList<HolderOperation> Trail, DeskView Desk, IReadOnlyList<RawHtml> Parts);

/// <summary>
/// The RAO console: the office's holders, registration after the in-person identity check, the Registration
/// Request PDF. Every query is filtered by the operator's office; a holder of another office is "not found".
/// </summary>
public static class RaoConsoleEndpoints
{
    /// <summary>The office's holders, each with the state its certificate's owner gives now (or "awaiting activation").</summary>
    [WolverineGet("/rao")]
    public static async Task<IResult> Home(HttpContext context, IQuerySession session, IEnumerable<IHolderFactsPart> parts)
    {
        var office = context.Office();
        var holders = await session.Query<HolderAccount>().Where(h => h.Office == office)
            .OrderByDescending(h => h.RegisteredAt).Take(200).ToListAsync(context.RequestAborted);
        var ids = holders.Select(h => h.Id).ToList();
        var batch = session.CreateBatchQuery();
        var statuses = parts.OrderBy(p => p.Order).Select(p => p.PrepareStatuses(batch, context, ids)).ToList();
        await batch.Execute(context.RequestAborted);
        var said = statuses.Select(s => s()).ToList();
        string Status(HolderAccount h) => h.ActivatedAt is null ? Strings.T("rao.status.pending")
            : said.Select(s => s.GetValueOrDefault(h.Id)).FirstOrDefault(s => s is not null) ?? Strings.T("rao.status.active");
        var rows = holders.Select(h => new HolderRow(h.Id, h.DisplayName, h.FiscalCode, h.RegisteredAt, Status(h))).ToList();
        return Page("Rao/Home", new RaoHomeView(office, rows), "rao.home.title");
    }

    [WolverineGet("/rao/holders/new")]
    public static IResult NewHolder() => RegisterPage(RegistrationForm.Empty());

    [WolverinePost("/rao/holders")]
    public static async Task<IResult> Register(HttpContext context, IDocumentSession session, IMessageBus bus, NpgsqlDataSource database,
        TimeProvider clock, ILogger<RegisterView> logger)
    {
        var form = RegistrationForm.Read(await context.Request.ReadFormAsync(context.RequestAborted));
        var now = clock.GetUtcNow();
        if (!form.Validate(DateOnly.FromDateTime(now.UtcDateTime)))
            return RegisterPage(form, StatusCodes.Status422UnprocessableEntity);
        if (await session.LoadAsync<FiscalCodeClaim>(form["fiscal_code"], context.RequestAborted) is not null)
            return FiscalCodeTaken(form);

        var office = context.Office();
        var operatorId = context.HolderId();
        var iut = (await bus.InvokeAsync<IutAllocated>(new AllocateIut(), context.RequestAborted)).Iut;
        var userId = await UserIds.NextAsync(session, database, context.RequestAborted);
        var holder = form.ToHolder(userId, iut, office, operatorId, now);
        session.Insert(holder);
        session.Insert(new FiscalCodeClaim { Id = holder.FiscalCode, HolderId = userId });
        session.Insert(AuditEntry.ByRao(userId, "rao.registered", now, operatorId, office));
        await bus.PublishAsync(new HolderRegistered(userId, holder.MailLanguage));
        try
        {
            await session.SaveChangesAsync(context.RequestAborted);
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            return FiscalCodeTaken(form); // the same person registered at the same moment elsewhere
        }
        logger.LogInformation("RAO operator {OperatorId} registered holder {HolderId}", operatorId, userId);
        return Results.Redirect($"/rao/holders/{userId}?registered=1");
    }

    /// <summary>The holder's page at the desk.</summary>
    /// <param name="done">The desk action just done (the redirect after it), whose notice the page shows.</param>
    [WolverineGet("/rao/holders/{id}")]
    public static async Task<IResult> HolderPage(string id, string? registered, string? done, HttpContext context, IQuerySession session)
    {
        var holder = await OfficeHolder(session, context, id);
        if (holder is null) return Results.NotFound();
        var notice = Enum.GetValues<DeskAction>().Select(a => a.Name()).FirstOrDefault(a => a == done) is { } action ? "rao.desk.done." + action : null;
        return await HolderPageAsync(holder, session, context, new DeskView(new Dictionary<string, string>(), new Dictionary<string, string>(), notice),
            justRegistered: registered == "1");
    }

    /// <summary>
    /// The holder's page at the desk: the account's facts and each owner's (the certificate, the OTP factor) read in one
    /// batch, the desk form (with its errors or what was just done), and one list of every operation, newest first.
    /// </summary>
    public static async Task<IResult> HolderPageAsync(HolderAccount holder, IQuerySession session, HttpContext context, DeskView desk, int status = StatusCodes.Status200OK,
        bool justRegistered = false)
    {
        var batch = session.CreateBatchQuery();
        var audit = batch.Query<AuditEntry>().Where(a => a.HolderId == holder.Id).OrderByDescending(a => a.At).Take(50).ToList();
        var parts = context.RequestServices.GetServices<IHolderFactsPart>().OrderBy(p => p.Order).Select(p => p.Prepare(batch, context, holder.Id)).ToList();
        await batch.Execute(context.RequestAborted);
        var facts = parts.Select(p => p()).ToList();
        var trail = audit.Result.Select(a => new HolderOperation(a.At, Strings.T("audit." + a.What), a.Actor))
            .Concat(facts.SelectMany(f => f.Operations)).OrderByDescending(o => o.At).Take(100).ToList();
        return Page("Rao/Holder", new RaoHolderView(holder, justRegistered, trail, desk, facts.Select(f => f.Facts).Where(f => f.Value.Length > 0).ToList()),
            "rao.holder.title", status);
    }

    public static Task<HolderAccount?> OfficeHolderAsync(IQuerySession session, HttpContext context, string id) => OfficeHolder(session, context, id);

    [WolverineGet("/rao/holders/{id}/registration-request.pdf")]
    public static async Task<IResult> RegistrationRequest(string id, HttpContext context, IDocumentSession session, TimeProvider clock,
        Microsoft.Extensions.Options.IOptions<Kernel.Brand.TspOptions> tsp)
    {
        var holder = await OfficeHolder(session, context, id);
        if (holder is null) return Results.NotFound();
        var registeredBy = await session.LoadAsync<RaoOperator>(holder.RegisteredBy, context.RequestAborted);
        var pdf = RegistrationPdf.Build(holder, registeredBy, Strings.Language, tsp.Value);
        session.Insert(AuditEntry.ByRao(holder.Id, "rao.printed", clock.GetUtcNow(), context.HolderId(), context.Office()));
        return Results.File(pdf, "application/pdf", $"registration-request-{holder.Id}.pdf");
    }

    /// <summary>The holder, if registered at the signed-in operator's office.</summary>
    private static async Task<HolderAccount?> OfficeHolder(IQuerySession session, HttpContext context, string id)
    {
        if (id.Length is 0 or > 64) return null;
        var holder = await session.LoadAsync<HolderAccount>(id.ToLowerInvariant(), context.RequestAborted);
        return holder is not null && holder.Office.Length > 0 && holder.Office == context.Office() ? holder : null;
    }

    private static IResult FiscalCodeTaken(RegistrationForm form)
    {
        form.Errors["fiscal_code"] = "registration.error.fiscal_code.taken";
        return RegisterPage(form, StatusCodes.Status422UnprocessableEntity);
    }

    private static IResult RegisterPage(RegistrationForm form, int status = StatusCodes.Status200OK) =>
        Page("Rao/Register", new RegisterView(form.Sections(), form.Errors.Count > 0), "rao.register.title", status);

    private static IResult Page(string template, object model, string title, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(RaoConsoleEndpoints).Assembly, template, model, title) { StatusCode = status, Partial = false };
}
