using Marten;
using MySign.Otp.Challenges;

namespace MySign.Tests.Otp;

/// <summary>
/// The SMS operator away, two nodes on one database, the real operator adapter: a step that sends a code still answers its
/// page (the code waits, sealed, in the durable outbox), and once the operator is back the code still in use arrives,
/// exactly once, and works; a code replaced meanwhile is never sent late. Settings as shipped: Wolverine's retry policy.
/// </summary>
public sealed class SmsOutageTests : IAsyncLifetime
{
    private readonly TwoNodes _nodes = new();
    private readonly SmsOperator _operator = new();

    public Task InitializeAsync() => _nodes.StartAsync(new Dictionary<string, string>
    {
        ["Otp__Sms__Provider"] = "http", ["Otp__Sms__Url"] = _operator.Url, ["Otp__Sms__Timeout"] = "00:00:02",
    });

    public async Task DisposeAsync()
    {
        await _nodes.DisposeAsync();
        _operator.Dispose();
    }

    private async Task<bool> FirstCodeForgottenAsync(string holderId)
    {
        await using var session = _nodes.Store.QuerySession();
        return await session.Query<OtpChallenge>().AnyAsync(c => c.HolderId == holderId && c.State == ChallengeState.Replaced && c.SealedCode == null);
    }

    private static PortalClient Client(AppProcess node) => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, node.BaseAddress);

    [Fact]
    public async Task with_the_operator_away_the_step_answers_and_only_the_live_code_arrives_once_when_it_is_back()
    {
        var holder = await Holders.CreateAsync(_nodes.Store, language: "en");
        using var onA = Client(_nodes.A);
        (await onA.LoginAsync(holder.Id, holder.Password)).Location.ShouldBe("/");
        _operator.Away = true;

        await onA.GetAsync("/otp/phone");
        var first = await onA.PostAsync("/otp/phone", new() { ["phone"] = "+393471234567" });
        first.Status.ShouldBe(HttpStatusCode.OK, "the operator's outage is not the holder's error page");
        first.Text.ShouldContain(holder.Phone[^3..]);
        var id = first.Document.QuerySelector("form[action$='/current']")!.GetAttribute("action")!.Split('/')[3];

        await Holders.OtpResendGapPassedAsync(_nodes.Store, holder.Id);
        var again = await onA.PostAsync($"/otp/phone/{id}/resend", new());
        again.Status.ShouldBe(HttpStatusCode.OK, "Send new OTP answers too");
        // The first code's next try after the replacement reads the challenge again, finds it replaced and forgets the code
        // without sending it. (A try already under way when the code is replaced may still deliver it: wait for that one.)
        for (var waited = 0; !await FirstCodeForgottenAsync(holder.Id) && waited < 1200; waited++) await Task.Delay(50);
        (await FirstCodeForgottenAsync(holder.Id)).ShouldBeTrue("the replaced code is forgotten while the operator is still away");
        _operator.Received.Count.ShouldBeGreaterThan(0, "the operator was tried while it was away");
        _operator.Delivered(holder.Phone).ShouldBeEmpty();
        string waiting;
        await using (var session = _nodes.Store.QuerySession())
        {
            var live = await session.Query<OtpChallenge>().SingleAsync(c => c.HolderId == holder.Id && c.State == ChallengeState.Open);
            live.SealedCode.ShouldNotBeNull("while the operator is away the code waits, sealed");
            waiting = (await session.Json.FindByIdAsync<OtpChallenge>(live.Id))!;
        }

        _operator.Away = false;
        var text = await _operator.WaitForAsync(holder.Phone);
        await Holders.CodesSentAsync(_nodes.Store, holder.Phone);
        await AppClock.MessagesSettledAsync(_nodes.A.ConnectionString);
        _operator.Delivered(holder.Phone).ShouldBe([text], "one text: the replaced code is not sent late, the live one once across both nodes");
        text.ShouldStartWith("MySign: ");

        var code = System.Text.RegularExpressions.Regex.Match(text, @"\b\d{8}\b").Value;
        waiting.ShouldNotContain(code, customMessage: "the waiting code was never in the database in clear");
        var next = await onA.PostAsync($"/otp/phone/{id}/current", new() { ["code"] = code });
        next.Status.ShouldBe(HttpStatusCode.OK);
        next.Text.ShouldContain("Now enter the OTP sent to the new number");
    }

    [Fact]
    public async Task a_refused_text_is_logged_and_forgotten_not_retried_and_a_rate_limited_one_arrives_later()
    {
        var holder = await Holders.CreateAsync(_nodes.Store, language: "en");
        using var onA = Client(_nodes.A);
        (await onA.LoginAsync(holder.Id, holder.Password)).Location.ShouldBe("/");

        _operator.Answers.Enqueue(400);
        await onA.GetAsync("/otp/phone");
        var first = await onA.PostAsync("/otp/phone", new() { ["phone"] = "+393471234568" });
        first.Status.ShouldBe(HttpStatusCode.OK);
        var id = first.Document.QuerySelector("form[action$='/current']")!.GetAttribute("action")!.Split('/')[3];
        await Holders.CodesSentAsync(_nodes.Store, holder.Phone);
        await AppClock.MessagesSettledAsync(_nodes.A.ConnectionString);
        _operator.Received.Count.ShouldBe(1, "a refusal is final: the text is not tried again");
        (_nodes.A.Output + _nodes.B.Output).ShouldContain("was not texted: SMS operator answered 400");
        await using (var connection = new Npgsql.NpgsqlConnection(_nodes.A.ConnectionString))
        {
            await connection.OpenAsync();
            ((long)(await connection.ScalarAsync("select count(*) from wolverine.wolverine_dead_letters"))!).ShouldBe(0, "nothing is left waiting for a look that a log line tells");
        }

        // "Too many requests" means later, not never: the adapter's three tries, then Wolverine's next one delivers.
        for (var i = 0; i < 3; i++) _operator.Answers.Enqueue(429);
        await Holders.OtpResendGapPassedAsync(_nodes.Store, holder.Id);
        (await onA.PostAsync($"/otp/phone/{id}/resend", new())).Status.ShouldBe(HttpStatusCode.OK);
        (await _operator.WaitForAsync(holder.Phone)).ShouldContain("It expires in 5 minutes.");
    }
}
