namespace MySign.Otp.Domain;

/// <summary>A TOTP hardware token provisioned by the TSP. Id is its serial; the seed is kept only protected.</summary>
public sealed class HardwareToken
{
    public string Id { get; set; } = "";
    public string Seed { get; set; } = "";
    public string? AssignedTo { get; set; }
    public long LastStep { get; set; }
}
