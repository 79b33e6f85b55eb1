using MySign.Accounts.Domain;

namespace MySign.Tests.Accounts;

/// <summary>Manage your account: reminders on by default, off and on again with one checkbox; the sign-in records the language mail is written in.</summary>
[Collection(AppCollection.Name)]
public sealed class ReminderSettingTests(AppFixture app)
{
    private async Task<HolderAccount> AccountOf(string id)
    {
        await using var session = app.Store.QuerySession();
        return (await session.LoadAsync<HolderAccount>(id))!;
    }

    [Fact]
    public async Task reminders_are_on_until_the_holder_unticks_them_and_the_sign_in_language_is_remembered()
    {
        var holder = await Holders.CreateAsync(app.Store);
        using var portal = app.Client();
        await portal.GetAsync("/login");
        await portal.PostAsync("/lang", new() { ["lang"] = "it", ["return"] = "/login" });
        await portal.LoginAsync(holder.Id, holder.Password);
        (await AccountOf(holder.Id)).Language.ShouldBe("it");

        var page = await portal.GetAsync("/account");
        page.Document.QuerySelector("#reminders")!.HasAttribute("checked").ShouldBeTrue();
        var saved = await portal.PostAsync("/account/reminders", new());
        saved.Location.ShouldBe("/account?saved=reminders#reminders-title");
        (await AccountOf(holder.Id)).RemindersOff.ShouldBeTrue();
        page = await portal.GetAsync("/account?saved=reminders");
        page.Document.QuerySelector("#reminders")!.HasAttribute("checked").ShouldBeFalse();
        page.Document.QuerySelector("#reminders-saved").ShouldNotBeNull();
        await portal.PostAsync("/account/reminders", new() { ["reminders"] = "on" });
        (await AccountOf(holder.Id)).RemindersOff.ShouldBeFalse();
    }
}
