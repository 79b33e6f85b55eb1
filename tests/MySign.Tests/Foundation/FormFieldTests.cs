using AngleSharp.Html.Parser;
using MySign.Kernel.Rendering;
using Scriban;

namespace MySign.Tests.Foundation;

/// <summary>The kernel's one labelled field (<c>{{ field … }}</c>), as a template writes it.</summary>
public sealed class FormFieldTests
{
    private static AngleSharp.Dom.IDocument Draw(string call, object? model = null) =>
        new HtmlParser().ParseDocument("<body>" + Templates.Render(Template.Parse(call), new Dictionary<string, object?> { ["model"] = model }));

    [Fact]
    public void an_error_marks_the_input_invalid_and_describes_it_with_the_hint()
    {
        var page = Draw("""{{ field "new_pin" "pin.new" { type: "pin", hint: "field.pin_rules", error: model.error, reveal: true, autofocus: true } }}""",
            new Dictionary<string, object?> { ["error"] = "pin.error.rules" });
        var input = page.QuerySelector("input")!;
        page.QuerySelector("label")!.GetAttribute("for").ShouldBe("new_pin");
        input.GetAttribute("name").ShouldBe("new_pin");
        input.GetAttribute("type").ShouldBe("password");
        input.GetAttribute("inputmode").ShouldBe("numeric");
        input.GetAttribute("maxlength").ShouldBe("16");
        input.HasAttribute("value").ShouldBeFalse("a PIN is never written back");
        input.HasAttribute("required").ShouldBeTrue();
        input.HasAttribute("autofocus").ShouldBeTrue();
        input.GetAttribute("aria-invalid").ShouldBe("true");
        input.GetAttribute("aria-describedby").ShouldBe("new_pin-hint new_pin-error");
        page.QuerySelector("#new_pin-error")!.GetAttribute("role").ShouldBe("alert");
        page.QuerySelector("#new_pin-error")!.TextContent.ShouldNotBeEmpty();
        page.QuerySelector("button.reveal")!.GetAttribute("aria-controls").ShouldBe("new_pin");
    }

    [Fact]
    public void without_an_error_nothing_claims_one_and_what_was_typed_is_kept()
    {
        var page = Draw("""{{ field "email" "recovery.new_email" { type: "email", name: "address", autocomplete: "email", max: 254, value: model.typed, error: null, required: false } }}""",
            new Dictionary<string, object?> { ["typed"] = "paola@example.org" });
        var input = page.QuerySelector("input")!;
        input.GetAttribute("name").ShouldBe("address");
        input.GetAttribute("value").ShouldBe("paola@example.org");
        input.GetAttribute("maxlength").ShouldBe("254");
        input.HasAttribute("required").ShouldBeFalse();
        input.HasAttribute("aria-invalid").ShouldBeFalse();
        input.HasAttribute("aria-describedby").ShouldBeFalse();
        page.QuerySelector(".error").ShouldBeNull();
    }

    [Fact]
    public void an_error_shown_above_the_form_is_pointed_to_only_while_the_field_is_invalid()
    {
        const string call = """{{ field "current" "password.current" { type: "password", invalid: model.field == "current", describedby: "recovery-error" } }}""";
        var wrong = Draw(call, new Dictionary<string, object?> { ["field"] = "current" }).QuerySelector("input")!;
        wrong.GetAttribute("aria-invalid").ShouldBe("true");
        wrong.GetAttribute("aria-describedby").ShouldBe("recovery-error");
        var fine = Draw(call, new Dictionary<string, object?> { ["field"] = "email" }).QuerySelector("input")!;
        fine.HasAttribute("aria-invalid").ShouldBeFalse();
        fine.HasAttribute("aria-describedby").ShouldBeFalse();
    }

    [Fact]
    public void whatever_was_typed_is_escaped()
    {
        var html = Draw("""{{ field "x" "recovery.new_email" { value: model.typed, error: model.typed } }}""",
            new Dictionary<string, object?> { ["typed"] = "\"><script>alert(1)</script>" }).Body!.InnerHtml;
        html.ShouldNotContain("<script>");
    }

    [Fact]
    public void the_confirm_step_posts_the_code_with_its_hidden_fields_and_offers_a_new_code_and_a_way_out()
    {
        var page = Draw("""{{ confirm_step { action: "/pin/confirm", target: "#box-pin", csrf: "tok", hidden: { token: model.token }, code: "pin-code", error: "pin-error", digits: 6, resend: "/pin/resend", cancel: "/pin/cancel", cancel_label: "pin.cancel", back: "/" } }}""",
            new Dictionary<string, object?> { ["token"] = "t\"1" });
        var forms = page.QuerySelectorAll("form");
        forms.Length.ShouldBe(3);
        forms[0].GetAttribute("action").ShouldBe("/pin/confirm");
        forms[0].GetAttribute("hx-post").ShouldBe("/pin/confirm");
        forms[0].GetAttribute("hx-target").ShouldBe("#box-pin");
        forms[0].QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value").ShouldBe("tok");
        forms[0].QuerySelector("input[name=token]")!.GetAttribute("value").ShouldBe("t\"1");
        var code = forms[0].QuerySelector("#pin-code")!;
        code.GetAttribute("maxlength").ShouldBe("6");
        code.GetAttribute("aria-describedby").ShouldBe("pin-error");
        forms[1].GetAttribute("action").ShouldBe("/pin/resend");
        forms[1].QuerySelector("input[name=token]").ShouldNotBeNull("a new code is asked for the same operation");
        forms[2].GetAttribute("action").ShouldBe("/pin/cancel");
        forms[2].QuerySelector("input[name=token]").ShouldBeNull();
        page.QuerySelector("a[href='/']").ShouldNotBeNull();
    }

    [Fact]
    public void a_confirm_step_without_a_target_is_a_plain_post_and_a_passkey_replaces_the_boxes()
    {
        var page = Draw("""{{ confirm_step { action: "/activate/confirm", csrf: "tok", passkey: "0f8fad5b-d9cb-469f-a165-70867728950e" } }}""");
        page.QuerySelector("form")!.HasAttribute("hx-post").ShouldBeFalse();
        page.QuerySelector("[data-passkey]").ShouldNotBeNull();
        page.QuerySelectorAll("form").Length.ShouldBe(1);
    }

    [Fact]
    public void the_confirm_step_draws_what_the_operation_asks_besides_the_code_in_order()
    {
        var page = Draw("""
            {{ confirm_step { action: "/sign", enctype: "multipart/form-data", csrf: "tok", passkey: "0f8fad5b-d9cb-469f-a165-70867728950e", binding: "1:ab",
                 fields: [{ id: "sign-document", label: "sign.document", type: "file", name: "document", data: "passkey-bind\" onclick=\"x" },
                          { id: "sign-pin", label: "status.pin", type: "pin", name: "pin" }],
                 after: [{ id: "note", label: "x.note" }] } }}
            """);
        var form = page.QuerySelector("form")!;
        form.GetAttribute("enctype").ShouldBe("multipart/form-data");
        form.GetAttribute("data-passkey-binding").ShouldBe("1:ab");
        form.HasAttribute("onclick").ShouldBeFalse();
        var names = form.QuerySelectorAll("input:not([type=hidden]), [data-passkey]").Select(e => e.GetAttribute("name") ?? "passkey").ToList();
        names.ShouldBe(["document", "pin", "passkey", "note"]);
        form.QuerySelector("#sign-document")!.HasAttribute("value").ShouldBeFalse();
        form.QuerySelector("#sign-document")!.HasAttribute("data-passkey-bind").ShouldBeFalse("only a plain data- name is written");
    }

    [Fact]
    public void a_select_keeps_the_choice_and_a_check_box_comes_before_its_label()
    {
        var page = Draw("""
            {{ field "reason" "status.reason" { type: "select", choices: ["keyCompromise", "other"], prefix: "status.reason.", value: model.reason, error: "x.required" } }}
            {{ field "agree" "renewal.consents.confirmed" { type: "checkbox", value: "on", checked: true } }}
            """, new Dictionary<string, object?> { ["reason"] = "other" });
        var select = page.QuerySelector("select#reason")!;
        select.QuerySelectorAll("option").Select(o => o.GetAttribute("value")).ShouldBe(["", "keyCompromise", "other"]);
        select.QuerySelector("option[selected]")!.GetAttribute("value").ShouldBe("other");
        select.GetAttribute("aria-describedby").ShouldBe("reason-error");
        select.HasAttribute("required").ShouldBeTrue();
        var box = page.QuerySelector("input#agree")!;
        box.GetAttribute("type").ShouldBe("checkbox");
        box.HasAttribute("checked").ShouldBeTrue();
        box.HasAttribute("required").ShouldBeFalse();
        box.NextElementSibling!.TagName.ShouldBe("LABEL");
        box.ParentElement!.ClassList.ShouldContain("check");
    }
}
