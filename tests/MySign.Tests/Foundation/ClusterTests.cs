using MySign.Dev;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Marten;
using MySign.Renewal.Domain;

namespace MySign.Tests.Foundation;

/// <summary>
/// Two app processes on one PostgreSQL, as fly.toml runs them: stateless nodes, Wolverine in its balanced mode
/// coordinating through the database. A person and the payment provider may land on either; scheduled work runs once
/// per cluster; a node killed mid-flight loses no durable message.
/// </summary>
[Trait("Shake", "concurrency")]
public sealed partial class ClusterTests : IAsyncLifetime
{
    private const string Secret = "cluster-test-webhook-secret";
    private readonly SmtpServer _smtp = new();
    private readonly AppProcess _a = new(), _b = new();
    private readonly TcpListener _tarpit = new(IPAddress.Loopback, 0);
    private readonly System.Collections.Concurrent.ConcurrentBag<TcpClient> _held = [];
    private IDocumentStore _store = null!;

    private static Dictionary<string, string> Node(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>
        {
            // How fast a dead node is noticed is left as shipped (Program.cs): the test measures the promise README makes.
            ["Billing__Payments__WebhookSecret"] = Secret, ["TrustServices__CrlRefreshCron"] = "*/2 * * * * *",
        };
        foreach (var (key, value) in extra) settings[key] = value;
        return settings;
    }

    public async Task InitializeAsync()
    {
        await _smtp.StartAsync();
        // Node A's mail relay accepts a connection and never answers: a mail handler on A hangs mid-flight.
        _tarpit.Start();
        _ = Task.Run(async () => { try { while (true) _held.Add(await _tarpit.AcceptTcpClientAsync()); } catch (Exception) { /* stopped */ } });
        await _a.StartAsync(_smtp, Node(("Smtp__Port", ((IPEndPoint)_tarpit.LocalEndpoint).Port.ToString())));
        await _b.JoinAsync(_a, _smtp, Node());
        _store = AppStore.For(_a.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        _tarpit.Stop();
        foreach (var client in _held) client.Dispose();
        await _smtp.DisposeAsync();
    }

    private static Uri On(AppProcess node, string path) => new(node.BaseAddress, path);

    /// <summary>The demo holder's renewal, started on node A and continued on node B, up to its store order.</summary>
    private async Task<(string Renewal, Guid Order)> DemoRenewalAtTheStore(PortalClient holder)
    {
        (await holder.LoginAsync(Demo.HolderUserId, Demo.HolderPassword)).Location.ShouldBe("/");
        // The next request goes to node B: the same session, and B accepts the form token A's page carried.
        (await holder.GetAsync(On(_b, "/renewal").ToString())).Status.ShouldBe(HttpStatusCode.OK);
        var started = await holder.PostAsync(On(_b, "/renewal").ToString(), new() { ["path"] = "store" });
        started.Status.ShouldBe(HttpStatusCode.Redirect, started.Text);
        var renewal = started.Location!;
        await holder.GetAsync(renewal);
        await holder.PostAsync(renewal + "/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = Demo.HolderPin });
        await holder.PostAsync(On(_b, renewal + "/confirm").ToString(), new() { ["code"] = await Holders.LastSmsCodeAsync(_store, Demo.HolderMobile) });
        return (renewal, Guid.Parse((await holder.PostAsync(renewal + "/store", new())).Location!.Split('/').Last()));
    }

    [Fact]
    public async Task a_holder_and_the_payment_provider_may_land_on_either_node()
    {
        using var holder = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, _a.BaseAddress);
        var (renewal, order) = await DemoRenewalAtTheStore(holder);

        // The provider's webhook lands on node B.
        using var provider = new HttpClient { BaseAddress = _b.BaseAddress };
        var webhook = ProviderWebhook.Paid(Secret, order);
        (await provider.SendAsync(webhook)).StatusCode.ShouldBe(HttpStatusCode.OK, _b.Output[^Math.Min(6000, _b.Output.Length)..]);

        var id = Guid.Parse(renewal.Split('/').Last());
        for (var i = 0; i < 100; i++)
        {
            await using var session = _store.QuerySession();
            if ((await session.LoadAsync<RenewalRequest>(id))?.Step == RenewalStep.Activate) break;
            await Task.Delay(100);
        }
        (await holder.GetAsync(renewal)).Text.ShouldContain("Set the new signing PIN", customMessage: "node A shows what node B recorded");
    }

    /// <summary>
    /// The provider's promise is that whatever we acknowledge with a 2xx it never sends again: so every acknowledged event
    /// must be on the order, however many arrive at once, on whichever node, and whichever node dies meanwhile.
    /// </summary>
    [Fact]
    public async Task parallel_distinct_payment_events_over_two_nodes_are_each_recorded_once_acknowledged_even_when_a_node_is_killed()
    {
        using var holder = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, _a.BaseAddress);
        var (_, order) = await DemoRenewalAtTheStore(holder);
        using var toA = new HttpClient { BaseAddress = _a.BaseAddress };
        using var toB = new HttpClient { BaseAddress = _b.BaseAddress };
        // One euro each: 36 parts, one overpayment, then money after payment. Every one is a credit the order must show.
        async Task<(string Id, HttpStatusCode? Status)> Deliver(HttpClient node, string id)
        {
            try
            {
                using var answer = await node.SendAsync(ProviderWebhook.Paid(Secret, order, "1.00", id));
                return (id, answer.StatusCode);
            }
            catch (HttpRequestException)
            {
                return (id, null); // the node died with the request in flight: nothing was acknowledged
            }
        }
        static bool Acknowledged((string Id, HttpStatusCode? Status) r) => r.Status is { } s && (int)s is >= 200 and < 300;

        async Task<List<string>> CreditsOnTheOrder()
        {
            await using var session = _store.QuerySession();
            return (await session.LoadAsync<MySign.Billing.Domain.Order>(order))!.Credits.Select(c => c.EntryId).ToList();
        }

        // 50 at once, half on each node.
        var first = Enumerable.Range(0, 50).Select(i => $"evt_burst_{i:D2}_{order:N}").ToList();
        var burst = await Task.WhenAll(first.Select((id, i) => Deliver(i % 2 == 0 ? toA : toB, id)));
        var recorded = await CreditsOnTheOrder();
        var lost = burst.Where(Acknowledged).Select(r => r.Id).Except(recorded).ToList();
        lost.ShouldBeEmpty($"acknowledged but never applied: {string.Join(", ", lost)} ({string.Join(", ", burst.GroupBy(r => r.Status).Select(g => $"{g.Key}×{g.Count()}"))})");
        // What was not acknowledged the provider sends again, as it would.
        foreach (var (id, _) in burst.Where(r => !Acknowledged(r))) Acknowledged(await Deliver(toA, id)).ShouldBeTrue();
        (await CreditsOnTheOrder()).Order().ShouldBe(first.Order(), "50 distinct events, 50 credits, each once");

        // Another 50 at once, and node B killed with some of its answers given and others in flight.
        var second = Enumerable.Range(0, 50).Select(i => $"evt_kill_{i:D2}_{order:N}").ToList();
        var acknowledgedByB = 0;
        var bAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deliveries = second.Select((id, i) => Task.Run(async () =>
        {
            var result = await Deliver(i % 2 == 0 ? toA : toB, id);
            if (i % 2 == 1 && Acknowledged(result) && Interlocked.Increment(ref acknowledgedByB) >= 5) bAnswered.TrySetResult();
            return result;
        })).ToList();
        await Task.WhenAny(bAnswered.Task, Task.WhenAll(deliveries));
        await _b.KillAsync();
        var killed = await Task.WhenAll(deliveries);
        recorded = await CreditsOnTheOrder();
        lost = killed.Where(Acknowledged).Select(r => r.Id).Except(recorded).ToList();
        lost.ShouldBeEmpty($"acknowledged, then lost with node B: {string.Join(", ", lost)} ({string.Join(", ", killed.GroupBy(r => r.Status).Select(g => $"{g.Key}×{g.Count()}"))})");
        foreach (var (id, _) in killed.Where(r => !Acknowledged(r))) Acknowledged(await Deliver(toA, id)).ShouldBeTrue();
        (await CreditsOnTheOrder()).Order().ShouldBe(first.Concat(second).Order(), "100 distinct events, 100 credits, each once");

        await using var check = _store.QuerySession();
        var paid = (await check.LoadAsync<MySign.Billing.Domain.Order>(order))!;
        paid.Received.ShouldBe(37.00m, "36 parts and the one that went past the total");
        paid.RefundDue.ShouldBe(100.00m - 36.60m, "everything beyond 36,60 is to be refunded, to the cent");
    }

    /// <summary>
    /// Italian invoice numbers run per year from 1 with no gap and no repeat, whichever node issues them and however many at
    /// once: 200 orders (test data, as the store leaves them waiting for the provider) paid by webhooks split over both nodes.
    /// </summary>
    [Fact]
    public async Task two_nodes_paying_200_orders_at_once_number_their_invoices_with_200_consecutive_numbers()
    {
        var ids = Enumerable.Range(0, 200).Select(_ => Guid.NewGuid()).ToList();
        await using (var session = _store.LightweightSession())
        {
            foreach (var (id, i) in ids.Select((id, i) => (id, i)))
            {
                var order = new MySign.Billing.Domain.Order
                {
                    Id = id, HolderId = $"m9{i:D5}", RenewalId = Guid.NewGuid(), Sku = "RS-3Y", ProductName = "Remote Signature: Validity 3 years - MYSIGN",
                    ProductNameIt = "Firma Remota: Validità 3 anni - MYSIGN", Status = MySign.Billing.Domain.OrderStatus.AwaitingPayment, CreatedAt = DateTimeOffset.UtcNow,
                    Method = "card", Language = "it",
                    Billing = new MySign.Billing.Domain.BillingInfo("private", $"Cliente {i}", "RSSMRA80A01H501U", null, "Via del Corso 12", "00186", "Roma", "RM"),
                };
                order.Price(30.00m, 0.22m, 0);
                session.Store(order);
            }
            await session.SaveChangesAsync();
        }
        using var toA = new HttpClient { BaseAddress = _a.BaseAddress };
        using var toB = new HttpClient { BaseAddress = _b.BaseAddress };
        async Task<HttpStatusCode> Pay(Guid order, int i)
        {
            // As the provider does: sent again until acknowledged.
            for (var attempt = 0; ; attempt++)
            {
                using var answer = await (i % 2 == 0 ? toA : toB).SendAsync(ProviderWebhook.Paid(Secret, order, eventId: $"evt_invoice_{order:N}"));
                if (answer.IsSuccessStatusCode || attempt == 4) return answer.StatusCode;
            }
        }
        var statuses = await Task.WhenAll(ids.Select(Pay));
        statuses.ShouldAllBe(s => s == HttpStatusCode.OK, string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key}×{g.Count()}")));

        await using var check = _store.QuerySession();
        var orders = (await check.LoadManyAsync<MySign.Billing.Domain.Order>(ids)).ToList();
        orders.ShouldAllBe(o => o.Invoice != null);
        var year = orders[0].Invoice!.Date.Year;
        var numbers = orders.Select(o => o.Invoice!.Number).Select(n => (Year: int.Parse(n[..4]), Number: int.Parse(n[5..]))).ToList();
        numbers.ShouldAllBe(n => n.Year == year);
        numbers.Select(n => n.Number).Order().ShouldBe(Enumerable.Range(1, 200), "the year's first 200 numbers, each once: no gap, no repeat");
        // Dates never go back as numbers go up.
        var byNumber = orders.OrderBy(o => o.Invoice!.Number, StringComparer.Ordinal).Select(o => o.Invoice!.Date).ToList();
        byNumber.ShouldBe(byNumber.Order().ToList());
        await Xmllint.ValidateAsync(Xmllint.FatturaPa, orders.Select(o => (o.Invoice!.Latest().Name, Encoding.UTF8.GetBytes(o.Invoice.Latest().Xml))));
    }

    [GeneratedRegex(@"CRL refresh occurrence at (\S+)")]
    private static partial Regex Occurrence();

    [Fact]
    public async Task the_per_address_sign_in_limit_holds_for_the_cluster_not_per_node()
    {
        // One address alternating between the two nodes: 20 attempts a minute in all, as README says, not 20 on each.
        using var onA = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, _a.BaseAddress);
        using var onB = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, _b.BaseAddress);
        await onA.GetAsync("/login");
        await onB.GetAsync("/login");
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
            answers.Add((await (i % 2 == 0 ? onA : onB).PostAsync("/login", new() { ["user_id"] = "m000001", ["password"] = "guess-" + i })).Status);
        answers.Count(s => s == HttpStatusCode.TooManyRequests).ShouldBe(10, string.Join(", ", answers));
        answers.Take(20).ShouldNotContain(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task scheduled_work_runs_once_per_cluster_and_a_killed_nodes_durable_message_is_finished_by_the_other()
    {
        // The CRL keep-alive runs every two seconds here: each occurrence on exactly one of the two nodes.
        var deadline = DateTime.UtcNow.AddSeconds(40);
        List<string> seen;
        do
        {
            await Task.Delay(1000);
            seen = Occurrence().Matches(_a.Output).Concat(Occurrence().Matches(_b.Output)).Select(m => m.Groups[1].Value).ToList();
        } while (seen.Count < 4 && DateTime.UtcNow < deadline);
        seen.Count.ShouldBeGreaterThanOrEqualTo(4, "the recurring schedule runs in the cluster");
        seen.Distinct().Count().ShouldBe(seen.Count, "no occurrence ran on both nodes");

        // A durable message whose handler is stuck on node A (its mail relay never answers) when A is killed.
        using var visitor = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, _a.BaseAddress);
        await visitor.GetAsync("/forgot-password");
        (await visitor.PostAsync("/forgot-password", new() { ["user_id"] = Demo.HolderUserId })).Status.ShouldBe(HttpStatusCode.OK);
        await Task.Delay(1500);
        _smtp.Messages().ShouldNotContain(m => m.To.ToString().Contains(Demo.HolderEmail) && m.TextBody!.Contains("/reset-password?token="), "A could not send it");
        await _a.KillAsync();
        var killed = DateTime.UtcNow;
        // Node B notices A is gone, takes over its inbox and sends the mail, once, within the 20 s README promises.
        MimeKit.MimeMessage mail;
        try
        {
            mail = await _smtp.WaitForAsync(Demo.HolderEmail, m => m.TextBody?.Contains("/reset-password?token=") == true, TimeSpan.FromSeconds(60));
            var takeover = DateTime.UtcNow - killed;
            Console.WriteLine($"ClusterTests: node B sent the dead node's mail {takeover.TotalSeconds:0.0} s after the kill");
            takeover.ShouldBeLessThan(TimeSpan.FromSeconds(20), "README promises a dead node's durable messages are taken over within 20 s");
        }
        catch (TimeoutException)
        {
            await using var connection = new Npgsql.NpgsqlConnection(_a.ConnectionString);
            await connection.OpenAsync();
            await using var rows = new Npgsql.NpgsqlCommand("select message_type, status, owner_id, received_at, attempts from wolverine.wolverine_incoming_envelopes", connection);
            var text = new StringBuilder();
            await using (var reader = await rows.ExecuteReaderAsync())
                while (await reader.ReadAsync()) text.AppendLine($"{reader.GetValue(0)} {reader.GetValue(1)} owner={reader.GetValue(2)} at={reader.GetValue(3)} attempts={reader.GetValue(4)}");
            throw new TimeoutException("Node B never sent the mail. Inbox:\n" + text + "\nA:\n" + _a.Output[^Math.Min(4000, _a.Output.Length)..] + "\nB:\n" + _b.Output[^Math.Min(6000, _b.Output.Length)..]);
        }
        mail.TextBody!.ShouldContain("/reset-password?token=");
        await Task.Delay(2000);
        _smtp.Messages().Count(m => m.To.ToString().Contains(Demo.HolderEmail) && m.TextBody!.Contains("/reset-password?token=")).ShouldBe(1);
    }
}
