using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Accounts.Domain;
using MySign.Kernel.Validation;

[assembly: JasperFx.JasperFxAssembly]

namespace MySign.Accounts.Rao;

public sealed class AddOperatorInput : NetCoreInput
{
    [Description("RAO username (lower case, e.g. rao.milano)")]
    public string Username { get; set; } = "";

    [Description("The partner office the operator works at; they see only its holders and coupons")]
    public string Office { get; set; } = "";

    [Description("The operator's full name, printed on Registration Requests")]
    public string FullName { get; set; } = "";

    [Description("Mobile with country code, for the sign-in OTP")]
    public string Mobile { get; set; } = "";
}

/// <summary>
/// The TSP's admin step that creates a RAO operator: `dotnet MySign.Web.dll rao-add rao.milano "Milano Nord" "Luca Neri" +393401112233`,
/// the password read from standard input (never from the command line, where it would stay in the shell history).
/// </summary>
[Description("Creates a RAO operator (password from standard input)", Name = "rao-add")]
public sealed class AddOperatorCommand : JasperFxAsyncCommand<AddOperatorInput>
{
    public override async Task<bool> Execute(AddOperatorInput input)
    {
        var username = input.Username.Trim().ToLowerInvariant();
        var mobile = MobileNumbers.Normalise(input.Mobile);
        var password = (Console.In.ReadLine() ?? "").TrimEnd('\r', '\n');
        var problem = username.Length is < 3 or > 64 || !username.Contains('.') ? "the username must be 3-64 characters with a dot (e.g. rao.milano)"
            : input.Office.Trim().Length < 2 ? "the office is required"
            : input.FullName.Trim().Length < 2 ? "the full name is required"
            : mobile is null ? "the mobile must be a valid mobile number with its country code"
            : PasswordPolicy.Problem(password, username) is { } weak ? $"the password is not acceptable ({weak})" : null;
        if (problem is not null)
        {
            await Console.Error.WriteLineAsync("rao-add: " + problem);
            return false;
        }

        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var op = new RaoOperator { Id = username, Office = input.Office.Trim(), FullName = input.FullName.Trim(), Mobile = mobile!, PasswordHash = Passwords.Hash(password) };
        await using (var session = store.LightweightSession())
        {
            session.Insert(op);
            session.Insert(Kernel.Operations.CommandAudit.Of("rao-add", $"{username} office={op.Office} name={op.FullName} mobile={op.Mobile}", TimeProvider.System.GetUtcNow()));
            try
            {
                await session.SaveChangesAsync();
            }
            catch (JasperFx.DocumentAlreadyExistsException)
            {
                await Console.Error.WriteLineAsync($"rao-add: the operator {username} already exists");
                return false;
            }
        }
        Console.WriteLine($"RAO operator {username} created at office {op.Office}");
        return true;
    }
}
