using MySign.Billing.Store;

namespace MySign.Tests.Billing;

public sealed class StorePasswordTests
{
    [Fact]
    public void a_store_password_verifies_and_no_account_is_always_refused()
    {
        var hash = StorePasswords.Hash("a store password");
        hash.ShouldStartWith("pbkdf2-sha256$210000$");
        StorePasswords.Verify(hash, "a store password").ShouldBeTrue();
        StorePasswords.Verify(hash, "another password").ShouldBeFalse();
        // No account: the password is checked against the decoy (same cost as a wrong one; a timing assertion
        // would be flaky next to the parallel suite) and refused whatever it is.
        StorePasswords.Verify(null, "a store password").ShouldBeFalse();
        StorePasswords.Verify(null, "").ShouldBeFalse();
    }
}
