namespace MySign.Kernel.Operations;

/// <summary>
/// One operator command run against the service (rao-add, promo-disable, …): what, with which arguments (never a
/// password), when, and by which operating-system user. Each module files the commands it owns in its own schema.
/// </summary>
public sealed class CommandAudit
{
    public Guid Id { get; set; }
    public string Command { get; set; } = "";
    public string Arguments { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string By { get; set; } = "";

    public static CommandAudit Of(string command, string arguments, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(at), Command = command, Arguments = arguments, At = at, By = Environment.UserName,
    };
}
