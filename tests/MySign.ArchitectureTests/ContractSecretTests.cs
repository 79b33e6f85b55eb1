using System.Runtime.CompilerServices;
using Shouldly;
using Xunit;

namespace MySign.ArchitectureTests;

/// <summary>
/// A request that carries a secret (a PIN, a password, an OTP code, a SAD) never prints it: Wolverine logs a message whole
/// ("Invocation of {Message} failed!") when its handler throws, and a record prints every property by default.
/// </summary>
public sealed class ContractSecretTests
{
    private static readonly string[] Secrets = ["Pin", "NewPin", "Password", "Code", "Sad"];

    /// <summary>A promo code is printed on flyers and typed at the till: not a secret.</summary>
    private const string Coupons = "MySign.Billing.Contracts";

    private static IEnumerable<Type> CarrierTypes() =>
        ModuleBoundaryTests.ContractAssemblies().SelectMany(a => a.GetTypes())
            .Where(type => type.Namespace != Coupons && type.GetProperties().Any(p => p.PropertyType == typeof(string) && Secrets.Contains(p.Name)));

    public static TheoryData<string> Carriers() => [.. CarrierTypes().Select(type => type.AssemblyQualifiedName!)];

    [Theory]
    [MemberData(nameof(Carriers))]
    public void a_request_that_carries_a_secret_does_not_print_it(string carrier)
    {
        var type = Type.GetType(carrier)!;
        var message = RuntimeHelpers.GetUninitializedObject(type);
        foreach (var property in type.GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite))
            property.SetValue(message, "printed-" + property.Name);
        var printed = message.ToString()!;
        foreach (var secret in Secrets.Where(s => type.GetProperty(s)?.PropertyType == typeof(string)))
            printed.ShouldNotContain("printed-" + secret, customMessage: $"{type.Name} prints its {secret}");
        printed.ShouldStartWith(type.Name, customMessage: "it still says what it is");
    }

    [Fact]
    public void the_carriers_are_found()
    {
        var names = CarrierTypes().Select(type => type.Name).ToList();
        names.ShouldContain("AuthorizeSignatures");
        names.ShouldContain("SecondFactor");
        names.ShouldContain("CheckHolderCredentials");
        names.ShouldContain("VerifyOtp");
    }
}
