using Marten;

namespace MySign.Tests.Accounts;

/// <summary>
/// Mail with a link, when the relay took the message but its answer was lost (what a node killed between sending and
/// being marked handled looks like to the next attempt): the retry sends the same link, or nothing, and one link per
/// purpose works — never two activation links or two reset links that both open.
/// </summary>
public sealed class MailFaultTests : IAsyncLifetime
{
    private readonly SmtpServer _catcher = new();
    private readonly AnswerLosingSmtpServer _relay = new();
    private readonly AppProcess _app = new();
    private IDocumentStore _store = null!;

    public async Task InitializeAsync()
    {
        await _catcher.StartAsync();
        await _app.StartAsync(_catcher, new Dictionary<string, string> { ["Wolverine__Mode"] = "Solo", ["Smtp__Port"] = _relay.Port.ToString() });
        _store = AppStore.For(_app.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _app.DisposeAsync();
        await _relay.DisposeAsync();
        await _catcher.DisposeAsync();
    }

    private PortalClient Client() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, _app.BaseAddress);

    /// <summary>The distinct links to <paramref name="path"/> in the mails to <paramref name="to"/>, and those of them that open.</summary>
    private async Task<(List<string> Sent, List<string> Open)> LinksAsync(string to, string path)
    {
        var sent = _relay.To(to).Select(m => MailLinks.Click(m, path)).Distinct().ToList();
        var open = new List<string>();
        foreach (var link in sent)
        {
            using var mailbox = Client();
            if ((await mailbox.GetAsync(link)).Status == HttpStatusCode.OK) open.Add(link);
        }
        return (sent, open);
    }

    [Fact]
    public async Task a_mail_sent_again_after_a_lost_answer_carries_the_same_link_and_one_link_per_purpose_works()
    {
        // An activation mail: the RAO registers an applicant.
        var op = await Operators.CreateAsync(_store);
        using var rao = Client();
        (await Operators.SignInAsync(rao, _store, op)).Location.ShouldBe("/rao");
        await rao.GetAsync("/rao/holders/new");
        var applicant = Applicant.New();
        (await rao.PostAsync("/rao/holders", applicant.Form())).Status.ShouldBe(HttpStatusCode.Redirect);
        // A reset mail: a holder forgot the password.
        var holder = await Holders.CreateAsync(_store);
        using var visitor = Client();
        await visitor.GetAsync("/forgot-password");
        (await visitor.PostAsync("/forgot-password", new() { ["user_id"] = holder.Id })).Status.ShouldBe(HttpStatusCode.OK);

        foreach (var (to, path) in new[] { (applicant.Email, "/activate"), (holder.Email, "/reset-password") })
        {
            await _relay.WaitForAsync(to, 2, TimeSpan.FromSeconds(60)); // the first answer was lost, so the app sent again
            await AppClock.MessagesSettledAsync(_app.ConnectionString);
            var (sent, open) = await LinksAsync(to, path);
            sent.Count.ShouldBe(1, $"{path}: a mail sent again carries the link of the first, not a new one; sent {string.Join(", ", sent)}");
            open.Count.ShouldBe(1, $"{path}: its link works");
        }

        // Asked again: a new link, and the older one stops working (one live link per purpose).
        await visitor.GetAsync("/forgot-password");
        (await visitor.PostAsync("/forgot-password", new() { ["user_id"] = holder.Id })).Status.ShouldBe(HttpStatusCode.OK);
        await _relay.WaitForAsync(holder.Email, 3, TimeSpan.FromSeconds(60));
        var (links, working) = await LinksAsync(holder.Email, "/reset-password");
        links.Count.ShouldBe(2);
        working.ShouldBe([links[1]], "only the newest reset link opens");
    }
}
