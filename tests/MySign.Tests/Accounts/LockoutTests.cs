using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Accounts.Domain;
using MySign.Accounts.Login;
using MySign.Accounts.Sessions;
using Npgsql;

namespace MySign.Tests.Accounts;

[Collection(AppCollection.Name)]
public sealed class LockoutTests(AppFixture app)
{
    private SignInAttempts Attempts => app.Host.Services.GetRequiredService<SignInAttempts>();

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task fifty_parallel_wrong_passwords_lock_at_exactly_five_and_the_rest_are_refused_without_counting()
    {
        var holder = await Holders.CreateAsync(app.Store);
        const int attempts = 50;
        await Task.WhenAll(Enumerable.Range(0, attempts).Select(async i =>
        {
            using var client = app.Client();
            (await client.LoginAsync(holder.Id, $"wrong-{i}-password")).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        }));
        (await Attempts.CountAsync(holder.Id)).ShouldBe(new SessionOptions().MaxFailedLogins, "five failures counted; refused ones neither count nor extend the lock");

        using var owner = app.Client();
        (await owner.LoginAsync(holder.Id, holder.Password)).Status.ShouldBe(HttpStatusCode.UnprocessableEntity, "locked, even with the right password");

        await using var audit = app.Store.QuerySession();
        var trail = await audit.Query<AuditEntry>().Where(a => a.HolderId == holder.Id).ToListAsync();
        trail.Count(a => a.What == "login.failed").ShouldBe(new SessionOptions().MaxFailedLogins);
        trail.Count(a => a.What == "login.locked").ShouldBe(attempts - new SessionOptions().MaxFailedLogins + 1);
        trail.ShouldNotContain(a => a.What == "login.ok");
    }

    [Fact]
    public async Task the_lockout_lifts_after_its_time_and_a_success_resets_the_count()
    {
        var holder = await Holders.CreateAsync(app.Store);
        using var client = app.Client();
        for (var i = 0; i < 6; i++) await client.LoginAsync(holder.Id, "not-the-password");
        (await client.LoginAsync(holder.Id, holder.Password)).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);

        await using (var connection = new NpgsqlConnection(app.Host.Services.GetRequiredService<IDocumentStore>().Options.Tenancy.Default.Database.CreateConnection().ConnectionString))
        {
            await connection.OpenAsync();
            await using var rewind = new NpgsqlCommand("update accounts.sign_in_failures set last_failure = now() - interval '16 minutes' where holder_id = $1", connection);
            rewind.Parameters.Add(new NpgsqlParameter { Value = holder.Id });
            (await rewind.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        (await client.LoginAsync(holder.Id, holder.Password)).Status.ShouldBe(HttpStatusCode.Redirect);
        (await Attempts.CountAsync(holder.Id)).ShouldBe(0);
    }

    [Fact]
    public async Task sign_in_attempts_from_one_address_are_rate_limited()
    {
        using var client = app.Client();
        await client.GetAsync("/login");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 22; i++)
            statuses.Add((await client.PostAsync("/login", new Dictionary<string, string> { ["user_id"] = "nobody", ["password"] = "whatever-it-is" })).Status);
        statuses.Take(20).ShouldAllBe(s => s == HttpStatusCode.UnprocessableEntity);
        statuses.Skip(20).ShouldAllBe(s => s == (HttpStatusCode)429);
        // The 429 page says what was limited and how long to wait, not "something went wrong".
        var limited = await client.PostAsync("/login", new Dictionary<string, string> { ["user_id"] = "nobody", ["password"] = "whatever-it-is" });
        limited.Text.ShouldMatch(@"Too many sign-in attempts from your connection: try again in \d+ seconds\.");
        limited.Text.ShouldNotContain("Something went wrong");
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task parallel_right_passwords_all_sign_in()
    {
        var holder = await Holders.CreateAsync(app.Store);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            using var client = app.Client();
            return (await client.LoginAsync(holder.Id, holder.Password)).Status;
        }));
        statuses.ShouldAllBe(s => s == HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task the_lockout_engages_at_the_fifth_failure()
    {
        var holder = await Holders.CreateAsync(app.Store);
        using var client = app.Client();
        for (var i = 0; i < 4; i++) await client.LoginAsync(holder.Id, "not-the-password");
        (await client.LoginAsync(holder.Id, holder.Password)).Status.ShouldBe(HttpStatusCode.Redirect, "four failures do not lock");
        for (var i = 0; i < 5; i++) await client.LoginAsync(holder.Id, "not-the-password");
        (await client.LoginAsync(holder.Id, holder.Password)).Status.ShouldBe(HttpStatusCode.UnprocessableEntity, "five do");
        SignIn.Decide(null, "anything-at-all-1").ShouldBe(SignInOutcome.Invalid);
    }

    [Fact]
    public void passwords_are_stored_as_argon2id_hashes_and_verify()
    {
        var hash = Passwords.Hash("correct horse battery staple");
        hash.ShouldStartWith("$argon2id$");
        hash.ShouldContain("m=19456,t=3,p=1");
        Passwords.Verify(hash, "correct horse battery staple").ShouldBeTrue();
        Passwords.Verify(hash, "correct horse battery stapl").ShouldBeFalse();
        Passwords.NeedsRehash(hash).ShouldBeFalse();
    }
}
