using System.Globalization;
using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Billing.Domain;
using MySign.Kernel.Operations;

[assembly: JasperFx.JasperFxAssembly]

namespace MySign.Billing.Coupons;

public sealed class PromoAddInput : NetCoreInput
{
    [Description("The code holders type (letters and digits, 3-40), e.g. WELCOME10")]
    public string Code { get; set; } = "";

    [Description("Percentage off the net price (1-100)"), FlagAlias("percent")]
    public decimal? PercentFlag { get; set; }

    [Description("Euro off the net price"), FlagAlias("amount")]
    public decimal? AmountFlag { get; set; }

    [Description("First valid day, yyyy-MM-dd (default: today)"), FlagAlias("from")]
    public string? FromFlag { get; set; }

    [Description("Last valid day, yyyy-MM-dd"), FlagAlias("until")]
    public string UntilFlag { get; set; } = "";

    [Description("How many orders may use it (default 1000)"), FlagAlias("max-uses")]
    public int MaxUsesFlag { get; set; } = 1000;
}

/// <summary>`promo-add WELCOME10 --percent 10 --until 2027-12-31`: a promotional code for the store, audited.</summary>
[Description("Adds a promotional code to the MySign Store", Name = "promo-add")]
public sealed class PromoAddCommand : JasperFxAsyncCommand<PromoAddInput>
{
    public override async Task<bool> Execute(PromoAddInput input)
    {
        var code = input.Code.Trim().ToUpperInvariant();
        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);
        var from = input.FromFlag is null ? today : Day(input.FromFlag);
        var until = Day(input.UntilFlag);
        var problem = code.Length is < 3 or > 40 || !code.All(char.IsAsciiLetterOrDigit) ? "the code must be 3-40 letters and digits"
            : (input.PercentFlag is null) == (input.AmountFlag is null) ? "give exactly one of --percent and --amount"
            : input.PercentFlag is { } p && p is <= 0 or > 100 ? "--percent must be between 1 and 100"
            : input.AmountFlag is { } a && a <= 0 ? "--amount must be more than zero"
            : from is null || until is null || until < from ? "give --until (and --from) as yyyy-MM-dd, until not before from"
            : input.MaxUsesFlag < 1 ? "--max-uses must be at least 1" : null;
        if (problem is not null)
        {
            await Console.Error.WriteLineAsync("promo-add: " + problem);
            return false;
        }
        using var host = input.BuildHost();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        session.Insert(new PromoCode { Id = code, Percent = input.PercentFlag, Amount = input.AmountFlag, ValidFrom = from!.Value, ValidUntil = until!.Value, MaxUses = input.MaxUsesFlag });
        session.Insert(CommandAudit.Of("promo-add", $"{code} percent={input.PercentFlag} amount={input.AmountFlag} from={from:yyyy-MM-dd} until={until:yyyy-MM-dd} max-uses={input.MaxUsesFlag}", TimeProvider.System.GetUtcNow()));
        try
        {
            await session.SaveChangesAsync();
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            await Console.Error.WriteLineAsync($"promo-add: the code {code} already exists (promo-disable it and choose another)");
            return false;
        }
        Console.WriteLine($"Promotional code {code} added, valid {from:yyyy-MM-dd} to {until:yyyy-MM-dd}, up to {input.MaxUsesFlag} orders");
        return true;
    }

    private static DateOnly? Day(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day.Year is >= 2000 and <= 2200 ? day : null;
}

/// <summary>`promo-list`: every promotional code with its discount, dates, uses and state.</summary>
[Description("Lists the MySign Store's promotional codes", Name = "promo-list")]
public sealed class PromoListCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var codes = await session.Query<PromoCode>().OrderBy(p => p.Id).ToListAsync();
        Console.WriteLine("code\tdiscount\tfrom\tuntil\tuses\tstate");
        foreach (var p in codes)
            Console.WriteLine(string.Join('\t', p.Id, p.Percent is { } percent ? $"{percent:0.##}%" : $"EUR {p.Amount:0.00}",
                p.ValidFrom.ToString("yyyy-MM-dd"), p.ValidUntil.ToString("yyyy-MM-dd"), $"{p.Uses}/{p.MaxUses}", p.Disabled ? "disabled" : "active"));
        return true;
    }
}

public sealed class PromoDisableInput : NetCoreInput
{
    [Description("The code to disable")]
    public string Code { get; set; } = "";
}

/// <summary>`promo-disable WELCOME10`: the code stops working at once (orders that used it keep their price).</summary>
[Description("Disables a promotional code", Name = "promo-disable")]
public sealed class PromoDisableCommand : JasperFxAsyncCommand<PromoDisableInput>
{
    public override async Task<bool> Execute(PromoDisableInput input)
    {
        var code = input.Code.Trim().ToUpperInvariant();
        using var host = input.BuildHost();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        var promo = code.Length is > 0 and <= 40 ? await session.LoadAsync<PromoCode>(code) : null;
        if (promo is null)
        {
            await Console.Error.WriteLineAsync($"promo-disable: there is no code {code}");
            return false;
        }
        promo.Disabled = true;
        session.Store(promo);
        session.Insert(CommandAudit.Of("promo-disable", code, TimeProvider.System.GetUtcNow()));
        await session.SaveChangesAsync();
        Console.WriteLine($"Promotional code {code} disabled");
        return true;
    }
}
