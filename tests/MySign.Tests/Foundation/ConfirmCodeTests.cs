using AngleSharp.Html.Parser;
using MySign.Kernel.Rendering;

namespace MySign.Tests.Foundation;

/// <summary>The pieces every form draws from the kernel: the OTP code field (otp_field) and the antiforgery field.</summary>
public sealed class ConfirmCodeTests
{
    private static AngleSharp.Dom.IElement Input(RawHtml html) => new HtmlParser().ParseDocument("<body>" + html.Value).QuerySelector("input")!;

    [Fact]
    public void the_field_is_one_input_of_as_many_boxes_as_digits_described_by_its_notice_and_its_error()
    {
        var field = ConfirmCode.Field("pin-code", "We sent you a code via SMS to ••••567", 8, "pin-error", true);
        var input = Input(field);
        input.GetAttribute("maxlength").ShouldBe("8");
        input.ClassList.ShouldContain("digits-8");
        input.GetAttribute("autocomplete").ShouldBe("one-time-code");
        input.GetAttribute("aria-invalid").ShouldBe("true");
        input.GetAttribute("aria-describedby").ShouldBe("pin-code-notice pin-error");
        input.HasAttribute("autofocus").ShouldBeTrue();
        field.Value.ShouldContain("id=\"pin-code-notice\"");

        var app = Input(ConfirmCode.Field("code", null, 6, null, false));
        app.GetAttribute("maxlength").ShouldBe("6");
        app.HasAttribute("aria-invalid").ShouldBeFalse();
        app.HasAttribute("aria-describedby").ShouldBeFalse();
    }

    [Fact]
    public void what_it_is_given_is_escaped()
    {
        var field = ConfirmCode.Field("x\"><script>", "<b>notice</b>", 99, null, false).Value;
        field.ShouldNotContain("<script>");
        field.ShouldNotContain("<b>");
        field.ShouldContain("maxlength=\"8\"", customMessage: "only 6 or 8 digits exist");
    }

    [Fact]
    public void the_antiforgery_field_is_one_hidden_input_with_its_token_escaped()
    {
        Templates.Antiforgery("abc\"><script>").Value.ShouldBe("<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"abc&quot;&gt;&lt;script&gt;\">");
    }
}
