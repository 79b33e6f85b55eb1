using MySign.Accounts.Account;
using MySign.Accounts.Domain;

namespace MySign.Tests.Accounts;

/// <summary>
/// What "Manage your account" accepts, without a database or HTTP: the residence, a new password, the sign-in settings
/// and a recovery e-mail. The host tests beside them are ManageAccountTests and SignInFactorTests.
/// </summary>
public sealed class AccountRulesTests
{
    private static HolderAccount Residence(string address = "Via Roma 1", string postCode = "00184", string city = "Roma", string province = "RM", string country = "IT") =>
        new() { Id = "m123456", Address = address, PostCode = postCode, City = city, Province = province, Country = country };

    [Fact]
    public void an_italian_residence_needs_a_five_digit_post_code_and_a_province_abroad_neither()
    {
        AccountRules.PersonalProblems(Residence()).ShouldBeEmpty();
        AccountRules.PersonalProblems(Residence(postCode: "SW1A 1AA", province: "", country: "GB")).ShouldBeEmpty();
        AccountRules.PersonalProblems(Residence(postCode: "184", province: "Roma")).ShouldBe(new Dictionary<string, string>
        {
            ["post_code"] = "personal.error.post_code", ["province"] = "personal.error.province",
        }, ignoreOrder: true);
    }

    [Fact]
    public void every_fault_of_the_residence_is_named_at_once_next_to_its_field()
    {
        AccountRules.PersonalProblems(Residence(address: "V", postCode: "", city: "R0ma!", province: "", country: "Italy")).Keys
            .ShouldBe(["address", "country", "post_code", "city"], ignoreOrder: true);
        AccountRules.PersonalProblems(Residence(address: "Via Roma 1\u202E")).ShouldContainKey("address", "no bidi controls: the address is printed on invoices");
    }

    [Theory]
    [InlineData("Long enough 2026!", "Long enough 2026!", null)]
    [InlineData("Long enough 2026!", "long enough 2026!", "password.error.confirm")]
    [InlineData("short", "short", "password.error.short")]
    [InlineData("my m123456 password", "my m123456 password", "password.error.user_id")]
    public void a_new_password_follows_the_policy_and_is_typed_twice_alike(string password, string confirmation, string? said) =>
        AccountRules.NewPasswordProblem(password, confirmation, "m123456").ShouldBe(said);

    [Fact]
    public void a_passkey_alone_is_offered_only_to_a_holder_who_has_a_passkey()
    {
        var holder = new HolderAccount { Id = "m123456" };
        AccountRules.SignInProblem(holder, passkeyAlone: true, passkeys: 0).ShouldBe("account.signin.error.no_passkey");
        AccountRules.SignInProblem(holder, passkeyAlone: true, passkeys: 1).ShouldBeNull();
        AccountRules.SignInProblem(holder, passkeyAlone: false, passkeys: 0).ShouldBeNull();
        // Already on (the passkey was removed since): switching it off, or leaving it, is never refused.
        AccountRules.SignInProblem(new HolderAccount { Id = "m123456", PasskeySignIn = true }, passkeyAlone: true, passkeys: 0).ShouldBeNull();
    }

    [Theory]
    [InlineData("elena.neri@example.it", "old@example.it", null)]
    [InlineData("ELENA.NERI@example.it", "elena.neri@example.it", "recovery.error.same_email")]
    [InlineData("elena.neri@localhost", "", "recovery.error.email")]
    [InlineData("Elena <elena@example.it>", "", "recovery.error.email")]
    [InlineData("a@b.c", "", "recovery.error.email")]
    public void a_recovery_email_is_a_plain_address_other_than_the_one_held(string email, string current, string? said) =>
        AccountRules.RecoveryEmailProblem(email, current).ShouldBe(said);
}
