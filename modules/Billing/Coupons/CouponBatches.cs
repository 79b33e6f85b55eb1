using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using MySign.Billing.Domain;
using MySign.Kernel.Web;
using Wolverine.Http;

namespace MySign.Billing.Coupons;

public sealed record BatchRow(Guid Id, string Organisation, int Count, int Redeemed, DateOnly ExpiresOn, string IssuedBy, DateTimeOffset IssuedAt);
public sealed record CouponsView(IReadOnlyList<BatchRow> Batches, string Organisation, string Count, string ExpiresOn,
    IReadOnlyDictionary<string, string> Errors, Guid? Issued);
public sealed record CouponRow(string Code, string? RedeemedBy, DateTimeOffset? RedeemedAt);
public sealed record BatchView(BatchRow Batch, IReadOnlyList<CouponRow> Coupons);

/// <summary>
/// Coupon batches in the RAO console: issue N codes for an organisation, list them, download them as CSV, see
/// which were redeemed. An operator sees only their office's batches.
/// </summary>
/// <summary>The coupon batch form of the RAO console, bound by Wolverine.</summary>
public sealed class CouponBatchForm
{
    public string? Organisation { get; set; }
    public string? Count { get; set; }
    [FromForm(Name = "expires_on")] public string? ExpiresOn { get; set; }
}

public static class CouponBatchEndpoints
{
    public const int MaxBatch = 500;
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I: read aloud and typed from paper

    [WolverineGet("/rao/coupons")]
    public static async Task<IResult> List(HttpContext context, IQuerySession session, Guid? issued) =>
        Page(await View(context, session, "", "10", "", new Dictionary<string, string>(), issued));

    [WolverinePost("/rao/coupons")]
    public static async Task<IResult> Issue([FromForm] CouponBatchForm form, HttpContext context, IDocumentSession session, TimeProvider clock, ILogger<CouponBatch> logger)
    {
        string organisation = (form.Organisation ?? "").Trim(), count = (form.Count ?? "").Trim(), expires = (form.ExpiresOn ?? "").Trim();
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var errors = new Dictionary<string, string>();
        if (organisation.Length is < 2 or > 100) errors["organisation"] = "coupons.error.organisation";
        if (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > MaxBatch) errors["count"] = "coupons.error.count";
        if (!DateOnly.TryParseExact(expires, ["yyyy-MM-dd", "dd/MM/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var expiresOn)
            || expiresOn <= today || expiresOn > today.AddYears(3))
            errors["expires_on"] = "coupons.error.expires_on";
        if (errors.Count > 0)
            return Page(await View(context, session, organisation, count, expires, errors, null), StatusCodes.Status422UnprocessableEntity);

        var batch = new CouponBatch
        {
            Id = Guid.CreateVersion7(now), Office = context.Office(), Organisation = organisation, Count = n, ExpiresOn = expiresOn,
            IssuedBy = context.HolderId(), IssuedAt = now,
        };
        session.Insert(batch);
        // 12 characters from a 32-letter alphabet: 60 bits, not guessable; a clash with an existing code fails the insert.
        foreach (var code in Enumerable.Range(0, n).Select(_ => NewCode()).Distinct())
            session.Insert(new Coupon { Id = code, BatchId = batch.Id, Office = batch.Office, Organisation = organisation, ExpiresOn = expiresOn });
        await session.SaveChangesAsync(context.RequestAborted);
        logger.LogInformation("RAO operator {OperatorId} issued {Count} coupons ({BatchId})", batch.IssuedBy, n, batch.Id);
        return Results.Redirect($"/rao/coupons/{batch.Id}");
    }

    [WolverineGet("/rao/coupons/{id}")]
    public static async Task<IResult> Batch(Guid id, HttpContext context, IQuerySession session)
    {
        var found = await OfficeBatch(session, context, id);
        if (found is null) return Results.NotFound();
        var coupons = await Coupons(session, id, context.RequestAborted);
        return Page(new BatchView(Row(found, coupons), coupons.Select(c => new CouponRow(c.Display, c.RedeemedBy, c.RedeemedAt)).ToList()), "Coupons/Batch");
    }

    [WolverineGet("/rao/coupons/{id}/coupons.csv")]
    public static async Task<IResult> Csv(Guid id, HttpContext context, IQuerySession session)
    {
        var found = await OfficeBatch(session, context, id);
        if (found is null) return Results.NotFound();
        var csv = new StringBuilder("code,organisation,product,expires_on,redeemed_by,redeemed_at\r\n");
        foreach (var c in await Coupons(session, id, context.RequestAborted))
            csv.Append(CultureInfo.InvariantCulture, $"{c.Display},{Field(c.Organisation)},{c.Sku},{c.ExpiresOn:yyyy-MM-dd},{c.RedeemedBy},{c.RedeemedAt:O}\r\n");
        return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", $"coupons-{id}.csv");
    }

    /// <summary>CSV-quoted, and never starting with a formula character a spreadsheet would run.</summary>
    private static string Field(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0])) value = "'" + value;
        return "\"" + value.Replace("\"", "\"\"") + "\"";
    }

    public static string NewCode() => string.Create(12, 0, (span, _) =>
    {
        for (var i = 0; i < span.Length; i++) span[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
    });

    private static async Task<CouponBatch?> OfficeBatch(IQuerySession session, HttpContext context, Guid id)
    {
        var batch = await session.LoadAsync<CouponBatch>(id, context.RequestAborted);
        return batch is not null && batch.Office == context.Office() ? batch : null;
    }

    private static async Task<IReadOnlyList<Coupon>> Coupons(IQuerySession session, Guid batch, CancellationToken cancellation) =>
        await session.Query<Coupon>().Where(c => c.BatchId == batch).OrderBy(c => c.Id).ToListAsync(cancellation);

    private static BatchRow Row(CouponBatch b, IReadOnlyList<Coupon> coupons) =>
        new(b.Id, b.Organisation, b.Count, coupons.Count(c => c.RedeemedBy is not null), b.ExpiresOn, b.IssuedBy, b.IssuedAt);

    private static async Task<CouponsView> View(HttpContext context, IQuerySession session, string organisation, string count, string expires,
        IReadOnlyDictionary<string, string> errors, Guid? issued)
    {
        var office = context.Office();
        var batches = await session.Query<CouponBatch>().Where(b => b.Office == office).OrderByDescending(b => b.IssuedAt).Take(100).ToListAsync(context.RequestAborted);
        var ids = batches.Select(b => b.Id).ToArray();
        var redeemed = (await session.Query<Coupon>().Where(c => c.BatchId.In(ids) && c.RedeemedBy != null).Select(c => c.BatchId).ToListAsync(context.RequestAborted))
            .GroupBy(b => b).ToDictionary(g => g.Key, g => g.Count());
        var rows = batches.Select(b => new BatchRow(b.Id, b.Organisation, b.Count, redeemed.GetValueOrDefault(b.Id), b.ExpiresOn, b.IssuedBy, b.IssuedAt)).ToList();
        return new CouponsView(rows, organisation, count, expires, errors, issued);
    }

    private static IResult Page(object model, string template = "Coupons/Coupons", int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(CouponBatchEndpoints).Assembly, template, model, "coupons.title") { StatusCode = status, Partial = false };
    private static IResult Page(CouponsView model, int status) => Page(model, "Coupons/Coupons", status);
}
