using System.Diagnostics;
using Marten;
using MySign.Accounts.Domain;

namespace MySign.Testing;

/// <summary>A RAO operator of its own (unique username, office and phone), so tests never share state.</summary>
public sealed record TestOperator(string Id, string Password, string Office, string Mobile);

public static class Operators
{
    public const string Password = "an-operator-passphrase-42";
    private static int _next = Random.Shared.Next(100_000, 800_000);

    public static async Task<TestOperator> CreateAsync(IDocumentStore store, string? office = null)
    {
        var n = Interlocked.Increment(ref _next);
        var op = new TestOperator($"rao.t{n}", Password, office ?? $"Office {n}", $"+39347{n:D7}");
        await using var session = store.LightweightSession();
        session.Store(new RaoOperator { Id = op.Id, Office = op.Office, FullName = $"Operator {n}", Mobile = op.Mobile, PasswordHash = Passwords.Hash(Password) });
        await session.SaveChangesAsync();
        return op;
    }

    /// <summary>Signs in at /rao/login with password then the SMS OTP, as the operator would.</summary>
    public static async Task<PortalClient.Page> SignInAsync(PortalClient client, IDocumentStore store, TestOperator op)
    {
        await client.GetAsync("/rao/login");
        var otp = await client.PostAsync("/rao/login", new() { ["username"] = op.Id, ["password"] = op.Password });
        if (otp.Status != System.Net.HttpStatusCode.OK) throw new InvalidOperationException($"RAO sign-in refused: {otp.Status}");
        var pending = otp.Document.QuerySelector("input[name=pending]")!.GetAttribute("value")!;
        return await client.PostAsync("/rao/login/otp", new() { ["pending"] = pending, ["code"] = await Holders.LastSmsCodeAsync(store, op.Mobile) });
    }
}

/// <summary>The RAO desk's form for a holder of the operator's office, after a passport check (a node's address, or the client's own).</summary>
public static class Desk
{
    /// <summary>A holder (in English) of a new office, and that office's operator signed in at the console.</summary>
    public static async Task<(PortalClient Rao, TestOperator Operator, TestHolder Holder)> OfficeHolderAsync(AppFixture app)
    {
        var op = await Operators.CreateAsync(app.Store);
        var holder = await Holders.CreateAsync(app.Store, "Bruno", "Gatti", "en", op.Office);
        var rao = app.Client();
        if ((await Operators.SignInAsync(rao, app.Store, op)).Location != "/rao") throw new InvalidOperationException($"{op.Id} was not signed in at the console.");
        return (rao, op, holder);
    }

    public static async Task<PortalClient.Page> ActAsync(PortalClient rao, string holderId, string action, Uri? node = null)
    {
        string At(string path) => node is null ? path : new Uri(node, path).ToString();
        await rao.GetAsync(At($"/rao/holders/{holderId}"));
        var done = await rao.PostAsync(At($"/rao/holders/{holderId}/desk/{action.Replace('_', '-')}"), new()
        {
            ["doc_type"] = "passport", ["doc_number"] = "YA1234567", ["doc_expiry"] = DateTime.UtcNow.AddYears(3).ToString("dd/MM/yyyy"),
        });
        // Done, the desk redirects to the holder's page with its notice (a reload never repeats the action).
        return done.Status == System.Net.HttpStatusCode.Redirect ? await rao.GetAsync(At(done.Location!)) : done;
    }
}

/// <summary>A person to register: details whose fiscal code is computed the way the Agenzia delle Entrate does.</summary>
public sealed record Applicant(string FirstName, string LastName, string Sex, DateOnly BirthDate, string Email, string Mobile)
{
    private static int _next = Random.Shared.Next(100_000, 800_000);

    public string FiscalCode
    {
        get
        {
            var day = BirthDate.Day + (Sex == "F" ? 40 : 0);
            var first15 = $"{Accounts.Registration.FiscalCode.SurnamePart(LastName)}{Accounts.Registration.FiscalCode.NamePart(FirstName)}" +
                          $"{BirthDate.Year % 100:D2}{"ABCDEHLMPRST"[BirthDate.Month - 1]}{day:D2}H501";
            return first15 + Accounts.Registration.FiscalCode.CheckLetter(first15);
        }
    }

    /// <summary>A new applicant: a surname of random letters (so fiscal codes never clash between tests), an adult.</summary>
    public static Applicant New(string firstName = "Lucia", string sex = "F", DateOnly? birth = null)
    {
        var n = Interlocked.Increment(ref _next);
        var surname = "Test" + new string(Enumerable.Range(0, 6).Select(_ => "BCDFGLMNPRSTVZ"[Random.Shared.Next(14)]).ToArray());
        return new Applicant(firstName, surname, sex, birth ?? new DateOnly(1985, 3, 1).AddDays(n % 3000), $"applicant{n}@example.test", $"+39338{n:D7}");
    }

    public Dictionary<string, string> Form() => new()
    {
        ["first_name"] = FirstName, ["last_name"] = LastName, ["sex"] = Sex, ["birth_date"] = BirthDate.ToString("yyyy-MM-dd"),
        ["birth_place"] = "Roma", ["fiscal_code"] = FiscalCode, ["doc_type"] = "identity_card", ["doc_number"] = "CA12345AB",
        ["doc_issuer"] = "Comune di Roma", ["doc_expiry"] = DateTime.UtcNow.AddYears(5).ToString("yyyy-MM-dd"), ["email"] = Email,
        ["mobile"] = Mobile, ["address"] = "Via Appia 10", ["post_code"] = "00179", ["city"] = "Roma", ["province"] = "RM", ["country"] = "IT",
    };
}

public static class Pdf
{
    /// <summary>The text poppler's pdftotext reads from a PDF (what a person would copy out of it).</summary>
    public static async Task<string> TextAsync(byte[] pdf)
    {
        var file = Path.Combine(Path.GetTempPath(), $"mysign-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(file, pdf);
        try
        {
            var start = new ProcessStartInfo("pdftotext", ["-layout", file, "-"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var text = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException("pdftotext failed: " + await process.StandardError.ReadToEndAsync());
            return text;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
