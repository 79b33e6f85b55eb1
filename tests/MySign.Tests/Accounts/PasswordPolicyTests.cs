using MySign.Accounts.Domain;

namespace MySign.Tests.Accounts;

public sealed class PasswordPolicyTests
{
    [Theory]
    [InlineData("correct horse battery", null)]
    [InlineData("Sole e mare d'estate ☀️", null)]
    [InlineData("elevenchars", "password.error.short")]
    [InlineData("m235477-is-my-password", "password.error.user_id")]
    [InlineData("password1234", "password.error.common")]
    [InlineData("qwertyuiop12", "password.error.common")]
    [InlineData("aaaaaaaaaaaaaaaa", "password.error.common")]
    public void rules_follow_nist_800_63b(string password, string? problem) =>
        PasswordPolicy.Problem(password, "m235477").ShouldBe(problem);

    [Fact]
    public void long_passphrases_are_accepted_whole_and_never_truncated()
    {
        var long1 = new string('x', 100) + "a distinct tail 1";
        var long2 = new string('x', 100) + "a distinct tail 2";
        PasswordPolicy.Problem(long1, "m1").ShouldBeNull();
        var hash = Passwords.Hash(long1);
        Passwords.Verify(hash, long1).ShouldBeTrue();
        Passwords.Verify(hash, long2).ShouldBeFalse();
        PasswordPolicy.Problem(new string('y', 257) + "z", "m1").ShouldBe("password.error.long");
    }
}
