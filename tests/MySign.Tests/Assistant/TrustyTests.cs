using Marten;
using MySign.Assistant.Trusty;

namespace MySign.Tests.Assistant;

/// <summary>Trusty answers from the FAQ with PostgreSQL full-text search, in the question's language.</summary>
[Collection(AppCollection.Name)]
public sealed class TrustyTests(AppFixture app)
{
    private async Task<PortalClient.Page> Ask(string question, string language = "en")
    {
        var client = app.Client();
        await client.GetAsync("/login");
        if (language == "it") await client.PostAsync("/lang", new() { ["lang"] = "it", ["return"] = "/login" });
        await client.GetAsync("/trusty");
        return await client.PostAsync("/trusty", new() { ["question"] = question });
    }

    [Fact]
    public async Task trusty_has_its_own_limit_that_says_how_long_to_wait_and_never_blocks_a_sign_in()
    {
        using var client = app.Client();
        await client.GetAsync("/login");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 31; i++) statuses.Add((await client.PostAsync("/trusty", new() { ["question"] = "how do I change my PIN " + i })).Status);
        statuses.Take(30).ShouldAllBe(s => s == HttpStatusCode.OK);
        var limited = await client.PostAsync("/trusty", new() { ["question"] = "one more" });
        limited.Status.ShouldBe((HttpStatusCode)429);
        limited.Text.ShouldMatch(@"ask again in \d+ seconds");
        var holder = await Holders.CreateAsync(app.Store);
        (await client.LoginAsync(holder.Id, holder.Password)).Status.ShouldBe(HttpStatusCode.Redirect, "questions do not use the sign-in budget");
    }

    [Fact]
    public async Task answers_name_buttons_as_the_page_reads_them_and_understand_log_in()
    {
        var english = (await Ask("how do I log in?")).Document.QuerySelector("#trusty-answer")!;
        english.QuerySelector("h3")!.TextContent.ShouldBe("How do I sign in to MySign?");
        english.TextContent.ShouldContain("press SIGN IN");
        // An English question on an Italian page: the answer is English, the button is the one on the page.
        var onItalianPage = (await Ask("how do I log in?", "it")).Document.QuerySelector("#trusty-answer")!;
        onItalianPage.TextContent.ShouldContain("press ACCEDI");
        var italian = (await Ask("come accedo a MySign?", "it")).Document.QuerySelector("#trusty-answer")!;
        italian.TextContent.ShouldContain("premi ACCEDI");
        italian.TextContent.ShouldNotContain("[[");
    }

    [Fact]
    public async Task a_topic_from_the_list_shows_its_answer_in_the_panel_and_the_thumbs_are_words()
    {
        using var client = app.Client();
        var panel = await client.GetAsync("/trusty");
        var topic = panel.Document.QuerySelector(".trusty-topics a")!;
        topic.GetAttribute("hx-get").ShouldBe(topic.GetAttribute("href"));
        var answer = await client.GetAsync(topic.GetAttribute("href")!);
        answer.Status.ShouldBe(HttpStatusCode.OK);
        answer.Document.QuerySelector("#trusty-answer h3")!.TextContent.ShouldBe(topic.TextContent);
        (await client.GetAsync("/trusty/topics/no-such-topic")).Status.ShouldBe(HttpStatusCode.NotFound);

        var asked = await client.PostAsync("/trusty", new() { ["question"] = "how do I change my PIN?" });
        asked.Document.QuerySelectorAll("form[action$='/feedback'] button").Select(b => b.TextContent).ShouldBe(["Yes, it helped", "No, it did not help"]);
    }

    [Fact]
    public void every_button_the_faq_names_reads_as_the_page_that_owns_it_reads_it_in_both_languages()
    {
        // The Assistant keeps its own copy of the labels (no module reads another's strings); this keeps them equal.
        using var faq = typeof(FaqLoader).Assembly.GetManifestResourceStream(typeof(FaqLoader).Assembly.GetManifestResourceNames().Single(n => n.EndsWith("faq.json")))!;
        var keys = TrustyEndpoints.ButtonKeys(new StreamReader(faq).ReadToEnd()).Distinct().ToList();
        keys.Count.ShouldBeGreaterThan(5);
        foreach (var language in new[] { "en", "it" })
            foreach (var key in keys)
                MySign.Kernel.Localization.Strings.T(TrustyEndpoints.ButtonPrefix + key, language).ShouldBe(MySign.Kernel.Localization.Strings.T(key, language), $"{key} ({language})");
    }

    [Fact]
    public async Task the_knowledge_base_has_at_least_forty_entries_in_each_language()
    {
        await using var session = app.Store.QuerySession();
        (await session.Query<FaqEntry>().CountAsync(f => f.Language == "en")).ShouldBeGreaterThanOrEqualTo(40);
        (await session.Query<FaqEntry>().CountAsync(f => f.Language == "it")).ShouldBeGreaterThanOrEqualTo(40);
    }

    [Fact]
    public async Task an_english_question_about_the_otp_phone_gets_that_entry_with_its_link()
    {
        var answer = await Ask("how do I change the phone that receives the OTP?");
        answer.Status.ShouldBe(HttpStatusCode.OK);
        var entry = answer.Document.QuerySelector("#trusty-answer")!;
        entry.QuerySelector("h3")!.TextContent.ShouldBe("How do I change the phone that receives the OTP?");
        entry.QuerySelector("a")!.GetAttribute("href").ShouldBe("/otp/phone");
    }

    [Fact]
    public async Task an_italian_question_about_coupons_gets_the_italian_coupon_entry()
    {
        var answer = await Ask("come rinnovo la firma con un coupon?", "it");
        var entry = answer.Document.QuerySelector("#trusty-answer")!;
        entry.QuerySelector("h3")!.TextContent.ShouldBe("Come rinnovo la firma con un coupon?");
        entry.TextContent.ShouldContain("Rinnova con Coupon");
        entry.QuerySelector("a")!.GetAttribute("href").ShouldBe("/renewal");
    }

    [Fact]
    public async Task an_italian_question_on_the_english_page_is_answered_in_italian()
    {
        var answer = await Ask("come cambio il telefono che riceve l'OTP?");
        answer.Document.QuerySelector("#trusty-answer h3")!.TextContent.ShouldBe("Come cambio il telefono che riceve l'OTP?");
    }

    [Fact]
    public async Task nonsense_is_not_understood_and_offers_the_top_topics_and_feedback_is_stored()
    {
        var lost = await Ask("xyzzy plugh frobnicate");
        lost.Document.QuerySelector("#trusty-not-understood").ShouldNotBeNull();
        lost.Document.QuerySelectorAll(".trusty-topics li").Length.ShouldBeGreaterThanOrEqualTo(5);
        (await Ask("'); drop table x; -- & | ! :* <script>")).Status.ShouldBe(HttpStatusCode.OK, "any text is only a question");

        using var client = app.Client();
        await client.GetAsync("/trusty");
        var answered = await client.PostAsync("/trusty", new() { ["question"] = "when can I renew my certificate" });
        var action = answered.Document.QuerySelector("form[action$='/feedback']")!.GetAttribute("action")!;
        (await client.PostAsync(action, new() { ["helpful"] = "yes" })).Text.ShouldContain("Thank you");
        await using var session = app.Store.QuerySession();
        var stored = await session.LoadAsync<TrustyQuestion>(Guid.Parse(action.Split('/')[2]));
        stored!.Question.ShouldBe("when can I renew my certificate");
        stored.AnsweredWith.ShouldBe("renewal-window");
        stored.Helpful.ShouldBe(true);
    }

    /// <summary>
    /// The questions people ask about each feature the portal has today, in both languages, each with the entry that must
    /// answer it. A feature without a row here has no answer anyone checked.
    /// </summary>
    public static TheoryData<string, string, string> Questions() => new()
    {
        { "en", "I lost my phone, what do I do?", "lost-phone" },
        { "it", "ho perso il telefono, cosa faccio?", "lost-phone" },
        { "en", "how much does the renewal cost?", "renewal-price" },
        { "it", "quanto costa il rinnovo?", "renewal-price" },
        { "en", "what is the emergency code?", "emergency-code" },
        { "it", "a cosa serve il codice di emergenza?", "emergency-code" },
        { "en", "I got an e-mail about something I did not do", "not-me" },
        { "it", "ho ricevuto una e-mail per una cosa che non ho fatto io", "not-me" },
        { "en", "how do I confirm with a passkey instead of codes?", "passkeys" },
        { "it", "come confermo con una passkey invece dei codici?", "passkeys" },
        { "en", "can I sign in with a passkey?", "signin-settings" },
        { "it", "posso accedere con una passkey?", "signin-settings" },
        { "en", "will you remind me before my certificate expires?", "reminders" },
        { "it", "mi avvisate prima che il certificato scada?", "reminders" },
        { "en", "where am I signed in? can I sign out other devices?", "devices" },
        { "it", "su quali dispositivi ho effettuato l'accesso?", "devices" },
        { "en", "I forgot my User ID", "forgot-user-id" },
        { "it", "ho dimenticato lo User ID", "forgot-user-id" },
        { "en", "I forgot my PIN", "pin-blocked" },
        { "it", "ho dimenticato il PIN di firma", "pin-blocked" },
        { "en", "how do I sign a PDF?", "sign" },
        { "it", "come firmo un PDF?", "sign" },
        { "en", "why did I get an e-mail about a new sign-in?", "new-device" },
        { "it", "perché ho ricevuto una e-mail di nuovo accesso?", "new-device" },
        { "en", "do I need an account on the MySign Store?", "store-account" },
        { "it", "serve un account per il MySign Store?", "store-account" },
        { "en", "how do I suspend my certificate?", "suspend" },
        { "it", "come sospendo il certificato?", "suspend" },
        { "en", "when can I renew my certificate?", "renewal-window" },
        { "it", "quando posso rinnovare il certificato?", "renewal-window" },
    };

    [Theory]
    [MemberData(nameof(Questions))]
    public async Task a_question_about_a_feature_gets_the_entry_that_answers_it(string language, string question, string topic)
    {
        await using var session = app.Store.QuerySession();
        var expected = await session.LoadAsync<FaqEntry>($"{topic}.{language}");
        expected.ShouldNotBeNull($"the FAQ has no entry \"{topic}\" in {language}");
        var answer = (await Ask(question, language)).Document.QuerySelector("#trusty-answer h3")?.TextContent;
        answer.ShouldBe(expected.Question, $"\"{question}\" ({language})");
    }

    [Fact]
    public async Task every_entry_exists_in_both_languages_and_its_link_opens_a_page()
    {
        await using var session = app.Store.QuerySession();
        var entries = await session.Query<FaqEntry>().ToListAsync();
        entries.GroupBy(e => e.Topic).Where(g => g.Count() != 2).Select(g => g.Key).ShouldBeEmpty("topics not in both languages");
        using var visitor = app.Client();
        foreach (var link in entries.Select(e => e.Link).Distinct())
            ((int)(await visitor.GetAsync(link)).Status).ShouldBeLessThan(400, link);
    }
}
