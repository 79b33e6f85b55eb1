using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Accounts.Domain;
using MySign.Accounts.Login;
using MySign.Kernel.Operations;
using MySign.Kernel.Web;

namespace MySign.Accounts.Rao;

/// <summary>`rao-list`: every RAO operator with office, mobile and state (never a password).</summary>
[Description("Lists the RAO operators", Name = "rao-list")]
public sealed class ListOperatorsCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        Console.WriteLine("username\toffice\tname\tmobile\tstate");
        foreach (var op in await session.Query<RaoOperator>().OrderBy(o => o.Office).ThenBy(o => o.Id).ToListAsync())
            Console.WriteLine(string.Join('\t', op.Id, op.Office, op.FullName, op.Mobile,
                op.Disabled ? "disabled" : op.MustChangePassword ? "must choose a new password" : "active"));
        return true;
    }
}

public sealed class OperatorInput : NetCoreInput
{
    [Description("The RAO username, e.g. rao.milano")]
    public string Username { get; set; } = "";
}

/// <summary>`rao-disable rao.milano`: the operator signs in nowhere from now on, their console sessions end, they authorise no renewal.</summary>
[Description("Disables a RAO operator and ends their sessions", Name = "rao-disable")]
public sealed class DisableOperatorCommand : JasperFxAsyncCommand<OperatorInput>
{
    public override async Task<bool> Execute(OperatorInput input)
    {
        var username = input.Username.Trim().ToLowerInvariant();
        using var host = input.BuildHost();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        var op = username.Length is > 0 and <= 64 ? await session.LoadAsync<RaoOperator>(username) : null;
        if (op is null)
        {
            await Console.Error.WriteLineAsync($"rao-disable: there is no operator {username}");
            return false;
        }
        op.Disabled = true;
        session.Store(op);
        session.DeleteWhere<PortalSession>(s => s.PrincipalId == op.Id && s.Role == Holder.RaoRole);
        session.Insert(CommandAudit.Of("rao-disable", username, TimeProvider.System.GetUtcNow()));
        await session.SaveChangesAsync();
        Console.WriteLine($"RAO operator {username} disabled; their sessions ended");
        return true;
    }
}

/// <summary>
/// `echo 'temporary passphrase' | rao-reset-password rao.milano`: a temporary password (from standard input, never the
/// command line) that works once: at the next sign-in, after the OTP, the operator must choose a new one. Their
/// sessions end and their lockout is lifted.
/// </summary>
[Description("Resets a RAO operator's password (temporary password from standard input)", Name = "rao-reset-password")]
public sealed class ResetOperatorPasswordCommand : JasperFxAsyncCommand<OperatorInput>
{
    public override async Task<bool> Execute(OperatorInput input)
    {
        var username = input.Username.Trim().ToLowerInvariant();
        var password = (Console.In.ReadLine() ?? "").TrimEnd('\r', '\n');
        if (PasswordPolicy.Problem(password, username) is { } weak)
        {
            await Console.Error.WriteLineAsync($"rao-reset-password: the temporary password is not acceptable ({weak})");
            return false;
        }
        using var host = input.BuildHost();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        var op = username.Length is > 0 and <= 64 ? await session.LoadAsync<RaoOperator>(username) : null;
        if (op is null)
        {
            await Console.Error.WriteLineAsync($"rao-reset-password: there is no operator {username}");
            return false;
        }
        op.PasswordHash = Passwords.Hash(password);
        op.MustChangePassword = true;
        session.Store(op);
        session.DeleteWhere<PortalSession>(s => s.PrincipalId == op.Id && s.Role == Holder.RaoRole);
        session.Insert(CommandAudit.Of("rao-reset-password", username, TimeProvider.System.GetUtcNow()));
        await session.SaveChangesAsync();
        await host.Services.GetRequiredService<SignInAttempts>().ClearAsync(op.OtpSubject, default);
        Console.WriteLine($"RAO operator {username}: temporary password set; a new one is chosen at the next sign-in");
        return true;
    }
}
