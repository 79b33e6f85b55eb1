using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using MySign.Otp.Contracts;

namespace MySign.Testing;

/// <summary>A holder made the real way (RAO registration, activation from the mailed link), signed in, with the device they confirm with.</summary>
public sealed class PortalHolder(string userId, string password, Applicant applicant, TestOperator registeredBy, PortalClient client)
{
    public string UserId => userId;
    public string Password => password;
    public Applicant Applicant => applicant;
    public TestOperator RegisteredBy => registeredBy;
    public PortalClient Client => client;
    public string Pin { get; set; } = Journeys.FirstPin;
    public FactorDevice Device { get; set; } = null!;
}

/// <summary>
/// A holder's life through the doors people use, over HTTP on the real host: registered by an operator, activated from
/// the e-mail, given another factor through the OTP box, re-keyed at the RAO desk, renewed through the wizard; and each
/// confirm step answered by the holder's device. Each step fails loudly, naming the page it stopped on.
/// </summary>
public static partial class Journeys
{
    public const string FirstPin = "38472916";
    private const string Passphrase = "a sturdy passphrase for tests";

    [GeneratedRegex(@"/activate\?token=[A-Za-z0-9_-]+")]
    private static partial Regex ActivationLink();

    [GeneratedRegex(@"/new-pin\?token=[A-Za-z0-9_-]+")]
    private static partial Regex NewPinLink();

    /// <summary>An operator of a new office registers a new applicant; the applicant activates from the mailed link and is signed in.</summary>
    public static async Task<PortalHolder> RegisteredAsync(AppFixture app, string firstName = "Lucia", string sex = "F", TestOperator? op = null)
    {
        op ??= await Operators.CreateAsync(app.Store);
        using var rao = app.Client();
        await Operators.SignInAsync(rao, app.Store, op);
        await rao.GetAsync("/rao/holders/new");
        var applicant = Applicant.New(firstName, sex);
        var saved = await rao.PostAsync("/rao/holders", applicant.Form());
        Expect(saved, HttpStatusCode.Redirect, "registration");
        var userId = saved.Location!.Split('/')[3].Split('?')[0];

        var mail = await app.Smtp.WaitForAsync(applicant.Email, m => ActivationLink().IsMatch(m.TextBody ?? ""));
        var client = app.Client();
        var form = await client.GetAsync(ActivationLink().Match(mail.TextBody!).Value);
        var token = form.Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        Expect(await client.PostAsync("/activate", new()
        {
            ["token"] = token, ["password"] = Passphrase, ["password_confirm"] = Passphrase, ["pin"] = FirstPin, ["pin_confirm"] = FirstPin,
        }), HttpStatusCode.OK, "activation");
        Expect(await client.PostAsync("/activate/confirm", new() { ["token"] = token, ["code"] = await Holders.LastSmsCodeAsync(app.Store, applicant.Mobile) }),
            HttpStatusCode.Redirect, "activation code");
        await client.GetAsync("/");
        return new PortalHolder(userId, Passphrase, applicant, op, client) { Device = new SmsDevice(app.Store, applicant.Mobile) };
    }

    /// <summary>Through the OTP box: adds a passkey (confirmed with the current factor) and makes passkeys the mode.</summary>
    public static async Task<PasskeyDevice> ChoosePasskeyAsync(PortalHolder holder)
    {
        var client = holder.Client;
        await client.GetAsync("/");
        var step = await client.PostAsync("/otp/passkeys/add/start", []);
        var form = step.Document.QuerySelector("form[data-passkey-create]") ?? throw new InvalidOperationException("No passkey creation form: " + step.Text);
        var (device, attestation) = PasskeyDevice.Create(form.GetAttribute("data-passkey-create")!);
        Expect(await client.PostAsync("/otp/passkeys/add", new()
        {
            ["challenge"] = Hidden(form, "challenge"), ["name"] = "Laptop", ["attestation"] = attestation, ["code"] = await holder.Device.AnswerAsync(client, form),
        }), HttpStatusCode.Redirect, "adding a passkey");
        await client.GetAsync("/");
        var mode = await client.PostAsync("/otp/passkeys/mode/start", []);
        var modeForm = ConfirmForm(mode);
        Expect(await client.PostAsync("/otp/passkeys/mode", new() { ["challenge"] = Hidden(modeForm, "challenge"), ["code"] = await holder.Device.AnswerAsync(client, modeForm) }),
            HttpStatusCode.Redirect, "passkeys as the mode");
        holder.Device = device;
        return device;
    }

    /// <summary>A forgotten PIN: the operator checks the identity at the desk, the holder chooses a new PIN from the mailed link and confirms it.</summary>
    public static async Task<string> RekeyAsync(AppFixture app, PortalHolder holder, string newPin = "61948275")
    {
        await DeskAsync(app, holder, "forgotten_pin");
        var mail = await app.Smtp.WaitForAsync(holder.Applicant.Email, m => NewPinLink().IsMatch(m.TextBody ?? ""));
        using var link = app.Client();
        var page = await link.GetAsync(NewPinLink().Match(mail.TextBody!).Value);
        var token = page.Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        var code = Expect(await link.PostAsync("/new-pin", new() { ["token"] = token, ["pin"] = newPin, ["pin_confirm"] = newPin }), HttpStatusCode.OK, "new PIN");
        var form = ConfirmForm(code);
        var done = Expect(await link.PostAsync("/new-pin/confirm", new() { ["token"] = token, ["code"] = await holder.Device.AnswerAsync(link, form) }),
            HttpStatusCode.OK, "new PIN's confirmation");
        holder.Pin = newPin;
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        return done.Text;
    }

    /// <summary>The renewal wizard with the RAO's credentials (the operator who registered the holder), each OTP step answered by the holder's device.</summary>
    public static async Task<PortalClient.Page> RenewAsync(AppFixture app, PortalHolder holder, string newPin = "73592846")
    {
        await AppClock.DueInAMonthAsync(app.Store, app.ConnectionString, holder.UserId);
        var client = holder.Client;
        await client.GetAsync("/renewal");
        var started = Expect(await client.PostAsync("/renewal", new() { ["path"] = "rao" }), HttpStatusCode.Redirect, "renewal start");
        var id = started.Location!.Split('/').Last();
        await client.GetAsync($"/renewal/{id}");
        var confirm = Expect(await client.PostAsync($"/renewal/{id}/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = holder.Pin }), HttpStatusCode.OK, "consents");
        Expect(await client.PostAsync($"/renewal/{id}/confirm", new() { ["code"] = await holder.Device.AnswerAsync(client, ConfirmForm(confirm)) }), HttpStatusCode.OK, "renewal confirm");
        Expect(await client.PostAsync($"/renewal/{id}/rao", new() { ["rao_username"] = holder.RegisteredBy.Id, ["rao_password"] = holder.RegisteredBy.Password }),
            HttpStatusCode.OK, "RAO verification");
        var activate = Expect(await client.PostAsync($"/renewal/{id}/pin", new() { ["new_pin"] = newPin, ["confirm_pin"] = newPin }), HttpStatusCode.OK, "new PIN");
        var done = Expect(await client.PostAsync($"/renewal/{id}/activate", new() { ["code"] = await holder.Device.AnswerAsync(client, ConfirmForm(activate)) }),
            HttpStatusCode.OK, "activation");
        if (!done.Text.Contains("has been renewed")) throw new InvalidOperationException("The renewal did not finish: " + done.Text);
        holder.Pin = newPin;
        return done;
    }

    /// <summary>Suspend, reactivate or revoke in the portal's suspension box: the form with the PIN, then the holder's device confirms.</summary>
    public static async Task<PortalClient.Page> ChangeStatusAsync(AppFixture app, PortalHolder holder, string action)
    {
        var client = holder.Client;
        Expect(await client.GetAsync($"/certificate/{action}"), HttpStatusCode.OK, $"the {action} form");
        var form = new Dictionary<string, string> { ["pin"] = holder.Pin };
        if (action == "suspend") form["reason"] = "lostDevice";
        if (action == "revoke") (form["reason"], form["understood"]) = ("keyCompromise", "yes");
        var otp = Expect(await client.PostAsync($"/certificate/{action}", form), HttpStatusCode.OK, action);
        var confirm = ConfirmForm(otp);
        var done = Expect(await client.PostAsync(confirm.GetAttribute("action")!, new() { ["code"] = await holder.Device.AnswerAsync(client, confirm) }), HttpStatusCode.OK,
            $"{action} confirmed");
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        return done;
    }

    /// <summary>Emergency suspension with the code the first certificate came with (shown in the suspension box until kept), from a browser without a session.</summary>
    public static async Task EmergencySuspendAsync(AppFixture app, PortalHolder holder)
    {
        var home = await holder.Client.GetAsync("/");
        var code = Regex.Match(home.Document.QuerySelector("#emergency-code")?.TextContent ?? "", "[3-9A-Y]{4}-[3-9A-Y]{4}-[3-9A-Y]{4}-[3-9A-Y]{4}").Value;
        if (code.Length == 0) throw new InvalidOperationException("No emergency code in the suspension box: " + home.Text);
        using var anyone = app.Client();
        await anyone.GetAsync("/emergency");
        var done = Expect(await anyone.PostAsync("/emergency", new() { ["user_id"] = holder.UserId, ["code"] = code }), HttpStatusCode.OK, "emergency suspension");
        if (!done.Text.Contains("suspended", StringComparison.OrdinalIgnoreCase)) throw new InvalidOperationException("Not suspended: " + done.Text);
        await AppClock.MessagesSettledAsync(app.ConnectionString);
    }

    /// <summary>The OTP phone changed in the OTP box: the current factor confirms, then the SMS to the new number.</summary>
    public static async Task ChangePhoneAsync(AppFixture app, PortalHolder holder, string newPhone)
    {
        var client = holder.Client;
        await client.GetAsync("/otp/phone");
        var current = Expect(await client.PostAsync("/otp/phone", new() { ["phone"] = newPhone }), HttpStatusCode.OK, "new phone");
        var form = ConfirmForm(current);
        var next = Expect(await client.PostAsync(form.GetAttribute("action")!, new() { ["code"] = await holder.Device.AnswerAsync(client, form) }), HttpStatusCode.OK,
            "the current factor");
        var normalised = "+" + new string(newPhone.Where(char.IsAsciiDigit).ToArray());
        Expect(await client.PostAsync(ConfirmForm(next).GetAttribute("action")!, new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, normalised) }),
            HttpStatusCode.Redirect, "the new phone");
        if (holder.Device is SmsDevice) holder.Device = new SmsDevice(app.Store, normalised);
        await AppClock.MessagesSettledAsync(app.ConnectionString);
    }

    /// <summary>Five wrong PINs (on the suspension form, which checks the PIN first): the PIN is blocked.</summary>
    public static Task BlockPinAsync(PortalHolder holder) => Holders.BlockPinAsync(holder.Client);

    /// <summary>At the RAO desk: the identity checked, then the action ("unblock_pin", "forgotten_pin", "reset_otp") for the holder.</summary>
    public static async Task<PortalClient.Page> DeskAsync(AppFixture app, PortalHolder holder, string action)
    {
        using var rao = app.Client();
        await Operators.SignInAsync(rao, app.Store, holder.RegisteredBy);
        await rao.GetAsync($"/rao/holders/{holder.UserId}");
        var sent = Expect(await rao.PostAsync($"/rao/holders/{holder.UserId}/desk/{action.Replace('_', '-')}", new()
        {
            ["doc_type"] = "identity_card", ["doc_number"] = "CA98765ZZ", ["doc_expiry"] = DateTime.UtcNow.AddYears(4).ToString("dd/MM/yyyy"),
        }), HttpStatusCode.Redirect, $"the desk's {action}");
        await AppClock.MessagesSettledAsync(app.ConnectionString); // the desk's command (unblock, reset) travels through the outbox
        return Expect(await rao.GetAsync(sent.Location!), HttpStatusCode.OK, $"the holder's page after the desk's {action}");
    }

    /// <summary>Sign a document: the step that asks for the code, then the file with PIN and the device's answer (a passkey's bound to the file).</summary>
    public static async Task<PortalClient.Page> SignAsync(PortalHolder holder, string fileName, byte[] content, bool rightAnswer = true)
    {
        var client = holder.Client;
        await client.GetAsync("/sign");
        var upload = Expect(await client.PostAsync("/sign/otp", []), HttpStatusCode.OK, "Sign a document");
        var form = ConfirmForm(upload);
        var binding = VerifyOtp.BindingFor([SHA256.HashData(content)]);
        var answer = rightAnswer ? await holder.Device.AnswerAsync(client, form, binding) : await holder.Device.WrongAnswerAsync(client, form, binding);
        using var body = new MultipartFormDataContent();
        foreach (var hidden in form.QuerySelectorAll("input[type=hidden]"))
            if (hidden.GetAttribute("name") is { } name && name != "code") body.Add(new StringContent(hidden.GetAttribute("value") ?? ""), name);
        body.Add(new StringContent(holder.Pin), "pin");
        body.Add(new StringContent(answer), "code");
        body.Add(new ByteArrayContent(content), "document", fileName);
        return await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sign") { Content = body });
    }

    /// <summary>The form that posts the code (or passkey assertion) on a confirm step.</summary>
    public static IElement ConfirmForm(PortalClient.Page page) =>
        page.Document.QuerySelectorAll("form").FirstOrDefault(f => f.QuerySelector("input[name=code]") is not null)
        ?? throw new InvalidOperationException($"No confirm step on the page ({(int)page.Status}): {page.Text[..Math.Min(600, page.Text.Length)]}");

    public static string Hidden(IElement form, string name) => form.QuerySelector($"input[name={name}]")?.GetAttribute("value") ?? "";

    public static PortalClient.Page Expect(PortalClient.Page page, HttpStatusCode status, string step) =>
        page.Status == status ? page : throw new InvalidOperationException($"{step}: {(int)page.Status} instead of {(int)status}: {page.Text[..Math.Min(800, page.Text.Length)]}");
}
